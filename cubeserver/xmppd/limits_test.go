package xmppd

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cubechat/cubechat/internal/testwait"
)

func TestStreamErrorsCloseOnlyTheOffender(t *testing.T) {
	ts := startServer(t, func(c *Config) { c.MaxStanzaBytes = 4096 })
	bystander := ts.login(t, 7, "", true)
	cases := []struct {
		name     string
		raw      string
		wantCond string
	}{
		{"oversize stanza", `<message to='6-1@localhost' type='chat'><body>` + strings.Repeat("x", 10000) + `</body></message>`, condPolicyViolation},
		{"malformed xml", `<message to='6-1@localhost' type='chat'><body>oops</bdy></message>`, condNotWellFormed},
		{"unknown top-level element", `<hello xmlns='jabber:client'/>`, condUnsupportedType},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := ts.login(t, 5, "", true)
			c.write(tc.raw)
			v := c.next(3 * time.Second)
			if e, ok := v.(gotStreamError); !ok || e.cond != tc.wantCond {
				t.Fatalf("want stream error %s, got %T %+v", tc.wantCond, v, v)
			}
			if v := c.next(3 * time.Second); v != (streamEnd{}) {
				t.Fatalf("want the stream closed after the error, got %T %+v", v, v)
			}
			// The server keeps serving everyone else.
			bystander.ping("alive")
		})
	}
	// The client sees the stream end as the server closes it; the session leaves the
	// registry just after, on the connection's own goroutine.
	testwait.For(t, "the closed sessions to leave the registry", 5*time.Second, func() bool { return !ts.srv.Online(5) })
}

func TestHandshakeTimeout(t *testing.T) {
	ts := startServer(t, func(c *Config) { c.HandshakeTimeout = 200 * time.Millisecond })
	c := dialRaw(t, ts.direct, ts.clientTL)
	c.open() // and then never authenticate
	c.startReader()
	if e, ok := c.next(3 * time.Second).(gotStreamError); !ok || e.cond != condConnTimeout {
		t.Fatalf("want connection-timeout, got %+v", e)
	}
}

func TestSlowClientIsDisconnected(t *testing.T) {
	ts := startServer(t, func(c *Config) { c.SendQueue = 4 })
	alice := ts.login(t, 5, "", true)
	ts.connect(t, 6, "") // bound, but never reads a byte
	// Large bodies fill the kernel socket buffers, then the 4-slot queue overflows.
	big := strings.Repeat("y", 60000)
	for i := 0; i < 200 && ts.srv.Online(6); i++ {
		alice.writeElem(chat("6-1@localhost", "", big))
		// Routed once answered: no backlog of alice's builds up behind the check, which
		// under load outlasted the wait for the ping below.
		alice.ping("sent" + strconv.Itoa(i))
	}
	alice.ping("still-fine")
	deadline := time.Now().Add(5 * time.Second)
	for ts.srv.Online(6) && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if ts.srv.Online(6) {
		t.Fatal("a client that never reads was not disconnected")
	}
}

func TestIdleTimeout(t *testing.T) {
	ts := startServer(t, func(c *Config) { c.IdleTimeout = 200 * time.Millisecond })
	c := ts.login(t, 5, "", true)
	if e, ok := c.next(3 * time.Second).(gotStreamError); !ok || e.cond != condConnTimeout {
		t.Fatalf("want connection-timeout, got %+v", e)
	}
	// The stream error is written before the session is unregistered, so the client
	// may read it first.
	testwait.For(t, "the idle session unregistered", 3*time.Second, func() bool { return !ts.srv.Online(5) })
}

func TestCloseEndsStreams(t *testing.T) {
	ts := startServer(t, nil)
	c := ts.login(t, 5, "", true)
	c.ping("p1")
	if err := ts.srv.Close(); err != nil {
		t.Fatal(err)
	}
	if v := c.next(3 * time.Second); v != (gotStreamError{cond: condSystemShutdown}) {
		t.Fatalf("want system-shutdown, got %T %+v", v, v)
	}
	if v := c.next(3 * time.Second); v != (streamEnd{}) {
		t.Fatalf("want stream end, got %T %+v", v, v)
	}
	if ts.srv.Online(5) {
		t.Fatal("sessions survive Close")
	}
}
