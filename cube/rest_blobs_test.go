package cube

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"strings"
	"sync"
	"testing"
)

// blobServer is a small blob store: POST /blobs hands out a presigned form pointing at
// /upload on itself, /upload accepts the multipart POST, complete/get/delete/download
// work on what was uploaded.
type blobServer struct {
	mu        sync.Mutex
	fields    []string // form field names in the order received
	values    map[string]string
	file      []byte
	fileType  string
	token     string
	chunked   bool
	length    int64
	completed string
	deleted   []string
	failUp    bool
}

func (b *blobServer) handle(t *testing.T) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		b.mu.Lock()
		defer b.mu.Unlock()
		switch {
		case r.Method == "POST" && r.URL.Path == "/blobs":
			fmt.Fprintf(w, `{"blob":{"id":12,"uid":"abc123","name":"cat.jpg","content_type":"image/jpeg","blob_object_access":{"id":1,"blob_id":12,"object_access_type":"Write","params":"http://%s/upload?Content-Type=image%%2Fjpeg&acl=public-read&key=abc123&policy=p%%3D%%3D&success_action_status=201"}}}`, r.Host)
		case r.Method == "POST" && r.URL.Path == "/upload":
			if b.failUp {
				w.WriteHeader(403)
				fmt.Fprint(w, `<Error><Code>AccessDenied</Code></Error>`)
				return
			}
			b.token, b.chunked, b.length = r.Header.Get("CB-Token"), len(r.TransferEncoding) > 0, r.ContentLength
			_, params, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
			mr := multipart.NewReader(r.Body, params["boundary"])
			b.fields, b.values = nil, map[string]string{}
			for {
				p, err := mr.NextPart()
				if err == io.EOF {
					break
				}
				if err != nil {
					t.Errorf("multipart: %v", err)
					w.WriteHeader(400)
					return
				}
				data, _ := io.ReadAll(p)
				b.fields = append(b.fields, p.FormName())
				if p.FormName() == "file" {
					b.file, b.fileType = data, p.Header.Get("Content-Type")
				} else {
					b.values[p.FormName()] = string(data)
				}
			}
			w.WriteHeader(201)
		case r.Method == "PUT" && r.URL.Path == "/blobs/12/complete":
			body, _ := io.ReadAll(r.Body)
			b.completed = string(body)
		case r.Method == "GET" && r.URL.Path == "/blobs/abc123.json":
			fmt.Fprint(w, `{"blob":{"id":12,"uid":"abc123","size":5}}`)
		case r.Method == "GET" && r.URL.Path == "/blobs/abc123":
			if r.URL.Query().Get("token") != "tok" {
				w.WriteHeader(401)
				fmt.Fprint(w, `{"errors":["Token is required"]}`)
				return
			}
			w.Write(b.file)
		case r.Method == "DELETE" && strings.HasPrefix(r.URL.Path, "/blobs/"):
			b.deleted = append(b.deleted, r.URL.Path)
		default:
			w.WriteHeader(404)
		}
	}
}

func TestUploadFileStreamsTheFormInOrder(t *testing.T) {
	bs := &blobServer{}
	c, _ := handlerServer(t, bs.handle(t))
	c.SetToken("tok")
	content := bytes.Repeat([]byte("meow!"), 20000) // 100 kB, several reads
	var calls int
	var last int64
	blob, err := c.UploadFile(context.Background(), "cat.jpg", "image/jpeg", bytes.NewReader(content), int64(len(content)), false,
		func(sent, total int64) {
			if sent < last || total != int64(len(content)) {
				t.Errorf("progress went %d → %d of %d", last, sent, total)
			}
			calls++
			last = sent
		})
	if err != nil {
		t.Fatal(err)
	}
	bs.mu.Lock()
	defer bs.mu.Unlock()
	if blob.ID != 12 || blob.UID != "abc123" || blob.Size != int64(len(content)) {
		t.Fatalf("blob %+v", blob)
	}
	wantFields := []string{"Content-Type", "acl", "key", "policy", "success_action_status", "file"}
	if strings.Join(bs.fields, ",") != strings.Join(wantFields, ",") {
		t.Fatalf("fields %v, want %v", bs.fields, wantFields)
	}
	if bs.values["policy"] != "p==" || bs.values["Content-Type"] != "image/jpeg" || bs.fileType != "image/jpeg" {
		t.Fatalf("values %v, file type %q", bs.values, bs.fileType)
	}
	if !bytes.Equal(bs.file, content) || bs.token != "tok" || bs.chunked || bs.length <= int64(len(content)) {
		t.Fatalf("file %d bytes, token %q, chunked %v, length %d", len(bs.file), bs.token, bs.chunked, bs.length)
	}
	if last != int64(len(content)) || calls < 2 {
		t.Fatalf("progress ended at %d after %d calls", last, calls)
	}
	if bs.completed != fmt.Sprintf(`{"blob":{"size":%d}}`, len(content)) {
		t.Fatalf("complete body %s", bs.completed)
	}
}

func TestUploadFailureDeletesTheBlob(t *testing.T) {
	bs := &blobServer{failUp: true}
	c, _ := handlerServer(t, bs.handle(t))
	_, err := c.UploadFile(context.Background(), "cat.jpg", "image/jpeg", strings.NewReader("abc"), 3, true, nil)
	if !IsStatus(err, 403) {
		t.Fatalf("upload error %v", err)
	}
	bs.mu.Lock()
	defer bs.mu.Unlock()
	if len(bs.deleted) != 1 || bs.deleted[0] != "/blobs/12" {
		t.Fatalf("deleted %v", bs.deleted)
	}
}

func TestUploadRefusesWrongSizes(t *testing.T) {
	bs := &blobServer{}
	c, _ := handlerServer(t, bs.handle(t))
	ctx := context.Background()
	if _, err := c.UploadFile(ctx, "big.bin", "", strings.NewReader(""), MaxBlobSize+1, false, nil); err == nil || !strings.Contains(err.Error(), "100 MB") {
		t.Fatalf("oversized file: %v", err)
	}
	bs.mu.Lock()
	if bs.fields != nil {
		t.Fatal("an oversized file reached the server")
	}
	bs.mu.Unlock()
	for name, tc := range map[string]struct {
		data string
		size int64
		want string
	}{
		"shorter": {"abc", 5, "ended after 3"},
		"longer":  {"abcdef", 3, "longer than"},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := c.UploadFile(ctx, "f.txt", "text/plain", strings.NewReader(tc.data), tc.size, false, nil)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want %q", err, tc.want)
			}
		})
	}
}

func TestBlobReadCalls(t *testing.T) {
	bs := &blobServer{file: []byte("hello")}
	c, srv := handlerServer(t, bs.handle(t))
	ctx := context.Background()
	c.SetToken("tok")
	if b, err := c.GetBlob(ctx, "abc123"); err != nil || b.ID != 12 || b.Size != 5 {
		t.Fatalf("get: %+v %v", b, err)
	}
	var buf bytes.Buffer
	if n, err := c.DownloadBlob(ctx, "abc123", &buf); err != nil || n != 5 || buf.String() != "hello" {
		t.Fatalf("download: %d %q %v", n, buf.String(), err)
	}
	if got := c.BlobDownloadURL("abc123", true); got != srv.URL+"/blobs/abc123?token=tok" {
		t.Fatalf("private url %s", got)
	}
	if got := c.BlobDownloadURL("abc123", false); got != srv.URL+"/blobs/abc123" {
		t.Fatalf("public url %s", got)
	}
	c.SetToken("")
	var e *Error
	if _, err := c.DownloadBlob(ctx, "abc123", io.Discard); !errors.As(err, &e) || e.Status != 401 || e.Messages[0] != "Token is required" {
		t.Fatalf("download without token: %v", err)
	}
	if err := c.DeleteBlob(ctx, 12); err != nil {
		t.Fatal(err)
	}
	if err := c.DeleteBlob(ctx, 0); err == nil {
		t.Fatal("delete without id")
	}
}

func TestUploadTarget(t *testing.T) {
	target, fields, err := uploadTarget("https://cb-bucket.s3.amazonaws.com/?Content-Type=image%2Fjpeg&Expires=Fri&key=u1&x-amz-signature=a%2Bb", "https://api.connectycube.com")
	if err != nil || target != "https://cb-bucket.s3.amazonaws.com/" {
		t.Fatalf("target %s %v", target, err)
	}
	want := []formField{{"Content-Type", "image/jpeg"}, {"Expires", "Fri"}, {"key", "u1"}, {"x-amz-signature", "a+b"}}
	if fmt.Sprint(fields) != fmt.Sprint(want) {
		t.Fatalf("fields %v", fields)
	}
	if rel, _, err := uploadTarget("/upload?key=u1", "http://127.0.0.1:8080"); err != nil || rel != "http://127.0.0.1:8080/upload" {
		t.Fatalf("relative target %s %v", rel, err)
	}
	if _, _, err := uploadTarget("", "http://x"); err == nil {
		t.Fatal("empty params accepted")
	}
	for target, want := range map[string]bool{
		"https://cb-bucket.s3.amazonaws.com/":  false,
		"https://s3.eu-west-1.amazonaws.com/b": false,
		"http://127.0.0.1:8080/upload":         true,
		"https://files.example.com/up":         true,
	} {
		if got := uploadTakesToken(target); got != want {
			t.Errorf("uploadTakesToken(%s) = %v", target, got)
		}
	}
}
