package rest

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/cubechat/cubechat/cube"
	"github.com/cubechat/cubechat/cubeserver/blobfs"
	"github.com/cubechat/cubechat/cubeserver/store"
)

// The upload imitates an S3 browser-based POST (docs/protocol.md §7): POST /blobs answers a
// URL whose query holds the form fields, the SDK posts them back as multipart fields
// followed by "file". The policy (base64 JSON) names the key, expiry and every field
// value; its HMAC-SHA256 with the server's secret is x-amz-signature, so the form alone
// authorises the upload, as a presigned S3 form does.
const (
	uploadBucket    = "cubeserver"
	uploadAlgorithm = "CUBE-HMAC-SHA256"
	// maxFormField and maxFormFields bound the non-file parts read into memory.
	maxFormField  = 16 << 10
	maxFormFields = 64
	// formOverhead is what the multipart framing and fields may add to the file.
	formOverhead = 1 << 20
)

type uploadPolicy struct {
	Expiration string `json:"expiration"`
	Conditions []any  `json:"conditions"`
}

// uploadForm is the Write access of a new blob: its form as the query of params.
func (b *blobAPI) uploadForm(r *http.Request, blob store.Blob) *cube.BlobObjectAccess {
	now := b.cfg.Now().UTC()
	expires := now.Add(b.cfg.UploadTTL).Truncate(time.Second)
	acl := "authenticated-read"
	if blob.Public {
		acl = "public-read"
	}
	fields := [][2]string{ // sorted like the SDK and the docs' example
		{"Content-Type", blob.ContentType},
		{"Expires", expires.Format(http.TimeFormat)},
		{"acl", acl},
		{"key", blob.UID},
		{"success_action_status", "201"},
		{"x-amz-algorithm", uploadAlgorithm},
		{"x-amz-credential", uploadBucket + "/" + now.Format("20060102") + "/local/blobs/request"},
		{"x-amz-date", now.Format("20060102T150405Z")},
	}
	conditions := []any{map[string]string{"bucket": uploadBucket}}
	for _, f := range fields {
		conditions = append(conditions, map[string]string{f[0]: f[1]})
	}
	conditions = append(conditions, []any{"content-length-range", 0, b.cfg.MaxBytes})
	raw, _ := json.Marshal(uploadPolicy{Expiration: expires.Format(time.RFC3339), Conditions: conditions})
	policy := base64.StdEncoding.EncodeToString(raw)
	fields = append(fields, [2]string{"policy", policy}, [2]string{"x-amz-signature", b.sign(policy)})

	var q strings.Builder
	for i, f := range fields {
		if i > 0 {
			q.WriteByte('&')
		}
		q.WriteString(queryEscape(f[0]) + "=" + queryEscape(f[1]))
	}
	return &cube.BlobObjectAccess{ID: blob.ID, BlobID: blob.ID, Expires: cube.TimeOf(expires),
		ObjectAccessType: "Write", Params: b.baseURL(r) + "/blobs/upload?" + q.String()}
}

// queryEscape encodes a space as %20: the SDK decodes fields with decodeURIComponent,
// which leaves "+" alone.
func queryEscape(s string) string {
	return strings.ReplaceAll(url.QueryEscape(s), "+", "%20")
}

func (b *blobAPI) sign(policy string) string {
	mac := hmac.New(sha256.New, b.files.Secret())
	mac.Write([]byte(policy))
	return hex.EncodeToString(mac.Sum(nil))
}

// s3Error is S3's XML error body; the SDK reads upload answers as text.
type s3Error struct {
	XMLName xml.Name `xml:"Error"`
	Code    string   `xml:"Code"`
	Message string   `xml:"Message"`
	Key     string   `xml:"Key,omitempty"`
}

func writeS3Error(w http.ResponseWriter, status int, code, msg, key string) {
	body, _ := xml.Marshal(s3Error{Code: code, Message: msg, Key: key})
	w.Header().Set("Content-Type", "application/xml")
	w.WriteHeader(status)
	_, _ = io.WriteString(w, xml.Header)
	_, _ = w.Write(body)
}

type postResponse struct {
	XMLName  xml.Name `xml:"PostResponse"`
	Location string   `xml:"Location"`
	Bucket   string   `xml:"Bucket"`
	Key      string   `xml:"Key"`
	ETag     string   `xml:"ETag"`
}

// POST /blobs/upload, multipart/form-data: the form fields in any order, then "file"
// (fields after it are ignored, as S3 does). The file streams to disk; it becomes
// visible only whole, and only while the blob is not complete.
func (b *blobAPI) upload(w http.ResponseWriter, r *http.Request, _ *reqCtx) {
	if b.files == nil {
		writeS3Error(w, http.StatusServiceUnavailable, "ServiceUnavailable", "File storage is not available on this server", "")
		return
	}
	if r.ContentLength > b.cfg.MaxBytes+formOverhead {
		writeS3Error(w, http.StatusRequestEntityTooLarge, "EntityTooLarge", "Your proposed upload exceeds the maximum allowed size", "")
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, b.cfg.MaxBytes+formOverhead)
	mr, err := r.MultipartReader()
	if err != nil {
		writeS3Error(w, http.StatusBadRequest, "MalformedPOSTRequest", "The body of your POST request is not well-formed multipart/form-data", "")
		return
	}
	fields, file, err := readFormUntilFile(mr)
	if err != nil {
		writeUploadReadError(w, err)
		return
	}
	limit, err := b.verifyForm(fields)
	if err != nil {
		writeS3Error(w, http.StatusForbidden, "AccessDenied", err.Error(), fields["key"])
		return
	}
	uid := strings.ToLower(fields["key"])
	blob, err := b.h.st.BlobByUID(r.Context(), uid)
	switch {
	case errors.Is(err, store.ErrNotFound):
		writeS3Error(w, http.StatusNotFound, "NoSuchKey", "The file was deleted", uid)
		return
	case err != nil:
		b.uploadInternalError(w, r, err)
		return
	case blob.Complete():
		writeS3Error(w, http.StatusForbidden, "AccessDenied", "The file is complete and can no longer change", uid)
		return
	}
	body := &readTracker{r: file}
	staged, err := b.files.Stage(body, min(limit, b.cfg.MaxBytes))
	if err != nil {
		switch {
		case body.err != nil:
			writeUploadReadError(w, body.err)
		case errors.Is(err, blobfs.ErrTooLarge):
			writeS3Error(w, http.StatusRequestEntityTooLarge, "EntityTooLarge", "Your proposed upload exceeds the maximum allowed size", uid)
		case errors.Is(err, blobfs.ErrNoSpace):
			b.h.log.Error("rest: blob upload: disk full", "uid", uid, "err", err)
			writeS3Error(w, http.StatusInsufficientStorage, "InsufficientStorage", "The server has no disk space left for this file", uid)
		default:
			b.uploadInternalError(w, r, err)
		}
		return
	}
	if status, code, msg, err := b.commitUpload(r, blob, staged); code != "" {
		if err != nil {
			b.h.log.Error("rest: blob upload", "uid", uid, "err", err)
		}
		writeS3Error(w, status, code, msg, uid)
		return
	}
	etag := `"` + staged.MD5 + `"`
	location := b.baseURL(r) + "/blobs/" + uid
	w.Header().Set("ETag", etag)
	w.Header().Set("Location", location)
	switch fields["success_action_status"] {
	case "200", "204": // S3 answers these with no document
		n, _ := strconv.Atoi(fields["success_action_status"])
		w.WriteHeader(n)
		return
	}
	out, _ := xml.Marshal(postResponse{Location: location, Bucket: uploadBucket, Key: uid, ETag: etag})
	w.Header().Set("Content-Type", "application/xml")
	w.WriteHeader(http.StatusCreated)
	_, _ = io.WriteString(w, xml.Header)
	_, _ = w.Write(out)
}

// commitUpload moves the staged file into place and records it, under the blob's lock
// and only if the blob still exists and is not complete. A non-empty code is the S3
// error to answer; err (if any) is worth logging.
func (b *blobAPI) commitUpload(r *http.Request, blob store.Blob, staged *blobfs.Staged) (int, string, string, error) {
	defer staged.Discard()
	defer b.lock(blob.UID)()
	current, err := b.h.st.BlobByID(r.Context(), blob.ID)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return http.StatusNotFound, "NoSuchKey", "The file was deleted", nil
	case err != nil:
		return http.StatusInternalServerError, "InternalError", "We encountered an internal error. Please try again.", err
	case current.Complete():
		return http.StatusForbidden, "AccessDenied", "The file is complete and can no longer change", nil
	}
	if err := staged.Commit(blob.UID); err != nil {
		if errors.Is(err, blobfs.ErrNoSpace) {
			return http.StatusInsufficientStorage, "InsufficientStorage", "The server has no disk space left for this file", err
		}
		return http.StatusInternalServerError, "InternalError", "We encountered an internal error. Please try again.", err
	}
	if err := b.h.st.SetBlobUploaded(r.Context(), blob.ID, staged.Size, staged.MD5); err != nil {
		// Not recorded: take the file away again rather than keep bytes nobody declared.
		_ = b.files.Remove(blob.UID)
		return http.StatusInternalServerError, "InternalError", "We encountered an internal error. Please try again.", err
	}
	return 0, "", "", nil
}

func (b *blobAPI) uploadInternalError(w http.ResponseWriter, r *http.Request, err error) {
	b.h.log.Error("rest: blob upload", "path", r.URL.Path, "err", err)
	writeS3Error(w, http.StatusInternalServerError, "InternalError", "We encountered an internal error. Please try again.", "")
}

// readFormUntilFile reads the text fields (names lower-cased: S3 field names are
// case-insensitive) up to the "file" part, which it returns unread.
func readFormUntilFile(mr *multipart.Reader) (map[string]string, *multipart.Part, error) {
	fields := map[string]string{}
	for range maxFormFields + 1 {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			return nil, nil, errNoFile
		}
		if err != nil {
			return nil, nil, err
		}
		name := strings.ToLower(part.FormName())
		if name == "file" {
			return fields, part, nil
		}
		value, err := io.ReadAll(io.LimitReader(part, maxFormField+1))
		if err != nil {
			return nil, nil, err
		}
		if len(value) > maxFormField {
			return nil, nil, fmt.Errorf("%w: field %q is too long", errBadForm, name)
		}
		fields[name] = string(value)
	}
	return nil, nil, fmt.Errorf("%w: more than %d fields", errBadForm, maxFormFields)
}

var (
	errNoFile  = errors.New("the POST form has no file field")
	errBadForm = errors.New("malformed POST form")
)

// writeUploadReadError answers a failure to read the request body.
func writeUploadReadError(w http.ResponseWriter, err error) {
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig):
		writeS3Error(w, http.StatusRequestEntityTooLarge, "EntityTooLarge", "Your proposed upload exceeds the maximum allowed size", "")
	case errors.Is(err, errNoFile):
		writeS3Error(w, http.StatusBadRequest, "InvalidArgument", "POST requires exactly one file upload per request", "")
	default:
		writeS3Error(w, http.StatusBadRequest, "MalformedPOSTRequest", "The body of your POST request is not well-formed multipart/form-data: "+err.Error(), "")
	}
}

// verifyForm checks the signature and expiry of the policy and that every field the
// policy names was posted unchanged. It returns the policy's size limit.
func (b *blobAPI) verifyForm(fields map[string]string) (int64, error) {
	policy, sig := fields["policy"], fields["x-amz-signature"]
	if policy == "" || sig == "" || fields["key"] == "" {
		return 0, apiMessage("The form needs key, policy and x-amz-signature")
	}
	if !hmac.Equal([]byte(strings.ToLower(sig)), []byte(b.sign(policy))) {
		return 0, apiMessage("The request signature we calculated does not match the signature you provided")
	}
	raw, err := base64.StdEncoding.DecodeString(policy)
	var p uploadPolicy
	if err == nil {
		err = json.Unmarshal(raw, &p)
	}
	if err != nil {
		return 0, apiMessage("Invalid Policy: cannot read the policy document")
	}
	exp, err := time.Parse(time.RFC3339, p.Expiration)
	if err != nil || !b.cfg.Now().Before(exp) {
		return 0, apiMessage("Invalid according to Policy: Policy expired.")
	}
	limit := b.cfg.MaxBytes
	for _, c := range p.Conditions {
		switch c := c.(type) {
		case map[string]any:
			for k, v := range c {
				want, _ := v.(string)
				if k != "bucket" && fields[strings.ToLower(k)] != want {
					return 0, apiMessagef("Invalid according to Policy: Policy Condition failed: [\"eq\", \"$%s\", %q]", k, want)
				}
			}
		case []any:
			if len(c) == 3 && c[0] == "content-length-range" {
				if n, ok := c[2].(float64); ok && n >= 0 {
					limit = int64(n)
				}
			}
		}
	}
	return limit, nil
}

// readTracker remembers a read error, to tell a broken request from a failing disk.
type readTracker struct {
	r   io.Reader
	err error
}

func (t *readTracker) Read(p []byte) (int, error) {
	n, err := t.r.Read(p)
	if err != nil && !errors.Is(err, io.EOF) {
		t.err = err
	}
	return n, err
}
