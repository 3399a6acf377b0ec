package sync

import (
	"errors"
	"net/http"
	"path/filepath"
	gosync "sync"
	"testing"

	"github.com/cubechat/cubechat/cube"
)

// memTokens is a token store in a map, like keyring.Memory; failSave makes it a
// system without a usable credential store.
type memTokens struct {
	mu       gosync.Mutex
	m        map[string]string
	failSave bool
}

var errNoToken = errors.New("test: no token stored")

func (s *memTokens) Save(key, token string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.failSave {
		return errors.New("test: no credential store")
	}
	if s.m == nil {
		s.m = map[string]string{}
	}
	s.m[key] = token
	return nil
}

func (s *memTokens) Load(key string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	token, ok := s.m[key]
	if !ok {
		return "", errNoToken
	}
	return token, nil
}

func (s *memTokens) Delete(key string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.m, key)
	return nil
}

// get is the stored token of key, "" when none.
func (s *memTokens) get(key string) string {
	token, _ := s.Load(key)
	return token
}

// tokenKey is the key the engine saves a's token under on h's server.
func (h *harness) tokenKey(a account) string { return h.profile().APIURL + "|" + a.Login }

// newPeerWithTokens is newPeer with a token store: open, UseTokenStore, Login, Start.
func (h *harness) newPeerWithTokens(a account, ts TokenStore) *peer {
	h.t.Helper()
	p := &peer{h: h, acc: a, path: filepath.Join(h.t.TempDir(), a.Login+".db")}
	p.open()
	p.e.UseTokenStore(ts)
	if err := p.e.Login(h.ctx, a.Login, a.password); err != nil {
		h.t.Fatalf("login %s: %v", a.Login, err)
	}
	p.e.Start(h.ctx)
	return p
}

// resume is an app restart with remembered sign-in: stop, reopen the cache, build a
// new engine over the same token store and Resume (not started).
func (p *peer) resume(ts TokenStore) error {
	p.h.t.Helper()
	p.close()
	p.open()
	p.e.UseTokenStore(ts)
	return p.e.Resume(p.h.ctx)
}

// revoke ends the session of token from another client (DELETE /session).
func (h *harness) revoke(token string) {
	h.t.Helper()
	cfg, err := h.profile().cubeConfig()
	if err != nil {
		h.t.Fatal(err)
	}
	c := cube.NewClient(cfg)
	c.SetToken(token)
	if err := c.DeleteSession(h.ctx); err != nil {
		h.t.Fatalf("revoking the session: %v", err)
	}
	if _, err := h.sessionOf(token); !cube.IsStatus(err, http.StatusUnauthorized) {
		h.t.Fatalf("the revoked token still works: %v", err)
	}
}

// sessionOf asks the server about a token (GET /session).
func (h *harness) sessionOf(token string) (*cube.Session, error) {
	cfg, err := h.profile().cubeConfig()
	if err != nil {
		return nil, err
	}
	c := cube.NewClient(cfg)
	c.SetToken(token)
	return c.GetSession(h.ctx)
}

// mustToken is the token saved for a, failing the test when there is none.
func mustToken(t *testing.T, h *harness, ts *memTokens, a account) string {
	t.Helper()
	token := ts.get(h.tokenKey(a))
	if token == "" {
		t.Fatalf("no token saved under %q", h.tokenKey(a))
	}
	return token
}
