package cube

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"net/url"
	"strings"

	"github.com/go-resty/resty/v2"
)

// formField is one S3 POST-policy field, in the order the presigned URL lists it.
type formField struct{ name, value string }

// uploadTarget splits the presigned params URL into the POST address and its form
// fields. url.Values would lose the order, which the upload must keep.
func uploadTarget(params, apiURL string) (string, []formField, error) {
	u, err := url.Parse(params)
	if err != nil || params == "" {
		return "", nil, fmt.Errorf("cube: blob has no usable upload address %q", params)
	}
	if !u.IsAbs() {
		base, err := url.Parse(apiURL)
		if err != nil {
			return "", nil, fmt.Errorf("cube: bad API URL %q: %w", apiURL, err)
		}
		u = base.ResolveReference(u)
	}
	var fields []formField
	for _, pair := range strings.Split(u.RawQuery, "&") {
		if pair == "" {
			continue
		}
		k, v, _ := strings.Cut(pair, "=")
		name, err1 := url.QueryUnescape(k)
		value, err2 := url.QueryUnescape(v)
		if err := errors.Join(err1, err2); err != nil {
			return "", nil, fmt.Errorf("cube: bad upload field %q: %w", pair, err)
		}
		fields = append(fields, formField{name, value})
	}
	u.RawQuery, u.Fragment = "", ""
	return u.String(), fields, nil
}

// multipartFrame renders everything around the file: the fields in order and the file
// part's header (prefix), and the closing boundary (suffix). The file itself is
// streamed between them, so a large upload is never held in memory.
func multipartFrame(fields []formField, fileName, contentType string) (prefix, suffix []byte, formType string, err error) {
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	for _, f := range fields {
		if err := w.WriteField(f.name, f.value); err != nil {
			return nil, nil, "", err
		}
	}
	h := textproto.MIMEHeader{}
	h.Set("Content-Disposition", `form-data; name="file"; filename="`+quoteEscaper.Replace(fileName)+`"`)
	h.Set("Content-Type", contentType)
	if _, err := w.CreatePart(h); err != nil {
		return nil, nil, "", err
	}
	prefix = bytes.Clone(buf.Bytes())
	if err := w.Close(); err != nil {
		return nil, nil, "", err
	}
	return prefix, bytes.Clone(buf.Bytes()[len(prefix):]), w.FormDataContentType(), nil
}

var quoteEscaper = strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\r", "", "\n", "")

// uploadLengthKey carries an upload's exact length to setUploadLength.
type uploadLengthKey struct{}

// setUploadLength gives a streamed upload its Content-Length (S3's POST form does not
// take chunked bodies; net/http knows the length only of in-memory bodies).
func setUploadLength(_ *resty.Client, req *http.Request) error {
	if n, ok := req.Context().Value(uploadLengthKey{}).(int64); ok {
		req.ContentLength = n
	}
	return nil
}

// UploadBlob sends the file to the blob's presigned form (POST multipart to the params
// URL: every query parameter as a field in order, then "file"). CB-Token goes along
// except to Amazon S3. progress, if set, is called from the uploading goroutine as the
// file's bytes go out to the network. r must yield exactly size bytes.
func (c *Client) UploadBlob(ctx context.Context, blob *Blob, r io.Reader, size int64, progress func(sent, total int64)) error {
	if blob == nil || blob.BlobObjectAccess == nil {
		return errors.New("cube: blob has no upload form (create it with CreateBlob)")
	}
	if err := checkBlobSize(size); err != nil {
		return err
	}
	target, fields, err := uploadTarget(blob.BlobObjectAccess.Params, c.cfg.APIURL)
	if err != nil {
		return err
	}
	contentType := blob.ContentType
	if contentType == "" {
		contentType = "application/octet-stream"
	}
	prefix, suffix, formType, err := multipartFrame(fields, blob.Name, contentType)
	if err != nil {
		return fmt.Errorf("cube: cannot build upload form: %w", err)
	}
	file := &exactReader{r: r, left: size, size: size, progress: progress}
	body := io.MultiReader(bytes.NewReader(prefix), file, bytes.NewReader(suffix))
	total := int64(len(prefix)) + size + int64(len(suffix))
	req := c.files.R().
		SetContext(context.WithValue(ctx, uploadLengthKey{}, total)).
		SetHeader("Content-Type", formType).
		SetBody(body)
	if uploadTakesToken(target) {
		if t := c.Token(); t != "" {
			req.SetHeader("CB-Token", t)
		}
	}
	if _, err := c.do(req, http.MethodPost, target); err != nil {
		if file.err != nil {
			return file.err
		}
		return err
	}
	return nil
}

// uploadTakesToken: like the JS SDK, CB-Token goes to every upload host except
// Amazon S3, which must not see the session token.
func uploadTakesToken(target string) bool {
	u, err := url.Parse(target)
	return err == nil && !strings.HasSuffix(strings.ToLower(u.Hostname()), "amazonaws.com")
}

// exactReader passes on exactly size bytes of r, reports progress, and fails when r
// is shorter or longer than declared, so a wrong size never uploads a cut file.
type exactReader struct {
	r          io.Reader
	left, size int64
	progress   func(sent, total int64)
	err        error
}

func (e *exactReader) Read(p []byte) (int, error) {
	if e.left == 0 {
		var one [1]byte
		if n, _ := io.ReadFull(e.r, one[:]); n > 0 {
			e.err = fmt.Errorf("cube: file is longer than its declared size %d", e.size)
			return 0, e.err
		}
		return 0, io.EOF
	}
	if int64(len(p)) > e.left {
		p = p[:e.left]
	}
	n, err := e.r.Read(p)
	e.left -= int64(n)
	if n > 0 && e.progress != nil {
		e.progress(e.size-e.left, e.size)
	}
	if err == io.EOF && e.left > 0 {
		e.err = fmt.Errorf("cube: file ended after %d of its declared %d bytes", e.size-e.left, e.size)
		return n, e.err
	}
	if err == io.EOF {
		err = nil
	}
	return n, err
}
