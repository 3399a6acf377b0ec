package store

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/cubechat/cubechat/cube"
)

// TestListedPageMatchesEachMessageRead: a listed page reads markers and reactions for
// the whole page at once; every message on it must read as Message (one message,
// every field from its own subqueries) reads it, for each viewer: the sender, a
// reader and someone who has not read it, with read and delivered ids in the order
// they came, reactions of several users, attachments, custom fields and a tombstone.
func TestListedPageMatchesEachMessageRead(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	ann, bob, cat := mustUser(t, s, "ann"), mustUser(t, s, "bob"), mustUser(t, s, "cat")
	d, _, err := s.CreateDialog(ctx, NewDialog{Type: cube.DialogGroup, OwnerID: ann.ID, Name: "g",
		OccupantIDs: []int64{bob.ID, cat.ID}})
	if err != nil {
		t.Fatal(err)
	}
	base := time.Now().Add(-time.Hour).Unix()
	var ids []string
	for i := range 6 {
		m := cube.Message{ID: cube.NewObjectID(), ChatDialogID: d.ID, Message: "hello", DateSent: base + int64(i/2),
			SenderID: []int64{ann.ID, bob.ID}[i%2]}
		if i == 1 {
			m.Attachments = []cube.Attachment{{Type: "image", UID: "u1"}}
			m.Custom = map[string]any{"mood": "ok"}
		}
		if _, err := s.StoreChatMessage(ctx, m); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, m.ID)
	}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(s.MarkDelivered(ctx, d.ID, cat.ID, ids[:4]))
	must(s.MarkDelivered(ctx, d.ID, bob.ID, ids[:2]))
	must(s.MarkRead(ctx, d.ID, cat.ID, ids[1:3]))
	must(s.MarkRead(ctx, d.ID, bob.ID, ids[:1]))
	for _, r := range []struct {
		user int64
		id   string
		add  string
	}{{ann.ID, ids[0], "👍"}, {bob.ID, ids[0], "👍"}, {cat.ID, ids[0], "❤️"}, {cat.ID, ids[3], "🎉"}} {
		if _, err := s.React(ctx, r.id, r.user, r.add, ""); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.DeleteMessages(ctx, ann.ID, ids[4:5], true); err != nil {
		t.Fatal(err)
	}
	since := int64(1)
	for _, viewer := range []int64{ann.ID, bob.ID, cat.ID} {
		for _, desc := range []bool{false, true} {
			page, err := s.ListMessages(ctx, MessageQuery{DialogID: d.ID, Viewer: viewer, SortDesc: desc,
				IncludeDeleted: true, UpdatedAt: Range{GTE: &since}})
			if err != nil {
				t.Fatal(err)
			}
			if len(page) != len(ids) {
				t.Fatalf("viewer %d: %d messages listed, want %d", viewer, len(page), len(ids))
			}
			for _, got := range page {
				want, err := s.messageAsRead(ctx, got.ID, viewer)
				if err != nil {
					t.Fatal(err)
				}
				if !reflect.DeepEqual(got, want) {
					t.Fatalf("viewer %d, message %s:\n listed %+v\n read   %+v", viewer, got.ID, got, want)
				}
			}
		}
	}
}

// messageAsRead reads one message, tombstone or not, with messageSelect.
func (s *Store) messageAsRead(ctx context.Context, id string, viewer int64) (cube.Message, error) {
	rows, err := s.db.QueryContext(ctx, messageSelect+` WHERE m.id = ?`, viewer, id)
	if err != nil {
		return cube.Message{}, err
	}
	ms, err := scanMessages(rows)
	if err != nil || len(ms) != 1 {
		return cube.Message{}, err
	}
	return ms[0], nil
}

// TestConnectionsMapTheFile: every pooled connection reads the database through a
// memory map (store.go), not page by page into its own cache.
func TestConnectionsMapTheFile(t *testing.T) {
	s := openTest(t)
	var n int64
	if err := s.db.QueryRowContext(context.Background(), `PRAGMA mmap_size`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != mmapBytes {
		t.Fatalf("mmap_size %d, want %d", n, mmapBytes)
	}
}
