package sync

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cubechat/cubechat/cache"
	"github.com/cubechat/cubechat/cube"
)

// A chat server whose certificate the device does not trust fails the sign-in itself,
// naming the chat server, though the API server is fine: before, the sign-in
// succeeded and the problem only showed later in the banner.
func TestLoginChecksTheChatCertificate(t *testing.T) {
	h := newHarness(t)
	ann := h.user("ann")
	other := httptest.NewTLSServer(http.NotFoundHandler()) // another certificate
	t.Cleanup(other.Close)

	for _, mode := range []string{cube.ChatDirectTLS, cube.ChatStartTLS} {
		p := h.profile()
		if mode == cube.ChatDirectTLS {
			p.ChatHost, p.ChatTLS = other.Listener.Addr().String(), mode
		} else {
			p.ChatHost = h.srv.XMPPAddr()
			p.CertPEM = append([]byte(nil), h.srv.CertPEM()...)
			p.ChatTLS = mode
		}
		db := openTestCache(t)
		e := New(db, p, testLogger("ann"))
		err := e.Login(h.ctx, ann.Login, ann.password)
		if mode == cube.ChatStartTLS {
			// The server's own certificate over STARTTLS: trusted, sign-in succeeds.
			if err != nil {
				t.Fatalf("STARTTLS with the pinned certificate: %v", err)
			}
			continue
		}
		var ce *CertificateError
		if !errors.Is(err, ErrCertificate) || !errors.As(err, &ce) || ce.Server != "chat" || errors.Is(err, ErrOffline) {
			t.Fatalf("direct TLS to a server with another certificate: %v", err)
		}
		if e.Me() != 0 {
			t.Error("a refused sign-in left the engine signed in")
		}
	}
}

// An API certificate the device does not trust is not "offline", even when the cache
// knows the account: the user stays on the form with the reason.
func TestLoginWithAnUntrustedAPICertificateIsNotOffline(t *testing.T) {
	h := newHarness(t)
	ann := h.user("ann")
	path := filepath.Join(t.TempDir(), "ann.db")
	db, err := cache.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	if err := New(db, h.profile(), testLogger("ann")).Login(h.ctx, ann.Login, ann.password); err != nil {
		t.Fatal(err)
	}
	unpinned := h.profile()
	unpinned.CertPEM = nil
	err = New(db, unpinned, testLogger("ann")).Login(h.ctx, ann.Login, ann.password)
	var ce *CertificateError
	if errors.Is(err, ErrOffline) || !errors.As(err, &ce) || ce.Server != "API" || !strings.Contains(err.Error(), h.srv.HTTPURL()) {
		t.Fatalf("sign-in without the pinned certificate: %v", err)
	}
}

func openTestCache(t *testing.T) *cache.DB {
	t.Helper()
	db, err := cache.Open(filepath.Join(t.TempDir(), "c.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	return db
}
