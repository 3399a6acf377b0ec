package store

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/cubechat/cubechat/cube"
)

func unreadOf(t *testing.T, s *Store, dialogID string, userID int64) int {
	t.Helper()
	d, err := s.DialogFor(context.Background(), dialogID, userID)
	if err != nil {
		t.Fatal(err)
	}
	if d.UnreadMessagesCount == nil {
		t.Fatalf("user %d sees no unread count", userID)
	}
	return *d.UnreadMessagesCount
}

func TestPrivateDialogIsFoundNotDuplicated(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	a, b := mustUser(t, s, "a"), mustUser(t, s, "b")
	d1, err := s.FindOrCreatePrivateDialog(ctx, a.ID, b.ID)
	if err != nil {
		t.Fatal(err)
	}
	d2, err := s.FindOrCreatePrivateDialog(ctx, b.ID, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	d3, created, err := s.CreateDialog(ctx, NewDialog{Type: cube.DialogPrivate, OwnerID: b.ID, OccupantIDs: []int64{a.ID}})
	if err != nil {
		t.Fatal(err)
	}
	if d1.ID != d2.ID || d1.ID != d3.ID || created {
		t.Fatalf("pair has dialogs %s, %s, %s (created=%v)", d1.ID, d2.ID, d3.ID, created)
	}
	if d1.Type != cube.DialogPrivate || d1.XMPPRoomJID != nil || len(d1.OccupantsIDs) != 2 {
		t.Fatalf("private dialog = %+v", d1)
	}
	if _, err := s.FindOrCreatePrivateDialog(ctx, a.ID, 999); !errors.Is(err, ErrNotFound) {
		t.Fatalf("unknown peer: err = %v", err)
	}
	if _, err := s.FindOrCreatePrivateDialog(ctx, a.ID, a.ID); !errors.Is(err, ErrInvalidInput) {
		t.Fatalf("self dialog: err = %v", err)
	}
}

func TestStoreChatMessageIdempotentAndCounts(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	a, b, c := mustUser(t, s, "a"), mustUser(t, s, "b"), mustUser(t, s, "c")
	g, _, err := s.CreateDialog(ctx, NewDialog{Type: cube.DialogGroup, OwnerID: a.ID, Name: "g",
		OccupantIDs: []int64{b.ID, c.ID}})
	if err != nil {
		t.Fatal(err)
	}
	m := cube.Message{ID: cube.NewObjectID(), ChatDialogID: g.ID, SenderID: a.ID, Message: "hi",
		DateSent: 1_700_000_000, Custom: map[string]any{"country": "USA"}}
	for i, want := range []bool{true, false} {
		ins, err := s.StoreChatMessage(ctx, m)
		if err != nil || ins != want {
			t.Fatalf("store #%d: inserted=%v err=%v", i+1, ins, err)
		}
	}
	if n := unreadOf(t, s, g.ID, b.ID); n != 1 {
		t.Fatalf("b unread = %d after one message stored twice", n)
	}
	if n := unreadOf(t, s, g.ID, a.ID); n != 0 {
		t.Fatalf("sender unread = %d", n)
	}
	d, _ := s.DialogFor(ctx, g.ID, a.ID)
	if d.LastMessage == nil || *d.LastMessage != "hi" || *d.LastMessageID != m.ID ||
		*d.LastMessageDateSent != m.DateSent || *d.LastMessageUserID != a.ID {
		t.Fatalf("last message fields = %+v", d)
	}
	if d.LastMessageStatus == nil || *d.LastMessageStatus != "sent" {
		t.Fatalf("sender's status = %v", d.LastMessageStatus)
	}
	if bv, _ := s.DialogFor(ctx, g.ID, b.ID); bv.LastMessageStatus != nil {
		t.Fatalf("recipient's status = %q, want null", *bv.LastMessageStatus)
	}

	older := cube.Message{ID: cube.NewObjectID(), ChatDialogID: g.ID, SenderID: b.ID, Message: "late",
		DateSent: m.DateSent - 60}
	if _, err := s.StoreChatMessage(ctx, older); err != nil {
		t.Fatal(err)
	}
	d, _ = s.DialogFor(ctx, g.ID, a.ID)
	if *d.LastMessageID != m.ID {
		t.Fatal("an older late message replaced the last message")
	}
	if n := unreadOf(t, s, g.ID, c.ID); n != 2 {
		t.Fatalf("c unread = %d, want 2", n)
	}

	if _, err := s.MarkDelivered(ctx, g.ID, b.ID, []string{m.ID}); err != nil {
		t.Fatal(err)
	}
	if d, _ := s.DialogFor(ctx, g.ID, a.ID); *d.LastMessageStatus != "delivered" {
		t.Fatalf("status after delivery = %s", *d.LastMessageStatus)
	}
	if _, err := s.MarkRead(ctx, g.ID, c.ID, nil); err != nil {
		t.Fatal(err)
	}
	if n := unreadOf(t, s, g.ID, c.ID); n != 0 {
		t.Fatalf("c unread after reading all = %d", n)
	}
	if d, _ := s.DialogFor(ctx, g.ID, a.ID); *d.LastMessageStatus != "read" {
		t.Fatalf("status after read = %s", *d.LastMessageStatus)
	}
	got, err := s.Message(ctx, m.ID, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Custom["country"] != "USA" || got.Read != 1 || len(got.ReadIDs) != 2 || len(got.DeliveredIDs) != 3 {
		t.Fatalf("stored message = %+v", got)
	}
}

func TestStoreChatMessageRefusals(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	a, b, c := mustUser(t, s, "a"), mustUser(t, s, "b"), mustUser(t, s, "c")
	d, _ := s.FindOrCreatePrivateDialog(ctx, a.ID, b.ID)
	tests := []struct {
		name string
		m    cube.Message
		want error
	}{
		{"no id", cube.Message{ChatDialogID: d.ID, SenderID: a.ID}, ErrInvalidInput},
		{"unknown dialog", cube.Message{ID: cube.NewObjectID(), ChatDialogID: cube.NewObjectID(), SenderID: a.ID}, ErrNotFound},
		{"outsider", cube.Message{ID: cube.NewObjectID(), ChatDialogID: d.ID, SenderID: c.ID}, ErrNotOccupant},
	}
	for _, tc := range tests {
		if _, err := s.StoreChatMessage(ctx, tc.m); !errors.Is(err, tc.want) {
			t.Errorf("%s: err = %v, want %v", tc.name, err, tc.want)
		}
	}
}

func TestEditMessagesOnlyBySender(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	a, b := mustUser(t, s, "a"), mustUser(t, s, "b")
	d, _ := s.FindOrCreatePrivateDialog(ctx, a.ID, b.ID)
	m := cube.Message{ID: cube.NewObjectID(), ChatDialogID: d.ID, SenderID: a.ID, Message: "tpyo"}
	if _, err := s.StoreChatMessage(ctx, m); err != nil {
		t.Fatal(err)
	}
	if err := s.EditMessages(ctx, d.ID, b.ID, []string{m.ID}, "hijack"); !errors.Is(err, ErrNotSender) {
		t.Fatalf("edit by other: err = %v", err)
	}
	if err := s.EditMessages(ctx, d.ID, a.ID, []string{m.ID}, "typo"); err != nil {
		t.Fatal(err)
	}
	got, _ := s.Message(ctx, m.ID, a.ID)
	dd, _ := s.Dialog(ctx, d.ID)
	if got.Message != "typo" || *dd.LastMessage != "typo" {
		t.Fatalf("after edit: body %q, last_message %q", got.Message, *dd.LastMessage)
	}
}

func TestListMessagesWithoutLimitReturnsAll(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	a, b := mustUser(t, s, "a"), mustUser(t, s, "b")
	d, _ := s.FindOrCreatePrivateDialog(ctx, a.ID, b.ID)
	for i := range 3 {
		m := cube.Message{ID: cube.NewObjectID(), ChatDialogID: d.ID, SenderID: a.ID, DateSent: int64(1_700_000_000 + i)}
		if _, err := s.StoreChatMessage(ctx, m); err != nil {
			t.Fatal(err)
		}
	}
	all, err := s.ListMessages(ctx, MessageQuery{DialogID: d.ID, Viewer: b.ID})
	if err != nil || len(all) != 3 {
		t.Fatalf("ListMessages without limit = %d messages, %v", len(all), err)
	}
	if n, _ := s.CountMessages(ctx, MessageQuery{DialogID: d.ID}); n != 3 {
		t.Fatalf("CountMessages = %d", n)
	}
}

// TestMarkersMoveUpdatedAt: a read or delivered marker changes the message's JSON
// (read_ids/delivered_ids), so updated_at moves — once per new marker — and a sender who
// catches up with updated_at filters sees the ticks.
func TestMarkersMoveUpdatedAt(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	a, b := mustUser(t, s, "a"), mustUser(t, s, "b")
	d, err := s.FindOrCreatePrivateDialog(ctx, a.ID, b.ID)
	if err != nil {
		t.Fatal(err)
	}
	old := cube.TimeOf(time.Now().Add(-time.Hour))
	m := cube.Message{ID: cube.NewObjectID(), ChatDialogID: d.ID, SenderID: a.ID, RecipientID: b.ID,
		Message: "hi", CreatedAt: old, UpdatedAt: old}
	if _, err := s.StoreChatMessage(ctx, m); err != nil {
		t.Fatal(err)
	}
	updatedAt := func() time.Time {
		got, err := s.Message(ctx, m.ID, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		return got.UpdatedAt.Time
	}
	if !updatedAt().Equal(old.Time) {
		t.Fatalf("stored updated_at %v, want %v", updatedAt(), old)
	}
	if _, err := s.MarkDelivered(ctx, d.ID, b.ID, []string{m.ID}); err != nil {
		t.Fatal(err)
	}
	delivered := updatedAt()
	if !delivered.After(old.Time) {
		t.Fatalf("delivered marker left updated_at at %v", delivered)
	}
	if _, err := s.MarkDelivered(ctx, d.ID, b.ID, []string{m.ID}); err != nil {
		t.Fatal(err)
	}
	if again := updatedAt(); !again.Equal(delivered) {
		t.Fatalf("a repeated marker moved updated_at: %v → %v", delivered, again)
	}
	if _, err := s.MarkRead(ctx, d.ID, b.ID, nil); err != nil {
		t.Fatal(err)
	}
	got, _ := s.Message(ctx, m.ID, a.ID)
	if !got.UpdatedAt.Time.After(old.Time) || !slices.Contains(got.ReadIDs, b.ID) {
		t.Fatalf("after read: %+v", got)
	}
}
