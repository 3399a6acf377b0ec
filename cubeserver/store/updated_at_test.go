package store

import (
	"context"
	"testing"
	"time"

	"github.com/cubechat/cubechat/cube"
)

// updatedAts reads a message's and its dialog's updated_at (unix ms) as stored.
func updatedAts(t *testing.T, s *Store, messageID string) (message, dialog int64) {
	t.Helper()
	err := s.db.QueryRowContext(context.Background(), `SELECT m.updated_at, d.updated_at
		FROM messages m JOIN dialogs d ON d.id = m.dialog_id WHERE m.id = ?`, messageID).Scan(&message, &dialog)
	if err != nil {
		t.Fatal(err)
	}
	return message, dialog
}

// Catch-up follows the server's clock: a message's updated_at is the server's time at
// insert (whatever its date_sent says) and moves on every change, and its dialog's
// updated_at moves with it, so a client asks only dialogs whose updated_at moved.
func TestEveryMessageChangeMovesMessageAndDialogUpdatedAt(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	a, b := mustUser(t, s, "a"), mustUser(t, s, "b")
	g, _, err := s.CreateDialog(ctx, NewDialog{Type: cube.DialogGroup, OwnerID: a.ID, Name: "g", OccupantIDs: []int64{b.ID}})
	if err != nil {
		t.Fatal(err)
	}
	before := time.Now().UnixMilli()
	dayAgo := time.Now().Add(-24 * time.Hour).Unix()
	old := cube.Message{ID: cube.NewObjectID(), ChatDialogID: g.ID, SenderID: a.ID, Message: "late", DateSent: dayAgo}
	if _, err := s.StoreChatMessage(ctx, old); err != nil {
		t.Fatal(err)
	}
	newest := cube.Message{ID: cube.NewObjectID(), ChatDialogID: g.ID, SenderID: a.ID, Message: "newest"}
	if _, err := s.StoreChatMessage(ctx, newest); err != nil {
		t.Fatal(err)
	}
	m, d := updatedAts(t, s, old.ID)
	if m < before || d < m {
		t.Fatalf("insert of a message sent a day ago: updated_at %d (want >= %d, the server's time), dialog %d", m, before, d)
	}

	changes := []struct {
		name string
		do   func() error
	}{
		{"edit of an older message", func() error { return s.EditMessages(ctx, g.ID, a.ID, []string{old.ID}, "edited") }},
		{"delivered marker", func() error {
			_, err := s.MarkMessage(ctx, old.ID, b.ID, false)
			return err
		}},
		{"read of the dialog", func() error { _, err := s.MarkRead(ctx, g.ID, b.ID, nil); return err }},
		{"reaction", func() error {
			_, err := s.React(ctx, old.ID, b.ID, "👍", "")
			return err
		}},
		{"deletion for everyone", func() error {
			_, err := s.DeleteMessages(ctx, a.ID, []string{old.ID}, true)
			return err
		}},
	}
	for _, c := range changes {
		prevM, prevD := updatedAts(t, s, old.ID)
		time.Sleep(2 * time.Millisecond) // the clock must have moved for "moved" to mean anything
		if err := c.do(); err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		m, d := updatedAts(t, s, old.ID)
		if m <= prevM || d <= prevD || d < m {
			t.Fatalf("%s: message updated_at %d → %d, dialog %d → %d; both must move, the dialog's not below the message's",
				c.name, prevM, m, prevD, d)
		}
	}
}
