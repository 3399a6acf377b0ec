package store

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/cubechat/cubechat/cube"
)

// DialogMembers must agree with the full Dialog on every field routing reads.
func TestDialogMembersMatchesDialog(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	a, b, c := mustUser(t, s, "a"), mustUser(t, s, "b"), mustUser(t, s, "c")
	priv, err := s.FindOrCreatePrivateDialog(ctx, a.ID, b.ID)
	if err != nil {
		t.Fatal(err)
	}
	groupID := cube.NewObjectID()
	if _, _, err := s.CreateDialog(ctx, NewDialog{ID: groupID, Type: cube.DialogGroup, OwnerID: a.ID, Name: "g",
		RoomJID: "1_" + groupID + "@muc.localhost", OccupantIDs: []int64{c.ID, b.ID}, AdminIDs: []int64{c.ID}}); err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{priv.ID, groupID} {
		full, err := s.Dialog(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		lean, err := s.DialogMembers(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if lean.ID != full.ID || lean.Type != full.Type || lean.UserID != full.UserID ||
			!slices.Equal(lean.OccupantsIDs, full.OccupantsIDs) || !slices.Equal(lean.AdminsIDs, full.AdminsIDs) {
			t.Errorf("DialogMembers(%s) = %+v, Dialog has type %d owner %d occupants %v admins %v",
				id, lean, full.Type, full.UserID, full.OccupantsIDs, full.AdminsIDs)
		}
	}
	// A removed occupant is gone from the very next lookup (no caching anywhere).
	if _, err := s.UpdateDialog(ctx, groupID, a.ID, DialogChanges{PullOccupants: []int64{b.ID}}); err != nil {
		t.Fatal(err)
	}
	lean, err := s.DialogMembers(ctx, groupID)
	if err != nil || slices.Contains(lean.OccupantsIDs, b.ID) {
		t.Fatalf("after removing b: %+v, %v", lean, err)
	}
	if _, err := s.DialogMembers(ctx, cube.NewObjectID()); !errors.Is(err, ErrNotFound) {
		t.Fatalf("unknown dialog: %v, want ErrNotFound", err)
	}
}

func TestMarkMessageRules(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	a, b, outsider := mustUser(t, s, "a"), mustUser(t, s, "b"), mustUser(t, s, "x")
	d, err := s.FindOrCreatePrivateDialog(ctx, a.ID, b.ID)
	if err != nil {
		t.Fatal(err)
	}
	old := cube.TimeOf(time.Now().Add(-time.Hour))
	store := func(text string) cube.Message {
		m := cube.Message{ID: cube.NewObjectID(), ChatDialogID: d.ID, SenderID: a.ID, RecipientID: b.ID,
			Message: text, CreatedAt: old, UpdatedAt: old}
		if _, err := s.StoreChatMessage(ctx, m); err != nil {
			t.Fatal(err)
		}
		return m
	}
	first, second, gone := store("one"), store("two"), store("deleted")
	if _, err := s.TombstoneMessage(ctx, gone.ID); err != nil {
		t.Fatal(err)
	}
	if n := unreadOf(t, s, d.ID, b.ID); n != 2 {
		t.Fatalf("b starts with %d unread, want 2", n)
	}

	tests := []struct {
		name       string
		id         string
		user       int64
		read       bool
		wantMarked bool
	}{
		{"own message", first.ID, a.ID, false, false},
		{"not an occupant", first.ID, outsider.ID, false, false},
		{"unknown message", cube.NewObjectID(), b.ID, false, false},
		{"deleted message", gone.ID, b.ID, false, false},
		{"received", first.ID, b.ID, false, true},
		{"received again", first.ID, b.ID, false, true},
		{"displayed", second.ID, b.ID, true, true},
	}
	for _, tc := range tests {
		marked, err := s.MarkMessage(ctx, tc.id, tc.user, tc.read)
		if err != nil || marked != tc.wantMarked {
			t.Errorf("%s: marked=%v err=%v, want marked=%v", tc.name, marked, err, tc.wantMarked)
		}
	}

	got := func(id string) cube.Message {
		m, err := s.Message(ctx, id, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	one, two := got(first.ID), got(second.ID)
	if !slices.Equal(one.DeliveredIDs, []int64{a.ID, b.ID}) || !slices.Equal(one.ReadIDs, []int64{a.ID}) {
		t.Errorf("received: delivered %v read %v", one.DeliveredIDs, one.ReadIDs)
	}
	if !one.UpdatedAt.Time.After(old.Time) {
		t.Errorf("a new delivered marker left updated_at at %v", one.UpdatedAt)
	}
	if !slices.Equal(two.DeliveredIDs, []int64{a.ID, b.ID}) || !slices.Equal(two.ReadIDs, []int64{a.ID, b.ID}) {
		t.Errorf("displayed: delivered %v read %v", two.DeliveredIDs, two.ReadIDs)
	}
	// displayed recomputes the reader's count like MarkRead: one of two read.
	if n := unreadOf(t, s, d.ID, b.ID); n != 1 {
		t.Errorf("b has %d unread after reading one of two, want 1", n)
	}

	// A repeated marker changes nothing, updated_at included.
	before := got(first.ID).UpdatedAt
	if _, err := s.MarkMessage(ctx, first.ID, b.ID, false); err != nil {
		t.Fatal(err)
	}
	if after := got(first.ID).UpdatedAt; !after.Time.Equal(before.Time) {
		t.Errorf("a repeated marker moved updated_at %v → %v", before, after)
	}
	if _, err := s.MarkMessage(ctx, "", b.ID, false); !errors.Is(err, ErrInvalidInput) {
		t.Errorf("empty id: %v, want ErrInvalidInput", err)
	}
}
