package sync

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/cubechat/cubechat/cache"
	"github.com/cubechat/cubechat/cube"
)

// postMessage stores a message over REST (POST /chat/Message) as c's user with the
// given date_sent, the sender's clock. The SDK refuses date_sent as a custom key, so
// the request is built here. Without sendToChat nobody gets a live copy.
func postMessage(t *testing.T, h *harness, c *cube.Client, dialogID, text string, dateSent int64, sendToChat bool) string {
	t.Helper()
	body := map[string]any{"chat_dialog_id": dialogID, "message": text, "date_sent": dateSent}
	if sendToChat {
		body["send_to_chat"] = 1
	}
	raw, err := json.Marshal(body)
	if err != nil {
		t.Fatal(err)
	}
	req, err := http.NewRequestWithContext(h.ctx, http.MethodPost, h.srv.PlainHTTPURL()+"/chat/Message", bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("CB-Token", c.Token())
	resp, err := (&http.Client{Transport: h.serverTransport()}).Do(req)
	if err != nil {
		t.Fatalf("POST /chat/Message: %v", err)
	}
	defer resp.Body.Close()
	var m cube.Message
	if err := json.NewDecoder(resp.Body).Decode(&m); err != nil || resp.StatusCode != http.StatusCreated || m.ID == "" {
		t.Fatalf("POST /chat/Message: HTTP %d, %+v, %v", resp.StatusCode, m, err)
	}
	if m.DateSent != dateSent {
		t.Fatalf("the server stored date_sent %d, want the sender's %d", m.DateSent, dateSent)
	}
	return m.ID
}

// groupWith creates a group of a's user and others from a's engine.
func groupWith(t *testing.T, a *peer, name string, others ...int64) string {
	t.Helper()
	id, err := a.e.CreateDialog(a.h.ctx, cube.DialogGroup, name, others)
	if err != nil {
		t.Fatalf("creating group %s: %v", name, err)
	}
	return id
}

// sendAndWait sends text from one engine and waits until to holds it.
func sendAndWait(t *testing.T, from, to *peer, dialogID, text string) string {
	t.Helper()
	id, err := from.e.Send(from.h.ctx, dialogID, text)
	if err != nil {
		t.Fatalf("send: %v", err)
	}
	to.waitMessages(dialogID, 1, func(m cache.Message) bool { return m.ID == id })
	from.waitOutboxEmpty()
	return id
}

// TestLateArrivalOlderThanEveryCursorArrivesAfterReconnect: a message the server
// stores long after its own date_sent (held by a stall, queued offline, a skewed
// clock) must reach a receiver whose catch-up already passed that date_sent.
func TestLateArrivalOlderThanEveryCursorArrivesAfterReconnect(t *testing.T) {
	h := newHarness(t)
	ann, bob := h.user("ann"), h.user("bob")
	a, b := h.newPeer(ann), h.newPeer(bob)
	a.waitSynced()
	b.waitSynced()
	// A group: the server queues private messages for an offline user and pushes them
	// on connect, which would hide what catch-up does.
	dialog := groupWith(t, a, "late", bob.ID)
	for i := range 3 {
		sendAndWait(t, a, b, dialog, fmt.Sprintf("on time %d", i))
	}
	b.close()

	newer := sendAndWaitServer(t, a, dialog, "sent while bob is away")
	dayAgo := time.Now().Add(-24 * time.Hour).Unix()
	late := postMessage(t, h, h.client(ann), dialog, "stuck in a stall for a day", dayAgo, false)

	b.restart()
	b.waitSynced()
	for _, id := range []string{newer, late} {
		b.waitMessage(id, "the message sent while away", func(m cache.Message) bool { return !m.Deleted })
	}
	got := b.messages(dialog)
	if len(got) != 5 || got[0].ID != late {
		t.Fatalf("bob holds %d messages, the first %q; want 5 with the late one first (by date_sent)", len(got), got[0].Body)
	}
}

// TestMessageWithoutLiveCopyArrivesOnReconnect: a message stored while the receiver
// is connected, whose live copy it never gets, arrives with the next catch-up even
// though live messages moved past its date_sent meanwhile.
func TestMessageWithoutLiveCopyArrivesOnReconnect(t *testing.T) {
	h := newHarness(t)
	ann, bob := h.user("ann"), h.user("bob")
	a, b := h.newPeer(ann), h.newPeer(bob)
	a.waitSynced()
	b.waitSynced()
	dialog := groupWith(t, a, "missed", bob.ID)
	first := sendAndWait(t, a, b, dialog, "live one")
	sentAt := b.waitMessage(first, "the live message", func(cache.Message) bool { return true }).SentAt

	// Stored on the server, never delivered live; its date_sent is older than the live
	// message bob already holds.
	missed := postMessage(t, h, h.client(ann), dialog, "no live copy", sentAt.Unix()-30, false)
	sendAndWait(t, a, b, dialog, "live two")
	if _, err := b.db.Message(h.ctx, missed); err == nil {
		t.Fatal("bob got a live copy of a message the server did not deliver; the test proves nothing")
	}

	// The connection drops and the engine reconnects by itself.
	chat := b.e.connChat()
	if chat == nil {
		t.Fatal("bob has no ready chat")
	}
	_ = chat.Disconnect()
	b.waitFor("the connection to drop", func() (bool, string) {
		s := b.e.Status()
		return s.State != StateReady, fmt.Sprintf("%+v", s)
	})
	b.waitSynced()
	b.waitMessage(missed, "the message without a live copy", func(m cache.Message) bool { return m.Body == "no live copy" })
}

// sendAndWaitServer sends text from an engine and waits until the server has it.
func sendAndWaitServer(t *testing.T, from *peer, dialogID, text string) string {
	t.Helper()
	id, err := from.e.Send(from.h.ctx, dialogID, text)
	if err != nil {
		t.Fatalf("send: %v", err)
	}
	from.waitOutboxEmpty()
	return id
}
