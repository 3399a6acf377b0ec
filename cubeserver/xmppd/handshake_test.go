package xmppd

import (
	"crypto/tls"
	"encoding/xml"
	"strings"
	"testing"
	"time"

	"github.com/cubechat/cubechat/cube"
	"github.com/xmppo/go-xmpp"
)

// goxmppClient logs in with go-xmpp, the library the cube SDK wraps; tweaks change
// the options before.
func (ts *testServer) goxmppClient(t *testing.T, user, password, resource string, startTLS bool, tweaks ...func(*xmpp.Options)) (*xmpp.Client, error) {
	t.Helper()
	opts := xmpp.Options{User: user, Password: password, Resource: resource,
		TLSConfig: &tls.Config{RootCAs: ts.clientTL.RootCAs, ServerName: "localhost"}, DialTimeout: 5 * time.Second}
	if startTLS {
		opts.Host, opts.NoTLS, opts.StartTLS = ts.plain, true, true
	} else {
		opts.Host = ts.direct
	}
	for _, tweak := range tweaks {
		tweak(&opts)
	}
	type result struct {
		c   *xmpp.Client
		err error
	}
	done := make(chan result, 1)
	go func() {
		c, err := opts.NewClient()
		done <- result{c, err}
	}()
	select {
	case r := <-done:
		return r.c, r.err
	case <-time.After(10 * time.Second):
		t.Fatal("go-xmpp handshake hangs")
	}
	return nil, nil
}

func TestGoXMPPHandshakeAndRelay(t *testing.T) {
	ts := startServer(t, nil)
	for _, tc := range []struct {
		name     string
		startTLS bool
	}{{"starttls", true}, {"direct tls", false}} {
		t.Run(tc.name, func(t *testing.T) {
			sender, err := ts.goxmppClient(t, "5-1@localhost", testPassword, "", tc.startTLS)
			if err != nil {
				t.Fatalf("login: %v", err)
			}
			if !strings.HasPrefix(sender.JID(), "5-1@localhost/") || len(cube.JIDResource(sender.JID())) < 20 {
				t.Fatalf("bound JID %q: want a long server-generated resource", sender.JID())
			}
			receiver, err := ts.goxmppClient(t, "6-1@localhost", testPassword, "desk", tc.startTLS)
			if err != nil {
				t.Fatalf("login: %v", err)
			}
			if receiver.JID() != "6-1@localhost/desk" {
				t.Fatalf("requested resource not honoured: %q", receiver.JID())
			}
			b, _ := xml.Marshal(chat("6-1@localhost", cube.NewObjectID(), "hi <there> & you", saveParam))
			if _, err := sender.SendOrg(string(b)); err != nil {
				t.Fatal(err)
			}
			got := make(chan xmpp.Chat, 1)
			go func() {
				for {
					v, err := receiver.Recv()
					if err != nil {
						return
					}
					if c, ok := v.(xmpp.Chat); ok {
						got <- c
						return
					}
				}
			}()
			select {
			case c := <-got:
				if c.Text != "hi <there> & you" || c.Remote != sender.JID() || c.Type != "chat" {
					t.Fatalf("received %+v", c)
				}
			case <-time.After(5 * time.Second):
				t.Fatal("go-xmpp receiver got nothing")
			}
			// A clean close: the server answers </stream:stream>.
			for _, c := range []*xmpp.Client{sender, receiver} {
				if err := c.Close(); err != nil {
					t.Fatalf("close: %v", err)
				}
			}
		})
	}
}

func TestGoXMPPWrongPassword(t *testing.T) {
	ts := startServer(t, nil)
	_, err := ts.goxmppClient(t, "5-1@localhost", "wrong", "", true)
	if err == nil || !strings.Contains(err.Error(), "Password not verified") {
		t.Fatalf("want auth failure with ConnectyCube's text, got %v", err)
	}
}

func TestAuthFailureThenRetry(t *testing.T) {
	ts := startServer(t, nil)
	c := dialRaw(t, ts.plain, nil)
	c.open()
	c.startTLS(ts.clientTL)
	name, n := c.auth("", "5-1", "wrong")
	if name != "failure" || n.child("not-authorized") == nil || n.child("text") == nil || n.child("text").Text != "Password not verified" {
		t.Fatalf("want not-authorized failure, got %s %+v", name, n)
	}
	// The client may retry on the same stream, with the authzid form of the docs.
	if name, n := c.auth("5-1@localhost", "5-1", testPassword); name != "success" {
		t.Fatalf("retry: %s %+v", name, n)
	}
}

func TestAuthIdentities(t *testing.T) {
	ts := startServer(t, nil)
	cases := []struct {
		name             string
		authzid, authcid string
		ok               bool
	}{
		{"sdk form", "", "5-1", true},
		{"docs form with authzid", "5-1@localhost", "5-1", true},
		{"authcid with domain", "", "5-1@localhost", true},
		{"authzid of another user", "6-1@localhost", "5-1", false},
		{"other app", "", "5-2", false},
		{"no app", "", "5", false},
		{"unknown user", "", "99-1", false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := dialRaw(t, ts.direct, ts.clientTL)
			c.open()
			name, _ := c.auth(tc.authzid, tc.authcid, testPassword)
			if (name == "success") != tc.ok {
				t.Fatalf("got %s, want ok=%v", name, tc.ok)
			}
		})
	}
}

func TestPlainAuthBeforeStartTLS(t *testing.T) {
	for _, tc := range []struct {
		name       string
		allowPlain bool
	}{{"refused by default", false}, {"allowed with AllowPlain", true}} {
		t.Run(tc.name, func(t *testing.T) {
			ts := startServer(t, func(c *Config) { c.AllowPlain = tc.allowPlain })
			c := dialRaw(t, ts.plain, nil)
			f := c.open()
			tlsFeature := f.child("starttls")
			if tlsFeature == nil {
				t.Fatalf("STARTTLS not offered: %+v", f)
			}
			if (f.child("mechanisms") != nil) != tc.allowPlain || (tlsFeature.child("required") != nil) == tc.allowPlain {
				t.Fatalf("features %+v for allowPlain=%v", f, tc.allowPlain)
			}
			name, n := c.auth("", "5-1", testPassword)
			if tc.allowPlain {
				if name != "success" {
					t.Fatalf("plain auth with AllowPlain: %s %+v", name, n)
				}
				return
			}
			if name != "failure" || n.child("encryption-required") == nil {
				t.Fatalf("want encryption-required, got %s %+v", name, n)
			}
		})
	}
}

func TestStanzaBeforeAuthIsStreamError(t *testing.T) {
	ts := startServer(t, nil)
	c := dialRaw(t, ts.direct, ts.clientTL)
	c.open()
	c.startReader()
	c.write(`<message to='6-1@localhost' type='chat'><body>sneaky</body></message>`)
	if e, ok := c.next(3 * time.Second).(gotStreamError); !ok || e.cond != condNotAuthorized {
		t.Fatalf("want not-authorized stream error, got %+v", e)
	}
}

func TestBindResourceConflict(t *testing.T) {
	ts := startServer(t, nil)
	a := ts.login(t, 5, "phone", false)
	b := ts.login(t, 5, "phone", false)
	if a.jid != "5-1@localhost/phone" {
		t.Fatalf("first bind: %q", a.jid)
	}
	if b.jid == a.jid || !strings.Contains(b.jid, "-cubechat-") {
		t.Fatalf("second bind of a taken resource got %q", b.jid)
	}
	if !ts.srv.Online(5) || ts.srv.Online(6) {
		t.Fatal("Online disagrees with the bound sessions")
	}
}
