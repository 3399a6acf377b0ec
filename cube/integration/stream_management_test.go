package integration_test

import (
	"context"
	"testing"
	"time"

	"github.com/cubechat/cubechat/cube"
	"github.com/cubechat/cubechat/internal/faultproxy"
)

// TestStreamManagementConfirmsSends: against cubeserver the chat runs stream
// management (XEP-0198), and Confirm rests on the server's <a/>: it returns once the
// server handled what was sent, and the messages arrive.
func TestStreamManagementConfirmsSends(t *testing.T) {
	srv := startServer(t)
	alice, bob := login(t, srv, "alice"), login(t, srv, "bob")
	alice.connect(t, cube.ChatOptions{})
	bob.connect(t, cube.ChatOptions{})
	if !alice.chat.StreamManagement() || !bob.chat.StreamManagement() {
		t.Fatal("stream management is off against cubeserver")
	}
	ctx := context.Background()
	var ids []string
	for _, body := range []string{"one", "two", "three"} {
		m, err := alice.chat.SendMessage(ctx, cube.OutgoingMessage{DialogType: cube.DialogPrivate, RecipientID: bob.ID, Body: body, SaveToHistory: true})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, m.ID)
	}
	if err := alice.chat.Confirm(ctx); err != nil {
		t.Fatalf("confirm: %v", err)
	}
	for _, id := range ids {
		waitEvent(t, bob.chat, func(e cube.MessageEvent) bool { return e.Message.ID == id })
	}
	// Nothing new: the confirmation is immediate, and again after more traffic.
	if err := alice.chat.Confirm(ctx); err != nil {
		t.Fatalf("second confirm: %v", err)
	}
}

// TestCutConnectionLosesNothing: messages the server wrote to bob's connection that
// bob never read (a stalled, then cut network) are not lost: bob's session did not
// acknowledge them, so the server queues them offline when it ends, and bob's next
// connection gets each of them exactly once.
func TestCutConnectionLosesNothing(t *testing.T) {
	srv := startServer(t)
	proxy, err := faultproxy.Listen("127.0.0.1:0", srv.XMPPTLSAddr())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { proxy.Close() })
	alice, bob := login(t, srv, "alice"), login(t, srv, "bob")
	alice.connect(t, cube.ChatOptions{})
	cfg := bob.rest.Config()
	cfg.ChatHost = proxy.Addr()
	bob.chat = cube.NewChat(cfg, cube.ChatOptions{UserID: bob.ID, Password: bob.rest.Token(),
		Reconnect: &cube.ReconnectPolicy{Attempts: 50, Interval: 100 * time.Millisecond}})
	if err := bob.chat.Connect(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { bob.chat.Disconnect() })
	waitEvent(t, bob.chat, func(e cube.StateEvent) bool { return e.State == cube.Ready })

	proxy.Stall(time.Minute)
	ctx := context.Background()
	sent := map[string]bool{}
	for _, body := range []string{"one", "two", "three"} {
		m, err := alice.chat.SendMessage(ctx, cube.OutgoingMessage{DialogType: cube.DialogPrivate, RecipientID: bob.ID, Body: body, SaveToHistory: true})
		if err != nil {
			t.Fatal(err)
		}
		sent[m.ID] = true
	}
	if err := alice.chat.Confirm(ctx); err != nil { // routed to bob's stalled connection
		t.Fatalf("confirm: %v", err)
	}
	proxy.Cut(1, nil)
	proxy.Unstall()

	waitEvent(t, bob.chat, func(e cube.StateEvent) bool { return e.State == cube.Ready })
	end, err := alice.chat.SendMessage(ctx, cube.OutgoingMessage{DialogType: cube.DialogPrivate, RecipientID: bob.ID, Body: "after", SaveToHistory: true})
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]int{}
	waitEvent(t, bob.chat, func(e cube.MessageEvent) bool {
		seen[e.Message.ID]++
		return e.Message.ID == end.ID
	})
	for id := range sent {
		if seen[id] != 1 {
			t.Errorf("message %s arrived %d times", id, seen[id])
		}
	}
}

// TestSignOutAndBackGetsNothingTwice: what bob read before a clean disconnect was
// acknowledged (his answers to the server's <r/>, and an <a/> before his stream
// close), so the server does not hand it to the offline queue as undelivered.
func TestSignOutAndBackGetsNothingTwice(t *testing.T) {
	srv := startServer(t)
	alice, bob := login(t, srv, "alice"), login(t, srv, "bob")
	alice.connect(t, cube.ChatOptions{})
	bob.connect(t, cube.ChatOptions{})
	ctx := context.Background()
	var ids []string
	for _, body := range []string{"one", "two", "three"} {
		m, err := alice.chat.SendMessage(ctx, cube.OutgoingMessage{DialogType: cube.DialogPrivate, RecipientID: bob.ID, Body: body, SaveToHistory: true})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, m.ID)
	}
	for _, id := range ids {
		waitEvent(t, bob.chat, func(e cube.MessageEvent) bool { return e.Message.ID == id })
	}
	if err := bob.chat.Disconnect(); err != nil {
		t.Fatal(err)
	}
	bob.connect(t, cube.ChatOptions{})
	end, err := alice.chat.SendMessage(ctx, cube.OutgoingMessage{DialogType: cube.DialogPrivate, RecipientID: bob.ID, Body: "after", SaveToHistory: true})
	if err != nil {
		t.Fatal(err)
	}
	waitEvent(t, bob.chat, func(e cube.MessageEvent) bool {
		for _, id := range ids {
			if e.Message.ID == id {
				t.Errorf("message %s came again after signing back in", id)
			}
		}
		return e.Message.ID == end.ID
	})
}
