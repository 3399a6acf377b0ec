// Package cache is the client's local store: a SQLite file (modernc.org/sqlite)
// holding the account, users and their last activity, dialogs, messages with
// their markers and reactions, the outboxes (new messages, and actions such as
// edits, deletes, reactions and read markers), drafts, the block list, system
// messages, sync cursors and gaps, with FTS5 search over message bodies and a
// change feed that tells the UI what changed after each write.
//
// Writes go through one connection (so they are serialised and each batch is one
// transaction); reads use a separate read-only pool, so they run concurrently
// with a write thanks to WAL.
package cache

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/cubechat/cubechat/internal/feed"
	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

const (
	// busyTimeoutMS bounds how long a connection waits for a lock held by another
	// connection before failing with SQLITE_BUSY: one of this process (the
	// checkpointer's and the writer's) or, where the cache does not lock the file
	// for its process (vfs_other.go), a second app instance.
	busyTimeoutMS = 5000
	// readConns is the size of the read-only pool.
	readConns = 4
)

// DB is an open cache. It is safe for concurrent use.
type DB struct {
	path    string
	w       *writer       // the one writing connection: every write is serialised through it
	groups  writeGroups   // writes waiting for the writer (group_commit.go)
	idx     *indexer      // writes deferred search entries (search_pending.go)
	ckpt    *checkpointer // checkpoints the WAL off the write path (checkpoint.go)
	r       *readPool     // read-only pool
	changes *feed.Feed[Change]
	// check is the integrity check running in the background, nil when Open
	// checked synchronously (see integrity.go).
	check *backgroundCheck

	// notify memoises NotifyFacts between writes of what it reads (notify_facts.go).
	notify notifyMemo

	closeOnce sync.Once
	closeErr  error
}

// Open opens (creating if needed) the cache at path and brings its schema up to
// date. A file that is not a database, or fails its quick integrity check after a
// session that did not end cleanly, gives an error wrapping ErrCorrupt that names
// the path; see MoveAside. After a clean session the check runs only when the last
// one is a week old, and then in the background (integrity.go, CheckIntegrity).
func Open(path string) (*DB, error) {
	if path == "" {
		return nil, errors.New("cache: empty database path")
	}
	if strings.ContainsRune(path, '?') {
		// The driver reads everything after '?' as connection parameters.
		return nil, fmt.Errorf("cache: database path %q must not contain '?'", path)
	}
	if dir := filepath.Dir(path); dir != "" {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return nil, fmt.Errorf("cache: create directory for %s: %w", path, err)
		}
	}
	ctx := context.Background()
	db := &DB{path: path, changes: newChangeFeed()}
	created := !exists(path)

	// temp_store(2): a statement that writes several rows keeps its statement
	// journal in memory, not in a temporary file written page by page
	// (messages_bulk.go).
	pool, err := sql.Open("sqlite", path+fmt.Sprintf(
		"?_pragma=busy_timeout(%d)&_pragma=foreign_keys(1)&_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)&_pragma=temp_store(2)&_pragma=wal_autocheckpoint(%d)&_txlock=immediate"+vfsParam,
		busyTimeoutMS, walBackstopPages))
	if err != nil {
		return nil, fmt.Errorf("cache: open %s: %w", path, err)
	}
	pool.SetMaxOpenConns(1)
	pool.SetMaxIdleConns(1)
	pool.SetConnMaxLifetime(0)
	pool.SetConnMaxIdleTime(0)
	db.w = newWriter(pool)

	if err := pool.PingContext(ctx); err != nil {
		pool.Close()
		return nil, db.openError(err)
	}
	checkOwed, err := db.startSession(ctx, created)
	if err != nil {
		pool.Close()
		return nil, err
	}
	if err := db.migrate(ctx); err != nil {
		pool.Close()
		return nil, db.openError(err)
	}

	rdb, err := sql.Open("sqlite", path+fmt.Sprintf("?_pragma=busy_timeout(%d)&_pragma=query_only(1)"+vfsParam, busyTimeoutMS))
	if err != nil {
		pool.Close()
		return nil, fmt.Errorf("cache: open %s for reading: %w", path, err)
	}
	db.r = newReadPool(rdb)
	db.r.SetMaxOpenConns(readConns)
	db.r.SetMaxIdleConns(readConns)
	if err := db.r.PingContext(ctx); err != nil {
		db.r.Close()
		pool.Close()
		return nil, db.openError(err)
	}
	if err := db.startCheckpointer(ctx); err != nil {
		db.r.Close()
		pool.Close()
		return nil, err
	}
	if err := db.startIndexer(ctx); err != nil {
		_ = db.stopCheckpointer()
		db.r.Close()
		pool.Close()
		return nil, err
	}
	if checkOwed {
		db.startBackgroundCheck()
	}
	slog.Debug("cache opened", "path", path)
	return db, nil
}

// openError explains a failure of Open, marking corruption with ErrCorrupt.
func (db *DB) openError(err error) error {
	if isCorruption(err) {
		return fmt.Errorf("cache: %s is not a usable database: %w: %w", db.path, ErrCorrupt, err)
	}
	return fmt.Errorf("cache: open %s: %w", db.path, err)
}

// Path is the file the cache lives in.
func (db *DB) Path() string { return db.path }

// Close ends every subscription (their channels are closed) and closes the file.
// Calling it again does nothing.
func (db *DB) Close() error {
	db.closeOnce.Do(func() {
		db.stopIndexer()
		db.changes.Close()
		errs := []error{db.stopCheckpointer()}
		if db.r != nil {
			errs = append(errs, db.endSession())
		}
		if db.r != nil {
			errs = append(errs, db.r.stmts.close(), db.r.Close())
		}
		pool := db.w.pool
		errs = append(errs, db.w.close(), pool.Close())
		if err := errors.Join(errs...); err != nil {
			db.closeErr = fmt.Errorf("cache: close %s: %w", db.path, err)
		}
	})
	return db.closeErr
}

// read wraps a read failure, keeping ErrNotFound recognisable.
func (db *DB) read(what string, err error) error {
	if errors.Is(err, sql.ErrNoRows) {
		return ErrNotFound
	}
	return db.classify(what, err)
}

// LimitSize caps the file at its current size plus extraPages pages (SQLite's
// max_page_count on the one writing connection): a write that needs more fails
// exactly as on a full disk, with ErrDiskFull. A negative extraPages lifts the cap.
// It keeps a cache within a quota, and lets fault tests fill the "disk" for real.
func (db *DB) LimitSize(ctx context.Context, extraPages int) error {
	return db.w.exclusive(ctx, func(conn *sql.Conn) error {
		limit := int64(1073741823) // SQLite's default maximum
		if extraPages >= 0 {
			var pages int64
			if err := conn.QueryRowContext(ctx, `PRAGMA page_count`).Scan(&pages); err != nil {
				return db.classify("read the page count", err)
			}
			limit = pages + int64(extraPages)
		}
		if _, err := conn.ExecContext(ctx, fmt.Sprintf(`PRAGMA max_page_count = %d`, limit)); err != nil {
			return db.classify("limit the size", err)
		}
		return nil
	})
}
