package store

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/cubechat/cubechat/cube"
)

// BenchmarkBlobReadable: the read check of a private file that was never shared (the
// worst case: every message with attachments in the reader's dialogs is looked at)
// for a reader in 50 dialogs holding 50,000 messages, one in ten with a file, on a
// server that also holds 100,000 messages of dialogs the reader is not in.
func BenchmarkBlobReadable(b *testing.B) {
	s, err := Open(filepath.Join(b.TempDir(), "bench.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	user := func(login string) cube.User {
		u, err := s.CreateUser(ctx, cube.User{Login: login}, "pw")
		if err != nil {
			b.Fatal(err)
		}
		return u
	}
	me, peer, other := user("me"), user("peer"), user("other")
	var mine, theirs []string
	for i := range 250 {
		occupant := me.ID
		if i >= 50 {
			occupant = other.ID
		}
		d, _, err := s.CreateDialog(ctx, NewDialog{Type: cube.DialogGroup, OwnerID: peer.ID, Name: fmt.Sprintf("d%d", i),
			OccupantIDs: []int64{occupant}})
		if err != nil {
			b.Fatal(err)
		}
		if i < 50 {
			mine = append(mine, d.ID)
		} else {
			theirs = append(theirs, d.ID)
		}
	}
	err = s.tx(ctx, func(tx *writeTx) error {
		stmt, err := tx.conn.PrepareContext(ctx, `INSERT INTO messages (id, dialog_id, sender_id, body, date_sent,
			attachments, created_at, updated_at) VALUES (?,?,?,?,?,?,?,?)`)
		if err != nil {
			return err
		}
		defer stmt.Close()
		for i := range 150_000 {
			dialog := theirs[i%len(theirs)]
			if i < 50_000 {
				dialog = mine[i%len(mine)]
			}
			var atts any
			id := cube.NewObjectID()
			if i%10 == 0 {
				atts = fmt.Sprintf(`[{"type":"photo","uid":"%032x","id":"%d"}]`, i, i)
			}
			if _, err := stmt.ExecContext(ctx, id, dialog, peer.ID, "a message", 1_700_000_000+i,
				atts, nowMS(), nowMS()); err != nil {
				return err
			}
			if atts != nil { // as StoreChatMessage records it
				if _, err := tx.ExecContext(ctx, `INSERT INTO message_blobs (uid, message_id, dialog_id) VALUES (?,?,?)`,
					fmt.Sprintf("%032x", i), id, dialog); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	hidden, err := s.CreateBlob(ctx, NewBlob{UID: fmt.Sprintf("%032x", 999_999_999), OwnerID: peer.ID, Name: "x", ContentType: "text/plain"})
	if err != nil {
		b.Fatal(err)
	}
	shared, err := s.CreateBlob(ctx, NewBlob{UID: fmt.Sprintf("%032x", 49_990), OwnerID: peer.ID, Name: "y", ContentType: "text/plain"})
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for range b.N {
		for _, c := range []struct {
			blob Blob
			want bool
		}{{hidden, false}, {shared, true}} {
			ok, err := s.BlobReadableBy(ctx, c.blob, me.ID)
			if err != nil || ok != c.want {
				b.Fatalf("readable=%v err=%v, want %v", ok, err, c.want)
			}
		}
	}
}

// TestMessageBlobsBackfill: the migration that adds message_blobs indexes the files of
// messages stored before it, by uid and by a uid written in "id", never by a numeric id.
func TestMessageBlobsBackfill(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.db")
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	owner, reader := mustUser(t, s, "owner"), mustUser(t, s, "reader")
	d, _, err := s.CreateDialog(ctx, NewDialog{Type: cube.DialogGroup, OwnerID: owner.ID, Name: "g", OccupantIDs: []int64{reader.ID}})
	if err != nil {
		t.Fatal(err)
	}
	byUID, byID, byNumber := fmt.Sprintf("%032x", 1), fmt.Sprintf("%032X", 2), "3"
	atts := fmt.Sprintf(`[{"uid":"%s"},{"id":"%s"},{"id":"%s"}]`, byUID, byID, byNumber)
	// A database from before the migration: messages, and no message_blobs yet.
	rewind := []string{
		// Later migrations run again from version 25: undo what 0040–0042 added first.
		`DROP TABLE message_blobs`, `DROP TABLE user_scram`, `ALTER TABLE users DROP COLUMN password_phc`,
		`DROP TABLE wal_restart`, `DROP TABLE offline_totals`,
		`PRAGMA user_version = 25`,
		fmt.Sprintf(`INSERT INTO messages (id, dialog_id, sender_id, date_sent, attachments, created_at, updated_at)
			VALUES ('m1', '%s', %d, 1, '%s', 1, 1)`, d.ID, owner.ID, atts),
	}
	s = reopenAt(t, s, path, rewind...)
	var got []string
	rows, err := s.db.QueryContext(ctx, `SELECT uid FROM message_blobs WHERE message_id = 'm1' ORDER BY uid`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var uid string
		_ = rows.Scan(&uid)
		got = append(got, uid)
	}
	rows.Close()
	if want := []string{byUID, strings.ToLower(byID)}; !slices.Equal(got, want) {
		t.Fatalf("indexed %v, want %v", got, want)
	}
	for uid, want := range map[string]bool{byUID: true, byID: true, fmt.Sprintf("%032x", 4): false} {
		ok, err := s.BlobReadableBy(ctx, Blob{Blob: cube.Blob{UID: uid}, OwnerID: owner.ID}, reader.ID)
		if err != nil || ok != want {
			t.Errorf("readable %s = %v %v, want %v", uid, ok, err, want)
		}
	}
}
