package main

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"time"

	"github.com/cubechat/cubechat/cube"
	"github.com/cubechat/cubechat/cubeserver/store"
)

// rawInsertRate is the reference of the ingest run: the rows the server writes for a
// stored chat message (the message, and the sender in its read and delivered lists)
// inserted straight into a fresh database of the server's schema, through prepared
// statements, o.Batch messages per transaction, with the server's pragmas, on the same
// disk. It returns messages per second.
func rawInsertRate(ctx context.Context, o ingestOptions) (phaseFigures, error) {
	dir, err := os.MkdirTemp(o.Dir, "cubeload-raw-")
	if err != nil {
		return phaseFigures{}, err
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "raw.db")
	type pair struct {
		from, to int64
		dialog   string
	}
	pairs := make([]pair, o.Senders)
	st, err := store.Open(path) // the schema, users and dialogs
	if err != nil {
		return phaseFigures{}, err
	}
	if err := st.SetPasswordPolicy(store.CheapPasswordPolicy()); err != nil {
		st.Close()
		return phaseFigures{}, err
	}
	for i := range pairs {
		var ids [2]int64
		for k := range ids {
			u, err := st.CreateUser(ctx, cube.User{Login: fmt.Sprintf("raw-%d-%d", i, k)}, "pw")
			if err != nil {
				st.Close()
				return phaseFigures{}, err
			}
			ids[k] = u.ID
		}
		d, err := st.FindOrCreatePrivateDialog(ctx, ids[0], ids[1])
		if err != nil {
			st.Close()
			return phaseFigures{}, err
		}
		pairs[i] = pair{ids[0], ids[1], d.ID}
	}
	if err := st.Close(); err != nil {
		return phaseFigures{}, err
	}

	q := url.Values{}
	q.Set("_txlock", "immediate")
	for _, p := range []string{"busy_timeout(10000)", "journal_mode(WAL)", "synchronous(NORMAL)", "foreign_keys(1)", "temp_store(MEMORY)"} {
		q.Add("_pragma", p)
	}
	db, err := sql.Open("sqlite", "file:"+path+"?"+q.Encode())
	if err != nil {
		return phaseFigures{}, err
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	var ins [3]*sql.Stmt
	for i, q := range []string{
		`INSERT INTO messages (id, dialog_id, sender_id, recipient_id, body, date_sent, attachments, custom,
			created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?)`,
		`INSERT INTO message_reads (message_id, user_id) VALUES (?,?)`,
		`INSERT INTO message_deliveries (message_id, user_id) VALUES (?,?)`,
	} {
		if ins[i], err = db.PrepareContext(ctx, q); err != nil {
			return phaseFigures{}, err
		}
		defer ins[i].Close()
	}

	type row struct {
		id, dialog, body string
		from, to         int64
	}
	rows := make([]row, 0, o.Senders*o.Messages)
	for k := range o.Messages {
		for i, p := range pairs {
			rows = append(rows, row{cube.NewObjectID(), p.dialog, fmt.Sprintf("ingest message %d of sender %d", k, i), p.from, p.to})
		}
	}
	cpu0, start := processCPU(), time.Now()
	for i := 0; i < len(rows); i += o.Batch {
		err := rawBatch(ctx, db, ins, func(ins [3]*sql.Stmt) error {
			now := time.Now()
			for _, r := range rows[i:min(i+o.Batch, len(rows))] {
				if _, err := ins[0].ExecContext(ctx, r.id, r.dialog, r.from, r.to, r.body, now.Unix(), nil, nil,
					now.UnixMilli(), now.UnixMilli()); err != nil {
					return err
				}
				for _, st := range ins[1:] {
					if _, err := st.ExecContext(ctx, r.id, r.from); err != nil {
						return err
					}
				}
			}
			return nil
		})
		if err != nil {
			return phaseFigures{}, err
		}
	}
	return measured(len(rows), time.Since(start), processCPU()-cpu0), nil
}

// rawBatch runs fn in one transaction with the prepared statements bound to it.
func rawBatch(ctx context.Context, db *sql.DB, prepared [3]*sql.Stmt, fn func(ins [3]*sql.Stmt) error) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback() //nolint:errcheck // after Commit it only reports ErrTxDone
	var ins [3]*sql.Stmt
	for i, st := range prepared {
		ins[i] = tx.StmtContext(ctx, st)
	}
	if err := fn(ins); err != nil {
		return err
	}
	return tx.Commit()
}
