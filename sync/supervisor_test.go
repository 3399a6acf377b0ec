package sync

import (
	"errors"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/cubechat/cubechat/cube"
)

// freeAddr reserves a loopback port and releases it for a server to take.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

func TestEngineComesBackWhenTheServerDoes(t *testing.T) {
	h := newRestartableHarness(t)
	ctx := h.ctx
	ann := h.user("ann")
	a := h.newPeer(ann)
	a.waitSynced()
	profile := h.profile()
	a.close()
	h.stopServer()

	// The server is down: login falls back to the cache, Start keeps trying.
	a.open()
	statuses, unsubscribe := a.e.SubscribeStatus()
	defer unsubscribe()
	if err := a.e.Login(ctx, ann.Login, ann.password); !errors.Is(err, ErrOffline) {
		t.Fatalf("login with the server down: %v, want ErrOffline", err)
	}
	a.e.Start(ctx)
	waitStatus(t, statuses, func(s Status) bool { return s.State == StateOffline && s.Err != nil })

	h.startServer()
	if h.profile().APIURL != profile.APIURL {
		t.Fatalf("server moved from %s to %s", profile.APIURL, h.profile().APIURL)
	}
	a.waitSynced()
}

func waitStatus(t *testing.T, ch <-chan Status, ok func(Status) bool) {
	t.Helper()
	deadline := time.After(waitLimit)
	for {
		select {
		case s := <-ch:
			if ok(s) {
				return
			}
		case <-deadline:
			t.Fatal("status did not arrive")
		}
	}
}

func TestStopLeavesNoGoroutines(t *testing.T) {
	h := newHarness(t)
	ann, bob := h.user("ann"), h.user("bob")
	a := h.newPeer(ann)
	a.waitSynced()
	dialog, err := a.e.CreateDialog(h.ctx, cube.DialogPrivate, "", []int64{bob.ID})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.e.Send(h.ctx, dialog, "bye"); err != nil {
		t.Fatal(err)
	}
	a.e.SetFocused(false) // leaves a debounce timer pending
	a.close()
	var left []string
	for range 50 { // goroutines that Stop waited for may still be unwinding
		if left = engineGoroutines(); len(left) == 0 {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("%d goroutines left after Stop:\n%s", len(left), strings.Join(left, "\n\n"))
}

func TestFocusReachesTheServer(t *testing.T) {
	h := newHarness(t)
	ann := h.user("ann")
	a := h.newPeer(ann)
	a.waitSynced()
	active := func() bool {
		v, err := h.srv.Store().UserActive(h.ctx, ann.ID)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	for _, focused := range []bool{false, true} {
		a.e.SetFocused(focused)
		a.waitFor("the server to learn the focus", func() (bool, string) {
			return active() == focused, "active=" + map[bool]string{true: "yes", false: "no"}[active()]
		})
	}
	// Focus lost while offline: only the re-apply on Ready can tell the server (the
	// debounced call finds no connection).
	a.close()
	a.open()
	a.e.SetFocused(false)
	if err := a.e.Login(h.ctx, ann.Login, ann.password); err != nil {
		t.Fatal(err)
	}
	a.e.Start(h.ctx)
	a.waitSynced()
	a.waitFor("inactive after reconnect", func() (bool, string) { return !active(), "" })
}
