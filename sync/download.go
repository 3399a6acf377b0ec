package sync

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/cubechat/cubechat/cache"
	"github.com/cubechat/cubechat/cube"
)

// maxFileNameBytes caps a stored attachment's file name (file systems allow 255).
const maxFileNameBytes = 120

// DownloadAttachment makes the attachment uid of a message available as a local
// file and returns its path: <cache dir>/attachments/<uid>/<sanitised name>. A file
// already downloaded (or the sender's own original) is reused. The download goes
// to a temporary file renamed into place, so a partial file is never taken for a
// whole one; the path is recorded in the cache.
func (e *Engine) DownloadAttachment(ctx context.Context, messageID, uid string) (string, error) {
	m, err := e.db.Message(ctx, messageID)
	if err != nil {
		return "", fmt.Errorf("sync: attachment of %s: %w", messageID, err)
	}
	var att *cache.Attachment
	for i := range m.Attachments {
		if m.Attachments[i].UID == uid {
			att = &m.Attachments[i]
		}
	}
	if att == nil || uid == "" {
		return "", fmt.Errorf("sync: message %s has no attachment %q: %w", messageID, uid, cache.ErrNotFound)
	}
	if att.LocalPath != "" {
		if info, err := os.Stat(att.LocalPath); err == nil && info.Mode().IsRegular() {
			return att.LocalPath, nil
		}
	}
	if !safePathComponent(uid) {
		return "", fmt.Errorf("sync: attachment uid %q is not a valid blob uid", uid)
	}
	dir := filepath.Join(filepath.Dir(e.db.Path()), "attachments", uid)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", fmt.Errorf("sync: creating the attachment folder: %w", err)
	}
	final := filepath.Join(dir, sanitiseFileName(att.Name, uid))
	e.setDownload(ctx, messageID, uid, cache.DownloadRunning)
	if err := e.downloadTo(ctx, uid, att.Size, final); err != nil {
		e.setDownload(context.WithoutCancel(ctx), messageID, uid, cache.DownloadFailed)
		return "", fmt.Errorf("sync: downloading %s: %w", att.Name, err)
	}
	if err := e.db.SetAttachmentFile(ctx, messageID, uid, final); err != nil {
		return "", fmt.Errorf("sync: recording the downloaded file: %w", err)
	}
	return final, nil
}

func (e *Engine) setDownload(ctx context.Context, messageID, uid string, state cache.DownloadState) {
	if err := e.db.SetAttachmentDownload(ctx, messageID, uid, state); err != nil {
		e.log.Warn("recording download state", "message", messageID, "uid", uid, "err", err)
	}
}

// downloadTo fetches a blob into final atomically; size > 0 is checked.
func (e *Engine) downloadTo(ctx context.Context, uid string, size int64, final string) (err error) {
	tmp, err := os.CreateTemp(filepath.Dir(final), ".download-*")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			_ = tmp.Close()
			_ = os.Remove(tmp.Name())
		}
	}()
	var n int64
	err = e.rest(ctx, func(c *cube.Client) error {
		if _, err := tmp.Seek(0, 0); err != nil {
			return err
		}
		if err := tmp.Truncate(0); err != nil {
			return err
		}
		n, err = c.DownloadBlob(ctx, uid, tmp)
		return err
	})
	if err != nil {
		return err
	}
	if size > 0 && n != size {
		return fmt.Errorf("got %d bytes, expected %d", n, size)
	}
	if err := tmp.Sync(); err != nil {
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), final)
}

// safePathComponent accepts a blob uid as a folder name: letters, digits, '-',
// '_' and '.', not "." or "..", at most 128 bytes.
func safePathComponent(s string) bool {
	if s == "" || s == "." || s == ".." || len(s) > 128 {
		return false
	}
	for _, r := range s {
		if !(r < utf8.RuneSelf && (r == '-' || r == '_' || r == '.' || unicode.IsLetter(r) || unicode.IsDigit(r))) {
			return false
		}
	}
	return true
}

// sanitiseFileName makes a remote file name safe to create on any desktop system:
// no path separators, control characters or characters Windows forbids; no
// leading or trailing dots and spaces; not a reserved Windows device name; at most
// maxFileNameBytes (keeping the extension). An empty result becomes the fallback.
func sanitiseFileName(name, fallback string) string {
	var b strings.Builder
	for _, r := range name {
		switch {
		case r == utf8.RuneError, unicode.IsControl(r), strings.ContainsRune(`/\:*?"<>|`, r):
			b.WriteRune('_')
		default:
			b.WriteRune(r)
		}
	}
	out := strings.Trim(b.String(), " .")
	if strings.Trim(out, "_") == "" {
		out = fallback
	}
	stem := strings.TrimSuffix(out, filepath.Ext(out))
	if isReservedWindowsName(stem) {
		out = "_" + out
	}
	if len(out) > maxFileNameBytes {
		ext := filepath.Ext(out)
		if len(ext) > 16 {
			ext = ""
		}
		out = truncateUTF8(strings.TrimSuffix(out, ext), maxFileNameBytes-len(ext)) + ext
	}
	return out
}

func isReservedWindowsName(stem string) bool {
	switch strings.ToUpper(stem) {
	case "CON", "PRN", "AUX", "NUL",
		"COM1", "COM2", "COM3", "COM4", "COM5", "COM6", "COM7", "COM8", "COM9",
		"LPT1", "LPT2", "LPT3", "LPT4", "LPT5", "LPT6", "LPT7", "LPT8", "LPT9":
		return true
	}
	return false
}

// truncateUTF8 cuts s to at most n bytes without splitting a character.
func truncateUTF8(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}
