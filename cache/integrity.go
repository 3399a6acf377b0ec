package cache

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"sync"
	"time"
)

// A full quick_check reads the whole file: seconds of CPU for a large cache, which
// a start must not spend (not before the window exists, and not beside it either:
// the machine may have two cores). Damage comes with a crash, a kill or a power
// cut, so that is when the check runs; a sound file is re-checked now and then:
//
//   - Open creates path-unclean and a clean Close removes it. Found at Open, it
//     means the last session did not end cleanly: the moment damage is likely, so
//     Open runs the check first and fails with ErrCorrupt as always.
//   - path-checked is touched whenever a check finds the file sound (and when Open
//     creates the file). After a clean session, Open checks only when that is older
//     than checkEvery, and then in the background, checkDelay after Open (past the
//     start), on a read connection, in a goroutine owned by the DB (Close stops it
//     and waits). Damage it finds is logged, reported by CheckIntegrity, and keeps
//     the unclean marker on Close, so the next Open fails with ErrCorrupt and the
//     app moves the file aside (MoveAside).
//
// Meanwhile, reads and writes that touch damaged pages fail with ErrCorrupt (see
// classify), as they always did.

const (
	// uncleanSuffix names the marker file of a session in progress.
	uncleanSuffix = "-unclean"
	// checkedSuffix names the file whose modification time is the last check that
	// found the cache sound.
	checkedSuffix = "-checked"
	// checkEvery is how old the last sound check may be before a clean start
	// checks again.
	checkEvery = 7 * 24 * time.Hour
	// checkDelay is how long after Open an owed background check waits.
	checkDelay = time.Minute
)

// backgroundCheck is the integrity check owed after Open.
type backgroundCheck struct {
	cancel  context.CancelFunc
	now     chan struct{} // closed to skip the rest of checkDelay
	nowOnce sync.Once
	done    chan struct{}
	err     error // set before done closes: nil, ErrCorrupt-wrapped, or why it stopped
}

// startSession checks the file synchronously if the last session did not end
// cleanly, marks this session as in progress, and returns whether a check is
// owed (to run in the background). created says Open made the file just now.
func (db *DB) startSession(ctx context.Context, created bool) (checkOwed bool, err error) {
	marker := db.path + uncleanSuffix
	unclean := exists(marker)
	switch {
	case unclean:
		slog.Info("cache: the last session did not end cleanly; checking the file", "path", db.path)
		if err := db.quickCheck(ctx); err != nil {
			return false, err
		}
		db.markChecked()
	case created:
		db.markChecked() // nothing in it yet to be damaged
	default:
		checkOwed = db.checkDue()
	}
	f, err := os.OpenFile(marker, os.O_CREATE|os.O_WRONLY, 0o600)
	if err != nil {
		return false, fmt.Errorf("cache: mark %s as in use: %w", db.path, err)
	}
	if err := f.Close(); err != nil {
		return false, fmt.Errorf("cache: mark %s as in use: %w", db.path, err)
	}
	return checkOwed, nil
}

// checkDue tells whether the last sound check is missing or older than checkEvery.
func (db *DB) checkDue() bool {
	st, err := os.Stat(db.path + checkedSuffix)
	return err != nil || time.Since(st.ModTime()) > checkEvery
}

// markChecked records that the file was just found sound. Failing to record it
// only means the next clean start checks again.
func (db *DB) markChecked() {
	name := db.path + checkedSuffix
	f, err := os.OpenFile(name, os.O_CREATE|os.O_WRONLY, 0o600)
	if err == nil {
		err = f.Close()
	}
	now := time.Now()
	if err == nil {
		err = os.Chtimes(name, now, now)
	}
	if err != nil {
		slog.Warn("cache: cannot record the integrity check", "path", name, "err", err)
	}
}

// startBackgroundCheck runs quick_check on the read pool, checkDelay from now
// (or when CheckIntegrity asks), until it finishes or Close stops it.
func (db *DB) startBackgroundCheck() {
	ctx, cancel := context.WithCancel(context.Background())
	c := &backgroundCheck{cancel: cancel, now: make(chan struct{}), done: make(chan struct{})}
	db.check = c
	go func() {
		defer close(c.done)
		wait := time.NewTimer(checkDelay)
		defer wait.Stop()
		select {
		case <-wait.C:
		case <-c.now:
		case <-ctx.Done():
			c.err = ctx.Err()
			return
		}
		c.err = db.quickCheckOn(ctx, db.r.DB)
		switch {
		case c.err == nil:
			db.markChecked()
		case errors.Is(c.err, ErrCorrupt):
			slog.Error("cache: integrity check failed; the file will be moved aside at the next start", "path", db.path, "err", c.err)
		}
	}()
}

// CheckIntegrity returns the outcome of the integrity check this session owes
// (see above), starting it at once if it is still waiting: nil for a sound file,
// or when none is owed (Open checked, or a recent check found the file sound); an
// error wrapping ErrCorrupt for a damaged one. It returns ctx's error if ctx ends
// first.
func (db *DB) CheckIntegrity(ctx context.Context) error {
	if db.check == nil {
		return nil
	}
	db.check.nowOnce.Do(func() { close(db.check.now) })
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
