package rest

import (
	"errors"
	"io/fs"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/cubechat/cubechat/cubeserver/blobfs"
	"github.com/cubechat/cubechat/cubeserver/store"
)

// maxDispositionRunes bounds the file name offered to the browser.
const maxDispositionRunes = 200

// serveFile answers GET /blobs/{uid} (no .json) with the file: public blobs to anyone,
// private ones with the token of a live session in ?token= (the SDK's privateUrl) or
// CB-Token whose user may read the blob (blob_access.go; 404 otherwise). Only complete
// blobs are served, as the docs say.
func (b *blobAPI) serveFile(w http.ResponseWriter, r *http.Request, ref string) {
	blob, ok := b.readable(w, r, ref)
	if !ok {
		return
	}
	file, err := b.files.Open(blob.UID)
	if errors.Is(err, fs.ErrNotExist) {
		b.h.log.Error("rest: complete blob has no file", "blob", blob.ID, "uid", blob.UID)
		writeErrors(w, http.StatusNotFound, "File not found: "+ref)
		return
	}
	if err != nil {
		b.h.internalError(w, r, err)
		return
	}
	defer file.Close()
	info, err := file.Stat()
	if err != nil {
		b.h.internalError(w, r, err)
		return
	}
	h := w.Header()
	h.Set("Content-Type", blob.ContentType)
	h.Set("Content-Disposition", contentDisposition(blob.ContentType, blob.Name))
	h.Set("X-Content-Type-Options", "nosniff")
	// The file is served from the API's origin: if a browser renders it anyway (an
	// uploaded HTML page, say), it runs sandboxed with no access to anything.
	h.Set("Content-Security-Policy", "sandbox; default-src 'none'")
	if blob.ETag != "" {
		h.Set("ETag", `"`+blob.ETag+`"`)
	}
	if blob.Public {
		h.Set("Cache-Control", "public, max-age=3600")
	} else {
		h.Set("Cache-Control", "private, max-age=3600")
	}
	// ServeContent sets Content-Length and answers Range and conditional requests
	// (players seek in videos); the Content-Type set above stops it from sniffing.
	http.ServeContent(w, r, "", info.ModTime(), file)
}

// GET /blobs/{uid}/download: 301 to the file URL (with the token for private blobs).
func (b *blobAPI) download(w http.ResponseWriter, r *http.Request, rc *reqCtx) {
	blob, ok := b.readable(w, r, rc.params[0])
	if !ok {
		return
	}
	http.Redirect(w, r, b.fileURL(r, blob, requestToken(r)), http.StatusMovedPermanently)
}

// readable finds a complete blob the request may read, answering the error itself.
func (b *blobAPI) readable(w http.ResponseWriter, r *http.Request, ref string) (store.Blob, bool) {
	if !b.available(w) {
		return store.Blob{}, false
	}
	uid := strings.ToLower(ref)
	if !blobfs.ValidUID(uid) {
		writeErrors(w, http.StatusNotFound, "File not found: "+ref)
		return store.Blob{}, false
	}
	blob, err := b.h.st.BlobByUID(r.Context(), uid)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		b.h.internalError(w, r, err)
		return blob, false
	}
	if err != nil || !blob.Complete() {
		writeErrors(w, http.StatusNotFound, "File not found: "+ref)
		return blob, false
	}
	if blob.Public {
		return blob, true
	}
	token := requestToken(r)
	if token == "" {
		writeSessionMissing(w)
		return blob, false
	}
	sess, err := b.h.st.SessionByToken(r.Context(), token)
	if errors.Is(err, store.ErrNotFound) {
		writeSessionMissing(w)
		return blob, false
	}
	if err != nil {
		b.h.internalError(w, r, err)
		return blob, false
	}
	if err := b.h.st.TouchSession(r.Context(), &sess); err != nil {
		b.h.log.Warn("rest: extend session", "session", sess.ID, "err", err)
	}
	return blob, b.mayRead(w, r, blob, sess.UserID, ref)
}

// requestToken is the session token of a file request: ?token= first, then CB-Token.
func requestToken(r *http.Request) string {
	if t := r.URL.Query().Get("token"); t != "" {
		return t
	}
	return r.Header.Get("CB-Token")
}

// fileURL is where the blob's file is served, as the SDK builds it: {api}/blobs/{uid},
// with ?token= for private blobs.
func (b *blobAPI) fileURL(r *http.Request, blob store.Blob, token string) string {
	u := b.baseURL(r) + "/blobs/" + blob.UID
	if !blob.Public && token != "" {
		u += "?token=" + url.QueryEscape(token)
	}
	return u
}

// contentDisposition offers the client's file name safely (RFC 6266): an ASCII
// fallback in filename= and the exact UTF-8 name in filename*=. Images, audio and video
// display inline; everything else (HTML, SVG, scripts…) downloads.
func contentDisposition(contentType, name string) string {
	kind := "attachment"
	mediaType, _, _ := mime.ParseMediaType(contentType)
	if major, _, _ := strings.Cut(mediaType, "/"); (major == "image" && mediaType != "image/svg+xml") ||
		major == "audio" || major == "video" {
		kind = "inline"
	}
	safe := safeFileName(name)
	return kind + `; filename="` + asciiFileName(safe) + `"; filename*=UTF-8''` + encodeRFC5987(safe)
}

// safeFileName keeps the last path element of name without control or invisible
// formatting characters (no NUL, no newline, no right-to-left override), trimmed of
// spaces and dots, and short enough for every file system.
func safeFileName(name string) string {
	name = strings.ToValidUTF8(name, "")
	if i := strings.LastIndexAny(name, `/\`); i >= 0 {
		name = name[i+1:]
	}
	name = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || unicode.In(r, unicode.Cf, unicode.Zl, unicode.Zp) {
			return -1
		}
		return r
	}, name)
	name = strings.Trim(name, " .")
	if utf8.RuneCountInString(name) > maxDispositionRunes {
		// Keep the extension, which decides how the file opens.
		ext := ""
		if i := strings.LastIndexByte(name, '.'); i > 0 && utf8.RuneCountInString(name[i:]) <= 16 {
			ext = name[i:]
		}
		runes := []rune(strings.TrimSuffix(name, ext))
		name = string(runes[:maxDispositionRunes-utf8.RuneCountInString(ext)]) + ext
	}
	if name == "" {
		return "file"
	}
	return name
}

// asciiFileName is the quoted-string fallback: printable ASCII without quote or
// backslash; anything else becomes "_".
func asciiFileName(name string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r > 0x7e || r == '"' || r == '\\' || r == '%' {
			return '_'
		}
		return r
	}, name)
}

// encodeRFC5987 percent-encodes every byte that is not an attr-char.
func encodeRFC5987(s string) string {
	const hex = "0123456789ABCDEF"
	var out strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("!#$&+-.^_`|~", c) >= 0 {
			out.WriteByte(c)
			continue
		}
		out.WriteByte('%')
		out.WriteByte(hex[c>>4])
		out.WriteByte(hex[c&15])
	}
	return out.String()
}
