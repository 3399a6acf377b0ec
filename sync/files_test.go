package sync

import (
	"bytes"
	"crypto/rand"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/cubechat/cubechat/cache"
	"github.com/cubechat/cubechat/cube"
)

func TestFileSentByOneIsDownloadableByTheOther(t *testing.T) {
	pr := newPair(t)
	ctx, a, b := pr.h.ctx, pr.a, pr.b
	pr.exchange(a, b, "a file follows")

	content := make([]byte, 300_000)
	if _, err := rand.Read(content); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "photo.png")
	if err := os.WriteFile(path, content, 0o600); err != nil {
		t.Fatal(err)
	}
	var progressed atomic.Int64
	id, err := a.e.SendFile(ctx, pr.dialog, path, func(sent, total int64) { progressed.Store(sent) })
	if err != nil {
		t.Fatalf("SendFile: %v", err)
	}
	if progressed.Load() != int64(len(content)) {
		t.Errorf("progress ended at %d of %d bytes", progressed.Load(), len(content))
	}
	got := b.waitMessages(pr.dialog, 1, func(m cache.Message) bool { return m.ID == id })[0]
	if len(got.Attachments) != 1 {
		t.Fatalf("received attachments %+v", got.Attachments)
	}
	att := got.Attachments[0]
	if att.Type != "image" || att.UID == "" || att.Name != "photo.png" || att.Size != int64(len(content)) || att.ContentType != "image/png" {
		t.Fatalf("received attachment %+v", att)
	}
	local, err := b.e.DownloadAttachment(ctx, id, att.UID)
	if err != nil {
		t.Fatalf("DownloadAttachment: %v", err)
	}
	if data, err := os.ReadFile(local); err != nil || !bytes.Equal(data, content) {
		t.Fatalf("downloaded %d bytes (err %v), want the %d sent", len(data), err, len(content))
	}
	wantDir := filepath.Join(filepath.Dir(b.path), "attachments", att.UID)
	if filepath.Dir(local) != wantDir {
		t.Fatalf("downloaded to %s, want a file in %s", local, wantDir)
	}
	if m, _ := b.db.Message(ctx, id); m.Attachments[0].LocalPath != local || m.Attachments[0].Download != cache.DownloadDone {
		t.Fatalf("download not recorded: %+v", m.Attachments[0])
	}
	again, err := b.e.DownloadAttachment(ctx, id, att.UID)
	if err != nil || again != local {
		t.Fatalf("second download = %q, %v; want the cached %q", again, err, local)
	}
	// The sender's own copy points at the original file.
	if own, err := a.e.DownloadAttachment(ctx, id, att.UID); err != nil || own != path {
		t.Fatalf("sender's copy = %q, %v; want %q", own, err, path)
	}
}

func TestHostileAttachmentNameIsSanitised(t *testing.T) {
	pr := newPair(t)
	ctx, a, b := pr.h.ctx, pr.a, pr.b
	pr.exchange(a, b, "hello")

	// A hostile client uploads with a name that climbs out of any folder.
	c := pr.h.client(a.acc)
	content := []byte("not really a passwd file")
	hostile := `../../../.bashrc\evil?.txt`
	blob, err := c.UploadFile(ctx, "innocent.txt", "text/plain", bytes.NewReader(content), int64(len(content)), false, nil)
	if err != nil {
		t.Fatalf("upload: %v", err)
	}
	att := blob.Attachment("file")
	att.Name = hostile // the name travels in the message, under the sender's control
	m, err := c.CreateMessage(ctx, cube.NewMessage{DialogID: pr.dialog, SendToChat: true,
		Attachments: []cube.Attachment{att}})
	if err != nil {
		t.Fatalf("create message: %v", err)
	}
	got := b.waitMessages(pr.dialog, 1, func(x cache.Message) bool { return x.ID == m.ID })[0]
	if got.Attachments[0].Name != hostile {
		t.Fatalf("the hostile name did not arrive as sent: %q", got.Attachments[0].Name)
	}
	local, err := b.e.DownloadAttachment(ctx, m.ID, blob.UID)
	if err != nil {
		t.Fatalf("DownloadAttachment: %v", err)
	}
	dir := filepath.Join(filepath.Dir(b.path), "attachments", blob.UID)
	if filepath.Dir(local) != dir || strings.ContainsAny(filepath.Base(local), `/\?`) || strings.HasPrefix(filepath.Base(local), ".") {
		t.Fatalf("hostile name became %q, outside %s or unsanitised", local, dir)
	}
	if data, err := os.ReadFile(local); err != nil || !bytes.Equal(data, content) {
		t.Fatalf("downloaded %q, %v", data, err)
	}
}

func TestSendFileRefusesBadFiles(t *testing.T) {
	pr := newPair(t)
	dir := t.TempDir()
	big := filepath.Join(dir, "big.bin")
	f, err := os.Create(big)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(cube.MaxBlobSize + 1); err != nil { // sparse: no disk used
		t.Fatal(err)
	}
	f.Close()
	cases := map[string]string{"missing": filepath.Join(dir, "nope.txt"), "a folder": dir, "over 100 MB": big}
	for name, path := range cases {
		if _, err := pr.a.e.SendFile(pr.h.ctx, pr.dialog, path, nil); err == nil {
			t.Errorf("%s: SendFile accepted %s", name, path)
		}
	}
	if ms := pr.a.messages(pr.dialog); len(ms) != 0 {
		t.Fatalf("refused files left messages: %+v", ms)
	}
}

// A captioned picture is one message: the caption is its body, the picture its
// attachment, on the sender's side at once, on the peer's side live, and on the server.
func TestCaptionTravelsWithItsFile(t *testing.T) {
	pr := newPair(t)
	ctx, a, b := pr.h.ctx, pr.a, pr.b
	pr.exchange(a, b, "a picture follows")

	path := filepath.Join(t.TempDir(), "beach.png")
	if err := os.WriteFile(path, []byte("\x89PNG\r\n\x1a\nnot really pixels"), 0o600); err != nil {
		t.Fatal(err)
	}
	id, err := a.e.SendFileWithCaption(ctx, pr.dialog, path, "  the beach at noon \n", nil)
	if err != nil {
		t.Fatalf("SendFileWithCaption: %v", err)
	}
	if own, err := a.db.Message(ctx, id); err != nil || own.Body != "the beach at noon" || len(own.Attachments) != 1 {
		t.Fatalf("sender's copy %+v, %v", own, err)
	}
	got := b.waitMessages(pr.dialog, 1, func(m cache.Message) bool { return m.ID == id })[0]
	if got.Body != "the beach at noon" || len(got.Attachments) != 1 || got.Attachments[0].Name != "beach.png" || got.Attachments[0].UID == "" {
		t.Fatalf("peer received body %q with attachments %+v", got.Body, got.Attachments)
	}
	for _, m := range b.messages(pr.dialog) {
		if m.ID != id && (m.Body == "the beach at noon" || len(m.Attachments) > 0) {
			t.Fatalf("the caption or the file also arrived apart: %+v", m)
		}
	}
	list, err := pr.h.client(b.acc).ListMessages(ctx, cube.MessageFilter{DialogID: pr.dialog})
	if err != nil {
		t.Fatal(err)
	}
	var onServer int
	for _, m := range list.Items {
		if m.ID == id {
			onServer++
			if m.Message != "the beach at noon" || len(m.Attachments) != 1 {
				t.Fatalf("server copy: body %q, attachments %+v", m.Message, m.Attachments)
			}
		}
	}
	if onServer != 1 {
		t.Fatalf("the server holds %d copies of the message", onServer)
	}
}
