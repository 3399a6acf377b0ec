package rest

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/cubechat/cubechat/cube"
	"github.com/cubechat/cubechat/cubeserver/store"
)

// The REST benchmarks serve real HTTP on loopback (httptest) over the real SQLite
// store: the cost a client sees per request, JSON included.

// benchEnv is a REST server with one signed-in user.
type benchEnv struct {
	srv   *httptest.Server
	st    *store.Store
	me    cube.User
	peer  cube.User
	token string
}

func newBenchEnv(b *testing.B) *benchEnv {
	b.Helper()
	st := openTestStore(b)
	srv := httptest.NewServer(New(testConfig(), st, nil))
	b.Cleanup(srv.Close)
	ctx := context.Background()
	e := &benchEnv{srv: srv, st: st}
	var err error
	if e.me, err = st.CreateUser(ctx, cube.User{Login: "reader"}, "reader-pw"); err != nil {
		b.Fatal(err)
	}
	if e.peer, err = st.CreateUser(ctx, cube.User{Login: "writer"}, "writer-pw"); err != nil {
		b.Fatal(err)
	}
	sess, err := st.CreateSession(ctx, store.NewSession{AppID: testAppID, UserID: e.me.ID})
	if err != nil {
		b.Fatal(err)
	}
	e.token = sess.Token
	return e
}

// fill stores n messages in the dialog, alternating senders, several per second.
func (e *benchEnv) fill(b *testing.B, dialogID string, n int) {
	b.Helper()
	ctx := context.Background()
	base := time.Now().Add(-24 * time.Hour).Unix()
	for i := range n {
		sender := e.peer.ID
		if i%3 == 0 {
			sender = e.me.ID
		}
		if _, err := e.st.StoreChatMessage(ctx, cube.Message{ID: cube.NewObjectID(), ChatDialogID: dialogID,
			Message: fmt.Sprintf("message %d of the benchmark history", i), DateSent: base + int64(i/4), SenderID: sender}); err != nil {
			b.Fatal(err)
		}
	}
}

// get runs one GET and decodes the answer into out; the status must be 200.
func (e *benchEnv) get(b *testing.B, path string, out any) {
	req, err := http.NewRequest(http.MethodGet, e.srv.URL+path, nil)
	if err != nil {
		b.Fatal(err)
	}
	req.Header.Set("CB-Token", e.token)
	res, err := e.srv.Client().Do(req)
	if err != nil {
		b.Fatal(err)
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	if err != nil || res.StatusCode != http.StatusOK {
		b.Fatalf("GET %s: %d %s %v", path, res.StatusCode, raw, err)
	}
	if err := json.Unmarshal(raw, out); err != nil {
		b.Fatal(err)
	}
}

// BenchmarkListMessages reads one page of 100 from a private dialog of 10,000
// messages, as the reader: the newest page (opening a chat), the oldest page (start
// of a catch-up), a page in the middle (skip 5000: how paging by skip scales) and a
// page as the sync engine's catch-up asks for it.
// mark_as_read=0, as background sync sends it, so the reads write nothing.
func BenchmarkListMessages(b *testing.B) {
	const history = 10_000
	e := newBenchEnv(b)
	d, err := e.st.FindOrCreatePrivateDialog(context.Background(), e.me.ID, e.peer.ID)
	if err != nil {
		b.Fatal(err)
	}
	e.fill(b, d.ID, history)
	pages := []struct{ name, query string }{
		{"newest_100", "sort_desc=date_sent&limit=100"},
		{"oldest_100", "sort_asc=date_sent&limit=100"},
		{"skip_5000", "sort_asc=date_sent&limit=100&skip=5000"},
		// A catch-up page: changed since a cursor, going on from the oldest second fetched.
		{"catchup_100", fmt.Sprintf("sort_desc=date_sent&limit=100&updated_at[gte]=1&date_sent[lte]=%d", time.Now().Unix())},
	}
	for _, p := range pages {
		b.Run(p.name, func(b *testing.B) {
			path := "/chat/Message.json?chat_dialog_id=" + d.ID + "&mark_as_read=0&" + p.query
			for b.Loop() {
				var list cube.MessageList
				e.get(b, path, &list)
				if len(list.Items) != 100 {
					b.Fatalf("page of %d", len(list.Items))
				}
			}
			b.ReportMetric(float64(b.N*100)/b.Elapsed().Seconds(), "msgs/s")
		})
	}
}

// BenchmarkListDialogs reads the dialog list of a user in 200 group dialogs, each
// with a last message: the first page of 100 (what the app shows first) and the second.
func BenchmarkListDialogs(b *testing.B) {
	const dialogs = 200
	e := newBenchEnv(b)
	ctx := context.Background()
	base := time.Now().Add(-time.Hour).Unix()
	for i := range dialogs {
		d, _, err := e.st.CreateDialog(ctx, store.NewDialog{Type: cube.DialogGroup, OwnerID: e.peer.ID,
			Name: fmt.Sprintf("team %d", i), OccupantIDs: []int64{e.me.ID}})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := e.st.StoreChatMessage(ctx, cube.Message{ID: cube.NewObjectID(), ChatDialogID: d.ID,
			Message: fmt.Sprintf("latest news %d", i), DateSent: base + int64(i), SenderID: e.peer.ID}); err != nil {
			b.Fatal(err)
		}
	}
	for _, p := range []struct{ name, query string }{{"first_100", "limit=100"}, {"second_100", "limit=100&skip=100"}} {
		b.Run(p.name, func(b *testing.B) {
			for b.Loop() {
				var list cube.DialogList
				e.get(b, "/chat/Dialog.json?"+p.query, &list)
				if len(list.Items) != 100 || list.TotalEntries != dialogs {
					b.Fatalf("page of %d, total %d", len(list.Items), list.TotalEntries)
				}
			}
			b.ReportMetric(float64(b.N*100)/b.Elapsed().Seconds(), "dialogs/s")
		})
	}
}
