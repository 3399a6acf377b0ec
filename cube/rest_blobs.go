package cube

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// MaxBlobSize is the largest file ConnectyCube stores (100 MB).
const MaxBlobSize = 100 << 20

// cleanupTimeout bounds the best-effort delete of a blob whose upload failed.
const cleanupTimeout = 10 * time.Second

// CreateBlob registers a file (POST /blobs) and returns it with its presigned upload
// form in BlobObjectAccess.Params. A private blob is only readable with a token.
func (c *Client) CreateBlob(ctx context.Context, name, contentType string, public bool) (*Blob, error) {
	if strings.TrimSpace(name) == "" {
		return nil, errors.New("cube: a blob needs a file name")
	}
	if contentType == "" {
		contentType = "application/octet-stream"
	}
	body := map[string]any{"blob": map[string]any{"content_type": contentType, "name": name, "public": public}}
	raw, err := c.do(c.request(ctx).SetBody(body), http.MethodPost, "/blobs")
	if err != nil {
		return nil, err
	}
	return unwrap[Blob](raw, "blob")
}

// CompleteBlob declares the upload finished with its size (PUT /blobs/{id}/complete,
// the documented {"blob":{"size":N}} body).
func (c *Client) CompleteBlob(ctx context.Context, id, size int64) error {
	if id <= 0 {
		return errors.New("cube: a blob id is required")
	}
	body := map[string]any{"blob": map[string]int64{"size": size}}
	_, err := c.do(c.request(ctx).SetBody(body), http.MethodPut, "/blobs/"+strconv.FormatInt(id, 10)+"/complete")
	return err
}

// UploadFile stores a file in one go: CreateBlob, UploadBlob, CompleteBlob. Files over
// MaxBlobSize are refused before anything is sent; when the upload or completion
// fails, the half-made blob is deleted (best effort) and the first error returned.
func (c *Client) UploadFile(ctx context.Context, name, contentType string, r io.Reader, size int64, public bool, progress func(sent, total int64)) (*Blob, error) {
	if err := checkBlobSize(size); err != nil {
		return nil, err
	}
	blob, err := c.CreateBlob(ctx, name, contentType, public)
	if err != nil {
		return nil, err
	}
	if err := c.UploadBlob(ctx, blob, r, size, progress); err != nil {
		c.discardBlob(ctx, blob.ID)
		return nil, err
	}
	if err := c.CompleteBlob(ctx, blob.ID, size); err != nil {
		c.discardBlob(ctx, blob.ID)
		return nil, err
	}
	blob.Size = size
	return blob, nil
}

// discardBlob deletes a blob whose upload failed; the caller's context may already be
// cancelled, so it gets its own short one.
func (c *Client) discardBlob(ctx context.Context, id int64) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cleanupTimeout)
	defer cancel()
	if err := c.DeleteBlob(ctx, id); err != nil {
		c.log.Warn("failed upload left a blob behind", "blob", id, "err", err)
	}
}

// GetBlob returns a blob's record by numeric id or by uid. The path carries .json
// because GET /blobs/{uid} without it is the file itself.
func (c *Client) GetBlob(ctx context.Context, idOrUID string) (*Blob, error) {
	if idOrUID == "" {
		return nil, errors.New("cube: a blob id or uid is required")
	}
	raw, err := c.do(c.request(ctx), http.MethodGet, "/blobs/"+url.PathEscape(idOrUID)+".json")
	if err != nil {
		return nil, err
	}
	return unwrap[Blob](raw, "blob")
}

// DeleteBlob deletes a blob (DELETE /blobs/{id}).
func (c *Client) DeleteBlob(ctx context.Context, id int64) error {
	if id <= 0 {
		return errors.New("cube: a blob id is required")
	}
	_, err := c.do(c.request(ctx), http.MethodDelete, "/blobs/"+strconv.FormatInt(id, 10))
	return err
}

// BlobDownloadURL is the address of a blob's file, as the SDKs build it: public blobs
// at {api}/blobs/{uid}, private ones with the session token in the query.
func (c *Client) BlobDownloadURL(uid string, private bool) string {
	u := strings.TrimRight(c.cfg.APIURL, "/") + "/blobs/" + url.PathEscape(uid)
	if private {
		u += "?token=" + url.QueryEscape(c.Token())
	}
	return u
}

// DownloadBlob copies a blob's file into w and returns the bytes written. The token
// goes along (header and query) so private blobs work too; redirects are followed.
func (c *Client) DownloadBlob(ctx context.Context, uid string, w io.Writer) (int64, error) {
	if uid == "" {
		return 0, errors.New("cube: a blob uid is required")
	}
	r := c.files.R().SetContext(ctx).SetDoNotParseResponse(true)
	if t := c.Token(); t != "" {
		r.SetHeader("CB-Token", t).SetQueryParam("token", t)
	}
	path := "/blobs/" + url.PathEscape(uid)
	resp, err := r.Get(path)
	if err != nil {
		return 0, fmt.Errorf("cube: GET %s: %w", path, err)
	}
	body := resp.RawBody()
	defer body.Close()
	if resp.StatusCode() < 200 || resp.StatusCode() > 299 {
		msg, _ := io.ReadAll(io.LimitReader(body, 64<<10))
		return 0, parseError(resp.StatusCode(), msg)
	}
	n, err := io.Copy(w, body)
	if err != nil {
		return n, fmt.Errorf("cube: download of blob %s: %w", uid, err)
	}
	return n, nil
}

func checkBlobSize(size int64) error {
	if size < 0 {
		return fmt.Errorf("cube: invalid file size %d", size)
	}
	if size > MaxBlobSize {
		return fmt.Errorf("cube: file of %d bytes is over the %d MB limit", size, MaxBlobSize>>20)
	}
	return nil
}

// Attachment describes the blob as a message attachment of the given type ("image",
// "video", "audio", "file"…), referencing it by uid and id as the SDKs do.
func (b *Blob) Attachment(kind string) Attachment {
	return Attachment{Type: kind, ID: strconv.FormatInt(b.ID, 10), UID: b.UID, Name: b.Name, Size: b.Size, ContentType: b.ContentType}
}
