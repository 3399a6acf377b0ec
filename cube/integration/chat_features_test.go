package integration_test

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/cubechat/cubechat/cube"
)

func TestChatSignalsAgainstServer(t *testing.T) {
	srv := startServer(t)
	alice, bob, carol := login(t, srv, "alice"), login(t, srv, "bob"), login(t, srv, "carol")
	ctx := context.Background()
	private, err := alice.rest.CreateDialog(ctx, cube.NewDialog{Type: cube.DialogPrivate, OccupantsIDs: []int64{bob.ID}})
	if err != nil {
		t.Fatal(err)
	}
	group := alice.team(t, bob, carol)
	alice.connect(t, cube.ChatOptions{})
	bob.connect(t, cube.ChatOptions{})
	carol.connect(t, cube.ChatOptions{NoAutoDeliver: true})
	toBob, toGroup := cube.PeerOf(private, alice.ID), cube.PeerOf(group, alice.ID)
	if toBob.RecipientID != bob.ID {
		t.Fatalf("peer of the private dialog: %+v", toBob)
	}

	// Typing: private typing has no dialog, group typing comes from the room.
	if err := alice.chat.SendTyping(ctx, toBob, true); err != nil {
		t.Fatal(err)
	}
	waitEvent(t, bob.chat, func(e cube.TypingEvent) bool { return e.UserID == alice.ID && e.Typing && e.DialogID == "" })
	if err := alice.chat.SendTyping(ctx, toGroup, false); err != nil {
		t.Fatal(err)
	}
	waitEvent(t, carol.chat, func(e cube.TypingEvent) bool { return e.UserID == alice.ID && !e.Typing && e.DialogID == group.ID })

	// A private message is auto-acknowledged by Bob; Alice then gets his read marker.
	sent, err := alice.chat.SendMessage(ctx, cube.OutgoingMessage{DialogID: private.ID, DialogType: cube.DialogPrivate, RecipientID: bob.ID, Body: "hi", SaveToHistory: true})
	if err != nil {
		t.Fatal(err)
	}
	got := waitEvent(t, bob.chat, func(e cube.MessageEvent) bool { return e.Message.ID == sent.ID })
	waitEvent(t, alice.chat, func(e cube.MarkerEvent) bool {
		return e.Kind == cube.MarkerDelivered && e.MessageID == sent.ID && e.UserID == bob.ID && e.DialogID == private.ID
	})
	if err := bob.chat.SendRead(ctx, got.Message); err != nil {
		t.Fatal(err)
	}
	waitEvent(t, alice.chat, func(e cube.MarkerEvent) bool {
		return e.Kind == cube.MarkerRead && e.MessageID == sent.ID && e.UserID == bob.ID
	})

	// Edit and delete, live.
	if _, err := alice.chat.EditMessage(ctx, cube.OutgoingEdit{Peer: toBob, MessageID: sent.ID, Body: "hi!", Last: true}); err != nil {
		t.Fatal(err)
	}
	waitEvent(t, bob.chat, func(e cube.EditEvent) bool {
		return e.MessageID == sent.ID && e.Body == "hi!" && e.Last && e.UserID == alice.ID && e.DialogID == private.ID
	})
	if _, err := alice.chat.DeleteMessageChat(ctx, toGroup, "65f000000000000000000001"); err != nil {
		t.Fatal(err)
	}
	waitEvent(t, carol.chat, func(e cube.DeleteEvent) bool {
		return e.MessageID == "65f000000000000000000001" && e.DialogID == group.ID && e.UserID == alice.ID
	})

	// A REST reaction reaches the participants as a <reactions/> message.
	if err := bob.rest.AddReaction(ctx, sent.ID, "👍"); err != nil {
		t.Fatal(err)
	}
	waitEvent(t, alice.chat, func(e cube.ReactionEvent) bool {
		return e.MessageID == sent.ID && e.UserID == bob.ID && slices.Equal(e.Add, []string{"👍"})
	})

	// System messages, over XMPP and over REST.
	if _, err := alice.chat.SendSystemMessageChat(ctx, bob.ID, "dialog/NEW_DIALOG", map[string]any{"dialog_id": group.ID}); err != nil {
		t.Fatal(err)
	}
	waitEvent(t, bob.chat, func(e cube.SystemMessageEvent) bool {
		return e.From == alice.ID && e.Body == "dialog/NEW_DIALOG" && e.Params["dialog_id"] == group.ID
	})
	if _, err := carol.rest.SendSystemMessage(ctx, bob.ID, map[string]any{"kind": "hello"}); err != nil {
		t.Fatal(err)
	}
	waitEvent(t, bob.chat, func(e cube.SystemMessageEvent) bool { return e.Params["kind"] == "hello" })

	// A message stored over REST with send_to_chat arrives live.
	m, err := alice.rest.CreateMessage(ctx, cube.NewMessage{DialogID: group.ID, Message: "from REST", SendToChat: true})
	if err != nil {
		t.Fatal(err)
	}
	waitEvent(t, carol.chat, func(e cube.MessageEvent) bool { return e.Message.ID == m.ID && e.Message.Message == "from REST" })
}

func TestPrivacyAndLastActivityAgainstServer(t *testing.T) {
	srv := startServer(t)
	alice, bob := login(t, srv, "alice"), login(t, srv, "bob")
	ctx := context.Background()
	alice.connect(t, cube.ChatOptions{})
	bob.connect(t, cube.ChatOptions{})

	if secs, err := alice.chat.LastActivity(ctx, bob.ID); err != nil || secs != 0 {
		t.Fatalf("last activity of an online user: %d %v", secs, err)
	}
	if err := alice.chat.SubscribeLastActivity(ctx, bob.ID, true); err != nil {
		t.Fatal(err)
	}

	list := cube.PrivacyList{Name: "blocked", Items: []cube.PrivacyEntry{{UserID: bob.ID, Action: cube.PrivacyDeny}}}
	if err := alice.chat.CreatePrivacyList(ctx, list); err != nil {
		t.Fatal(err)
	}
	if err := alice.chat.SetDefaultPrivacyList(ctx, "blocked"); err != nil {
		t.Fatal(err)
	}
	names, err := alice.chat.PrivacyListNames(ctx)
	if err != nil || names.Default != "blocked" || !slices.Contains(names.Names, "blocked") {
		t.Fatalf("names: %+v %v", names, err)
	}
	got, err := alice.chat.GetPrivacyList(ctx, "blocked")
	if err != nil || len(got.Items) != 1 || got.Items[0] != list.Items[0] {
		t.Fatalf("list: %+v %v", got, err)
	}
	var iqErr *cube.IQError
	if _, err := alice.chat.GetPrivacyList(ctx, "nope"); !errors.As(err, &iqErr) {
		t.Fatalf("unknown list: %v", err)
	}

	// Bob is blocked: his message bounces with 503.
	sent, err := bob.chat.SendMessage(ctx, cube.OutgoingMessage{DialogType: cube.DialogPrivate, RecipientID: alice.ID, Body: "let me in"})
	if err != nil {
		t.Fatal(err)
	}
	bounce := waitEvent(t, bob.chat, func(e cube.MessageErrorEvent) bool { return e.ID == sent.ID })
	if bounce.Code != 503 {
		t.Fatalf("bounce: %+v", bounce)
	}

	if err := alice.chat.SetDefaultPrivacyList(ctx, ""); err != nil {
		t.Fatal(err)
	}
	if err := alice.chat.DeletePrivacyList(ctx, "blocked"); err != nil {
		t.Fatal(err)
	}
	again, err := bob.chat.SendMessage(ctx, cube.OutgoingMessage{DialogType: cube.DialogPrivate, RecipientID: alice.ID, Body: "thanks"})
	if err != nil {
		t.Fatal(err)
	}
	waitEvent(t, alice.chat, func(e cube.MessageEvent) bool { return e.Message.ID == again.ID })

	// Bob leaves: the subscription pushes his last activity.
	if err := bob.chat.Disconnect(); err != nil {
		t.Fatal(err)
	}
	waitEvent(t, alice.chat, func(e cube.LastActivityEvent) bool { return e.UserID == bob.ID })
}
