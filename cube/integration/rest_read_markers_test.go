package integration_test

import (
	"context"
	"slices"
	"testing"

	"github.com/cubechat/cubechat/cube"
)

// TestRESTReadTellsTheSenders: a read made over REST (here of a whole dialog, some
// of whose messages the reader never received) reaches each sender's chat as the
// read markers the reader's chat would have sent, once per message newly read; a
// sender whose privacy list refuses the reader is not told.
func TestRESTReadTellsTheSenders(t *testing.T) {
	srv := startServer(t)
	alice, bob, carol := login(t, srv, "alice"), login(t, srv, "bob"), login(t, srv, "carol")
	ctx := context.Background()
	group := alice.team(t, bob, carol)
	alice.connect(t, cube.ChatOptions{})
	var ids []string
	for _, text := range []string{"one", "two", "three"} {
		m, err := alice.rest.CreateMessage(ctx, cube.NewMessage{DialogID: group.ID, Message: text})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, m.ID)
	}
	mine, err := bob.rest.CreateMessage(ctx, cube.NewMessage{DialogID: group.ID, Message: "bob's own"})
	if err != nil {
		t.Fatal(err)
	}

	// Bob, with no chat, reads the whole dialog: alice is told of her three.
	if err := bob.rest.UpdateMessages(ctx, group.ID, nil, cube.MessageUpdate{Read: true}); err != nil {
		t.Fatal(err)
	}
	var told []string
	for len(told) < len(ids) {
		ev := waitEvent(t, alice.chat, func(e cube.MarkerEvent) bool { return e.UserID == bob.ID })
		if ev.Kind != cube.MarkerRead || ev.DialogID != group.ID {
			t.Fatalf("marker %+v, want bob's read in %s", ev, group.ID)
		}
		if ev.MessageID == mine.ID || slices.Contains(told, ev.MessageID) {
			t.Fatalf("marker for %s: told twice, or of bob's own message", ev.MessageID)
		}
		told = append(told, ev.MessageID)
	}
	slices.Sort(told)
	want := slices.Sorted(slices.Values(ids))
	if !slices.Equal(told, want) {
		t.Fatalf("alice was told of %v, want %v", told, want)
	}

	// Alice refuses carol's messages: carol's read tells her nothing. A read of the
	// dialog by bob again marks nothing new; then a message of bob's sent after both
	// is the first thing alice gets.
	list := cube.PrivacyList{Name: "blocked", Items: []cube.PrivacyEntry{{UserID: carol.ID, Action: cube.PrivacyDeny}}}
	if err := alice.chat.CreatePrivacyList(ctx, list); err != nil {
		t.Fatal(err)
	}
	if err := alice.chat.SetDefaultPrivacyList(ctx, "blocked"); err != nil {
		t.Fatal(err)
	}
	if err := carol.rest.UpdateMessages(ctx, group.ID, nil, cube.MessageUpdate{Read: true}); err != nil {
		t.Fatal(err)
	}
	if err := bob.rest.UpdateMessages(ctx, group.ID, nil, cube.MessageUpdate{Read: true}); err != nil {
		t.Fatal(err)
	}
	after, err := bob.rest.CreateMessage(ctx, cube.NewMessage{DialogID: group.ID, Message: "after the reads", SendToChat: true})
	if err != nil {
		t.Fatal(err)
	}
	waitEvent(t, alice.chat, func(e cube.Event) bool {
		switch e := e.(type) {
		case cube.MarkerEvent:
			t.Fatalf("alice was told %+v", e)
		case cube.MessageEvent:
			return e.Message.ID == after.ID
		}
		return false
	})
}
