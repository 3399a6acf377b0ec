package rest

import (
	"context"
	"errors"
	"hash/fnv"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/cubechat/cubechat/cube"
	"github.com/cubechat/cubechat/cubeserver/blobfs"
	"github.com/cubechat/cubechat/cubeserver/store"
)

// BlobConfig says where blob files live and bounds uploads (docs/protocol.md §7).
type BlobConfig struct {
	Dir       string           // blob directory (DataDir/blobs); "" = blob storage off (503)
	MaxBytes  int64            // largest upload; 0 = 100 MiB, ConnectyCube's limit
	BaseURL   string           // this server's URL for upload/download links; "" = from the request's Host
	UploadTTL time.Duration    // how long an upload form stays valid; 0 = 1 hour
	Now       func() time.Time // clock for upload expiry; nil = time.Now
}

const (
	defaultMaxBlobBytes = 100 << 20
	defaultUploadTTL    = time.Hour
	// maxBlobNameBytes bounds the client's file name, which is metadata only.
	maxBlobNameBytes = 1024
	// blobPage* are the defaults of the deprecated GET /blobs list.
	blobPageDefault, blobPageMax = 10, 100
)

// blobAPI serves /blobs. Upload, complete and delete of one blob take the blob's lock,
// so a file is never replaced after its size was declared, nor left behind by a delete
// that raced an upload.
type blobAPI struct {
	h     *Handler
	cfg   BlobConfig
	files *blobfs.FS // nil = storage unavailable
	locks [64]sync.Mutex
}

// blobRoutes builds the blob service and its routes. GET /blobs/{x} serves both the
// record and the file, so it authenticates by itself (see get).
func (h *Handler) blobRoutes() []route {
	b := &blobAPI{h: h, cfg: h.cfg.Blobs}
	if b.cfg.MaxBytes <= 0 {
		b.cfg.MaxBytes = defaultMaxBlobBytes
	}
	if b.cfg.UploadTTL <= 0 {
		b.cfg.UploadTTL = defaultUploadTTL
	}
	if b.cfg.Now == nil {
		b.cfg.Now = time.Now
	}
	if b.cfg.Dir != "" {
		files, err := blobfs.Open(b.cfg.Dir)
		if err != nil {
			h.log.Error("rest: blob storage unavailable", "dir", b.cfg.Dir, "err", err)
		}
		b.files = files
	}
	return []route{
		{"GET", seg("blobs"), authUser, b.list},
		{"POST", seg("blobs"), authUser, b.create},
		{"POST", seg("blobs/upload"), authNone, b.upload}, // the presigned form authorises
		{"GET", seg("blobs/*"), authNone, b.get},
		{"HEAD", seg("blobs/*"), authNone, b.get},
		{"DELETE", seg("blobs/*"), authUser, b.delete},
		{"PUT", seg("blobs/*/complete"), authUser, b.complete},
		{"GET", seg("blobs/*/object"), authToken, b.object},
		{"GET", seg("blobs/*/download"), authNone, b.download},
	}
}

func (b *blobAPI) lock(uid string) func() {
	h := fnv.New32a()
	h.Write([]byte(uid))
	m := &b.locks[h.Sum32()%uint32(len(b.locks))]
	m.Lock()
	return m.Unlock
}

// available answers 503 when there is no blob directory.
func (b *blobAPI) available(w http.ResponseWriter) bool {
	if b.files == nil {
		writeErrors(w, http.StatusServiceUnavailable, "File storage is not available on this server")
		return false
	}
	return true
}

// blobID reads a numeric blob id; hex uids are at least 32 characters, so a short
// all-digit segment is always an id.
func blobID(ref string) (int64, bool) {
	if len(ref) == 0 || len(ref) > 18 {
		return 0, false
	}
	id, err := strconv.ParseInt(ref, 10, 64)
	return id, err == nil && id > 0
}

// lookup finds a blob by numeric id or by uid (any letter case).
func (b *blobAPI) lookup(ctx context.Context, ref string) (store.Blob, error) {
	if id, ok := blobID(ref); ok {
		return b.h.st.BlobByID(ctx, id)
	}
	if uid := strings.ToLower(ref); blobfs.ValidUID(uid) {
		return b.h.st.BlobByUID(ctx, uid)
	}
	return store.Blob{}, store.ErrNotFound
}

// found loads the blob named by the first path parameter, answering 404 or 500 itself.
func (b *blobAPI) found(w http.ResponseWriter, r *http.Request, rc *reqCtx) (store.Blob, bool) {
	blob, err := b.lookup(r.Context(), rc.params[0])
	if errors.Is(err, store.ErrNotFound) {
		writeErrors(w, http.StatusNotFound, "File not found: "+rc.params[0])
		return blob, false
	}
	if err != nil {
		b.h.internalError(w, r, err)
		return blob, false
	}
	return blob, true
}

type blobEnvelope struct {
	Blob cube.Blob `json:"blob"`
}

// POST /blobs with {"blob":{content_type, name, public}} (or the same keys at the top
// level, or blob[name]=… as a form): the record plus its presigned upload form.
func (b *blobAPI) create(w http.ResponseWriter, r *http.Request, rc *reqCtx) {
	if !b.available(w) {
		return
	}
	p, err := readBody(w, r)
	if err != nil {
		writeBodyError(w, err)
		return
	}
	if inner, ok := p.get("blob").(map[string]any); ok {
		p = params(inner)
	}
	name, _ := p.str("name")
	contentType, _ := p.str("content_type")
	switch {
	case strings.TrimSpace(name) == "":
		writeFieldError(w, http.StatusUnprocessableEntity, "name", "is required")
		return
	case len(name) > maxBlobNameBytes:
		writeFieldError(w, http.StatusUnprocessableEntity, "name", "is too long (at most 1024 bytes)")
		return
	}
	contentType, ok := cleanContentType(contentType)
	if !ok {
		writeFieldError(w, http.StatusUnprocessableEntity, "content_type", "must be a MIME type such as image/jpeg")
		return
	}
	blob, err := b.h.st.CreateBlob(r.Context(), store.NewBlob{UID: blobfs.NewUID(), OwnerID: rc.session.UserID,
		Name: name, ContentType: contentType, Public: p.truthy("public")})
	if err != nil {
		b.h.internalError(w, r, err)
		return
	}
	wire := blob.Blob
	wire.BlobObjectAccess = b.uploadForm(r, blob)
	writeJSON(w, http.StatusCreated, blobEnvelope{wire})
}

// cleanContentType validates a MIME type and writes it canonically (it becomes the
// Content-Type of downloads, so nothing unparsable may pass).
func cleanContentType(s string) (string, bool) {
	mediaType, params, err := mime.ParseMediaType(strings.TrimSpace(s))
	if err != nil || !strings.Contains(mediaType, "/") {
		return "", false
	}
	out := mime.FormatMediaType(mediaType, params)
	return out, out != ""
}

// GET /blobs/{id}, GET /blobs/{uid}.json: the record, to those who may read it. GET /blobs/{uid}
// without .json: the file itself (see serveFile). The router strips .json, so the
// original path tells the two apart.
func (b *blobAPI) get(w http.ResponseWriter, r *http.Request, rc *reqCtx) {
	ref := rc.params[0]
	_, numeric := blobID(ref)
	if !numeric && !strings.HasSuffix(r.URL.Path, ".json") {
		b.serveFile(w, r, ref)
		return
	}
	if !b.h.authenticate(w, r, authToken, rc) {
		return
	}
	if blob, ok := b.visible(w, r, rc); ok {
		writeJSON(w, http.StatusOK, blobEnvelope{blob.Blob})
	}
}

// GET /blobs?page&per_page (deprecated in the docs, still used): the caller's blobs.
func (b *blobAPI) list(w http.ResponseWriter, r *http.Request, rc *reqCtx) {
	q := r.URL.Query()
	pageNo, err := positiveParam(q.Get("page"), 1)
	perPage := 0
	if err == nil {
		perPage, err = positiveParam(q.Get("per_page"), blobPageDefault)
	}
	if err != nil {
		writeErrors(w, http.StatusUnprocessableEntity, "page and per_page must be positive integers")
		return
	}
	perPage = min(perPage, blobPageMax)
	blobs, total, err := b.h.st.ListBlobs(r.Context(), rc.session.UserID, perPage, (pageNo-1)*perPage)
	if err != nil {
		b.h.internalError(w, r, err)
		return
	}
	items := make([]blobEnvelope, 0, len(blobs))
	for _, blob := range blobs {
		items = append(items, blobEnvelope{blob.Blob})
	}
	writeJSON(w, http.StatusOK, blobList{CurrentPage: pageNo, PerPage: perPage, TotalEntries: total, Items: items})
}

// blobList is the v1-style page of GET /blobs (docs/protocol.md §2.3).
type blobList struct {
	CurrentPage  int            `json:"current_page"`
	PerPage      int            `json:"per_page"`
	TotalEntries int            `json:"total_entries"`
	Items        []blobEnvelope `json:"items"`
}

func positiveParam(s string, def int) (int, error) {
	if s == "" {
		return def, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n <= 0 || n > 1<<30 {
		return 0, errors.New("not a positive integer")
	}
	return n, nil
}

// PUT /blobs/{id}/complete with {"blob":{"size":N}} (docs) or {"size":N} (JS SDK 6):
// the owner declares the upload finished. N must be the uploaded size; a body without
// a size (the SDK drops an undefined one) takes the uploaded size. Empty 200.
func (b *blobAPI) complete(w http.ResponseWriter, r *http.Request, rc *reqCtx) {
	p, err := readBody(w, r)
	if err != nil {
		writeBodyError(w, err)
		return
	}
	size, present, err := p.int64At("blob", "size")
	if !present && err == nil {
		size, present, err = p.int64At("size")
	}
	if err != nil || (present && size < 0) {
		writeFieldError(w, http.StatusUnprocessableEntity, "size", "must be a non-negative integer")
		return
	}
	if !present {
		size = -1
	}
	blob, ok := b.visible(w, r, rc)
	if !ok {
		return
	}
	defer b.lock(blob.UID)()
	_, err = b.h.st.CompleteBlob(r.Context(), blob.ID, rc.session.UserID, size)
	switch {
	case err == nil:
		writeEmpty(w)
	case errors.Is(err, store.ErrNotFound):
		writeErrors(w, http.StatusNotFound, "File not found: "+rc.params[0])
	case errors.Is(err, store.ErrNotBlobOwner):
		writeErrors(w, http.StatusForbidden, "Only the owner can complete a file")
	case errors.Is(err, store.ErrBlobNotUploaded):
		writeErrors(w, http.StatusUnprocessableEntity, "The file has not been uploaded yet")
	case errors.Is(err, store.ErrBlobSizeMismatch):
		writeFieldError(w, http.StatusUnprocessableEntity, "size",
			"does not match the uploaded file ("+strconv.FormatInt(blob.UploadedSize, 10)+" bytes)")
	default:
		b.h.internalError(w, r, err)
	}
}

// DELETE /blobs/{id}: the owner removes the record and the file. Empty 200.
func (b *blobAPI) delete(w http.ResponseWriter, r *http.Request, rc *reqCtx) {
	blob, ok := b.visible(w, r, rc)
	if !ok {
		return
	}
	defer b.lock(blob.UID)()
	_, err := b.h.st.DeleteBlob(r.Context(), blob.ID, rc.session.UserID)
	switch {
	case errors.Is(err, store.ErrNotFound):
		writeErrors(w, http.StatusNotFound, "File not found: "+rc.params[0])
		return
	case errors.Is(err, store.ErrNotBlobOwner):
		writeErrors(w, http.StatusForbidden, "Only the owner can delete a file")
		return
	case err != nil:
		b.h.internalError(w, r, err)
		return
	}
	if b.files != nil {
		if err := b.files.Remove(blob.UID); err != nil {
			// The record is gone, so nobody can reach the file any more; it only wastes disk.
			b.h.log.Error("rest: remove file of deleted blob", "blob", blob.ID, "uid", blob.UID, "err", err)
		}
	}
	writeEmpty(w)
}

// GET /blobs/{uid}/object[?download_url=1]: the record, with a read access carrying
// the download URL under both the SDK's name and the docs' spelling "dowload_url".
func (b *blobAPI) object(w http.ResponseWriter, r *http.Request, rc *reqCtx) {
	blob, ok := b.visible(w, r, rc)
	if !ok {
		return
	}
	wire := blob.Blob
	if isTrue(r.URL.Query(), "download_url") {
		link := b.fileURL(r, blob, rc.session.Token)
		wire.BlobObjectAccess = &cube.BlobObjectAccess{ID: blob.ID, BlobID: blob.ID,
			Expires: cube.TimeOf(rc.session.ExpiresAt), ObjectAccessType: "Read",
			DownloadURL: link, DowloadURL: link}
	}
	writeJSON(w, http.StatusOK, blobEnvelope{wire})
}

// baseURL is this server's address as the client reached it, for links it hands out.
func (b *blobAPI) baseURL(r *http.Request) string {
	if b.cfg.BaseURL != "" {
		return strings.TrimRight(b.cfg.BaseURL, "/")
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}
