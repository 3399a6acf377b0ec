// Package store keeps the state of cubeserver in SQLite (modernc.org/sqlite, WAL):
// users, sessions, dialogs, messages, the offline queue and user activity. It
// implements the xmppd.Backend methods and the helpers the REST layer needs.
package store

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	_ "modernc.org/sqlite" // registers the "sqlite" driver

	"github.com/cubechat/cubechat/internal/walcheckpoint"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// ErrNotFound is wrapped by every "no such user/dialog/message/session" error. It has a
// NotFound method so that callers which cannot import store (xmppd's Backend contract)
// can still recognise it.
var ErrNotFound error = notFoundError{}

type notFoundError struct{}

func (notFoundError) Error() string  { return "store: not found" }
func (notFoundError) NotFound() bool { return true }

// Errors callers branch on.
var (
	ErrLoginTaken   = errors.New("store: login has already been taken")
	ErrEmailTaken   = errors.New("store: email has already been taken")
	ErrNotOccupant  = errors.New("store: user is not an occupant of the dialog")
	ErrNotSender    = errors.New("store: only the sender may change the message")
	ErrNonceUsed    = errors.New("store: timestamp and nonce have already been used")
	ErrInvalidInput = errors.New("store: invalid input")
)

// Store is the server's SQLite database. It is safe for concurrent use.
type Store struct {
	db    *sql.DB
	stmts *stmtCache // prepared statements of the hot fixed queries (stmts.go)
	// writer admits one write (transaction or single statement) at a time. SQLite
	// allows one writer anyway; queueing here instead of in SQLite's busy handler,
	// which sleeps 1–100 ms between retries, keeps writers from idling while the
	// lock is free and serves them in order.
	writer chan struct{}
	group  *groupCommitter             // shares commits among concurrent hot writes (group_commit.go)
	ckpt   *walcheckpoint.Checkpointer // moves the WAL into the database off the write path (checkpoint.go)
	// members caches DialogMembers between writes that may change it (members_cache.go).
	members membersCache
	// w is the writing connection; only the holder of the write turn touches it
	// (write_conn.go).
	w writeConn
	// passwords is the cost of newly stored password secrets (password.go).
	passwords PasswordPolicy
	// offline bounds each user's offline queue (offline.go).
	offline offlineLimits
}

// Open opens (creating if needed) the database at path and applies pending migrations.
func Open(path string) (*Store, error) {
	q := url.Values{}
	// BEGIN IMMEDIATE takes the write lock up front, so two writers wait on busy_timeout
	// instead of failing with SQLITE_BUSY when a read transaction tries to upgrade.
	q.Set("_txlock", "immediate")
	q.Add("_pragma", "busy_timeout(10000)")
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "synchronous(NORMAL)")
	q.Add("_pragma", "foreign_keys(1)")
	// Savepoints (group commit) and sorts keep their temporary data in memory
	// instead of spilling it to temporary files.
	q.Add("_pragma", "temp_store(MEMORY)")
	// Readers map the file instead of copying each page they miss into their own small
	// page cache with a read call: the eight connections share the OS's copy, and a
	// catch-up's listings spent a fifth of their time in those reads (docs/benchmarks.md,
	// issue 10). The bound is address space, not memory.
	q.Add("_pragma", fmt.Sprintf("mmap_size(%d)", mmapBytes))
	// Checkpoints run in the background (checkpoint.go); this is only a backstop.
	q.Add("_pragma", fmt.Sprintf("wal_autocheckpoint(%d)", walBackstopPages))
	db, err := sql.Open("sqlite", "file:"+path+"?"+q.Encode())
	if err != nil {
		return nil, fmt.Errorf("store: open %s: %w", path, err)
	}
	db.SetMaxOpenConns(maxConns)
	// Keep every connection: database/sql's default of 2 idle ones closed the others
	// after each burst, and a new connection re-runs the pragmas and re-prepares the
	// cached statements.
	db.SetMaxIdleConns(maxConns)
	s := &Store{db: db, stmts: newStmtCache(db), writer: make(chan struct{}, 1), passwords: DefaultPasswordPolicy(),
		offline: defaultOfflineLimits}
	if err := s.migrate(context.Background()); err != nil {
		db.Close()
		return nil, err
	}
	s.group = newGroupCommitter()
	go s.runGroups()
	s.ckpt = walcheckpoint.Start(s.db, s.restartWAL, nil) // a failed checkpoint is tried again after the next write
	return s, nil
}

// mmapBytes bounds how much of the database file each connection maps.
const mmapBytes = 1 << 30

// maxConns bounds the pool: WAL lets readers run beside the one writer.
const maxConns = 8

// Close finishes the writes in progress and closes the cached statements and the
// database.
func (s *Store) Close() error {
	s.group.close()
	s.ckpt.Stop()
	release, _ := s.lockWriter(context.Background())
	werr := s.w.close()
	release()
	return errors.Join(werr, s.stmts.close(), s.db.Close())
}

// migrate applies every embedded NNNN_*.sql file newer than PRAGMA user_version, each in
// its own transaction together with the version bump.
func (s *Store) migrate(ctx context.Context) error {
	entries, err := fs.ReadDir(migrationFiles, "migrations")
	if err != nil {
		return fmt.Errorf("store: read migrations: %w", err)
	}
	sort.Slice(entries, func(i, j int) bool { return entries[i].Name() < entries[j].Name() })
	var current int
	if err := s.db.QueryRowContext(ctx, "PRAGMA user_version").Scan(&current); err != nil {
		return fmt.Errorf("store: read schema version: %w", err)
	}
	for _, e := range entries {
		num, _, ok := strings.Cut(e.Name(), "_")
		version, err := strconv.Atoi(num)
		if !ok || err != nil {
			return fmt.Errorf("store: migration %q is not named NNNN_name.sql", e.Name())
		}
		if version <= current {
			continue
		}
		body, err := migrationFiles.ReadFile("migrations/" + e.Name())
		if err != nil {
			return err
		}
		err = s.tx(ctx, func(tx *writeTx) error {
			if _, err := tx.ExecContext(ctx, string(body)); err != nil {
				return err
			}
			_, err := tx.ExecContext(ctx, fmt.Sprintf("PRAGMA user_version = %d", version))
			return err
		})
		if err != nil {
			return fmt.Errorf("store: migration %s: %w", e.Name(), err)
		}
		current = version
	}
	return nil
}

// tx runs fn in a write transaction, committing when fn returns nil. fn must not start
// another write (tx or exec): writes are admitted one at a time. Any such write may
// change who is in a dialog, so DialogMembers' cache is invalidated after it.
func (s *Store) tx(ctx context.Context, fn func(tx *writeTx) error) error {
	defer s.members.changed()
	return s.writeTx(ctx, fn)
}

// writeTx is tx without invalidating the members cache, for the grouped message and
// marker writes and the offline queue's, which never change a dialog's type, owner,
// occupants or admins.
func (s *Store) writeTx(ctx context.Context, fn func(tx *writeTx) error) error {
	release, err := s.lockWriter(ctx)
	if err != nil {
		return err
	}
	defer release()
	conn, err := s.w.acquire(ctx, s.db)
	if err != nil {
		return err
	}
	if _, err := conn.ExecContext(ctx, `BEGIN IMMEDIATE`); err != nil {
		s.w.recover()
		return err
	}
	if err := fn(&writeTx{w: &s.w, conn: conn}); err != nil {
		s.w.recover()
		return err
	}
	if _, err := conn.ExecContext(context.Background(), `COMMIT`); err != nil {
		s.w.recover()
		return err
	}
	s.wrote()
	return nil
}

// wrote tells the checkpointer that a write was committed (nil during migrations).
func (s *Store) wrote() {
	if s.ckpt != nil {
		s.ckpt.Committed()
	}
}

// restartWAL rewrites the wal_restart row, in turn with the other writes, right
// after a checkpoint that emptied the log (internal/walcheckpoint): the log's
// restart and the fsync of its new header happen here, between bursts, instead of
// in the next message's commit. It is not reported as a write (wrote), which would
// wake the checkpointer again.
func (s *Store) restartWAL(ctx context.Context) error {
	release, err := s.lockWriter(ctx)
	if err != nil {
		return err
	}
	defer release()
	_, err = s.db.ExecContext(ctx, `UPDATE wal_restart SET n = n + 1`)
	return err
}

// exec runs one fixed write statement outside a transaction, as a prepared statement
// and in turn with the other writes.
func (s *Store) exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	release, err := s.lockWriter(ctx)
	if err != nil {
		return nil, err
	}
	defer release()
	defer s.members.changed()
	res, err := s.prep().ExecContext(ctx, query, args...)
	if err == nil {
		s.wrote()
	}
	return res, err
}

// lockWriter waits for the write turn (or ctx) and returns its release.
func (s *Store) lockWriter(ctx context.Context) (release func(), err error) {
	select {
	case s.writer <- struct{}{}:
		return func() { <-s.writer }, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// queryer is what *sql.DB and *writeTx share, so read helpers work inside and outside a tx.
type queryer interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

// nowMS is the current time in unix milliseconds, the unit of every *_at column.
func nowMS() int64 { return time.Now().UnixMilli() }

// msTime turns a stored millisecond value into a time (zero stays zero).
func msTime(ms int64) time.Time {
	if ms == 0 {
		return time.Time{}
	}
	return time.UnixMilli(ms).UTC()
}

// placeholders returns "?,?,…" for n arguments.
func placeholders(n int) string {
	if n <= 0 {
		return ""
	}
	return strings.Repeat("?,", n-1) + "?"
}
