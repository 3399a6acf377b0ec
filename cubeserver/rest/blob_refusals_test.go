package rest

import (
	"bytes"
	"encoding/xml"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/cubechat/cubechat/cube"
)

// diskFiles lists every regular file under dir, relative to it.
func diskFiles(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() {
			rel, _ := filepath.Rel(dir, p)
			out = append(out, rel)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestHostileNamesAreMetadataOnly(t *testing.T) {
	be := newBlobEnv(t)
	_, token := be.user("owner")
	long := strings.Repeat("ü", 400) + ".png"
	tests := []struct {
		name, contentType, wantFile string
	}{
		{"../../etc/passwd", "text/plain", "passwd"},
		{`..\..\windows\win.ini`, "text/plain", "win.ini"},
		{"a\x00b\r\nSet-Cookie: x=1.txt", "text/plain", "abSet-Cookie: x=1.txt"},
		{"отчёт 📄.pdf", "application/pdf", "отчёт 📄.pdf"},
		{"\u202egnp.exe", "image/png", "gnp.exe"},
		{`evil"; filename=x.html`, "text/html", `evil"; filename=x.html`},
		{"...", "text/plain", "file"},
		{long, "image/png", strings.Repeat("ü", 196) + ".png"},
	}
	var uids []string
	for _, tt := range tests {
		blob := be.create(token, map[string]any{"blob": map[string]any{"name": tt.name, "content_type": tt.contentType, "public": true}})
		be.uploadBlob(blob, []byte("data"))
		expect(t, be.do("PUT", "/blobs/"+itoa(blob.ID)+"/complete", token, map[string]any{"blob": map[string]any{"size": 4}}), 200, "")
		if got := be.blob("/blobs/"+itoa(blob.ID), token); got.Name != tt.name {
			t.Errorf("stored name = %q, want %q", got.Name, tt.name)
		}
		res, _ := be.get("/blobs/"+blob.UID, nil)
		cd := res.Header.Get("Content-Disposition")
		if strings.ContainsAny(cd, "/\\\r\n\x00") || strings.ContainsFunc(cd, func(r rune) bool { return r > unicode.MaxASCII }) {
			t.Errorf("%q: unsafe Content-Disposition %q", tt.name, cd)
		}
		_, encoded, ok := strings.Cut(cd, "filename*=UTF-8''")
		decoded, err := url.PathUnescape(encoded)
		if !ok || err != nil || decoded != tt.wantFile {
			t.Errorf("%q: filename* = %q (%v), want %q", tt.name, decoded, err, tt.wantFile)
		}
		if strings.Count(cd, `"`) != 2 {
			t.Errorf("%q: the quoted filename leaks quotes: %q", tt.name, cd)
		}
		if tt.contentType == "text/html" && !strings.HasPrefix(cd, "attachment;") {
			t.Errorf("HTML must download, not render: %q", cd)
		}
		uids = append(uids, blob.UID)
	}
	// On disk there is nothing but uid-named files (and the signing secret).
	files := diskFiles(t, be.dir)
	if len(files) != len(uids)+1 {
		t.Fatalf("files on disk = %v", files)
	}
	for _, uid := range uids {
		if _, err := os.Stat(filepath.Join(be.dir, uid[:2], uid)); err != nil {
			t.Errorf("file of %s: %v", uid, err)
		}
	}
}

func TestUploadRefusals(t *testing.T) {
	be := newBlobEnv(t)
	_, token := be.user("owner")
	newForm := func() (cube.Blob, string, []formField) {
		blob := be.create(token, `{"blob":{"content_type":"image/png","name":"x.png"}}`)
		target, fields := uploadForm(t, blob.BlobObjectAccess.Params)
		return blob, target, fields
	}
	set := func(fields []formField, name, value string) []formField {
		out := append([]formField(nil), fields...)
		for i := range out {
			if out[i].name == name {
				out[i].value = value
			}
		}
		return out
	}
	other, _, _ := newForm()
	tests := []struct {
		name    string
		edit    func([]formField) []formField
		file    []byte
		noFile  bool
		advance time.Duration
		status  int
		code    string
	}{
		{"bad signature", func(f []formField) []formField { return set(f, "x-amz-signature", strings.Repeat("0", 64)) }, nil, false, 0, 403, "AccessDenied"},
		{"no signature", func(f []formField) []formField { return set(f, "x-amz-signature", "") }, nil, false, 0, 403, "AccessDenied"},
		{"someone else's key", func(f []formField) []formField { return set(f, "key", other.UID) }, nil, false, 0, 403, "AccessDenied"},
		{"changed content type", func(f []formField) []formField { return set(f, "Content-Type", "text/html") }, nil, false, 0, 403, "AccessDenied"},
		{"tampered policy", func(f []formField) []formField { return set(f, "policy", "e30=") }, nil, false, 0, 403, "AccessDenied"},
		{"expired", nil, nil, false, 2 * time.Hour, 403, "AccessDenied"},
		{"no file", nil, nil, true, 0, 400, "InvalidArgument"},
		{"over the limit", nil, make([]byte, testBlobLimit+1), false, 0, 413, "EntityTooLarge"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			blob, target, fields := newForm()
			if tt.edit != nil {
				fields = tt.edit(fields)
			}
			be.advance(tt.advance)
			defer be.advance(-tt.advance)
			file := tt.file
			if file == nil {
				file = []byte("png")
			}
			res := be.upload(target, fields, file, !tt.noFile)
			var e struct{ Code, Message string }
			if res.status != tt.status || xml.Unmarshal(res.body, &e) != nil || e.Code != tt.code {
				t.Fatalf("answer %d %s, want %d %s", res.status, res.body, tt.status, tt.code)
			}
			got := be.blob("/blobs/"+itoa(blob.ID), token)
			if got.BlobStatus != nil {
				t.Fatalf("refused upload changed the blob: %+v", got)
			}
			expect(t, be.do("PUT", "/blobs/"+itoa(blob.ID)+"/complete", token, `{"size":3}`), 422, "")
			if _, err := os.Stat(filepath.Join(be.dir, blob.UID[:2], blob.UID)); !os.IsNotExist(err) {
				t.Fatalf("refused upload left a file: %v", err)
			}
		})
	}
	if left := diskFiles(t, filepath.Join(be.dir, "tmp")); len(left) != 0 {
		t.Fatalf("temp files left: %v", left)
	}

	t.Run("exactly the limit", func(t *testing.T) {
		blob, target, fields := newForm()
		expect(t, be.upload(target, fields, bytes.Repeat([]byte{7}, testBlobLimit), true), 201, "")
		expect(t, be.do("PUT", "/blobs/"+itoa(blob.ID)+"/complete", token, `{"size":65536}`), 200, "")
		res := be.upload(target, fields, []byte("replacement"), true)
		if res.status != 403 || !strings.Contains(string(res.body), "AccessDenied") {
			t.Fatalf("upload after complete: %d %s", res.status, res.body)
		}
	})
	t.Run("not multipart", func(t *testing.T) {
		_, target, _ := newForm()
		r := be.doHeaders("POST", strings.TrimPrefix(target, be.srv.URL), nil, `{"file":"x"}`)
		if r.status != 400 || !strings.Contains(string(r.body), "MalformedPOSTRequest") {
			t.Fatalf("answer %d %s", r.status, r.body)
		}
	})
}

func TestCompleteRules(t *testing.T) {
	be := newBlobEnv(t)
	_, token := be.user("owner")
	_, other := be.user("other")
	blob := be.create(token, `{"blob":{"content_type":"image/png","name":"x.png"}}`)
	path := "/blobs/" + itoa(blob.ID) + "/complete"
	expect(t, be.do("PUT", path, token, `{"size":3}`), 422, `{"errors":{"base":["The file has not been uploaded yet"]}}`)
	be.uploadBlob(blob, []byte("png"))
	tests := []struct {
		name, token, body string
		status            int
	}{
		{"not the owner (who cannot see it either)", other, `{"size":3}`, 404},
		{"wrong size", token, `{"blob":{"size":4}}`, 422},
		{"negative size", token, `{"size":-1}`, 422},
		{"not a number", token, `{"size":"three"}`, 422},
		{"unknown blob", token, `{"size":3}`, 404},
		{"no session", "", `{"size":3}`, 401},
		{"top-level size (JS SDK 6)", token, `{"size":3}`, 200},
		{"docs' nested size, again", token, `{"blob":{"size":3}}`, 200},
		{"no size takes the upload's", token, `{}`, 200},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := path
			if tt.name == "unknown blob" {
				p = "/blobs/99999/complete"
			}
			expect(t, be.do("PUT", p, tt.token, tt.body), tt.status, "")
		})
	}
}

func TestCreateBlobRefusalsAndForms(t *testing.T) {
	be := newBlobEnv(t)
	_, token := be.user("owner")
	tests := []struct {
		name, token string
		body        any
		status      int
	}{
		{"no name", token, `{"blob":{"content_type":"image/png"}}`, 422},
		{"blank name", token, `{"blob":{"content_type":"image/png","name":"  "}}`, 422},
		{"name over 1 KiB", token, map[string]any{"blob": map[string]any{"content_type": "image/png", "name": strings.Repeat("n", 1025)}}, 422},
		{"no content type", token, `{"blob":{"name":"x"}}`, 422},
		{"bad content type", token, `{"blob":{"name":"x","content_type":"image/png\r\nX-Evil: 1"}}`, 422},
		{"no session", "", `{"blob":{"name":"x","content_type":"image/png"}}`, 401},
		{"form body", token, "blob[name]=x.png&blob[content_type]=image%2Fpng&blob[public]=1", 201},
		{"top-level keys", token, `{"name":"x.png","content_type":"image/png"}`, 201},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			expect(t, be.do("POST", "/blobs", tt.token, tt.body), tt.status, "")
		})
	}
}

func TestBlobLookupsThatFail(t *testing.T) {
	be := newBlobEnv(t)
	_, token := be.user("owner")
	for _, path := range []string{"/blobs/12345.json", "/blobs/" + strings.Repeat("ab", 16) + ".json",
		"/blobs/not-a-uid", "/blobs/" + strings.Repeat("ab", 16), "/blobs/..%2F..%2Fetc%2Fpasswd",
		"/blobs/" + strings.Repeat("cd", 16) + "/download"} {
		res, body := be.get(path+"?token="+token, map[string]string{"CB-Token": token})
		if res.StatusCode != 404 {
			t.Errorf("GET %s = %d %s", path, res.StatusCode, body)
		}
	}
	expect(t, be.do("DELETE", "/blobs/777", token, nil), 404, "")
}

func TestBlobStorageOff(t *testing.T) {
	e := newEnv(t) // no blob directory configured
	_, token := e.user("owner")
	expect(t, e.do("POST", "/blobs", token, `{"blob":{"name":"x","content_type":"image/png"}}`), 503, "")
	expect(t, e.do("GET", "/blobs/"+strings.Repeat("ab", 16), token, nil), 503, "")
}
