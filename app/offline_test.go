package app

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/cubechat/cubechat/cache"
	csync "github.com/cubechat/cubechat/sync"
	"github.com/cubechat/cubechat/widgets"
)

// seedCache stores an account (user 1, "alice"), Bob, one private dialog and n messages.
func seedCache(t *testing.T, db *cache.DB, n int) cache.Dialog {
	t.Helper()
	ctx := context.Background()
	if err := db.SaveAccount(ctx, cache.Account{UserID: 1, Login: "alice", FullName: "Alice"}); err != nil {
		t.Fatal(err)
	}
	if err := db.UpsertUsers(ctx, []cache.User{{ID: 1, Login: "alice", FullName: "Alice"}, {ID: 2, Login: "bob", FullName: "Bob"}}); err != nil {
		t.Fatal(err)
	}
	start := time.Now().Add(-time.Duration(n) * time.Minute)
	msgs := make([]cache.Message, n)
	for i := range msgs {
		msgs[i] = cache.Message{ID: fmt.Sprintf("%024x", i+1), DialogID: "d1", SenderID: int64(1 + i%2),
			RecipientID: int64(2 - i%2), Body: fmt.Sprintf("message %d", i), SentAt: start.Add(time.Duration(i) * time.Minute),
			State: cache.StateRead}
	}
	last := msgs[n-1]
	d := cache.Dialog{ID: "d1", Type: dialogPrivate, Name: "Bob", OwnerID: 1, OccupantIDs: []int64{1, 2},
		LastMessage: last.Body, LastMessageID: last.ID, LastMessageAt: last.SentAt, LastMessageUserID: last.SenderID,
		UnreadCount: 2, UpdatedAt: last.SentAt}
	if err := db.UpsertDialogs(ctx, []cache.Dialog{d}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.UpsertMessages(ctx, msgs); err != nil {
		t.Fatal(err)
	}
	return d
}

// TestOfflineBrowseAndCompose signs in with the server down: the cached dialogs and
// history show, and a message composed offline is stored as pending and shown at once.
func TestOfflineBrowseAndCompose(t *testing.T) {
	db := openCache(t)
	seedCache(t, db, 120)
	addr := closedAddr(t)
	profile := csync.Profile{Name: "down", APIURL: "http://" + addr, ChatHost: addr, ChatDomain: "localhost",
		ChatTLS: "tls", AppID: 1, AuthKey: "k"}
	u := newTestUI(t, Deps{
		Cache:     db,
		NewEngine: func(p csync.Profile) *csync.Engine { return csync.New(db, p, nil) },
		Demo:      &DemoLogin{Profile: profile, Login: "alice", Password: "pw"},
	})
	var m *mainScreen
	waitFor(t, "the offline sign-in", 10*time.Second, func() bool {
		onUI(func() { m = u.main })
		return m != nil
	})
	waitFor(t, "the cached dialog", 5*time.Second, func() bool {
		var found bool
		onUI(func() { found = m.selectDialog("d1") })
		return found
	})
	if !strings.Contains(m.chat.banner.Text(), "cached messages") {
		t.Errorf("banner %q should say the messages are cached", m.chat.banner.Text())
	}
	h := m.chat.history
	waitFor(t, "the newest page", 5*time.Second, func() bool {
		var n int
		onUI(func() { n = len(h.rows) })
		return n >= historyPage // the list may already have paged older rows in
	})
	onUI(func() {
		if got := h.rows[len(h.rows)-1].Body; got != "message 119" {
			t.Errorf("newest row %q", got)
		}
		if h.rows[0].DayHeader == "" {
			t.Error("the first row of the window carries a date separator")
		}
		if m.chat.header.title.Text != "Bob" {
			t.Errorf("title %q", m.chat.header.title.Text)
		}
	})

	// Paging: the top row in view pages older rows in from the cache (the list may
	// already have asked, if its top row was rendered).
	deadline := time.Now().Add(10 * time.Second)
	for {
		var n int
		var state string
		onUI(func() {
			h.maybeLoadOlder()
			n = len(h.msgs)
			state = fmt.Sprintf("first=%q last=%q n=%d loading=%v exhausted=%v after=%v", h.msgs[0].Body, h.msgs[n-1].Body, n, h.loadingOlder, h.exhausted, time.Until(h.olderAfter))
		})
		if n == 120 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("older pages did not arrive: %s", state)
		}
		time.Sleep(20 * time.Millisecond)
	}
	onUI(func() {
		for i, msg := range h.msgs {
			if want := fmt.Sprintf("message %d", i); msg.Body != want {
				t.Fatalf("row %d is %q, want %q: paging must keep order without gaps", i, msg.Body, want)
			}
		}
	})

	chat := m.chat
	onUI(func() {
		test.Type(chat.composer, "written offline")
		chat.composer.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	})
	waitFor(t, "the pending bubble", 10*time.Second, func() bool {
		var last widgets.BubbleData
		onUI(func() {
			if len(h.rows) > 0 {
				last = h.rows[len(h.rows)-1]
			}
		})
		return last.Body == "written offline" && last.Mine && last.Status == widgets.StatusPending
	})
	if chat.composer.Text != "" {
		t.Errorf("the stored message should leave the composer empty, got %q", chat.composer.Text)
	}
	outbox, err := db.Outbox(context.Background())
	if err != nil || len(outbox) != 1 || outbox[0].Body != "written offline" {
		t.Fatalf("outbox %v, %v", outbox, err)
	}
}
