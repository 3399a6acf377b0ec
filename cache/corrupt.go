package cache

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"
	"time"
)

// quickCheck runs PRAGMA quick_check (a fast structural check that skips index
// contents) and reports a damaged file as ErrCorrupt.
func (db *DB) quickCheck(ctx context.Context) error { return db.quickCheckOn(ctx, db.w.pool) }

// quickCheckOn is quickCheck on the given pool (the writer at Open, the read pool
// in the background).
func (db *DB) quickCheckOn(ctx context.Context, on *sql.DB) error {
	rows, err := on.QueryContext(ctx, `PRAGMA quick_check`)
	if err != nil {
		return db.openError(err)
	}
	defer rows.Close()
	var problems []string
	for rows.Next() {
		var line string
		if err := rows.Scan(&line); err != nil {
			return db.openError(err)
		}
		if line != "ok" {
			problems = append(problems, line)
		}
	}
	if err := rows.Err(); err != nil {
		return db.openError(err)
	}
	if len(problems) > 0 {
		if len(problems) > 3 {
			problems = append(problems[:3], fmt.Sprintf("and %d more", len(problems)-3))
		}
		return fmt.Errorf("cache: %s fails its integrity check (%s): %w", db.path, strings.Join(problems, "; "), ErrCorrupt)
	}
	return nil
}

// MoveAside renames a (corrupt) cache file and its -wal, -shm, -unclean and -checked companions to
// path.corrupt-<UTC timestamp>[-N] and returns the new name of the main file, so
// that Open(path) can start fresh while the old file stays for inspection.
// The cache must not be open.
func MoveAside(path string) (string, error) {
	if _, err := os.Stat(path); err != nil {
		return "", fmt.Errorf("cache: move aside %s: %w", path, err)
	}
	base := path + ".corrupt-" + time.Now().UTC().Format("20060102T150405Z")
	target := base
	for n := 1; exists(target); n++ {
		target = fmt.Sprintf("%s-%d", base, n)
	}
	if err := os.Rename(path, target); err != nil {
		return "", fmt.Errorf("cache: move aside %s: %w", path, err)
	}
	for _, suffix := range []string{"-wal", "-shm", uncleanSuffix, checkedSuffix} {
		err := os.Rename(path+suffix, target+suffix)
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return target, fmt.Errorf("cache: moved %s to %s but not its %s file: %w", path, target, suffix, err)
		}
	}
	return target, nil
}

func exists(path string) bool {
	_, err := os.Lstat(path)
	return err == nil
}
