package sync

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"path/filepath"
	"slices"
	"strings"
	gosync "sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cubechat/cubechat/cache"
	"github.com/cubechat/cubechat/cube"
)

// restCounter is a REST proxy in front of cubeserver that counts the message
// listings (GET /chat/Message) per dialog.
type restCounter struct {
	mu    gosync.Mutex
	asked map[string]int
	fail  atomic.Bool // answer message listings 503, as an overloaded server would
	// beforeReactions, when set, runs before a GET /chat/Message/{id}/reactions is
	// passed on: a change that lands between a listing and the question after it.
	beforeReactions atomic.Pointer[func(messageID string)]
	// beforeDialogPage, when set, runs before a GET /chat/Dialog is passed on, with its
	// query: a change that lands between two pages of one listing.
	beforeDialogPage atomic.Pointer[func(query url.Values)]
}

func newRESTCounter(t *testing.T, target string, tr http.RoundTripper) (*restCounter, string) {
	u, err := url.Parse(target)
	if err != nil {
		t.Fatal(err)
	}
	rc := &restCounter{asked: map[string]int{}}
	proxy := httputil.NewSingleHostReverseProxy(u)
	proxy.Transport = tr
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodGet && (r.URL.Path == "/chat/Message" || r.URL.Path == "/chat/Message.json") {
			rc.mu.Lock()
			rc.asked[r.URL.Query().Get("chat_dialog_id")]++
			rc.mu.Unlock()
			if rc.fail.Load() {
				http.Error(w, `{"errors":["overloaded"]}`, http.StatusServiceUnavailable)
				return
			}
		}
		if hook := rc.beforeDialogPage.Load(); hook != nil && r.Method == http.MethodGet &&
			(r.URL.Path == "/chat/Dialog" || r.URL.Path == "/chat/Dialog.json") {
			(*hook)(r.URL.Query())
		}
		if hook := rc.beforeReactions.Load(); hook != nil && r.Method == http.MethodGet &&
			strings.HasPrefix(r.URL.Path, "/chat/Message/") && strings.HasSuffix(r.URL.Path, "/reactions") {
			(*hook)(strings.TrimSuffix(strings.TrimPrefix(r.URL.Path, "/chat/Message/"), "/reactions"))
		}
		proxy.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return rc, srv.URL
}

// take returns the dialogs asked for since the last take, sorted.
func (rc *restCounter) take() []string {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	var out []string
	for id := range rc.asked {
		out = append(out, id)
	}
	rc.asked = map[string]int{}
	slices.Sort(out)
	return out
}

// newCountedPeer is newPeer with its REST calls through a counting proxy.
func (h *harness) newCountedPeer(a account) (*peer, *restCounter) {
	h.t.Helper()
	t := h.t.(*testing.T)
	rc, proxyURL := newRESTCounter(t, h.srv.HTTPURL(), h.serverTransport())
	p := &peer{h: h, acc: a, path: filepath.Join(t.TempDir(), a.Login+".db")}
	db, err := cache.Open(p.path)
	if err != nil {
		t.Fatal(err)
	}
	prof := h.profile()
	prof.APIURL = proxyURL
	p.db, p.e = db, New(db, prof, testLogger(a.Login))
	t.Cleanup(p.close)
	if err := p.e.Login(h.ctx, a.Login, a.password); err != nil {
		t.Fatalf("login %s: %v", a.Login, err)
	}
	p.e.Start(h.ctx)
	return p, rc
}

// reconnect drops the peer's chat connection and waits until the engine, by itself,
// is Ready and caught up again.
func (p *peer) reconnect() {
	p.h.t.Helper()
	p.drop()
	p.waitSynced()
}

// drop cuts the peer's chat connection and waits until the engine noticed.
func (p *peer) drop() {
	p.h.t.Helper()
	chat := p.e.connChat()
	if chat == nil {
		p.h.t.Fatal("no ready chat to drop")
	}
	_ = chat.Disconnect()
	p.waitFor("the connection to drop", func() (bool, string) {
		s := p.e.Status()
		return s.State != StateReady, fmt.Sprintf("%+v", s)
	})
}

// TestReconnectAsksOnlyDialogsThatMoved: a reconnect lists the dialogs whose
// updated_at moved and asks messages of those only — not of every cached dialog —
// yet an edit and a read marker of older messages (which move only their dialog's
// updated_at) still arrive.
func TestReconnectAsksOnlyDialogsThatMoved(t *testing.T) {
	h := newHarness(t)
	ann, bob := h.user("ann"), h.user("bob")
	a := h.newPeer(ann)
	b, counted := h.newCountedPeer(bob)
	a.waitSynced()
	b.waitSynced()
	var groups []string
	var firsts []string
	for i := range 5 {
		g := groupWith(t, a, fmt.Sprintf("group %d", i), bob.ID)
		groups = append(groups, g)
		firsts = append(firsts, sendAndWait(t, a, b, g, "hello"))
	}
	// The dialog cursor has one-second resolution and lists its own second again
	// (updated_at[gte]): the newest activity goes to a later second than the rest.
	time.Sleep(1100 * time.Millisecond)
	sendAndWait(t, a, b, groups[4], "the newest activity")
	b.reconnect() // catches up the dialogs that arrived live
	time.Sleep(1100 * time.Millisecond)
	// The changes: an edit of an older message in group 1 and bob's read marker in
	// group 2 (from another device, over REST).
	if err := a.e.Edit(h.ctx, firsts[1], "hello, edited"); err != nil {
		t.Fatal(err)
	}
	a.waitMessage(firsts[1], "the edit confirmed", func(m cache.Message) bool { return !m.EditPending })
	if err := h.client(bob).UpdateMessages(h.ctx, groups[2], nil, cube.MessageUpdate{Read: true}); err != nil {
		t.Fatal(err)
	}
	counted.take()

	b.reconnect()
	asked := counted.take()
	// Group 4 holds the newest activity before the change: it shares the dialog
	// cursor's second, which gte lists again.
	want := []string{groups[1], groups[2], groups[4]}
	slices.Sort(want)
	if !slices.Equal(asked, want) {
		t.Fatalf("reconnect asked messages of %d dialogs %v, want only those that moved %v", len(asked), asked, want)
	}
	b.waitMessage(firsts[1], "the edit", func(m cache.Message) bool { return m.Body == "hello, edited" })
	b.waitMessage(firsts[2], "the read marker", func(m cache.Message) bool { return slices.Contains(m.ReadIDs, bob.ID) })
}

// TestHugeBacklogBecomesAGapThatBackFillFills: a dialog with more changes than the
// catch-up budget while the user was away fetches the newest budget's worth, records
// the rest as a gap, and scrolling back-fills it until the history is complete.
func TestHugeBacklogBecomesAGapThatBackFillFills(t *testing.T) {
	const backlog = catchUpBudget + 150
	h := newHarness(t)
	ann, bob := h.user("ann"), h.user("bob")
	a, b := h.newPeer(ann), h.newPeer(bob)
	a.waitSynced()
	b.waitSynced()
	dialog := groupWith(t, a, "busy", bob.ID)
	first := sendAndWait(t, a, b, dialog, "before the flood")
	base := time.Now().Add(-2 * time.Hour).Unix()
	// An old message bob holds, deleted while he is away: its tombstone lies in the
	// part of the backlog that the budget leaves to back-fill.
	doomed := postMessage(t, h, h.client(ann), dialog, "deleted while away", base-100, true)
	b.waitMessage(doomed, "the old message", func(cache.Message) bool { return true })
	b.reconnect() // the dialog now has a cursor
	b.close()
	if _, err := h.client(ann).DeleteMessages(h.ctx, []string{doomed}, true); err != nil {
		t.Fatal(err)
	}

	// Stored by the server while bob is away, each with its own (older) date_sent.
	for i := range backlog {
		m := cube.Message{ID: cube.NewObjectID(), ChatDialogID: dialog, SenderID: ann.ID,
			Message: fmt.Sprintf("flood %04d", i), DateSent: base + int64(i)}
		if _, err := h.srv.Store().StoreChatMessage(h.ctx, m); err != nil {
			t.Fatal(err)
		}
	}

	started := time.Now()
	b.restart()
	b.waitSynced()
	t.Logf("catch-up of a %d-message backlog took %s", backlog, time.Since(started))
	// The budget counts every changed message fetched; "before the flood" may be one
	// of them (its read marker moved it), so the newest budget-1 or budget of the flood.
	got := b.messages(dialog)[1:] // after the doomed one, not yet known deleted
	flood := len(got) - 1
	if flood < catchUpBudget-1 || flood > catchUpBudget || got[0].Body != fmt.Sprintf("flood %04d", backlog-flood) ||
		got[len(got)-1].ID != first {
		t.Fatalf("after catch-up bob holds %d messages from %q to %q; want about the newest %d of the backlog, then the first",
			len(got), got[0].Body, got[len(got)-1].Body, catchUpBudget)
	}
	gaps, err := b.db.Gaps(h.ctx, dialog)
	if err != nil || len(gaps) != 1 || gaps[0].From.Unix() != base-100 {
		t.Fatalf("gaps = %+v, %v; want one starting at the oldest unfetched change (%d)", gaps, err, base-100)
	}

	// Scrolling into the gap back-fills from its newer end, page by page.
	for step := 0; ; step++ {
		gaps, err := b.db.Gaps(h.ctx, dialog)
		if err != nil {
			t.Fatal(err)
		}
		if len(gaps) == 0 {
			break
		}
		if step == 10 {
			t.Fatalf("gaps %+v left after %d back-fills, %d messages held", gaps, step, len(b.messages(dialog)))
		}
		if _, err := b.e.LoadOlder(h.ctx, dialog, gaps[len(gaps)-1].To); err != nil {
			t.Fatalf("LoadOlder: %v", err)
		}
	}
	if n := len(b.messages(dialog)); n != backlog+2 {
		t.Fatalf("after back-fill bob holds %d messages, want %d", n, backlog+2)
	}
	if _, err := b.db.Message(h.ctx, first); err != nil {
		t.Fatalf("the message from before: %v", err)
	}
	if m, err := b.db.Message(h.ctx, doomed); err != nil || !m.Deleted {
		t.Fatalf("the message deleted while away, after back-fill: %+v, %v; want deleted", m, err)
	}
}

// TestTransientFailureRetriesAndTheStatusSaysSo: while the server answers message
// listings 503, the catch-up is retried (with backoff) and the status says what
// fails; once the server answers again the catch-up completes, the status is clear
// and the missed message is in.
func TestTransientFailureRetriesAndTheStatusSaysSo(t *testing.T) {
	h := newHarness(t)
	ann, bob := h.user("ann"), h.user("bob")
	a := h.newPeer(ann)
	b, counted := h.newCountedPeer(bob)
	a.waitSynced()
	b.waitSynced()
	dialog := groupWith(t, a, "flaky", bob.ID)
	sendAndWait(t, a, b, dialog, "hello")
	b.reconnect()

	counted.fail.Store(true)
	missed := postMessage(t, h, h.client(ann), dialog, "while the server struggles", time.Now().Unix(), false)
	b.drop()
	b.waitFor("the failure in the status", func() (bool, string) {
		s := b.e.Status()
		return s.State == StateReady && s.Syncing && s.Err != nil && cube.IsStatus(s.Err, http.StatusServiceUnavailable),
			fmt.Sprintf("%+v", s)
	})
	if len(counted.take()) == 0 {
		t.Fatal("no message listing was asked")
	}
	b.waitFor("a retry", func() (bool, string) {
		n := len(counted.take())
		return n > 0, fmt.Sprintf("%d dialogs asked", n)
	})

	counted.fail.Store(false)
	b.waitSynced()
	if s := b.e.Status(); s.Err != nil {
		t.Fatalf("after a completed catch-up the status still says %v", s.Err)
	}
	b.waitMessage(missed, "the missed message", func(cache.Message) bool { return true })
}

// TestReactionsOfAMessageDeletedMeanwhileSettleIt: the catch-up sees a message's
// reaction count move and asks who reacted, but the message was deleted for everyone
// in between; the 404 marks it deleted and the catch-up completes.
func TestReactionsOfAMessageDeletedMeanwhileSettleIt(t *testing.T) {
	h := newHarness(t)
	ann, bob := h.user("ann"), h.user("bob")
	a := h.newPeer(ann)
	b, counted := h.newCountedPeer(bob)
	a.waitSynced()
	b.waitSynced()
	dialog := groupWith(t, a, "race", bob.ID)
	id := sendAndWait(t, a, b, dialog, "react, then vanish")
	b.reconnect()

	// A reaction whose live copy bob never gets (stored on the server only).
	if _, err := h.srv.Store().React(h.ctx, id, ann.ID, "👍", ""); err != nil {
		t.Fatal(err)
	}
	deleteFirst := func(messageID string) {
		if _, err := h.srv.Store().DeleteMessages(h.ctx, ann.ID, []string{messageID}, true); err != nil {
			t.Errorf("deleting %s: %v", messageID, err)
		}
	}
	counted.beforeReactions.Store(&deleteFirst)
	later := postMessage(t, h, h.client(ann), dialog, "after the race", time.Now().Unix(), false)

	b.reconnect()
	if s := b.e.Status(); s.Err != nil {
		t.Fatalf("catch-up completed with %v", s.Err)
	}
	b.waitMessage(id, "the deletion", func(m cache.Message) bool { return m.Deleted && len(m.Reactions) == 0 })
	b.waitMessage(later, "the later message", func(cache.Message) bool { return true })
}
