package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
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
	must := func(_ []Marked, err error) {
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

// The reference the listed page is compared with: each message read on its own, every
// field through a correlated subquery (how the store read messages before pages read
// markers and reactions for all their messages at once).

// messageSelect reads one message messages as viewer ?1 sees them. "read" is 1 for the sender when
// anyone else has read the message, and for others when they have read it.
const messageSelect = `SELECT m.id, m.dialog_id, m.sender_id, m.recipient_id, m.body, m.date_sent,
	m.attachments, m.custom, m.views_count, m.created_at, m.updated_at,
	(SELECT json_group_array(user_id) FROM (SELECT user_id FROM message_reads
		WHERE message_id = m.id ORDER BY rowid)),
	(SELECT json_group_array(user_id) FROM (SELECT user_id FROM message_deliveries
		WHERE message_id = m.id ORDER BY rowid)),
	CASE WHEN m.sender_id = ?1
		THEN EXISTS (SELECT 1 FROM message_reads r WHERE r.message_id = m.id AND r.user_id != ?1)
		ELSE EXISTS (SELECT 1 FROM message_reads r WHERE r.message_id = m.id AND r.user_id = ?1) END,
	m.deleted_at IS NOT NULL,
	(SELECT reaction FROM message_reactions WHERE message_id = m.id AND user_id = ?1),
	(SELECT json_group_object(reaction, n) FROM (SELECT reaction, COUNT(*) AS n
		FROM message_reactions WHERE message_id = m.id GROUP BY reaction ORDER BY reaction))
	FROM messages m`

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

func scanMessages(rows *sql.Rows) ([]cube.Message, error) {
	defer rows.Close()
	out := []cube.Message{}
	for rows.Next() {
		var m cube.Message
		var attachments, custom sql.NullString
		var created, updated int64
		var readIDs, deliveredIDs string
		var read bool
		var own sql.NullString
		var totals string
		if err := rows.Scan(&m.ID, &m.ChatDialogID, &m.SenderID, &m.RecipientID, &m.Message,
			&m.DateSent, &attachments, &custom, &m.ViewsCount, &created, &updated,
			&readIDs, &deliveredIDs, &read, &m.Deleted, &own, &totals); err != nil {
			return nil, err
		}
		reactions, err := scanReactions(own, totals)
		if err != nil {
			return nil, fmt.Errorf("store: message %s reactions: %w", m.ID, err)
		}
		m.Reactions = reactions
		if attachments.Valid {
			if err := json.Unmarshal([]byte(attachments.String), &m.Attachments); err != nil {
				return nil, fmt.Errorf("store: message %s attachments: %w", m.ID, err)
			}
		}
		if custom.Valid {
			if err := json.Unmarshal([]byte(custom.String), &m.Custom); err != nil {
				return nil, fmt.Errorf("store: message %s custom fields: %w", m.ID, err)
			}
		}
		if err := json.Unmarshal([]byte(readIDs), &m.ReadIDs); err != nil {
			return nil, err
		}
		if err := json.Unmarshal([]byte(deliveredIDs), &m.DeliveredIDs); err != nil {
			return nil, err
		}
		if read {
			m.Read = 1
		}
		m.CreatedAt = cube.TimeOf(msTime(created))
		m.UpdatedAt = cube.TimeOf(msTime(updated))
		out = append(out, m)
	}
	return out, rows.Err()
}

// scanReactions builds the per-viewer reactions of a message; nil when it has none.
func scanReactions(own sql.NullString, totals string) (*cube.Reactions, error) {
	total := map[string]int{}
	if err := json.Unmarshal([]byte(totals), &total); err != nil {
		return nil, err
	}
	if len(total) == 0 {
		return nil, nil
	}
	r := &cube.Reactions{Own: []string{}, Total: total}
	if own.Valid {
		r.Own = append(r.Own, own.String)
	}
	return r, nil
}
