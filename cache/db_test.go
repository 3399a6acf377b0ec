package cache

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestOpenMigratesFromEmptyAndReopens(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "sub", "dir", "cache.db") // parent dirs are created
	db, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	var version int
	if err := db.r.QueryRow(`SELECT MAX(version) FROM schema_version`).Scan(&version); err != nil {
		t.Fatal(err)
	}
	ms, _ := loadMigrations()
	if version != len(ms) || version < 1 {
		t.Fatalf("schema version %d, want %d", version, len(ms))
	}
	var mode string
	if err := db.w.QueryRow(`PRAGMA journal_mode`).Scan(&mode); err != nil || mode != "wal" {
		t.Fatalf("journal_mode %q (%v), want wal", mode, err)
	}
	var fk, syncMode int
	db.w.QueryRow(`PRAGMA foreign_keys`).Scan(&fk)
	db.w.QueryRow(`PRAGMA synchronous`).Scan(&syncMode)
	if fk != 1 || syncMode != 1 {
		t.Fatalf("foreign_keys=%d synchronous=%d, want 1 and 1 (NORMAL)", fk, syncMode)
	}
	upsert(t, db, newMsg("d1", 1, 0, "kept across reopen"))
	if err := db.SetCursor(ctx, "k", "v"); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}

	db, err = Open(path)
	if err != nil {
		t.Fatalf("reopen: %v", err)
	}
	defer db.Close()
	var applied int
	db.r.QueryRow(`SELECT COUNT(*) FROM schema_version`).Scan(&applied)
	if applied != len(ms) {
		t.Fatalf("%d migration rows after reopen, want %d (each applied once)", applied, len(ms))
	}
	if m := getMsg(t, db, msgID(1)); m.Body != "kept across reopen" {
		t.Fatalf("body %q", m.Body)
	}
	if v, _ := db.Cursor(ctx, "k"); v != "v" {
		t.Fatalf("cursor %q", v)
	}
	if found, _ := db.Search(ctx, "reopen", 0); len(found) != 1 {
		t.Fatalf("search after reopen found %d", len(found))
	}
}

func TestOpenRefusesNewerSchema(t *testing.T) {
	path := filepath.Join(t.TempDir(), "cache.db")
	db, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.w.Exec(`INSERT INTO schema_version (version, name, applied_at) VALUES (999, 'future', 0)`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	if _, err := Open(path); err == nil || !strings.Contains(err.Error(), "newer") {
		t.Fatalf("Open of a newer schema: %v", err)
	}
}

func TestOpenBadPath(t *testing.T) {
	for _, p := range []string{"", filepath.Join(t.TempDir(), "a?b.db")} {
		if _, err := Open(p); err == nil {
			t.Errorf("Open(%q) succeeded", p)
		}
	}
}

func TestOpenNotADatabaseAndMoveAside(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "cache.db")
	junk := []byte(strings.Repeat("this is not an sqlite file\n", 400))
	if err := os.WriteFile(path, junk, 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := Open(path)
	if !errors.Is(err, ErrCorrupt) {
		t.Fatalf("Open(junk) = %v, want ErrCorrupt", err)
	}
	if !strings.Contains(err.Error(), path) {
		t.Fatalf("error %q does not name the path", err)
	}

	// A leftover WAL must travel with its database.
	os.WriteFile(path+"-wal", []byte("junk wal"), 0o600)
	moved, err := MoveAside(path)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(moved, path+".corrupt-") {
		t.Fatalf("moved to %q", moved)
	}
	if got, _ := os.ReadFile(moved); string(got) != string(junk) {
		t.Fatal("moved file lost its content")
	}
	if _, err := os.Stat(moved + "-wal"); err != nil {
		t.Fatalf("wal not moved along: %v", err)
	}
	if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("original still there: %v", err)
	}

	db, err := Open(path)
	if err != nil {
		t.Fatalf("fresh Open after MoveAside: %v", err)
	}
	db.Close()

	// A second move in the same second gets a distinct name.
	os.WriteFile(path, junk, 0o600)
	again, err := MoveAside(path)
	if err != nil || again == moved {
		t.Fatalf("second MoveAside = %q, %v (first %q)", again, err, moved)
	}
	if _, err := MoveAside(filepath.Join(dir, "missing.db")); err == nil {
		t.Fatal("MoveAside of a missing file succeeded")
	}
}

// damagedCache writes a cache of 2000 messages, closes it cleanly and scribbles
// over a run of its pages, returning its path.
func damagedCache(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "cache.db")
	db, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	var batch []Message
	for i := range 2000 {
		batch = append(batch, newMsg("d1", i, i, strings.Repeat("filler text ", 20)))
	}
	upsert(t, db, batch...)
	if _, err := db.w.Exec(`PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
		t.Fatal(err)
	}
	db.Close()

	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	const page = 4096
	if len(raw) < 40*page {
		t.Fatalf("database only %d bytes", len(raw))
	}
	// Scribble over the page headers of a run of pages in the middle, among the
	// messages (page 1 with the file header and the small tables that Open reads,
	// created first, stay intact so the file still opens).
	mid := len(raw) / page / 2
	for p := mid; p < mid+20; p++ {
		copy(raw[p*page:p*page+64], strings.Repeat("\xff", 64))
	}
	if err := os.WriteFile(path, raw, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestOpenAfterUncleanSessionFailsQuickCheck(t *testing.T) {
	path := damagedCache(t)
	// The marker a crashed session leaves behind.
	if err := os.WriteFile(path+uncleanSuffix, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := Open(path)
	if !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), path) {
		t.Fatalf("Open(damaged) = %v, want ErrCorrupt naming the path", err)
	}
	moved, err := MoveAside(path)
	if err != nil {
		t.Fatal(err)
	}
	if exists(path+uncleanSuffix) || !exists(moved+uncleanSuffix) {
		t.Fatal("the marker did not move aside with the file")
	}
	db, err := Open(path)
	if err != nil {
		t.Fatalf("fresh Open after MoveAside: %v", err)
	}
	db.Close()
}

// ageLastCheck makes the last sound check of the cache at path older than checkEvery.
func ageLastCheck(t *testing.T, path string) {
	t.Helper()
	old := time.Now().Add(-checkEvery - time.Hour)
	if err := os.Chtimes(path+checkedSuffix, old, old); err != nil {
		t.Fatal(err)
	}
}

func TestDamageAfterCleanSessionFoundInBackgroundAndAtNextOpen(t *testing.T) {
	path := damagedCache(t)
	ageLastCheck(t, path)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	// A clean last session and a check a week old: Open does not read the whole
	// file first...
	db, err := Open(path)
	if err != nil {
		t.Fatalf("Open after a clean session: %v", err)
	}
	if db.check == nil {
		t.Fatal("a week after the last check, a clean start owes one")
	}
	// ...the background check finds the damage...
	if err := db.CheckIntegrity(ctx); !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), path) {
		t.Fatalf("CheckIntegrity = %v, want ErrCorrupt naming the path", err)
	}
	db.Close()
	// ...and the next start refuses the file, so the app moves it aside.
	if _, err := Open(path); !errors.Is(err, ErrCorrupt) {
		t.Fatalf("Open after damage was found = %v, want ErrCorrupt", err)
	}
}

// TestCleanStartAfterRecentCheckChecksNothing: a start after a clean session whose
// file was found sound within checkEvery owes no check (a large cache's check is
// seconds of CPU); one a week old is owed, and once it finds the file sound the next
// start owes none again.
func TestCleanStartAfterRecentCheckChecksNothing(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	path := filepath.Join(t.TempDir(), "cache.db")
	reopen := func() *DB {
		t.Helper()
		db, err := Open(path)
		if err != nil {
			t.Fatal(err)
		}
		return db
	}
	db := reopen() // created: nothing to check
	if db.check != nil || !exists(path+checkedSuffix) {
		t.Fatalf("a new file owes no check and counts as checked (check %v)", db.check)
	}
	db.Close()
	db = reopen()
	if db.check != nil {
		t.Fatal("a clean start right after a check owes none")
	}
	db.Close()
	ageLastCheck(t, path)
	db = reopen()
	if db.check == nil {
		t.Fatal("a week after the last check, a clean start owes one")
	}
	if err := db.CheckIntegrity(ctx); err != nil {
		t.Fatalf("CheckIntegrity of a sound file: %v", err)
	}
	db.Close()
	db = reopen()
	defer db.Close()
	if db.check != nil {
		t.Fatal("the background check found the file sound; the next start owes none")
	}
}

func TestCleanSessionLeavesNoMarker(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	path := filepath.Join(t.TempDir(), "cache.db")
	db, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	if !exists(path + uncleanSuffix) {
		t.Fatal("no marker while the cache is open")
	}
	if err := db.CheckIntegrity(ctx); err != nil {
		t.Fatalf("CheckIntegrity of a sound file: %v", err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	if exists(path + uncleanSuffix) {
		t.Fatal("marker left after a clean Close")
	}
}

func TestDiskFullKeepsPreviousState(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	upsert(t, db, newMsg("d1", 1, 0, "before the disk filled"))
	// SQLite reports a database that hits max_page_count exactly like a full
	// disk (SQLITE_FULL). The pragma is per connection, and writes have one.
	var pages int
	db.w.QueryRow(`PRAGMA page_count`).Scan(&pages)
	if _, err := db.w.Exec(`PRAGMA max_page_count = ` + strconv.Itoa(pages+2)); err != nil {
		t.Fatal(err)
	}
	var big []Message
	for i := range 500 {
		big = append(big, newMsg("d1", 100+i, i, strings.Repeat("x", 2000)))
	}
	changes, cancel := db.Subscribe()
	defer cancel()
	_, err := db.UpsertMessages(ctx, big)
	assertQuiet(t, changes) // a rolled-back write announces nothing
	if !errors.Is(err, ErrDiskFull) {
		t.Fatalf("UpsertMessages on a full disk = %v, want ErrDiskFull", err)
	}
	t.Logf("the error reads: %v", err)
	var n int
	db.r.QueryRow(`SELECT COUNT(*) FROM messages`).Scan(&n)
	if n != 1 {
		t.Fatalf("%d messages after the failed batch, want the 1 from before", n)
	}
	if found, err := db.Search(ctx, "disk filled", 0); err != nil || len(found) != 1 {
		t.Fatalf("search after failed batch: %v, %v", found, err)
	}
	// With room again, the same batch goes in.
	db.w.Exec(`PRAGMA max_page_count = 1073741823`)
	if n := upsert(t, db, big...); n != len(big) {
		t.Fatalf("inserted %d after space returned", n)
	}
	checkFTS(t, db)
}

func TestConcurrentReadsDuringWrite(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	var first []Message
	for i := range 100 {
		first = append(first, newMsg("d1", i, i, "first batch"))
	}
	upsert(t, db, first...)

	// Hold a write transaction open and read meanwhile: WAL readers see the last
	// committed state and are not blocked by the writer.
	tx, err := db.w.begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE messages SET body = 'uncommitted'`); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			page, err := db.Messages(ctx, "d1", base.Add(1e12), "", 50)
			if err != nil {
				errs <- err
				return
			}
			if len(page) != 50 || page[0].Body != "first batch" {
				errs <- errors.New("reader saw uncommitted or missing data")
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	tx.rollback()

	// And through the API: readers keep getting consistent pages while batches
	// are written.
	done := make(chan struct{})
	go func() {
		defer close(done)
		for b := range 20 {
			var batch []Message
			for i := range 50 {
				batch = append(batch, newMsg("d1", 1000+b*50+i, 200+b, "later batch"))
			}
			if _, err := db.UpsertMessages(ctx, batch); err != nil {
				t.Error(err)
				return
			}
		}
	}()
	for reading := true; reading; {
		select {
		case <-done:
			reading = false
		default:
		}
		page, err := db.Messages(ctx, "d1", time.Time{}, "", 50)
		if err != nil || len(page) != 50 {
			t.Fatalf("page during writes: %d rows, %v", len(page), err)
		}
	}
	var n int
	db.r.QueryRow(`SELECT COUNT(*) FROM messages`).Scan(&n)
	if n != 100+20*50 {
		t.Fatalf("%d messages after concurrent writes", n)
	}
}
