package sync

import (
	"errors"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/cubechat/cubechat/cube"
)

func TestRedialGate(t *testing.T) {
	pending := func(g *redialGate) bool { return len(g.wake) == 1 }
	cases := []struct {
		name        string
		steps       func(g *redialGate) bool // returns the last request's answer
		wantOK      bool
		wantPending bool
	}{
		{"idle: the request waits for the backoff", func(g *redialGate) bool { return g.request() }, true, true},
		{"attempt under way: dropped", func(g *redialGate) bool { g.begin(); return g.request() }, false, false},
		{"attempt ended: kept", func(g *redialGate) bool { g.begin(); g.ended(); return g.request() }, true, true},
		{"repeated requests: one wake-up", func(g *redialGate) bool { g.request(); g.request(); return g.request() }, true, true},
		{"a new attempt forgets an old request", func(g *redialGate) bool { ok := g.request(); g.begin(); return ok }, true, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			g := newRedialGate()
			if ok := c.steps(g); ok != c.wantOK {
				t.Errorf("request answered %v, want %v", ok, c.wantOK)
			}
			if got := pending(g); got != c.wantPending {
				t.Errorf("wake-up pending %v, want %v", got, c.wantPending)
			}
		})
	}
}

// TestReconnectNowSkipsTheBackoff: with the server gone the engine backs off for an
// hour; the server comes back on the same ports and ReconnectNow brings the engine to
// Ready at once, with the password Login kept in memory. Both ways of losing the
// server are covered: down at sign-in, and dropped after Ready (the server's shutdown
// ends the chat; should a drop ever reach the cube reconnection manager instead, its
// policy here is one quick attempt, so that it gives up before the backoff).
func TestReconnectNowSkipsTheBackoff(t *testing.T) {
	for _, downAtStart := range []bool{true, false} {
		t.Run(fmt.Sprintf("down at start %v", downAtStart), func(t *testing.T) {
			testReconnectNow(t, downAtStart)
		})
	}
}

func testReconnectNow(t *testing.T, downAtStart bool) {
	const backoff = time.Hour // far beyond waitLimit: only ReconnectNow can end it
	h := newRestartableHarness(t)
	ctx := h.ctx
	ann := h.user("ann")
	p := &peer{h: h, acc: ann, path: filepath.Join(t.TempDir(), "ann.db")}
	if downAtStart {
		// A first sign-in caches the account, so that a later one works offline.
		p.open()
		if err := p.e.Login(ctx, ann.Login, ann.password); err != nil {
			t.Fatal(err)
		}
		p.close()
		h.stopServer()
	}
	p.open()
	p.e.backoffMin, p.e.backoffMax = backoff, backoff
	p.e.chatReconnect = &cube.ReconnectPolicy{Attempts: 1, Interval: 10 * time.Millisecond}
	loginErr := p.e.Login(ctx, ann.Login, ann.password)
	switch {
	case downAtStart && !errors.Is(loginErr, ErrOffline):
		t.Fatalf("login with the server down: %v, want ErrOffline", loginErr)
	case !downAtStart && loginErr != nil:
		t.Fatal(loginErr)
	}
	p.e.Start(ctx)
	if !downAtStart {
		p.waitSynced()
		p.e.ReconnectNow() // Ready: nothing to do, and nothing left over for later
		if len(p.e.redial.wake) != 0 {
			t.Fatal("ReconnectNow while Ready left a wake-up behind")
		}
		h.stopServer()
	}

	p.waitFor("Offline and backing off", func() (bool, string) {
		s := p.e.Status()
		return s.State == StateOffline && s.Err != nil && p.e.redial.isWaiting(), fmt.Sprintf("%+v", s)
	})
	backingOffSince := time.Now()

	h.startServer()
	p.e.ReconnectNow()
	p.e.ReconnectNow() // repeated clicks are harmless
	p.waitSynced()
	if waited := time.Since(backingOffSince); waited >= backoff {
		t.Fatalf("Ready after %s: the backoff ran out, ReconnectNow did not cut it short", waited)
	}
	if p.e.Status().NeedsSignIn {
		t.Error("reconnecting with the password in memory must not ask for a sign-in")
	}
}
