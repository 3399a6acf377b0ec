// Package blobfs keeps the files of cubeserver's blobs on disk, one file per blob under
// DataDir/blobs/. A file is named only by the blob's server-generated hex uid (never by
// anything a client sent), sharded by its first two characters. Uploads land in a temp
// file on the same file system and are renamed into place, so a reader sees the whole
// old file or the whole new one, and a failed upload leaves nothing behind.
package blobfs

import (
	"crypto/md5"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
)

// Errors callers branch on.
var (
	ErrTooLarge   = errors.New("blobfs: file is larger than the limit")
	ErrNoSpace    = errors.New("blobfs: no space left for the file")
	ErrInvalidUID = errors.New("blobfs: not a blob uid")
	ErrNotFound   = fs.ErrNotExist
)

const (
	tmpDir     = "tmp"
	secretFile = "upload.secret"
	// uidBytes of randomness make a 32-character hex uid: far too long to be mistaken for
	// a numeric blob id, which the REST paths also accept in the same place.
	uidBytes = 16
)

// tempFile is the part of *os.File that staging needs (tests inject failing writers).
type tempFile interface {
	io.Writer
	Sync() error
	Close() error
	Name() string
}

// FS is a blob directory. It is safe for concurrent use.
type FS struct {
	dir        string
	secret     []byte
	createTemp func(dir string) (tempFile, error)
}

// Open prepares dir (creating it), removes temp files a crash may have left, and loads
// the upload-signing secret, creating it on first use.
func Open(dir string) (*FS, error) {
	if dir == "" {
		return nil, errors.New("blobfs: no directory given")
	}
	if err := os.MkdirAll(filepath.Join(dir, tmpDir), 0o700); err != nil {
		return nil, fmt.Errorf("blobfs: create %s: %w", dir, err)
	}
	if err := clearTemp(filepath.Join(dir, tmpDir)); err != nil {
		return nil, err
	}
	secret, err := loadSecret(filepath.Join(dir, secretFile))
	if err != nil {
		return nil, err
	}
	return &FS{dir: dir, secret: secret, createTemp: func(d string) (tempFile, error) {
		return os.CreateTemp(d, "upload-*")
	}}, nil
}

// Dir is the blob directory.
func (f *FS) Dir() string { return f.dir }

// Secret is a random key kept beside the blobs; it signs upload forms. It survives
// restarts, so an upload URL handed out before a restart still works.
func (f *FS) Secret() []byte { return append([]byte(nil), f.secret...) }

// NewUID returns a fresh random blob uid (32 lowercase hex characters).
func NewUID() string {
	b := make([]byte, uidBytes)
	_, _ = rand.Read(b) // crypto/rand.Read never fails (Go 1.24+)
	return hex.EncodeToString(b)
}

// ValidUID tells whether uid can name a blob file: 32 to 64 lowercase hex characters.
func ValidUID(uid string) bool {
	if len(uid) < 2*uidBytes || len(uid) > 64 {
		return false
	}
	for _, c := range uid {
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

// path is where the file of uid lives; uid is checked so nothing else can name a path.
func (f *FS) path(uid string) (string, error) {
	if !ValidUID(uid) {
		return "", fmt.Errorf("%w: %q", ErrInvalidUID, uid)
	}
	return filepath.Join(f.dir, uid[:2], uid), nil
}

// Staged is an upload written to a temp file, not yet visible. Commit it or Discard it.
type Staged struct {
	Size int64  // bytes written
	MD5  string // hex MD5 of the content (the S3-style ETag)
	fs   *FS
	tmp  string // "" once committed or discarded
}

// Stage copies r into a temp file, at most max bytes: more is ErrTooLarge. A full disk
// is ErrNoSpace. On any error the temp file is gone.
func (f *FS) Stage(r io.Reader, max int64) (*Staged, error) {
	tmp, err := f.createTemp(filepath.Join(f.dir, tmpDir))
	if err != nil {
		return nil, classify(fmt.Errorf("blobfs: create temp file: %w", err))
	}
	s := &Staged{fs: f, tmp: tmp.Name()}
	sum := md5.New()
	n, err := io.Copy(io.MultiWriter(tmp, sum), io.LimitReader(r, max+1))
	if err == nil && n > max {
		err = fmt.Errorf("%w: more than %d bytes", ErrTooLarge, max)
	}
	if err == nil {
		err = tmp.Sync() // durable before the rename makes it visible
	}
	if cerr := tmp.Close(); err == nil && cerr != nil {
		err = cerr
	}
	if err != nil {
		s.Discard()
		return nil, classify(err)
	}
	s.Size, s.MD5 = n, hex.EncodeToString(sum.Sum(nil))
	return s, nil
}

// Commit moves the staged file into place as uid's file, replacing an older one.
func (s *Staged) Commit(uid string) error {
	if s.tmp == "" {
		return errors.New("blobfs: staged file already used")
	}
	dst, err := s.fs.path(uid)
	if err != nil {
		s.Discard()
		return err
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o700); err != nil {
		s.Discard()
		return classify(fmt.Errorf("blobfs: create shard: %w", err))
	}
	if err := os.Rename(s.tmp, dst); err != nil {
		s.Discard()
		return classify(fmt.Errorf("blobfs: move upload into place: %w", err))
	}
	s.tmp = ""
	syncDir(filepath.Dir(dst))
	return nil
}

// Discard removes the staged file; it is safe to call after Commit (then a no-op).
func (s *Staged) Discard() {
	if s.tmp != "" {
		_ = os.Remove(s.tmp)
		s.tmp = ""
	}
}

// Open opens uid's file for reading; ErrNotFound when there is none.
func (f *FS) Open(uid string) (*os.File, error) {
	p, err := f.path(uid)
	if err != nil {
		return nil, err
	}
	return os.Open(p)
}

// Remove deletes uid's file; a missing file is not an error.
func (f *FS) Remove(uid string) error {
	p, err := f.path(uid)
	if err != nil {
		return err
	}
	if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("blobfs: remove %s: %w", uid, err)
	}
	return nil
}

// classify marks out-of-space errors (ENOSPC, EDQUOT) with ErrNoSpace.
func classify(err error) error {
	if errors.Is(err, syscall.ENOSPC) || errors.Is(err, syscall.EDQUOT) {
		return fmt.Errorf("%w: %w", ErrNoSpace, err)
	}
	return err
}

func clearTemp(dir string) error {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return fmt.Errorf("blobfs: read %s: %w", dir, err)
	}
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), "upload-") {
			_ = os.Remove(filepath.Join(dir, e.Name()))
		}
	}
	return nil
}

// loadSecret reads the secret file or creates it (exclusively, so two servers starting
// on one directory agree on the same secret).
func loadSecret(path string) ([]byte, error) {
	for range 2 {
		raw, err := os.ReadFile(path)
		if err == nil {
			secret, err := hex.DecodeString(strings.TrimSpace(string(raw)))
			if err != nil || len(secret) < 16 {
				return nil, fmt.Errorf("blobfs: %s is not a hex secret of 16 bytes or more", path)
			}
			return secret, nil
		}
		if !errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("blobfs: read secret: %w", err)
		}
		secret := make([]byte, 32)
		_, _ = rand.Read(secret)
		file, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if errors.Is(err, fs.ErrExist) {
			continue // created meanwhile: read that one
		}
		if err != nil {
			return nil, fmt.Errorf("blobfs: create secret: %w", err)
		}
		_, err = file.WriteString(hex.EncodeToString(secret) + "\n")
		if cerr := file.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			_ = os.Remove(path)
			return nil, fmt.Errorf("blobfs: write secret: %w", err)
		}
		return secret, nil
	}
	return nil, fmt.Errorf("blobfs: cannot read or create %s", path)
}

// syncDir makes a rename durable; failure only weakens crash safety, so it is ignored.
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		d.Close()
	}
}
