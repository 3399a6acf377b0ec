package cache

import (
	"errors"
	"fmt"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

var (
	// ErrNotFound is returned when an addressed row does not exist.
	ErrNotFound = errors.New("cache: not found")
	// ErrCorrupt wraps every failure that means the file is not a usable cache
	// database (not SQLite at all, or failing its integrity check). The app offers
	// to move the file aside (MoveAside) and start fresh.
	ErrCorrupt = errors.New("cache: database file is corrupt")
	// ErrDiskFull wraps a write that failed because the disk (or the database's size
	// limit) is full. The write was rolled back; the previous state is intact.
	ErrDiskFull = errors.New("cache: disk is full")
	// ErrConfirmed is returned when a message is queued whose id the cache already
	// holds as confirmed by the server: nothing was written.
	ErrConfirmed = errors.New("cache: message already confirmed")
)

// sqliteCode returns the primary SQLite result code inside err, or 0.
func sqliteCode(err error) int {
	var se *sqlite.Error
	if errors.As(err, &se) {
		return se.Code() & 0xff // extended codes keep the primary code in the low byte
	}
	return 0
}

// isCorruption tells whether err says the file is not a (sound) database.
func isCorruption(err error) bool {
	switch sqliteCode(err) {
	case sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB:
		return true
	}
	return false
}

// classify turns low-level failures of an operation into the package's sentinel
// errors, keeping the original for the details. what names the operation.
func (db *DB) classify(what string, err error) error {
	if err == nil {
		return nil
	}
	switch {
	case errors.Is(err, ErrNotFound), errors.Is(err, ErrCorrupt), errors.Is(err, ErrDiskFull):
		return err
	case sqliteCode(err) == sqlite3.SQLITE_FULL:
		return fmt.Errorf("%w while trying to %s (nothing was written): %w", ErrDiskFull, what, err)
	case isCorruption(err):
		return fmt.Errorf("%w (%s) while trying to %s: %w", ErrCorrupt, db.path, what, err)
	}
	return fmt.Errorf("cache: %s: %w", what, err)
}
