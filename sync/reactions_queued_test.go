package sync

import (
	"maps"
	"slices"
	"testing"

	"github.com/cubechat/cubechat/cache"
)

func TestQueuedReactionsSurviveAServerRefresh(t *testing.T) {
	const me = 1
	server := map[string][]int64{"❤️": {2}, "👍": {1, 3}}
	queued := []cache.Action{
		{Kind: cache.ActionReact, MessageID: "m", Add: "❤️"},             // not yet on the server
		{Kind: cache.ActionReact, MessageID: "m", Remove: "👍"},           // nor this
		{Kind: cache.ActionReact, MessageID: "other", Add: "😢"},          // another message
		{Kind: cache.ActionEdit, MessageID: "m", Text: "edited"},         // not a reaction
		{Kind: cache.ActionReact, MessageID: "m", Add: "🎉", Remove: "🎉"}, // swap to itself
	}
	got := withQueuedReactions(server, queued, "m", me)
	want := map[string][]int64{"❤️": {2, 1}, "👍": {3}, "🎉": {1}}
	if !maps.EqualFunc(got, want, slices.Equal[[]int64]) {
		t.Fatalf("reactions = %v, want %v", got, want)
	}
	if !slices.Equal(server["👍"], []int64{1, 3}) {
		t.Fatalf("the server's list was modified: %v", server)
	}
}

// TestReactionSentDuringARefreshIsKept: the outbox sends this user's ❤️ while the
// catch-up's reaction list is on its way, so the list may not hold it and the queue
// no longer does. The snapshot taken before the request keeps it; one queued
// meanwhile is laid over too, in queue order.
func TestReactionSentDuringARefreshIsKept(t *testing.T) {
	const me = 1
	server := map[string][]int64{"❤️": {2}} // answered before the ❤️ of 1 reached the server
	before := []cache.Action{{ID: 7, Kind: cache.ActionReact, MessageID: "m", Add: "❤️"}}
	now := []cache.Action{{ID: 9, Kind: cache.ActionReact, MessageID: "m", Add: "👍", Remove: "❤️"}}
	got := withQueuedReactions(server, queuedThenAndNow(before, nil), "m", me)
	if want := map[string][]int64{"❤️": {2, 1}}; !maps.EqualFunc(got, want, slices.Equal[[]int64]) {
		t.Fatalf("sent during the refresh: reactions = %v, want %v", got, want)
	}
	got = withQueuedReactions(server, queuedThenAndNow(before, now), "m", me)
	if want := map[string][]int64{"❤️": {2}, "👍": {1}}; !maps.EqualFunc(got, want, slices.Equal[[]int64]) {
		t.Fatalf("then swapped: reactions = %v, want %v", got, want)
	}
}
