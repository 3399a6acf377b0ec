package cache

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"sync/atomic"
	"time"
)

// WAL checkpoints off the write path. SQLite's automatic checkpoint runs inside the
// commit that takes the WAL past 1,000 pages: the writer copies the pages into the
// database file and waits for its fsyncs while every other write waits behind it.
// A catch-up of 100,000 messages crossed that threshold dozens of times, on the one
// goroutine that bounds its rate (docs/benchmarks.md, issue 10). So the writer's own
// automatic checkpoint is only a backstop (walBackstopPages), and a goroutine of the
// cache runs a PASSIVE checkpoint, which never blocks the writer or the readers, on
// its own connection at most every checkpointEvery while writes are committed.
// Durability does not change: a commit is in the WAL when it returns.

const (
	checkpointEvery  = 250 * time.Millisecond
	walBackstopPages = 10000 // ~40 MiB of WAL at 4 KiB pages
)

// checkpointer is the cache's background checkpoint goroutine (started by Open,
// stopped by Close before the connections close).
type checkpointer struct {
	conn  *sql.DB       // one connection of its own
	wrote chan struct{} // something was committed (buffered 1)
	stop  chan struct{}
	done  chan struct{}
	runs  atomic.Int64 // checkpoints that completed without error
}

// startCheckpointer opens the checkpoint connection and starts the goroutine.
func (db *DB) startCheckpointer(ctx context.Context) error {
	conn, err := sql.Open("sqlite", db.path+fmt.Sprintf("?_pragma=busy_timeout(%d)", busyTimeoutMS))
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
	db.ckpt = &checkpointer{conn: conn, wrote: make(chan struct{}, 1), stop: make(chan struct{}), done: make(chan struct{})}
	go db.runCheckpoints()
	return nil
}

// walGrew tells the checkpointer that a commit wrote to the WAL; it never blocks.
func (db *DB) walGrew() {
	if db.ckpt == nil {
		return
	}
	select {
	case db.ckpt.wrote <- struct{}{}:
	default:
	}
}

func (db *DB) runCheckpoints() {
	c := db.ckpt
	defer close(c.done)
	for {
		select {
		case <-c.wrote:
		case <-c.stop:
			return
		}
		// A failed checkpoint (a full disk) is tried again after the next commit; the
		// writer's backstop bounds the WAL meanwhile.
		if _, err := c.conn.ExecContext(context.Background(), `PRAGMA wal_checkpoint(PASSIVE)`); err != nil {
			slog.Debug("cache: background checkpoint", "path", db.path, "err", err)
		} else {
			c.runs.Add(1)
		}
		select {
		case <-time.After(checkpointEvery):
		case <-c.stop:
			return
		}
	}
}

// stopCheckpointer stops the goroutine after the checkpoint in progress and closes
// its connection.
func (db *DB) stopCheckpointer() error {
	if db.ckpt == nil {
		return nil
	}
	select {
	case <-db.ckpt.stop:
	default:
		close(db.ckpt.stop)
	}
	<-db.ckpt.done
	return db.ckpt.conn.Close()
}
