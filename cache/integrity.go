package cache

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
)

// A full quick_check reads the whole file: seconds for a large cache, which Open
// must not spend before the window exists. So Open checks synchronously only when
// the last session did not end cleanly (or found damage), and otherwise checks in
// the background while the app starts:
//
//   - Open creates path-unclean and a clean Close removes it. Found at Open, it
//     means a crash, a kill or a power cut in the last session: the moment damage
//     is likely, so Open runs the check first and fails with ErrCorrupt as always.
//   - Otherwise Open returns at once and a goroutine (owned by the DB, stopped and
//     waited for by Close) runs the check on a read connection. Damage it finds is
//     logged, reported by CheckIntegrity, and keeps the marker on Close, so the next
//     Open fails with ErrCorrupt and the app moves the file aside (MoveAside).
//
// Meanwhile, reads and writes that touch damaged pages fail with ErrCorrupt (see
// classify), as they always did.

// uncleanSuffix names the marker file of a session in progress.
const uncleanSuffix = "-unclean"

// backgroundCheck is the integrity check running after Open.
type backgroundCheck struct {
	cancel context.CancelFunc
	done   chan struct{}
	err    error // set before done closes: nil, ErrCorrupt-wrapped, or why it stopped
}

// startSession checks the file synchronously if the last session did not end
// cleanly, marks this session as in progress, and returns whether a check is still
// owed (to run in the background).
func (db *DB) startSession(ctx context.Context) (checkOwed bool, err error) {
	marker := db.path + uncleanSuffix
	_, statErr := os.Stat(marker)
	unclean := statErr == nil
	if unclean {
		slog.Info("cache: the last session did not end cleanly; checking the file", "path", db.path)
		if err := db.quickCheck(ctx); err != nil {
			return false, err
		}
	}
	f, err := os.OpenFile(marker, os.O_CREATE|os.O_WRONLY, 0o600)
	if err != nil {
		return false, fmt.Errorf("cache: mark %s as in use: %w", db.path, err)
	}
	if err := f.Close(); err != nil {
		return false, fmt.Errorf("cache: mark %s as in use: %w", db.path, err)
	}
	return !unclean, nil
}

// startBackgroundCheck runs quick_check on the read pool until it finishes or
// Close stops it.
func (db *DB) startBackgroundCheck() {
	ctx, cancel := context.WithCancel(context.Background())
	c := &backgroundCheck{cancel: cancel, done: make(chan struct{})}
	db.check = c
	go func() {
		defer close(c.done)
		c.err = db.quickCheckOn(ctx, db.r.DB)
		if errors.Is(c.err, ErrCorrupt) {
			slog.Error("cache: integrity check failed; the file will be moved aside at the next start", "path", db.path, "err", c.err)
		}
	}()
}

// CheckIntegrity waits for the integrity check of this session (see above) and
// returns its outcome: nil for a sound file, an error wrapping ErrCorrupt for a
// damaged one. It returns ctx's error if ctx ends first.
func (db *DB) CheckIntegrity(ctx context.Context) error {
	if db.check == nil {
		return nil // checked synchronously by Open
	}
	select {
	case <-db.check.done:
		return db.check.err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// endSession stops the background check and, unless it found damage, removes the
// marker: the session ended cleanly.
func (db *DB) endSession() error {
	if db.check != nil {
		db.check.cancel()
		<-db.check.done
		if errors.Is(db.check.err, ErrCorrupt) {
			return nil // the next Open checks again and refuses the file
		}
	}
	if err := os.Remove(db.path + uncleanSuffix); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return nil
}
