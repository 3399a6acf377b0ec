package sync

import (
	"errors"
	"net"
	"path/filepath"
	"testing"

	"github.com/cubechat/cubechat/cache"
)

// closedURL is an http URL on a loopback port nobody listens on.
func closedURL(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	_ = ln.Close()
	return "http://" + addr
}

func TestLoginOutcomes(t *testing.T) {
	h := newHarness(t)
	ann := h.user("ann")
	cachePath := filepath.Join(t.TempDir(), "ann.db")
	db, err := cache.Open(cachePath)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()

	e := New(db, h.profile(), nil)
	if err := e.Login(h.ctx, ann.Login, "wrong password"); !errors.Is(err, ErrAuth) {
		t.Fatalf("wrong password: err = %v, want ErrAuth", err)
	}
	if acc, _ := db.Account(h.ctx); acc != nil {
		t.Fatalf("a failed login saved an account: %+v", acc)
	}
	if err := e.Login(h.ctx, ann.Login, ann.password); err != nil {
		t.Fatalf("login: %v", err)
	}
	acc, err := db.Account(h.ctx)
	if err != nil || acc == nil || acc.UserID != ann.ID || acc.Login != ann.Login {
		t.Fatalf("saved account %+v, %v", acc, err)
	}
	if e.Me() != ann.ID {
		t.Fatalf("Me = %d, want %d", e.Me(), ann.ID)
	}

	down := h.profile()
	down.APIURL = closedURL(t)
	cases := []struct {
		name    string
		login   string
		db      *cache.DB
		offline bool
	}{
		{"unreachable, cached account", ann.Login, db, true},
		{"unreachable, other login", "bob", db, false},
		{"unreachable, empty cache", ann.Login, emptyCache(t), false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := New(c.db, down, nil)
			err := e.Login(h.ctx, c.login, "whatever")
			if err == nil {
				t.Fatal("login against a closed port succeeded")
			}
			if errors.Is(err, ErrOffline) != c.offline || errors.Is(err, ErrAuth) {
				t.Fatalf("err = %v; want ErrOffline: %v", err, c.offline)
			}
			if c.offline && e.Me() != ann.ID {
				t.Fatalf("offline Me = %d, want the cached %d", e.Me(), ann.ID)
			}
		})
	}
}

func emptyCache(t *testing.T) *cache.DB {
	db, err := cache.Open(filepath.Join(t.TempDir(), "empty.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	return db
}
