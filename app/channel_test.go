package app

import (
	"strings"
	"testing"
	"time"

	"github.com/cubechat/cubechat/cache"
	"github.com/cubechat/cubechat/cube"
)

func TestCanPostAndOnlineSubtitle(t *testing.T) {
	const me = 1
	for _, c := range []struct {
		name string
		d    cache.Dialog
		want bool
	}{
		{"group member", cache.Dialog{Type: dialogGroup, OwnerID: 2}, true},
		{"private", cache.Dialog{Type: dialogPrivate, OwnerID: 2}, true},
		{"broadcast reader", cache.Dialog{Type: dialogBroadcast, OwnerID: 2, OccupantIDs: []int64{2}}, false},
		{"broadcast admin", cache.Dialog{Type: dialogBroadcast, OwnerID: 2, AdminIDs: []int64{me}}, true},
		{"broadcast owner", cache.Dialog{Type: dialogBroadcast, OwnerID: me}, true},
	} {
		if got := canPost(c.d, me); got != c.want {
			t.Errorf("%s: canPost = %v, want %v", c.name, got, c.want)
		}
	}
	for _, c := range []struct {
		sub    string
		online int
		want   string
	}{
		{"3 members", -1, "3 members"},
		{"3 members", 2, "3 members · 2 online"},
		{"", 1, "1 online"},
	} {
		if got := withOnline(c.sub, c.online); got != c.want {
			t.Errorf("withOnline(%q, %d) = %q, want %q", c.sub, c.online, got, c.want)
		}
	}
}

// TestGroupHeaderCountsOnlineAndBroadcastReadsAsChannel: opening a group asks its room
// who is online and shows it in the header; a broadcast dialog shows no composer to a
// reader, and one once the user is its admin.
func TestGroupHeaderCountsOnlineAndBroadcastReadsAsChannel(t *testing.T) {
	x := startE2E(t)
	group, err := x.engine.CreateDialog(x.ctx, cube.DialogGroup, "crew", []int64{x.bobID})
	if err != nil {
		t.Fatal(err)
	}
	var m *mainScreen
	onUI(func() { m = x.u.main })
	open := func(id string) {
		t.Helper()
		waitFor(t, "dialog "+id+" open", 10*time.Second, func() bool {
			var ok bool
			onUI(func() { ok = m.selectDialog(id) && x.chat.dialog.ID == id })
			return ok
		})
	}
	open(group)
	waitFor(t, "2 online in the header", 10*time.Second, func() bool {
		var text string
		onUI(func() { text = x.chat.header.subtitle.Text })
		return strings.HasSuffix(text, "· 2 online")
	})

	news := cache.Dialog{ID: cube.NewObjectID(), Type: cube.DialogBroadcast, Name: "news", OwnerID: x.bobID,
		OccupantIDs: []int64{x.bobID}}
	if err := x.aliceDB.UpsertDialogs(x.ctx, []cache.Dialog{news}); err != nil {
		t.Fatal(err)
	}
	open(news.ID)
	composerShown := func() bool {
		var shown bool
		onUI(func() { shown = x.chat.composerRow.Visible() })
		return shown
	}
	if composerShown() {
		t.Fatal("a reader of a broadcast dialog has a composer")
	}
	news.AdminIDs = []int64{x.engine.Me()}
	if err := x.aliceDB.UpsertDialogs(x.ctx, []cache.Dialog{news}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the composer for an admin", 10*time.Second, composerShown)
}
