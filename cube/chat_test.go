package cube

import (
	"context"
	"crypto/tls"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/cubechat/cubechat/internal/testwait"
)

func fastOpts() ChatOptions {
	return ChatOptions{UserID: 7, Password: "pw", Reconnect: &ReconnectPolicy{Attempts: DefaultReconnectAttempts, Interval: 50 * time.Millisecond},
		PingInterval: time.Hour, PingTimeout: 2 * time.Second, HandshakeTimeout: 5 * time.Second}
}

func nextEvent(t *testing.T, c *Chat) Event {
	t.Helper()
	select {
	case e := <-c.Events():
		return e
	case <-time.After(10 * time.Second):
		t.Fatal("no event")
		return nil
	}
}

// expectStates reads events and fails unless the next ones are these states.
func expectStates(t *testing.T, c *Chat, want ...ConnState) []StateEvent {
	t.Helper()
	var got []StateEvent
	for _, w := range want {
		e, ok := nextEvent(t, c).(StateEvent)
		if !ok || e.State != w {
			t.Fatalf("after %v: got %#v, want state %v", got, e, w)
		}
		got = append(got, e)
	}
	return got
}

func TestChatSessionOverDirectTLSAndStartTLS(t *testing.T) {
	for _, startTLS := range []bool{false, true} {
		t.Run(map[bool]string{false: "tls", true: "starttls"}[startTLS], func(t *testing.T) {
			srv := newFakeXMPP(t, startTLS)
			srv.onLogin = []string{`<message xmlns='jabber:client' from='8-1@localhost' type='chat' id='off1'><body>while away</body>` +
				`<delay xmlns='urn:xmpp:delay' stamp='2023-11-14T22:13:20Z'/></message>`}
			c := NewChat(srv.config(), fastOpts())
			ctx := context.Background()
			if err := c.Connect(ctx); err != nil {
				t.Fatal(err)
			}
			if iq := srv.waitReceived("iq"); !strings.Contains(iq.Inner, "urn:xmpp:carbons:2") {
				t.Fatalf("first iq is not carbons: %+v", iq)
			}
			expectStates(t, c, Authenticated, Ready)
			// The offline message arrived before carbons were on, yet follows Ready.
			ev, ok := nextEvent(t, c).(MessageEvent)
			if !ok || ev.Message.ID != "off1" || !ev.Delayed || ev.Message.DateSent != 1700000000 || ev.Message.SenderID != 8 {
				t.Fatalf("offline message: %+v", ev)
			}

			st, err := c.SendMessage(ctx, OutgoingMessage{DialogID: "d1", DialogType: DialogPrivate, RecipientID: 8, Body: "a<b>&c", SaveToHistory: true})
			if err != nil {
				t.Fatal(err)
			}
			got := srv.waitReceived("message")
			if got.attr("id") != st.ID || got.attr("to") != "8-1@localhost" || !strings.Contains(got.Inner, "a&lt;b&gt;&amp;c") {
				t.Fatalf("server got %+v", got)
			}

			if err := c.MarkInactive(ctx); err != nil {
				t.Fatal(err)
			}
			if iq := srv.waitReceived("iq"); !strings.Contains(iq.Inner, `enable="true"`) || !strings.Contains(iq.Inner, NSMobile) {
				t.Fatalf("mark inactive sent %+v", iq)
			}
			if err := c.MarkActive(ctx); err != nil {
				t.Fatal(err)
			}
			if err := c.Ping(ctx); err != nil {
				t.Fatal(err)
			}

			// Server requests: a ping gets a result (inside go-xmpp), anything else an error.
			srv.push(`<iq type='get' id='srvping' from='localhost'><ping xmlns='urn:xmpp:ping'/></iq>`)
			srv.push(`<iq type='get' id='srvver' from='localhost'><query xmlns='jabber:iq:version'/></iq><iq type='get' id='srvx' from='localhost'><query xmlns='urn:example'/></iq>`)
			answers := map[string]string{}
			for len(answers) < 2 {
				iq := srv.waitReceived("iq")
				if id := iq.attr("id"); id == "srvping" || id == "srvx" {
					answers[id] = iq.attr("type")
				}
			}
			if answers["srvping"] != "result" || answers["srvx"] != "error" {
				t.Fatalf("answers to server iqs: %v", answers)
			}

			srv.push(`<message xmlns='jabber:client' from='1_d5@muc.localhost/9' type='groupchat' id='g1'><body>live</body></message>`)
			ev, ok = nextEvent(t, c).(MessageEvent)
			if !ok || ev.Message.ChatDialogID != "d5" || ev.Message.SenderID != 9 || ev.Delayed {
				t.Fatalf("live message: %+v", ev)
			}

			if err := c.Disconnect(); err != nil {
				t.Fatal(err)
			}
			expectStates(t, c, Closed)
			if err := c.Ping(ctx); !errors.Is(err, ErrNotConnected) {
				t.Fatalf("ping after disconnect: %v", err)
			}
		})
	}
}

func TestChatAuthFailure(t *testing.T) {
	srv := newFakeXMPP(t, false)
	opts := fastOpts()
	opts.Password = "wrong"
	c := NewChat(srv.config(), opts)
	err := c.Connect(context.Background())
	if !errors.Is(err, ErrAuth) {
		t.Fatalf("Connect: %v, want ErrAuth", err)
	}
	expectStates(t, c, AuthenticationFailure)
	if c.State() != AuthenticationFailure || srv.loginCount() != 0 {
		t.Fatalf("state %v logins %d", c.State(), srv.loginCount())
	}
}

func TestChatReconnectsAfterDrop(t *testing.T) {
	srv := newFakeXMPP(t, false)
	c := NewChat(srv.config(), fastOpts())
	if err := c.Connect(context.Background()); err != nil {
		t.Fatal(err)
	}
	expectStates(t, c, Authenticated, Ready)
	srv.kill()
	states := expectStates(t, c, Reconnecting, Resumed, Ready)
	if states[0].Err == nil {
		t.Fatal("Reconnecting carries no cause")
	}
	if srv.loginCount() != 2 {
		t.Fatalf("logins %d", srv.loginCount())
	}
	srv.push(`<message xmlns='jabber:client' from='8-1@localhost' type='chat' id='after'><body>again</body></message>`)
	if ev, ok := nextEvent(t, c).(MessageEvent); !ok || ev.Message.ID != "after" {
		t.Fatalf("after resume: %+v", ev)
	}
	c.Disconnect()
	expectStates(t, c, Closed)
}

func TestChatMissedPingReconnects(t *testing.T) {
	srv := newFakeXMPP(t, false)
	opts := fastOpts()
	opts.PingInterval, opts.PingTimeout = 100*time.Millisecond, 200*time.Millisecond
	c := NewChat(srv.config(), opts)
	if err := c.Connect(context.Background()); err != nil {
		t.Fatal(err)
	}
	expectStates(t, c, Authenticated, Ready)
	srv.mu.Lock()
	srv.silentPng = true
	srv.mu.Unlock()
	states := expectStates(t, c, Reconnecting)
	if !strings.Contains(states[0].Err.Error(), "ping") {
		t.Fatalf("cause %v", states[0].Err)
	}
	srv.mu.Lock()
	srv.silentPng = false
	srv.mu.Unlock()
	expectStates(t, c, Resumed, Ready)
	c.Disconnect()
}

func TestChatGivesUpAfterAttempts(t *testing.T) {
	srv := newFakeXMPP(t, false)
	opts := fastOpts()
	opts.Reconnect = &ReconnectPolicy{Attempts: 2, Interval: 50 * time.Millisecond}
	c := NewChat(srv.config(), opts)
	if err := c.Connect(context.Background()); err != nil {
		t.Fatal(err)
	}
	expectStates(t, c, Authenticated, Ready)
	srv.ln.Close()
	srv.kill()
	states := expectStates(t, c, Reconnecting, Closed)
	if states[1].Err == nil {
		t.Fatal("Closed after giving up carries no cause")
	}
}

func TestChatStreamErrorIsForceClosed(t *testing.T) {
	srv := newFakeXMPP(t, false)
	c := NewChat(srv.config(), fastOpts())
	if err := c.Connect(context.Background()); err != nil {
		t.Fatal(err)
	}
	expectStates(t, c, Authenticated, Ready)
	srv.push(`<stream:error><conflict xmlns='urn:ietf:params:xml:ns:xmpp-streams'/><text xmlns='urn:ietf:params:xml:ns:xmpp-streams'>Replaced by new connection</text></stream:error>`)
	expectStates(t, c, ForceClosed)
	time.Sleep(200 * time.Millisecond) // longer than the reconnect interval
	if srv.loginCount() != 1 || c.State() != ForceClosed {
		t.Fatalf("reconnected after a stream error: logins %d state %v", srv.loginCount(), c.State())
	}
}

func TestChatRequestTimesOutWithoutAnswer(t *testing.T) {
	srv := newFakeXMPP(t, false)
	opts := fastOpts()
	opts.Reconnect = &ReconnectPolicy{Attempts: 0} // 0 disables reconnecting
	c := NewChat(srv.config(), opts)
	if err := c.Connect(context.Background()); err != nil {
		t.Fatal(err)
	}
	srv.mu.Lock()
	srv.silentPng = true
	srv.mu.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), 150*time.Millisecond)
	defer cancel()
	start := time.Now()
	if err := c.Ping(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("ping without answer: %v", err)
	}
	if time.Since(start) > 2*time.Second {
		t.Fatal("ping did not honour its context")
	}
	if cc := c.current(); cc == nil || cc.iqs.size() != 0 {
		t.Fatal("timed-out request left a pending id")
	}
	// With reconnecting disabled a drop ends the session.
	expectStates(t, c, Authenticated, Ready)
	srv.kill()
	expectStates(t, c, Closed)
}

func TestIQTable(t *testing.T) {
	tab := newIQTable()
	ch, err := tab.add("a")
	if err != nil {
		t.Fatal(err)
	}
	if tab.resolve(xmppIQ("nobody")) {
		t.Fatal("an unknown id resolved")
	}
	if !tab.resolve(xmppIQ("a")) || (<-ch).iq.ID != "a" {
		t.Fatal("answer not delivered")
	}
	ch2, _ := tab.add("b")
	tab.failAll(ErrNotConnected)
	if (<-ch2).err != ErrNotConnected {
		t.Fatal("pending request not failed")
	}
	if _, err := tab.add("c"); err != ErrNotConnected {
		t.Fatal("a closed table accepted a request")
	}
}

func TestChatConfigErrors(t *testing.T) {
	cases := map[string]Config{
		"no host":  {AppID: 1, ChatDomain: "localhost"},
		"bad mode": {AppID: 1, ChatHost: "127.0.0.1:1", ChatDomain: "localhost", ChatTLS: "plain"},
	}
	for name, cfg := range cases {
		if err := NewChat(cfg, fastOpts()).Connect(context.Background()); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	if NewChat(Config{ChatHost: "127.0.0.1:1", ChatDomain: "localhost"}, ChatOptions{}).Connect(context.Background()) == nil {
		t.Error("no user id: accepted")
	}
}

// TestChatReplacesConnectionAfterMalformedStanza: a server that sends broken XML must not
// wedge the client (go-xmpp's decoder is dead after a parse error): the connection is
// replaced and messages flow again on the new one.
func TestChatReplacesConnectionAfterMalformedStanza(t *testing.T) {
	srv := newFakeXMPP(t, false)
	c := NewChat(srv.config(), fastOpts())
	if err := c.Connect(context.Background()); err != nil {
		t.Fatal(err)
	}
	expectStates(t, c, Authenticated, Ready)
	srv.push(`<message xmlns='jabber:client' from='8-1@localhost' type='chat' id='broken'><body>half</bodyX></message>`)
	states := expectStates(t, c, Reconnecting, Resumed, Ready)
	if states[0].Err == nil {
		t.Fatal("Reconnecting carries no cause")
	}
	srv.push(`<message xmlns='jabber:client' from='8-1@localhost' type='chat' id='fine'><body>whole</body></message>`)
	if ev, ok := nextEvent(t, c).(MessageEvent); !ok || ev.Message.ID != "fine" {
		t.Fatalf("after the malformed stanza: %+v", ev)
	}
	c.Disconnect()
	expectStates(t, c, Closed)
}

func TestReconnectPolicyDefaults(t *testing.T) {
	cases := []struct {
		name string
		in   *ReconnectPolicy
		want ReconnectPolicy
	}{
		{"nil means the SDK defaults", nil, ReconnectPolicy{Attempts: 5, Interval: 5 * time.Second}},
		{"zero attempts disables", &ReconnectPolicy{}, ReconnectPolicy{Attempts: 0, Interval: 5 * time.Second}},
		{"own values kept", &ReconnectPolicy{Attempts: 2, Interval: time.Second}, ReconnectPolicy{Attempts: 2, Interval: time.Second}},
	}
	for _, c := range cases {
		if got := *(ChatOptions{Reconnect: c.in}).withDefaults().Reconnect; got != c.want {
			t.Errorf("%s: got %+v, want %+v", c.name, got, c.want)
		}
	}
}

func TestChatWithReconnectDisabledClosesOnDrop(t *testing.T) {
	srv := newFakeXMPP(t, false)
	opts := fastOpts()
	opts.Reconnect = &ReconnectPolicy{Attempts: 0}
	c := NewChat(srv.config(), opts)
	if err := c.Connect(context.Background()); err != nil {
		t.Fatal(err)
	}
	expectStates(t, c, Authenticated, Ready)
	srv.kill()
	if st := expectStates(t, c, Closed); st[0].Err == nil {
		t.Fatal("Closed carries no cause")
	}
	if srv.loginCount() != 1 {
		t.Fatalf("reconnected %d times with reconnection disabled", srv.loginCount()-1)
	}
}

// TestChatReloginAfterDisconnect: logout (Disconnect) then login again on the same Chat,
// as the SDKs' disconnect/connect pair allows.
func TestChatReloginAfterDisconnect(t *testing.T) {
	srv := newFakeXMPP(t, false)
	c := NewChat(srv.config(), fastOpts())
	ctx := context.Background()
	if err := c.Connect(ctx); err != nil {
		t.Fatal(err)
	}
	expectStates(t, c, Authenticated, Ready)
	if err := c.Disconnect(); err != nil {
		t.Fatal(err)
	}
	expectStates(t, c, Closed)
	if err := c.Connect(ctx); err != nil {
		t.Fatalf("relogin: %v", err)
	}
	expectStates(t, c, Authenticated, Ready)
	if srv.loginCount() != 2 {
		t.Fatalf("logins %d, want 2", srv.loginCount())
	}
	srv.push(`<message xmlns='jabber:client' from='8-1@localhost' type='chat' id='again'><body>welcome back</body></message>`)
	if ev, ok := nextEvent(t, c).(MessageEvent); !ok || ev.Message.ID != "again" {
		t.Fatalf("after relogin: %+v", ev)
	}
	c.Disconnect()
	expectStates(t, c, Closed)
}

// TestSocketOfFindsGoXMPPsConnection: the socket under a go-xmpp client is found (a
// go-xmpp upgrade that moves it fails here, not silently in the field).
func TestSocketOfFindsGoXMPPsConnection(t *testing.T) {
	srv := newFakeXMPP(t, false)
	c := NewChat(srv.config(), fastOpts())
	if err := c.Connect(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer c.Disconnect()
	cc := c.current()
	if cc == nil || cc.sock == nil {
		t.Fatal("no socket found under the go-xmpp client")
	}
	if _, isTLS := cc.sock.(*tls.Conn); isTLS {
		t.Fatal("socketOf returned the TLS layer, not the TCP connection")
	}
	if got, want := cc.sock.RemoteAddr().String(), srv.ln.Addr().String(); got != want {
		t.Fatalf("the socket found talks to %s, want %s", got, want)
	}
}

// TestStalledConnectionIsClosedAtOnce: when a ping goes unanswered because the path
// stalled (nothing comes back, not even the answer to our stream close), the old
// socket is closed at once, not after go-xmpp's own 10 s timer.
func TestStalledConnectionIsClosedAtOnce(t *testing.T) {
	srv := newFakeXMPP(t, false)
	opts := fastOpts()
	opts.PingInterval, opts.PingTimeout = 100*time.Millisecond, 200*time.Millisecond
	c := NewChat(srv.config(), opts)
	if err := c.Connect(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer c.Disconnect()
	expectStates(t, c, Authenticated, Ready)
	srv.mu.Lock()
	srv.stallNext = true
	srv.mu.Unlock()
	expectStates(t, c, Reconnecting)
	// Well within closeTimeout: the stalled socket is not waited on.
	testwait.Recv(t, "the stalled socket to close", closeTimeout, srv.socketClosed)
}
