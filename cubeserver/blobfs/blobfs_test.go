package blobfs

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

func openTest(t *testing.T) *FS {
	t.Helper()
	f, err := Open(filepath.Join(t.TempDir(), "blobs"))
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// tempFiles lists what is left in the staging directory.
func tempFiles(t *testing.T, f *FS) []string {
	t.Helper()
	entries, err := os.ReadDir(filepath.Join(f.dir, tmpDir))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}

func TestStageCommitOpenRemove(t *testing.T) {
	f := openTest(t)
	uid := NewUID()
	st, err := f.Stage(strings.NewReader("hello"), 5)
	if err != nil {
		t.Fatal(err)
	}
	if st.Size != 5 || st.MD5 != "5d41402abc4b2a76b9719d911017c592" {
		t.Fatalf("staged = %+v", st)
	}
	if _, err := f.Open(uid); !errors.Is(err, ErrNotFound) {
		t.Fatalf("visible before commit: %v", err)
	}
	if err := st.Commit(uid); err != nil {
		t.Fatal(err)
	}
	st.Discard() // after commit: a no-op, the file stays
	file, err := f.Open(uid)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(file)
	file.Close()
	if string(got) != "hello" {
		t.Fatalf("content = %q", got)
	}
	if want := filepath.Join(f.dir, uid[:2], uid); !fileExists(want) {
		t.Fatalf("file not at %s", want)
	}
	if len(tempFiles(t, f)) != 0 {
		t.Fatalf("temp files left: %v", tempFiles(t, f))
	}
	if err := f.Remove(uid); err != nil {
		t.Fatal(err)
	}
	if err := f.Remove(uid); err != nil {
		t.Fatalf("removing a missing file: %v", err)
	}
	if _, err := f.Open(uid); !errors.Is(err, ErrNotFound) {
		t.Fatalf("after remove: %v", err)
	}
}

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

func TestCommitReplacesWholeFile(t *testing.T) {
	f := openTest(t)
	uid := NewUID()
	for _, content := range []string{"first version, long", "second"} {
		st, err := f.Stage(strings.NewReader(content), 100)
		if err != nil {
			t.Fatal(err)
		}
		if err := st.Commit(uid); err != nil {
			t.Fatal(err)
		}
	}
	file, err := f.Open(uid)
	if err != nil {
		t.Fatal(err)
	}
	defer file.Close()
	got, _ := io.ReadAll(file)
	if string(got) != "second" {
		t.Fatalf("content = %q", got)
	}
}

func TestStageOverLimitLeavesNothing(t *testing.T) {
	f := openTest(t)
	for _, size := range []int{11, 1 << 20} {
		_, err := f.Stage(bytes.NewReader(make([]byte, size)), 10)
		if !errors.Is(err, ErrTooLarge) {
			t.Fatalf("size %d: err = %v", size, err)
		}
	}
	if st, err := f.Stage(bytes.NewReader(make([]byte, 10)), 10); err != nil || st.Size != 10 {
		t.Fatalf("exactly the limit: %+v, %v", st, err)
	} else {
		st.Discard()
	}
	if left := tempFiles(t, f); len(left) != 0 {
		t.Fatalf("temp files left: %v", left)
	}
}

// fullDisk is a temp file that fails with ENOSPC once it holds limit bytes.
type fullDisk struct {
	*os.File
	limit int
}

func (d *fullDisk) Write(p []byte) (int, error) {
	if d.limit <= 0 {
		return 0, &os.PathError{Op: "write", Path: d.Name(), Err: syscall.ENOSPC}
	}
	n := min(len(p), d.limit)
	d.limit -= n
	if _, err := d.File.Write(p[:n]); err != nil {
		return 0, err
	}
	if n < len(p) {
		return n, &os.PathError{Op: "write", Path: d.Name(), Err: syscall.ENOSPC}
	}
	return n, nil
}

func TestFullDiskIsErrNoSpaceAndLeavesNothing(t *testing.T) {
	f := openTest(t)
	f.createTemp = func(dir string) (tempFile, error) {
		file, err := os.CreateTemp(dir, "upload-*")
		return &fullDisk{File: file, limit: 4096}, err
	}
	_, err := f.Stage(bytes.NewReader(make([]byte, 64<<10)), 1<<20)
	if !errors.Is(err, ErrNoSpace) || !errors.Is(err, syscall.ENOSPC) {
		t.Fatalf("err = %v", err)
	}
	if left := tempFiles(t, f); len(left) != 0 {
		t.Fatalf("partial temp files left: %v", left)
	}
}

func TestHostileUIDsNameNoPath(t *testing.T) {
	f := openTest(t)
	for _, uid := range []string{
		"", "../../etc/passwd", "..", strings.Repeat("a", 31), strings.Repeat("a", 65),
		strings.ToUpper(NewUID()), NewUID()[:30] + "/x", NewUID() + "\x00", "g" + NewUID()[1:],
	} {
		if ValidUID(uid) {
			t.Errorf("ValidUID(%q) = true", uid)
		}
		if _, err := f.Open(uid); !errors.Is(err, ErrInvalidUID) {
			t.Errorf("Open(%q) = %v", uid, err)
		}
		if err := f.Remove(uid); !errors.Is(err, ErrInvalidUID) {
			t.Errorf("Remove(%q) = %v", uid, err)
		}
		st, err := f.Stage(strings.NewReader("x"), 10)
		if err != nil {
			t.Fatal(err)
		}
		if err := st.Commit(uid); !errors.Is(err, ErrInvalidUID) {
			t.Errorf("Commit(%q) = %v", uid, err)
		}
	}
	if left := tempFiles(t, f); len(left) != 0 {
		t.Fatalf("refused commits left temp files: %v", left)
	}
	if first, second := NewUID(), NewUID(); !ValidUID(first) || first == second {
		t.Fatal("NewUID must make distinct valid uids")
	}
}

func TestSecretPersistsAndStaleTempIsCleared(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "blobs")
	first, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	stale := filepath.Join(dir, tmpDir, "upload-123")
	if err := os.WriteFile(stale, []byte("half an upload"), 0o600); err != nil {
		t.Fatal(err)
	}
	second, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(first.Secret(), second.Secret()) || len(first.Secret()) != 32 {
		t.Fatal("the secret must survive a restart")
	}
	if fileExists(stale) {
		t.Fatal("a stale temp file survived Open")
	}
	info, err := os.Stat(filepath.Join(dir, secretFile))
	if err != nil || info.Mode().Perm() != 0o600 {
		t.Fatalf("secret file mode = %v, %v", info.Mode(), err)
	}
}

func TestOpenRejectsCorruptSecret(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, secretFile), []byte("not hex"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(dir); err == nil {
		t.Fatal("Open accepted a corrupt secret")
	}
}
