package store

import (
	"context"
	"errors"
	"testing"

	"github.com/cubechat/cubechat/cube"
)

func TestRemoveMessageRecomputesDialog(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	a, b := mustUser(t, s, "a"), mustUser(t, s, "b")
	d, err := s.FindOrCreatePrivateDialog(ctx, a.ID, b.ID)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for i, body := range []string{"one", "two", "three"} {
		m := cube.Message{ID: cube.NewObjectID(), ChatDialogID: d.ID, SenderID: a.ID, RecipientID: b.ID,
			Message: body, DateSent: 1_700_000_000 + int64(i)}
		if _, err := s.StoreChatMessage(ctx, m); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, m.ID)
	}
	if err := s.RecordAlerts(ctx, cube.Message{ID: ids[2], ChatDialogID: d.ID, SenderID: a.ID}, []int64{b.ID}); err != nil {
		t.Fatal(err)
	}
	if n := unreadOf(t, s, d.ID, b.ID); n != 3 {
		t.Fatalf("unread before = %d", n)
	}

	// Removing the last message moves last_message back to "two" and drops its unread.
	if got, err := s.RemoveMessage(ctx, ids[2]); err != nil || got != d.ID {
		t.Fatalf("remove: %q %v", got, err)
	}
	dd, _ := s.DialogFor(ctx, d.ID, b.ID)
	if dd.LastMessage == nil || *dd.LastMessage != "two" || *dd.LastMessageID != ids[1] || *dd.UnreadMessagesCount != 2 {
		t.Fatalf("after removing the newest: %+v", dd)
	}
	if _, err := s.Message(ctx, ids[2], a.ID); !errors.Is(err, ErrNotFound) {
		t.Fatalf("removed message still readable: %v", err)
	}
	if alerts, _ := s.ListAlerts(ctx, b.ID, 0); len(alerts) != 0 {
		t.Fatalf("alerts of a removed message remain: %+v", alerts)
	}

	// Removing an older one keeps the last message and lowers the count.
	if _, err := s.RemoveMessage(ctx, ids[0]); err != nil {
		t.Fatal(err)
	}
	dd, _ = s.DialogFor(ctx, d.ID, b.ID)
	if *dd.LastMessageID != ids[1] || *dd.UnreadMessagesCount != 1 {
		t.Fatalf("after removing an older one: %+v", dd)
	}
	if _, err := s.RemoveMessage(ctx, ids[1]); err != nil {
		t.Fatal(err)
	}
	dd, _ = s.DialogFor(ctx, d.ID, b.ID)
	if dd.LastMessage != nil || dd.LastMessageID != nil || *dd.UnreadMessagesCount != 0 {
		t.Fatalf("empty dialog keeps last message fields: %+v", dd)
	}
	if _, err := s.RemoveMessage(ctx, ids[1]); !errors.Is(err, ErrNotFound) {
		t.Fatalf("second remove: %v", err)
	}
}
