package sync

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/cubechat/cubechat/cache"
	"github.com/cubechat/cubechat/cube"
	"github.com/cubechat/cubechat/cubeserver"
	"github.com/cubechat/cubechat/cubeserver/store"
)

// The shared setup of the integration tests: a real cubeserver on loopback ports,
// users seeded in its store, and engines with their own cache files.

const waitLimit = 20 * time.Second

type harness struct {
	t   testing.TB
	ctx context.Context
	srv *cubeserver.Server
	cfg cubeserver.Config // what startServer starts (newRestartableHarness)
}

// newRestartableHarness is a harness whose server can be taken down (stopServer) and
// brought back (startServer) on the same ports with the same data, as a real server
// restart would: clients keep their addresses and sessions.
func newRestartableHarness(t *testing.T) *harness {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	h := &harness{t: t, ctx: ctx, cfg: cubeserver.Config{
		DataDir: t.TempDir(), HTTPAddr: freeAddr(t), XMPPAddr: freeAddr(t), XMPPTLSAddr: freeAddr(t),
		Logger: testLogger("server"), PasswordPolicy: new(store.CheapPasswordPolicy()),
	}}
	h.startServer()
	return h
}

// startServer starts the restartable harness's server (again).
func (h *harness) startServer() {
	h.t.Helper()
	srv, err := cubeserver.Start(h.ctx, h.cfg)
	if err != nil {
		h.t.Fatalf("starting cubeserver: %v", err)
	}
	h.srv = srv
	h.t.Cleanup(func() { _ = srv.Close() })
}

// stopServer takes the server down; clients see their connections end.
func (h *harness) stopServer() {
	h.t.Helper()
	if err := h.srv.Close(); err != nil {
		h.t.Fatal(err)
	}
}

func newHarness(t testing.TB) *harness {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	srv, err := cubeserver.Start(ctx, cubeserver.Config{
		DataDir: t.TempDir(), HTTPAddr: "127.0.0.1:0", XMPPAddr: "127.0.0.1:0", XMPPTLSAddr: "127.0.0.1:0",
		// Plain HTTP on loopback, for tests whose proxies must read the requests.
		HTTPPlainAddr: "127.0.0.1:0",
		Logger:        testLogger("server"), PasswordPolicy: new(store.CheapPasswordPolicy()),
	})
	if err != nil {
		t.Fatalf("starting cubeserver: %v", err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	return &harness{t: t, ctx: ctx, srv: srv}
}

func (h *harness) profile() Profile {
	return Profile{
		Name: "test", APIURL: h.srv.HTTPURL(), ChatHost: h.srv.XMPPAddr(), ChatDomain: h.srv.Domain(),
		ChatTLS: cube.ChatStartTLS, AppID: h.srv.AppID(), AuthKey: h.srv.AuthKey(), CertPEM: h.srv.CertPEM(),
	}
}

// account is a seeded user and its password.
type account struct {
	cube.User
	password string
}

func (h *harness) user(login string) account {
	h.t.Helper()
	password := "pw-" + login + "-secret"
	u, err := h.srv.Store().CreateUser(h.ctx, cube.User{Login: login, FullName: strings.ToUpper(login)}, password)
	if err != nil {
		h.t.Fatalf("creating user %s: %v", login, err)
	}
	return account{User: u, password: password}
}

// client is a REST client logged in as a, for checking what the server holds.
func (h *harness) client(a account) *cube.Client {
	h.t.Helper()
	cfg, err := h.profile().cubeConfig()
	if err != nil {
		h.t.Fatal(err)
	}
	c := cube.NewClient(cfg)
	if _, err := c.CreateSession(h.ctx, a.Login, a.password); err != nil {
		h.t.Fatalf("session for %s: %v", a.Login, err)
	}
	return c
}

// peer is one running client: an engine over its own cache file.
type peer struct {
	h    *harness
	acc  account
	path string
	db   *cache.DB
	e    *Engine
	// adjust, when set, changes the harness's profile for this peer (a proxy in
	// front of the server's REST or chat port).
	adjust func(*Profile)
}

// newPeer opens a cache at a fresh path, logs in and starts the engine.
func (h *harness) newPeer(a account) *peer {
	h.t.Helper()
	return h.newPeerWith(a, nil)
}

// newPeerWith is newPeer with the profile changed by adjust (nil: as it is).
func (h *harness) newPeerWith(a account, adjust func(*Profile)) *peer {
	h.t.Helper()
	p := &peer{h: h, acc: a, path: filepath.Join(h.t.TempDir(), a.Login+".db"), adjust: adjust}
	p.open()
	if err := p.e.Login(h.ctx, a.Login, a.password); err != nil {
		h.t.Fatalf("login %s: %v", a.Login, err)
	}
	p.e.Start(h.ctx)
	return p
}

// open opens the peer's cache file and builds a (not started) engine over it.
func (p *peer) open() {
	p.h.t.Helper()
	db, err := cache.Open(p.path)
	if err != nil {
		p.h.t.Fatalf("opening cache %s: %v", p.path, err)
	}
	p.db = db
	profile := p.h.profile()
	if p.adjust != nil {
		p.adjust(&profile)
	}
	p.e = New(db, profile, testLogger(p.acc.Login))
	p.h.t.Cleanup(p.close)
}

// close stops the engine and closes the cache (safe to call twice).
func (p *peer) close() {
	if p.e != nil {
		p.e.Stop()
		p.e = nil
	}
	if p.db != nil {
		_ = p.db.Close()
		p.db = nil
	}
}

// restart is an app restart: stop, close the cache, reopen it, log in, start.
func (p *peer) restart() {
	p.h.t.Helper()
	p.close()
	p.open()
	if err := p.e.Login(p.h.ctx, p.acc.Login, p.acc.password); err != nil {
		p.h.t.Fatalf("login %s: %v", p.acc.Login, err)
	}
	p.e.Start(p.h.ctx)
}

// waitFor re-checks cond on every cache change (and every 100 ms, for state that is
// not in the feed) until it holds or waitLimit passes. cond returns a description of
// what it saw, for the failure message.
func (p *peer) waitFor(what string, cond func() (bool, string)) {
	p.h.t.Helper()
	changes, unsubscribe := p.db.Subscribe()
	defer unsubscribe()
	deadline := time.After(waitLimit)
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for {
		ok, saw := cond()
		if ok {
			return
		}
		select {
		case <-changes:
		case <-tick.C:
		case <-deadline:
			p.h.t.Fatalf("%s: %s did not happen within %s; last seen: %s", p.acc.Login, what, waitLimit, saw)
		}
	}
}

// waitSynced waits until the engine is Ready and no catch-up is running.
func (p *peer) waitSynced() {
	p.h.t.Helper()
	p.waitFor("Ready and caught up", func() (bool, string) {
		s := p.e.Status()
		return s.State == StateReady && !s.Syncing, fmt.Sprintf("%+v", s)
	})
}

// messages returns every cached message of a dialog, oldest first.
func (p *peer) messages(dialogID string) []cache.Message {
	p.h.t.Helper()
	ms, err := p.db.Messages(p.h.ctx, dialogID, time.Time{}, "", 100_000)
	if err != nil {
		p.h.t.Fatalf("reading messages: %v", err)
	}
	return ms
}

// waitMessages waits until the dialog holds n messages matching keep.
func (p *peer) waitMessages(dialogID string, n int, keep func(cache.Message) bool) []cache.Message {
	p.h.t.Helper()
	var got []cache.Message
	p.waitFor(fmt.Sprintf("%d messages in %s", n, dialogID), func() (bool, string) {
		got = got[:0]
		for _, m := range p.messages(dialogID) {
			if keep == nil || keep(m) {
				got = append(got, m)
			}
		}
		return len(got) >= n, fmt.Sprintf("%d messages", len(got))
	})
	return got
}

// waitOutboxEmpty waits until every queued message has been confirmed.
func (p *peer) waitOutboxEmpty() {
	p.h.t.Helper()
	p.waitFor("an empty outbox", func() (bool, string) {
		q, err := p.db.Outbox(p.h.ctx)
		if err != nil {
			return false, err.Error()
		}
		return len(q) == 0, fmt.Sprintf("%d queued", len(q))
	})
}

func testLogger(name string) *slog.Logger {
	if os.Getenv("SYNC_TEST_LOG") == "" {
		return slog.New(slog.DiscardHandler)
	}
	return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug})).With("peer", name)
}

// engineGoroutines lists the stacks of goroutines running code of this package or
// blocked delivering a cube chat event, so a test can prove Stop leaks none.
func engineGoroutines() []string {
	buf := make([]byte, 1<<20)
	buf = buf[:runtime.Stack(buf, true)]
	var out []string
	for _, g := range strings.Split(string(buf), "\n\n") {
		if strings.Contains(g, "cubechat/sync.(*") || strings.Contains(g, "cube.(*eventQueue).pump") {
			if !strings.Contains(g, "engineGoroutines") && !strings.Contains(g, "testing.tRunner") {
				out = append(out, g)
			}
		}
	}
	return out
}
