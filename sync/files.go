package sync

import (
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"os"
	"path/filepath"
	"strings"

	"github.com/cubechat/cubechat/cache"
	"github.com/cubechat/cubechat/cube"
)

// SendFile sends a file as a message. The message shows at once as pending, with
// the local file as its attachment (the UI can show it and the upload's
// progress); then the file is uploaded as a private blob, and the message goes out
// with the blob as its attachment. A failed upload leaves the message failed
// (RetryFailed uploads again) and returns the error, with the message id.
func (e *Engine) SendFile(ctx context.Context, dialogID, path string, progress func(sent, total int64)) (string, error) {
	return e.SendFileWithCaption(ctx, dialogID, path, "", progress)
}

// SendFileWithCaption is SendFile with a caption: the text travels as the body of the
// same message as the attachment (as ConnectyCube clients show a captioned photo), so
// the peer never sees the picture without its words or the words without the picture.
// Surrounding white space is dropped; an empty caption sends the file alone.
func (e *Engine) SendFileWithCaption(ctx context.Context, dialogID, path, caption string, progress func(sent, total int64)) (string, error) {
	me := e.Me()
	if me == 0 {
		return "", errors.New("sync: not logged in")
	}
	d, err := e.db.Dialog(ctx, dialogID)
	if err != nil {
		return "", fmt.Errorf("sync: sending a file to dialog %s: %w", dialogID, err)
	}
	local, err := localAttachment(path)
	if err != nil {
		return "", err
	}
	m := cache.Message{
		ID: cube.NewObjectID(), DialogID: dialogID, SenderID: me, RecipientID: peerOf(*d, me),
		Body:   strings.TrimSpace(caption),
		SentAt: composedAt(), State: cache.StatePending, Attachments: []cache.Attachment{local},
	}
	// Stored pending but not queued: the outbox must not send it before the upload.
	if _, err := e.db.UpsertMessages(ctx, []cache.Message{m}); err != nil {
		return "", fmt.Errorf("sync: storing the file message: %w", err)
	}
	e.typing.ourMessageSent(dialogID)
	return m.ID, e.uploadAndQueue(ctx, m, progress)
}

// localAttachment checks a file the user picked and describes it.
func localAttachment(path string) (cache.Attachment, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return cache.Attachment{}, fmt.Errorf("sync: file %q: %w", path, err)
	}
	info, err := os.Stat(abs)
	if err != nil {
		return cache.Attachment{}, fmt.Errorf("sync: cannot send %q: %w", path, err)
	}
	if !info.Mode().IsRegular() {
		return cache.Attachment{}, fmt.Errorf("sync: cannot send %q: not a regular file", path)
	}
	if info.Size() > cube.MaxBlobSize {
		return cache.Attachment{}, fmt.Errorf("sync: %q is %d MB; files over %d MB cannot be sent",
			filepath.Base(abs), info.Size()>>20, cube.MaxBlobSize>>20)
	}
	ct, err := contentTypeOf(abs)
	if err != nil {
		return cache.Attachment{}, err
	}
	return cache.Attachment{
		Type: attachmentKind(ct), Name: filepath.Base(abs), ContentType: ct, Size: info.Size(),
		LocalPath: abs, Download: cache.DownloadDone,
	}, nil
}

// contentTypeOf guesses from the extension, else from the first bytes.
func contentTypeOf(path string) (string, error) {
	if ct := mime.TypeByExtension(strings.ToLower(filepath.Ext(path))); ct != "" {
		return ct, nil
	}
	f, err := os.Open(path)
	if err != nil {
		return "", fmt.Errorf("sync: cannot read %q: %w", path, err)
	}
	defer f.Close()
	head := make([]byte, 512)
	n, err := io.ReadFull(f, head)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return "", fmt.Errorf("sync: cannot read %q: %w", path, err)
	}
	return http.DetectContentType(head[:n]), nil
}

// attachmentKind is the ConnectyCube attachment type for a content type.
func attachmentKind(contentType string) string {
	for _, kind := range []string{"image", "video", "audio"} {
		if strings.HasPrefix(contentType, kind+"/") {
			return kind
		}
	}
	return "file"
}

// needsUpload tells whether a message has a file that never reached the server.
func needsUpload(m cache.Message) bool {
	for _, a := range m.Attachments {
		if a.UID == "" && a.LocalPath != "" {
			return true
		}
	}
	return false
}

// retryUpload is RetryFailed for a file message whose upload failed.
func (e *Engine) retryUpload(ctx context.Context, m cache.Message) error {
	if m.State != cache.StateFailed && m.State != cache.StatePending {
		return fmt.Errorf("sync: message %s is %s, nothing to retry", m.ID, m.State)
	}
	return e.uploadAndQueue(ctx, m, nil)
}

// uploadAndQueue uploads the message's local files and queues it with the blobs as
// attachments. On failure the message is marked failed and the user told.
func (e *Engine) uploadAndQueue(ctx context.Context, m cache.Message, progress func(sent, total int64)) error {
	atts := make([]cache.Attachment, len(m.Attachments))
	copy(atts, m.Attachments)
	for i, a := range atts {
		if a.UID != "" || a.LocalPath == "" {
			continue
		}
		blob, err := e.upload(ctx, a, progress)
		if err != nil {
			reason := "upload failed: " + userReason(err)
			if ferr := e.db.MarkFailed(context.WithoutCancel(ctx), m.ID, reason); ferr != nil {
				e.log.Error("marking a file message failed", "id", m.ID, "err", ferr)
			}
			e.notice("Upload of "+a.Name+" failed: "+userReason(err), err)
			return fmt.Errorf("sync: uploading %s: %w", a.Name, err)
		}
		sent := blob.Attachment(a.Type)
		atts[i] = cache.Attachment{
			Type: sent.Type, ID: sent.ID, UID: sent.UID, Name: a.Name, ContentType: a.ContentType,
			Size: a.Size, LocalPath: a.LocalPath, Download: cache.DownloadDone,
		}
	}
	m.Attachments = atts
	m.SentAt = composedAt()
	if err := e.queueing(func() error { return e.db.EnqueueOutgoing(ctx, m) }); err != nil {
		return fmt.Errorf("sync: queueing the file message: %w", err)
	}
	e.kickOutbox()
	return nil
}

// upload sends one local file as a private blob. The file is opened inside the
// call, so a retry after a renewed session reads it from the start.
func (e *Engine) upload(ctx context.Context, a cache.Attachment, progress func(sent, total int64)) (*cube.Blob, error) {
	var blob *cube.Blob
	err := e.rest(ctx, func(c *cube.Client) error {
		f, err := os.Open(a.LocalPath)
		if err != nil {
			return err
		}
		defer f.Close()
		info, err := f.Stat()
		if err != nil {
			return err
		}
		blob, err = c.UploadFile(ctx, a.Name, a.ContentType, f, info.Size(), false, progress)
		return err
	})
	return blob, err
}
