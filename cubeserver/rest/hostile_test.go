package rest

import (
	"bytes"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cubechat/cubechat/cube"
)

// TestHostileMessageBodies: POST /chat/Message with texts JSON can carry but XML
// cannot (NUL, control characters), invalid UTF-8, 10k attachments or 10k custom
// keys, and a body over the limit: each is refused with a clear 4xx or stored and
// read back unchanged; never a 5xx, never a silently altered message.
func TestHostileMessageBodies(t *testing.T) {
	e := newEnv(t)
	_, token := e.user("ann")
	bob, _ := e.user("bob")
	r := e.do("POST", "/chat/Dialog", token, map[string]any{"type": 3, "occupants_ids": []int64{bob.ID}})
	var d cube.Dialog
	r.decode(t, &d)

	manyAtts := make([]map[string]any, 10000)
	for i := range manyAtts {
		manyAtts[i] = map[string]any{"type": "image", "uid": fmt.Sprintf("u%d", i)}
	}
	manyKeys := map[string]any{"chat_dialog_id": d.ID, "message": "keys"}
	for i := range 10000 {
		manyKeys[fmt.Sprintf("k%d", i)] = "v"
	}
	cases := []struct {
		name string
		body any
		want string // the text that must read back; "" = must be refused with 4xx
	}{
		{"NUL in the text", `{"chat_dialog_id":"` + d.ID + `","message":"a\u0000b"}`, "a\x00b"},
		{"escape character", `{"chat_dialog_id":"` + d.ID + `","message":"\u001b[31m"}`, "\x1b[31m"},
		{"lone surrogate", `{"chat_dialog_id":"` + d.ID + `","message":"x\ud800y"}`, "x\uFFFDy"}, // JSON decoding's own rule
		{"raw invalid UTF-8", "{\"chat_dialog_id\":\"" + d.ID + "\",\"message\":\"caf\xe9\"}", "caf\uFFFD"},
		{"10k attachments", map[string]any{"chat_dialog_id": d.ID, "message": "atts", "attachments": manyAtts}, "atts"},
		{"10k custom keys", manyKeys, "keys"},
		{"body over 1 MiB", `{"chat_dialog_id":"` + d.ID + `","message":"` + strings.Repeat("x", maxBodyBytes) + `"}`, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := e.do("POST", "/chat/Message", token, tc.body)
			if r.status >= 500 {
				t.Fatalf("5xx: %d %s", r.status, r.body)
			}
			if tc.want == "" {
				if r.status < 400 || r.body[0] != '{' {
					t.Fatalf("want a 4xx with a JSON error, got %d %.200s", r.status, r.body)
				}
				return
			}
			if r.status != http.StatusCreated {
				if r.status >= 400 && r.body[0] == '{' {
					return // a clear refusal is fine too
				}
				t.Fatalf("got %d %.200s", r.status, r.body)
			}
			var m cube.Message
			r.decode(t, &m)
			back := e.do("GET", "/chat/Message?chat_dialog_id="+d.ID+"&_id="+m.ID+"&mark_as_read=0", token, nil)
			var list cube.MessageList
			back.decode(t, &list)
			if len(list.Items) != 1 || list.Items[0].Message != tc.want {
				t.Fatalf("read back %.300v, want text %q", list.Items, tc.want)
			}
			if tc.want == "atts" && len(list.Items[0].Attachments) != len(manyAtts) {
				t.Fatalf("read back %d attachments, want %d", len(list.Items[0].Attachments), len(manyAtts))
			}
			if tc.want == "keys" && list.Items[0].Custom["k9999"] != "v" {
				t.Fatalf("custom key k9999 lost")
			}
		})
	}
}

// TestBlobOverTheDefaultLimit forces a file of 100 MB + 1 byte past the SDK (which
// refuses it itself, see cube's TestUploadRefusesWrongSizes) onto the real default
// limit: with a declared length the server refuses before reading the body; streamed
// without one, it stops at the limit. Either way: 413, and no file is kept.
func TestBlobOverTheDefaultLimit(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "blobs")
	cfg := testConfig()
	cfg.Blobs = BlobConfig{Dir: dir}
	e := newEnvConfig(t, cfg, nil)
	_, token := e.user("owner")
	for _, declared := range []bool{true, false} {
		if !declared && testing.Short() {
			continue // streams 100 MB through the server
		}
		t.Run(fmt.Sprintf("declared length %v", declared), func(t *testing.T) {
			r := e.do("POST", "/blobs.json", token, `{"blob":{"content_type":"application/octet-stream","name":"big.bin"}}`)
			expect(t, r, 201, "")
			var out struct{ Blob cube.Blob }
			r.decode(t, &out)
			target, fields := uploadForm(t, out.Blob.BlobObjectAccess.Params)
			var head bytes.Buffer
			mw := multipart.NewWriter(&head)
			for _, f := range fields {
				_ = mw.WriteField(f.name, f.value)
			}
			if _, err := mw.CreateFormFile("file", "big.bin"); err != nil {
				t.Fatal(err)
			}
			tail := "\r\n--" + mw.Boundary() + "--\r\n"
			size := int64(cube.MaxBlobSize + 1)
			body := io.MultiReader(&head, io.LimitReader(zeros{}, size), strings.NewReader(tail))
			req, err := http.NewRequest("POST", target, body)
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("Content-Type", mw.FormDataContentType())
			req.ContentLength = -1
			if declared {
				req.ContentLength = int64(head.Len()) + size + int64(len(tail))
			}
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err) // the server answers before hanging up, so the client sees it
			}
			res.Body.Close()
			if res.StatusCode != http.StatusRequestEntityTooLarge {
				t.Fatalf("status %d, want 413", res.StatusCode)
			}
			if files := diskFiles(t, dir); len(files) > 1 { // the signing secret only
				t.Fatalf("files left on disk: %v", files)
			}
		})
	}
}

// zeros reads as an endless run of zero bytes.
type zeros struct{}

func (zeros) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}

// TestHugeFilterLists: list filters with 40k values (more than SQLite's limit of 32766
// bound parameters, which used to end in a 500) are refused with a clear 422.
func TestHugeFilterLists(t *testing.T) {
	e := newEnv(t)
	_, token := e.user("ann")
	bob, _ := e.user("bob")
	r := e.do("POST", "/chat/Dialog", token, map[string]any{"type": 3, "occupants_ids": []int64{bob.ID}})
	var d cube.Dialog
	r.decode(t, &d)
	ids := make([]string, 40000)
	nums := make([]string, 40000)
	for i := range ids {
		ids[i] = cube.NewObjectID()
		nums[i] = fmt.Sprint(i + 1)
	}
	for _, path := range []string{
		"/chat/Dialog?_id[in]=" + strings.Join(ids, ","),
		"/chat/Dialog?_id[nin]=" + strings.Join(ids, ","),
		"/chat/Dialog?type[nin]=" + strings.Join(nums, ","),
		"/chat/Message?chat_dialog_id=" + d.ID + "&_id[in]=" + strings.Join(ids, ","),
		"/chat/Message?chat_dialog_id=" + d.ID + "&sender_id[in]=" + strings.Join(nums, ","),
		"/chat/Message/unread?chat_dialog_ids=" + strings.Join(ids, ","),
		"/users/v2?id[in]=" + strings.Join(nums, ","),
	} {
		r := e.do("GET", path, token, nil)
		if r.status != http.StatusUnprocessableEntity || !strings.Contains(string(r.body), "too many filter values") {
			t.Errorf("GET %.60s… = %d %s, want 422 naming the limit", path, r.status, r.body)
		}
	}
	// The largest list allowed still works.
	r = e.do("GET", "/chat/Dialog?_id[in]="+strings.Join(ids[:maxFilterValues-1], ","), token, nil)
	expect(t, r, http.StatusOK, "")
}
