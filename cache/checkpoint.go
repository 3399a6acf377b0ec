package cache

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"

	"github.com/cubechat/cubechat/internal/walcheckpoint"
)

// The cache checkpoints its WAL off the write path (internal/walcheckpoint): the
// writer's own automatic checkpoint is only a backstop, and a goroutine on a
// connection of its own moves committed pages into the file. After a checkpoint
// that emptied the log, restartWAL writes one row so that the log's restart (and
// the fsync of its new header) happens then, not in a user's next write.

// walBackstopPages is the writer's automatic checkpoint threshold (~40 MiB of WAL at
// 4 KiB pages).
const walBackstopPages = 10000

// checkpointer is the cache's background checkpoint (started by Open, stopped by
// Close before the connections close) and its connection.
type checkpointer struct {
	*walcheckpoint.Checkpointer
	conn *sql.DB
}

// startCheckpointer opens the checkpoint connection and starts the goroutine.
func (db *DB) startCheckpointer(ctx context.Context) error {
	conn, err := sql.Open("sqlite", db.path+fmt.Sprintf("?_pragma=busy_timeout(%d)"+vfsParam, busyTimeoutMS))
	if err != nil {
		return fmt.Errorf("cache: open %s for checkpoints: %w", db.path, err)
	}
	conn.SetMaxOpenConns(1)
	conn.SetMaxIdleConns(1)
	conn.SetConnMaxLifetime(0)
	conn.SetConnMaxIdleTime(0)
	if err := conn.PingContext(ctx); err != nil {
		conn.Close()
		return db.openError(err)
	}
	db.ckpt = &checkpointer{conn: conn, Checkpointer: walcheckpoint.Start(conn, db.restartWAL, func(err error) {
		slog.Debug("cache: background checkpoint", "path", db.path, "err", err)
	})}
	return nil
}

// restartWAL rewrites the wal_restart row on the writer's connection, in turn with
// every other write and yielding like the rest of the bookkeeping. It is not a
// commit the checkpointer or the indexer need to hear of, and it publishes nothing.
func (db *DB) restartWAL(ctx context.Context) error {
	tx, err := db.w.begin(ctx)
	if err != nil {
		return err
	}
	tx.yield = true
	if _, err := tx.ExecContext(ctx, `UPDATE wal_restart SET n = n + 1`); err != nil {
		tx.rollback()
		return err
	}
	return tx.commit()
}

// committed tells the checkpointer and the search indexer that a write committed; it
// never blocks.
func (db *DB) committed() {
	if db.ckpt != nil {
		db.ckpt.Committed()
	}
	if db.idx != nil {
		select {
		case db.idx.committed <- struct{}{}: // the indexer waits for a gap (search_pending.go)
		default:
		}
	}
}

// stopCheckpointer stops the goroutine after the checkpoint in progress and closes
// its connection.
func (db *DB) stopCheckpointer() error {
	if db.ckpt == nil {
		return nil
	}
	db.ckpt.Stop()
	return db.ckpt.conn.Close()
}
