package sync

import (
	"testing"

	"github.com/cubechat/cubechat/cache"
	"github.com/cubechat/cubechat/cube"
)

func TestOfflineMessageSurvivesRestartAndIsStoredOnce(t *testing.T) {
	h := newHarness(t)
	ann, bob := h.user("ann"), h.user("bob")
	a := h.newPeer(ann)
	a.waitSynced()
	dialog, err := a.e.CreateDialog(h.ctx, cube.DialogPrivate, "", []int64{bob.ID})
	if err != nil {
		t.Fatal(err)
	}

	// Compose with the engine logged in but not connected: the message is stored
	// pending at once and nothing sends it.
	a.close()
	a.open()
	if err := a.e.Login(h.ctx, ann.Login, ann.password); err != nil {
		t.Fatal(err)
	}
	id, err := a.e.Send(h.ctx, dialog, "written offline")
	if err != nil {
		t.Fatalf("send offline: %v", err)
	}
	m, err := a.db.Message(h.ctx, id)
	if err != nil || m.State != cache.StatePending {
		t.Fatalf("offline message: %+v, %v; want pending", m, err)
	}

	// Restart the app: the queue is in the cache file.
	a.restart()
	a.waitOutboxEmpty()
	if m, err := a.db.Message(h.ctx, id); err != nil || m.State != cache.StateSent {
		t.Fatalf("after reconnect: %+v, %v; want sent", m, err)
	}
	list, err := h.client(bob).ListMessages(h.ctx, cube.MessageFilter{DialogID: dialog})
	if err != nil {
		t.Fatal(err)
	}
	count := 0
	for _, sm := range list.Items {
		if sm.ID == id {
			count++
			if sm.Message != "written offline" || sm.SenderID != ann.ID {
				t.Fatalf("server copy %+v", sm)
			}
		}
	}
	if count != 1 || len(list.Items) != 1 {
		t.Fatalf("server holds %d copies of the message (%d messages), want exactly 1", count, len(list.Items))
	}
}

func TestResendOfSameIDIsStoredOnce(t *testing.T) {
	h := newHarness(t)
	ann, bob := h.user("ann"), h.user("bob")
	a := h.newPeer(ann)
	a.waitSynced()
	dialog, err := a.e.CreateDialog(h.ctx, cube.DialogGroup, "g", []int64{bob.ID})
	if err != nil {
		t.Fatal(err)
	}
	id, err := a.e.Send(h.ctx, dialog, "once")
	if err != nil {
		t.Fatal(err)
	}
	a.waitOutboxEmpty()
	// The confirmation was "lost": the same message goes out again with its id.
	d, err := a.db.Dialog(h.ctx, dialog)
	if err != nil {
		t.Fatal(err)
	}
	m, err := a.db.Message(h.ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	chat := a.e.liveChat()
	if _, err := chat.SendMessage(h.ctx, outgoingFromCache(*m, *d, m.SentAt.Unix())); err != nil {
		t.Fatal(err)
	}
	if err := chat.Ping(h.ctx); err != nil {
		t.Fatal(err)
	}
	list, err := h.client(bob).ListMessages(h.ctx, cube.MessageFilter{DialogID: dialog})
	if err != nil {
		t.Fatal(err)
	}
	if len(list.Items) != 1 || list.Items[0].ID != id {
		t.Fatalf("server holds %+v, want the one message %s", list.Items, id)
	}
}

func TestRetryFailedRequeues(t *testing.T) {
	h := newHarness(t)
	ann, bob := h.user("ann"), h.user("bob")
	a := h.newPeer(ann)
	a.waitSynced()
	dialog, err := a.e.CreateDialog(h.ctx, cube.DialogPrivate, "", []int64{bob.ID})
	if err != nil {
		t.Fatal(err)
	}
	// A message the stanza builder refuses (reserved custom key) fails for good.
	bad := cache.Message{ID: cube.NewObjectID(), DialogID: dialog, SenderID: ann.ID, RecipientID: bob.ID,
		Body: "x", Custom: map[string]any{"dialog_id": "forged"}}
	if err := a.db.EnqueueOutgoing(h.ctx, bad); err != nil {
		t.Fatal(err)
	}
	a.e.kickOutbox()
	a.waitFor("the message to fail", func() (bool, string) {
		m, err := a.db.Message(h.ctx, bad.ID)
		if err != nil {
			return false, err.Error()
		}
		return m.State == cache.StateFailed && m.LastError != "", string(m.State) + " " + m.LastError
	})
	if err := a.e.RetryFailed(h.ctx, bad.ID); err != nil {
		t.Fatal(err)
	}
	a.waitFor("the retried message to fail again", func() (bool, string) {
		m, err := a.db.Message(h.ctx, bad.ID)
		if err != nil {
			return false, err.Error()
		}
		return m.State == cache.StateFailed, string(m.State)
	})
	if err := a.e.RetryFailed(h.ctx, "000000000000000000000000"); err == nil {
		t.Fatal("RetryFailed of an unknown id succeeded")
	}
}
