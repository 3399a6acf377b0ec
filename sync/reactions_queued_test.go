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
