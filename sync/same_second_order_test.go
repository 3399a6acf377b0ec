package sync

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/cubechat/cubechat/cache"
	"github.com/cubechat/cubechat/cube"
)

// randomID is a 24-hex message id with no order in it, like the ids the JS SDK 6
// makes up: the server lists same-second messages by arrival, never by id.
func randomID(t *testing.T) string {
	t.Helper()
	b := make([]byte, 12)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(b)
}

// serverOrder lists a dialog as user a sees it on the server: its message ids in the
// server's order (date_sent, then arrival), its last message and the unread count of
// c's user.
func serverOrder(t *testing.T, h *harness, c *cube.Client, dialogID string) (ids []string, last string, unread int) {
	t.Helper()
	page, err := c.ListMessages(h.ctx, cube.MessageFilter{DialogID: dialogID, SortAsc: "date_sent", Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range page.Items {
		ids = append(ids, m.ID)
	}
	list, err := c.ListDialogs(h.ctx, cube.DialogFilter{IDIn: []string{dialogID}})
	if err != nil || len(list.Items) != 1 {
		t.Fatalf("the server's dialog %s: %v (%d listed)", dialogID, err, len(list.Items))
	}
	d := list.Items[0]
	return ids, deref(d.LastMessageID), deref(d.UnreadMessagesCount)
}

// assertServerOrder fails unless p's cache shows the dialog as the server lists it:
// the same history order, the same last message, the same unread count.
func assertServerOrder(t *testing.T, p *peer, dialogID string, ids []string, last string, unread int) {
	t.Helper()
	p.waitFor("the server's order of "+dialogID, func() (bool, string) {
		got := messageIDs(p.messages(dialogID))
		d, err := p.db.Dialog(p.h.ctx, dialogID)
		if err != nil {
			return false, err.Error()
		}
		ok := slices.Equal(got, ids) && d.LastMessageID == last && d.UnreadCount == unread
		return ok, fmt.Sprintf("%s caches\n %v\nthe server lists\n %v\nlast message %s (server %s), unread %d (server %d)",
			p.acc.Login, got, ids, d.LastMessageID, last, d.UnreadCount, unread)
	})
}

func messageIDs(msgs []cache.Message) []string {
	out := make([]string, len(msgs))
	for i, m := range msgs {
		out[i] = m.ID
	}
	return out
}

// TestSameSecondMessagesKeepTheServersOrder: a burst of messages that share one
// date_sent, whose ids are not in the order they reached the server (as JS SDK 6 ids
// are not), shows in every cache in the server's order, with the server's last
// message and unread count: received live (bob), fetched by catch-up after being
// away (carl), fetched on a first sign-in (dave).
func TestSameSecondMessagesKeepTheServersOrder(t *testing.T) {
	h := newHarness(t)
	ann, bob, carl, dave := h.user("ann"), h.user("bob"), h.user("carl"), h.user("dave")
	b, c := h.newPeer(bob), h.newPeer(carl)
	b.waitSynced()
	c.waitSynced()
	dlg := struct{ ID string }{groupWith(t, b, "burst", ann.ID, carl.ID, dave.ID)}
	sendAndWait(t, b, c, dlg.ID, "hello")
	c.close()

	cfg, err := h.profile().cubeConfig()
	if err != nil {
		t.Fatal(err)
	}
	chat := cube.NewChat(cfg, cube.ChatOptions{UserID: ann.ID, Password: ann.password})
	if err := chat.Connect(h.ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = chat.Disconnect()
		chat.StopEvents() // nobody reads ann's events: end their delivery
	})
	second := time.Now().Unix()
	const burst = 12
	for i := range burst {
		out := cube.OutgoingMessage{ID: randomID(t), DialogID: dlg.ID, DialogType: cube.DialogGroup,
			Body: fmt.Sprint("same second ", i), SaveToHistory: true, DateSent: second}
		if _, err := chat.SendMessage(h.ctx, out); err != nil {
			t.Fatal(err)
		}
	}
	if err := chat.Ping(h.ctx); err != nil {
		t.Fatal(err)
	}
	bobREST := h.client(bob)
	var ids []string
	b.waitFor("the server to store the burst", func() (bool, string) {
		ids, _, _ = serverOrder(t, h, bobREST, dlg.ID)
		return len(ids) == burst+1, fmt.Sprintf("%d stored", len(ids))
	})
	if slices.IsSorted(ids[1:]) {
		t.Fatal("the random ids happen to be in arrival order; the test proves nothing")
	}

	_, last, unread := serverOrder(t, h, bobREST, dlg.ID)
	assertServerOrder(t, b, dlg.ID, ids, last, unread)

	c.restart()
	c.waitSynced()
	_, last, unread = serverOrder(t, h, h.client(carl), dlg.ID)
	assertServerOrder(t, c, dlg.ID, ids, last, unread)

	d := h.newPeer(dave)
	d.waitSynced()
	_, last, unread = serverOrder(t, h, h.client(dave), dlg.ID)
	assertServerOrder(t, d, dlg.ID, ids, last, unread)
}

// TestOwnMessageConfirmedAfterAnotherOfItsSecondTakesTheServersPlace: bob's message
// reached the server before ann's of the same second, but ann's came to bob live
// before the ping that confirms his. Confirmed last, his would show after hers; the
// engine asks the server for that second's order once it confirms a message whose
// second holds others.
func TestOwnMessageConfirmedAfterAnotherOfItsSecondTakesTheServersPlace(t *testing.T) {
	h := newHarness(t)
	ann, bob := h.user("ann"), h.user("bob")
	b := h.newPeer(bob)
	b.waitSynced()
	dialog := groupWith(t, b, "confirmations", ann.ID)
	second := time.Now().Unix()
	mine := postMessage(t, h, h.client(bob), dialog, "bob's, stored first", second, false)
	theirs := postMessage(t, h, h.client(ann), dialog, "ann's, stored second", second, false)

	// Bob's cache: ann's message came live; his own is still pending, with the
	// millisecond time it was queued at.
	at := time.Unix(second, 0)
	if _, err := b.db.UpsertMessages(h.ctx, []cache.Message{{ID: theirs, DialogID: dialog, SenderID: ann.ID,
		Body: "ann's, stored second", SentAt: at, State: cache.StateSent}}); err != nil {
		t.Fatal(err)
	}
	if err := b.db.SetUnread(h.ctx, dialog, 1); err != nil { // as the live message counted it
		t.Fatal(err)
	}
	if err := b.db.EnqueueOutgoing(h.ctx, cache.Message{ID: mine, DialogID: dialog, SenderID: bob.ID,
		Body: "bob's, stored first", SentAt: at.Add(400 * time.Millisecond), State: cache.StatePending}); err != nil {
		t.Fatal(err)
	}
	// The ping after his message is answered: it is marked sent at its date_sent.
	if err := b.e.markSent(h.ctx, []sentMessage{{id: mine, sentAt: at}}); err != nil {
		t.Fatal(err)
	}
	ids, last, unread := serverOrder(t, h, h.client(bob), dialog)
	if !slices.Equal(ids[len(ids)-2:], []string{mine, theirs}) {
		t.Fatalf("the server lists %v, want %s then %s last", ids, mine, theirs)
	}
	assertServerOrder(t, b, dialog, ids, last, unread)
}
