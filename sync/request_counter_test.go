package sync

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strconv"
	gosync "sync"
	"sync/atomic"
)

// requestCounter is a REST proxy in front of cubeserver that counts every request,
// in total and by path.
type requestCounter struct {
	n      atomic.Int64
	mu     gosync.Mutex
	byPath map[string]int
	// unreadTotalOnly makes an unread-count request without dialog ids answer the
	// total only, as a server that lists no per-dialog counts then would.
	unreadTotalOnly atomic.Bool
}

func newRequestCounter(h *harness) (*requestCounter, string) {
	h.t.Helper()
	u, err := url.Parse(h.srv.HTTPURL())
	if err != nil {
		h.t.Fatal(err)
	}
	rc := &requestCounter{byPath: map[string]int{}}
	proxy := httputil.NewSingleHostReverseProxy(u)
	proxy.Transport = h.serverTransport()
	proxy.ModifyResponse = rc.rewrite
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rc.n.Add(1)
		rc.mu.Lock()
		rc.byPath[r.Method+" "+r.URL.Path]++
		rc.mu.Unlock()
		proxy.ServeHTTP(w, r)
	}))
	h.t.Cleanup(srv.Close)
	return rc, srv.URL
}

// rewrite drops the per-dialog counts of an id-less unread answer when asked to.
func (rc *requestCounter) rewrite(resp *http.Response) error {
	q := resp.Request.URL.Query()
	if !rc.unreadTotalOnly.Load() || resp.Request.URL.Path != "/chat/Message/unread" ||
		q.Get("chat_dialog_ids") != "" || resp.StatusCode != http.StatusOK {
		return nil
	}
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	_ = resp.Body.Close()
	var counts map[string]int
	if err := json.Unmarshal(body, &counts); err != nil {
		return err
	}
	body, _ = json.Marshal(map[string]int{"total": counts["total"]})
	resp.Body = io.NopCloser(bytes.NewReader(body))
	resp.ContentLength = int64(len(body))
	resp.Header.Set("Content-Length", strconv.Itoa(len(body)))
	return nil
}

// take returns the requests counted by "METHOD path" since the last take.
func (rc *requestCounter) take() map[string]int {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	out := rc.byPath
	rc.byPath = map[string]int{}
	return out
}
