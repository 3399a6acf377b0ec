//go:build unix

package cache

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"strings"
	"testing"
)

// TestConnectionsCoordinateInMemory: with the exclusive VFS (vfs_unix.go) the WAL
// index lives in the process's memory, so writing and reading leave no -shm file
// beside the cache; with the plain VFS they would map one.
func TestConnectionsCoordinateInMemory(t *testing.T) {
	db := openTest(t)
	ctx := context.Background()
	if err := db.UpsertDialogs(ctx, []Dialog{{ID: "d1", Type: 3, OccupantIDs: []int64{1, 2}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Dialog(ctx, "d1"); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(db.path + "-wal"); err != nil {
		t.Fatalf("the cache is not in WAL mode: %v", err)
	}
	if _, err := os.Stat(db.path + "-shm"); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("a -shm file was made beside the cache (err %v): its connections use a shared-memory WAL index", err)
	}
}

// peek runs peekHelper in another process and returns what it printed.
func peek(t *testing.T, path string) string {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), peekHelperEnv+"="+path)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("peek helper: %v", err)
	}
	return strings.TrimSpace(string(out))
}

// TestAnotherProcessCannotOpenTheCache: while a cache is open, another process
// cannot read it (it gets "database is locked" at once instead of reading a file
// whose WAL index it cannot see); once the cache is closed, it can.
func TestAnotherProcessCannotOpenTheCache(t *testing.T) {
	db := openTest(t)
	if err := db.UpsertDialogs(context.Background(), []Dialog{{ID: "d1", Type: 3, OccupantIDs: []int64{1, 2}}}); err != nil {
		t.Fatal(err)
	}
	if got := peek(t, db.path); !strings.Contains(got, "locked") {
		t.Fatalf("another process read the open cache: %q", got)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	if got := peek(t, db.path); got != "read 1 dialogs" {
		t.Fatalf("after Close, another process got %q", got)
	}
}
