package rest

import (
	"bytes"
	"crypto/md5"
	"encoding/hex"
	"encoding/xml"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cubechat/cubechat/cube"
)

const testBlobLimit = 64 << 10

// blobEnv is an env whose handler stores blobs in a temp dir, with a small upload
// limit and a clock the test can move.
type blobEnv struct {
	*env
	dir   string
	mu    sync.Mutex
	clock time.Time
}

func newBlobEnv(t *testing.T) *blobEnv {
	t.Helper()
	be := &blobEnv{dir: filepath.Join(t.TempDir(), "blobs"), clock: time.Now()}
	cfg := testConfig()
	cfg.Blobs = BlobConfig{Dir: be.dir, MaxBytes: testBlobLimit, Now: be.now}
	be.env = newEnvConfig(t, cfg, nil)
	return be
}

func (be *blobEnv) now() time.Time {
	be.mu.Lock()
	defer be.mu.Unlock()
	return be.clock
}

func (be *blobEnv) advance(d time.Duration) {
	be.mu.Lock()
	defer be.mu.Unlock()
	be.clock = be.clock.Add(d)
}

// create posts a blob record and returns it with its upload form.
func (be *blobEnv) create(token string, body any) cube.Blob {
	be.t.Helper()
	r := be.do("POST", "/blobs.json", token, body)
	expect(be.t, r, 201, "")
	var out struct{ Blob cube.Blob }
	r.decode(be.t, &out)
	if out.Blob.BlobObjectAccess == nil || out.Blob.BlobObjectAccess.Params == "" {
		be.t.Fatalf("no upload form in %s", r.body)
	}
	return out.Blob
}

// formField is one field of the upload form, in order.
type formField struct{ name, value string }

// uploadForm splits params the way JS SDK 6 does: the URL without its query is the
// target; each query pair, decoded with decodeURIComponent (no "+" → space), is a field.
func uploadForm(t *testing.T, params string) (string, []formField) {
	t.Helper()
	target, query, _ := strings.Cut(params, "?")
	var fields []formField
	for _, pair := range strings.Split(query, "&") {
		k, v, _ := strings.Cut(pair, "=")
		dv, err := url.PathUnescape(v)
		if err != nil {
			t.Fatalf("field %s: %v", k, err)
		}
		fields = append(fields, formField{k, dv})
	}
	return target, fields
}

// upload posts fields then file as multipart/form-data, with the SDK's extra headers.
func (be *blobEnv) upload(target string, fields []formField, file []byte, withFile bool) response {
	be.t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for _, f := range fields {
		if err := mw.WriteField(f.name, f.value); err != nil {
			be.t.Fatal(err)
		}
	}
	if withFile {
		fw, err := mw.CreateFormFile("file", "blob")
		if err != nil {
			be.t.Fatal(err)
		}
		fw.Write(file)
	}
	mw.Close()
	req, err := http.NewRequest("POST", target, &buf)
	if err != nil {
		be.t.Fatal(err)
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("CB-SDK", "JS 6.1.2 - Client")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		be.t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	return response{status: res.StatusCode, body: raw}
}

// uploadBlob runs the SDK's upload of content to blob's form and expects success.
func (be *blobEnv) uploadBlob(blob cube.Blob, content []byte) {
	be.t.Helper()
	target, fields := uploadForm(be.t, blob.BlobObjectAccess.Params)
	expect(be.t, be.upload(target, fields, content, true), 201, "")
}

// get fetches a URL path (or full URL) without following redirects.
func (be *blobEnv) get(path string, headers map[string]string) (*http.Response, []byte) {
	be.t.Helper()
	if strings.HasPrefix(path, "/") {
		path = be.srv.URL + path
	}
	req, _ := http.NewRequest("GET", path, nil)
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := client.Do(req)
	if err != nil {
		be.t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	return res, body
}

func (be *blobEnv) blob(path, token string) cube.Blob {
	be.t.Helper()
	r := be.do("GET", path, token, nil)
	expect(be.t, r, 200, "")
	var out struct{ Blob cube.Blob }
	r.decode(be.t, &out)
	return out.Blob
}

func TestBlobFullFlowLikeJSSDK(t *testing.T) {
	be := newBlobEnv(t)
	_, token := be.user("owner")
	otherUser, other := be.user("other")
	content := []byte("a private photo, honestly")

	blob := be.create(token, map[string]any{"blob": map[string]any{"content_type": "image/jpeg", "name": "cat.jpeg"}})
	acc := blob.BlobObjectAccess
	if blob.Public || blob.Name != "cat.jpeg" || blob.ContentType != "image/jpeg" || len(blob.UID) != 32 ||
		blob.BlobStatus != nil || acc.ObjectAccessType != "Write" || acc.BlobID != blob.ID || acc.Expires.IsZero() {
		t.Fatalf("created blob = %+v, access %+v", blob, acc)
	}
	target, fields := uploadForm(t, acc.Params)
	if target != be.srv.URL+"/blobs/upload" {
		t.Fatalf("upload target = %s", target)
	}
	var names []string
	for _, f := range fields {
		names = append(names, f.name)
	}
	if got := strings.Join(names, ","); got != "Content-Type,Expires,acl,key,success_action_status,x-amz-algorithm,x-amz-credential,x-amz-date,policy,x-amz-signature" {
		t.Fatalf("form fields = %s", got)
	}
	if strings.Contains(acc.Params, "+") || !strings.Contains(fields[1].value, " GMT") || fields[3].value != blob.UID {
		t.Fatalf("params must decode with decodeURIComponent: %s", acc.Params)
	}

	res := be.upload(target, fields, content, true)
	expect(t, res, 201, "")
	var post struct{ Location, Bucket, Key, ETag string }
	if err := xml.Unmarshal(res.body, &post); err != nil {
		t.Fatalf("upload answer %s: %v", res.body, err)
	}
	sum := md5.Sum(content)
	if post.Key != blob.UID || post.ETag != `"`+hex.EncodeToString(sum[:])+`"` || post.Location != be.srv.URL+"/blobs/"+blob.UID {
		t.Fatalf("PostResponse = %+v", post)
	}
	if _, body := be.get("/blobs/"+blob.UID+"?token="+token, nil); !strings.Contains(string(body), "not found") {
		t.Fatalf("an incomplete blob must not be served: %s", body)
	}

	expect(t, be.do("PUT", "/blobs/"+itoa(blob.ID)+"/complete.json", token, map[string]any{"size": len(content)}), 200, "")
	paths := []string{"/blobs/" + itoa(blob.ID) + ".json", "/blobs/" + itoa(blob.ID), "/blobs/" + blob.UID + ".json",
		"/blobs/" + blob.UID + "/object.json?download_url=1", "/blobs/" + blob.UID + "?token=" + other}
	// Not shared yet: another user's token sees nothing, exactly like an unknown id.
	for _, path := range paths {
		expect(t, be.do("GET", path, other, nil), 404, "")
	}
	// Sent to "other" as an attachment: from now on they may read it.
	expect(t, be.do("POST", "/chat/Message", token, map[string]any{"recipient_id": otherUser.ID,
		"attachments": []any{map[string]any{"type": "photo", "uid": blob.UID, "id": itoa(blob.ID)}}}), 201, "")
	for _, path := range paths[:3] {
		got := be.blob(path, other) // a recipient may read the record
		if got.ID != blob.ID || got.Size != int64(len(content)) || got.BlobStatus == nil || *got.BlobStatus != "complete" ||
			got.SetCompletedAt == nil || got.BlobObjectAccess != nil {
			t.Fatalf("GET %s = %+v", path, got)
		}
	}

	// The file: private needs a token in the query or the header.
	if res, body := be.get("/blobs/"+blob.UID, nil); res.StatusCode != 401 || string(body) != sessionMissing {
		t.Fatalf("private file without token: %d %s", res.StatusCode, body)
	}
	if res, _ := be.get("/blobs/"+blob.UID+"?token=bogus", nil); res.StatusCode != 401 {
		t.Fatalf("private file with a dead token: %d", res.StatusCode)
	}
	for _, h := range []map[string]string{nil, {"CB-Token": other}} {
		path := "/blobs/" + blob.UID
		if h == nil {
			path += "?token=" + other
		}
		res, body := be.get(path, h)
		if res.StatusCode != 200 || !bytes.Equal(body, content) {
			t.Fatalf("download %s: %d %q", path, res.StatusCode, body)
		}
		for k, want := range map[string]string{"Content-Type": "image/jpeg", "Content-Length": itoa(int64(len(content))),
			"X-Content-Type-Options": "nosniff", "Content-Disposition": `inline; filename="cat.jpeg"; filename*=UTF-8''cat.jpeg`} {
			if got := res.Header.Get(k); got != want {
				t.Errorf("%s = %q, want %q", k, got, want)
			}
		}
	}
	res2, _ := be.get("/blobs/"+blob.UID+"/download", map[string]string{"CB-Token": token})
	if res2.StatusCode != 301 || res2.Header.Get("Location") != be.srv.URL+"/blobs/"+blob.UID+"?token="+token {
		t.Fatalf("download redirect: %d %s", res2.StatusCode, res2.Header.Get("Location"))
	}
	if res, _ := be.get("/blobs/"+blob.UID+"/download", nil); res.StatusCode != 401 {
		t.Fatalf("private download redirect without token: %d", res.StatusCode)
	}

	obj := be.blob("/blobs/"+blob.UID+"/object.json?download_url=1", token).BlobObjectAccess
	want := be.srv.URL + "/blobs/" + blob.UID + "?token=" + token
	if obj == nil || obj.DownloadURL != want || obj.DowloadURL != want || obj.ObjectAccessType != "Read" {
		t.Fatalf("object access = %+v", obj)
	}

	r := be.do("GET", "/blobs.json?page=1&per_page=5", token, nil)
	expect(t, r, 200, "")
	var list struct {
		CurrentPage  int `json:"current_page"`
		PerPage      int `json:"per_page"`
		TotalEntries int `json:"total_entries"`
		Items        []struct{ Blob cube.Blob }
	}
	r.decode(t, &list)
	if list.CurrentPage != 1 || list.PerPage != 5 || list.TotalEntries != 1 || len(list.Items) != 1 || list.Items[0].Blob.UID != blob.UID {
		t.Fatalf("list = %s", r.body)
	}
	expect(t, be.do("GET", "/blobs.json", other, nil), 200, `{"current_page":1,"per_page":10,"total_entries":0,"items":[]}`)

	expect(t, be.do("DELETE", "/blobs/"+itoa(blob.ID)+".json", other, nil), 403, "")
	expect(t, be.do("DELETE", "/blobs/"+itoa(blob.ID)+".json", token, nil), 200, "")
	if _, err := os.Stat(filepath.Join(be.dir, blob.UID[:2], blob.UID)); !os.IsNotExist(err) {
		t.Fatalf("file after delete: %v", err)
	}
	expect(t, be.do("GET", "/blobs/"+itoa(blob.ID)+".json", token, nil), 404, "")
	if res, _ := be.get("/blobs/"+blob.UID+"?token="+token, nil); res.StatusCode != 404 {
		t.Fatalf("file after delete: %d", res.StatusCode)
	}
}

func TestPublicBlobNeedsNoToken(t *testing.T) {
	be := newBlobEnv(t)
	_, token := be.user("owner")
	blob := be.create(token, `{"blob":{"content_type":"text/plain","name":"notes.txt","public":true}}`)
	if !blob.Public || !strings.Contains(blob.BlobObjectAccess.Params, "acl=public-read") {
		t.Fatalf("blob = %+v", blob)
	}
	be.uploadBlob(blob, []byte("hello"))
	expect(t, be.do("PUT", "/blobs/"+itoa(blob.ID)+"/complete", token, `{"blob":{"size":"5"}}`), 200, "")
	res, body := be.get("/blobs/"+blob.UID, nil)
	if res.StatusCode != 200 || string(body) != "hello" ||
		res.Header.Get("Content-Disposition") != `attachment; filename="notes.txt"; filename*=UTF-8''notes.txt` {
		t.Fatalf("public download: %d %q %v", res.StatusCode, body, res.Header)
	}
	res, _ = be.get("/blobs/"+strings.ToUpper(blob.UID)+"/download", nil)
	if res.StatusCode != 301 || res.Header.Get("Location") != be.srv.URL+"/blobs/"+blob.UID {
		t.Fatalf("public redirect: %d %s", res.StatusCode, res.Header.Get("Location"))
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
