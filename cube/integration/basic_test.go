package integration_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/cubechat/cubechat/cube"
	"github.com/cubechat/cubechat/internal/testwait"
)

// The first slice end to end: signed and unsigned sessions, both TLS modes, a private
// message with hostile text and custom parameters, unread counts, refused passwords.
func TestAgainstCubeserver(t *testing.T) {
	srv := startServer(t)
	alice, bob := createUser(t, srv, "alice", "alicepass1"), createUser(t, srv, "bob", "bobpass12")
	ctx := context.Background()

	// Alice signs her session, Bob uses the unsigned SDK 6 form.
	restA := cube.NewClient(clientConfig(t, srv, true, cube.ChatDirectTLS))
	if s, err := restA.CreateSession(ctx, "alice", "alicepass1"); err != nil || s.UserID != alice.ID {
		t.Fatalf("alice session: %+v %v", s, err)
	}
	restB := cube.NewClient(clientConfig(t, srv, false, cube.ChatStartTLS))
	if s, err := restB.CreateSession(ctx, "bob", "bobpass12"); err != nil || s.UserID != bob.ID {
		t.Fatalf("bob session: %+v %v", s, err)
	}
	if _, err := restB.CreateSession(ctx, "bob", "wrong-password"); err == nil {
		t.Fatal("a wrong password opened a session")
	} else if e := (*cube.Error)(nil); !errors.As(err, &e) || e.Status < 400 {
		t.Fatalf("wrong password error: %v", err)
	}
	restB.SetToken("")
	if s, err := restB.CreateSession(ctx, "bob", "bobpass12"); err != nil || s.UserID != bob.ID {
		t.Fatalf("bob session again: %v", err)
	}
	users, err := restA.UsersByIDs(ctx, []int64{alice.ID, bob.ID})
	if err != nil || len(users) != 2 {
		t.Fatalf("users: %+v %v", users, err)
	}

	d, err := restA.CreateDialog(ctx, cube.NewDialog{Type: cube.DialogPrivate, OccupantsIDs: []int64{bob.ID}})
	if err != nil {
		t.Fatal(err)
	}

	chatA := cube.NewChat(restA.Config(), cube.ChatOptions{UserID: alice.ID, Password: "alicepass1"})
	chatB := cube.NewChat(restB.Config(), cube.ChatOptions{UserID: bob.ID, Password: restB.Token()})
	for _, c := range []*cube.Chat{chatA, chatB} {
		if err := c.Connect(ctx); err != nil {
			t.Fatal(err)
		}
		defer c.Disconnect()
		waitEvent(t, c, func(e cube.StateEvent) bool { return e.State == cube.Ready })
	}
	if err := chatA.MarkInactive(ctx); err != nil {
		t.Fatal(err)
	}
	if err := chatA.MarkActive(ctx); err != nil {
		t.Fatal(err)
	}
	if err := chatA.Ping(ctx); err != nil {
		t.Fatal(err)
	}

	sent, err := chatA.SendMessage(ctx, cube.OutgoingMessage{DialogID: d.ID, DialogType: cube.DialogPrivate, RecipientID: bob.ID,
		Body: `hi <bob> & "friends"`, SaveToHistory: true, Custom: map[string]any{"mood": "sunny"}})
	if err != nil {
		t.Fatal(err)
	}
	got := waitEvent(t, chatB, func(e cube.MessageEvent) bool { return e.Message.ID == sent.ID })
	if got.Message.Message != `hi <bob> & "friends"` || got.Message.SenderID != alice.ID || got.Message.ChatDialogID != d.ID || got.Message.Custom["mood"] != "sunny" {
		t.Fatalf("bob received %+v", got.Message)
	}

	// Background reads leave the unread count alone; an explicit read clears it.
	var list *cube.MessageList
	testwait.For(t, "storing the message", 5*time.Second, func() bool {
		list, err = restB.ListMessages(ctx, cube.MessageFilter{DialogID: d.ID})
		return err == nil && len(list.Items) == 1
	})
	if list.Items[0].ID != sent.ID {
		t.Fatalf("history: %+v", list)
	}
	if n := unread(t, restB, d.ID); n != 1 {
		t.Fatalf("unread after background read = %d, want 1", n)
	}
	if err := restB.UpdateMessages(ctx, d.ID, []string{sent.ID}, cube.MessageUpdate{Read: true}); err != nil {
		t.Fatal(err)
	}
	if n := unread(t, restB, d.ID); n != 0 {
		t.Fatalf("unread after read = %d, want 0", n)
	}

	bad := cube.NewChat(restA.Config(), cube.ChatOptions{UserID: alice.ID, Password: "nope"})
	if err := bad.Connect(ctx); !errors.Is(err, cube.ErrAuth) {
		t.Fatalf("wrong chat password: %v", err)
	}
}

// A user's second device gets carbons of what the first one sends.
func TestCarbonsReachTheOtherDevice(t *testing.T) {
	srv := startServer(t)
	alice, bob := login(t, srv, "alice"), login(t, srv, "bob")
	bob.connect(t, cube.ChatOptions{})
	alice.connect(t, cube.ChatOptions{})
	phoneCfg := clientConfig(t, srv, false, cube.ChatStartTLS)
	phone := cube.NewChat(phoneCfg, cube.ChatOptions{UserID: alice.ID, Password: alice.rest.Token()})
	if err := phone.Connect(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer phone.Disconnect()
	waitEvent(t, phone, func(e cube.StateEvent) bool { return e.State == cube.Ready })
	sent, err := alice.chat.SendMessage(context.Background(), cube.OutgoingMessage{DialogType: cube.DialogPrivate, RecipientID: bob.ID, Body: "hello", SaveToHistory: true})
	if err != nil {
		t.Fatal(err)
	}
	got := waitEvent(t, phone, func(e cube.MessageEvent) bool { return e.Message.ID == sent.ID })
	if !got.Carbon || got.Message.SenderID != alice.ID || got.Message.RecipientID != bob.ID {
		t.Fatalf("carbon %+v", got)
	}
	if m := waitEvent(t, bob.chat, func(e cube.MessageEvent) bool { return e.Message.ID == sent.ID }); m.Carbon || m.Message.ChatDialogID == "" {
		t.Fatalf("bob received %+v", m)
	}
}
