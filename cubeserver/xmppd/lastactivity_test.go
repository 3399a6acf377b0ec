package xmppd

import (
	"strconv"
	"testing"
	"time"

	"github.com/cubechat/cubechat/cube"
)

// lastOf asks for a user's last activity and returns the answer.
func (c *rawClient) lastOf(jid string) *iqStanza {
	c.t.Helper()
	c.write(`<iq type='get' id='la' to='` + jid + `'><query xmlns='jabber:iq:last'/></iq>`)
	iq := c.nextIQ()
	if iq.ID != "la" {
		c.t.Fatalf("answer to another iq: %+v", iq)
	}
	return iq
}

func TestLastActivityQuery(t *testing.T) {
	ts := startServer(t, nil)
	ts.backend.setLastSeen(7, time.Now().Add(-90*time.Second))
	alice := ts.login(t, 5, "", true)
	ts.login(t, 6, "", true)
	cases := []struct {
		name, jid string
		wantErr   string
		min, max  int64
	}{
		{"online user", "6-1@localhost", "", 0, 0},
		{"offline user", "7-1@localhost", "", 89, 95},
		{"never logged in", "8-1@localhost", "item-not-found", 0, 0},
		{"unknown user", "99-1@localhost", "item-not-found", 0, 0},
		{"other domain", "6-1@elsewhere", "item-not-found", 0, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			iq := alice.lastOf(tc.jid)
			if cond := iqErrCond(iq); cond != tc.wantErr {
				t.Fatalf("error %q, want %q (%+v)", cond, tc.wantErr, iq)
			}
			if tc.wantErr != "" {
				return
			}
			q := iq.payload()
			secs, err := strconv.ParseInt(q.attr("seconds"), 10, 64)
			if iq.From != tc.jid || q.XMLName.Space != cube.NSLast || err != nil || secs < tc.min || secs > tc.max {
				t.Fatalf("answer %+v %+v, want seconds in [%d, %d]", iq, q, tc.min, tc.max)
			}
		})
	}

	// A user whose default list denies alice's iqs is not visible to her.
	carol := ts.login(t, 7, "", true)
	carol.privacyIQ("set", `<list name='l'><item type='jid' value='5-1@localhost' action='deny' order='1'><iq/></item></list>`)
	carol.privacyIQ("set", `<default name='l'/>`)
	if cond := iqErrCond(alice.lastOf("7-1@localhost")); cond != "service-unavailable" {
		t.Fatalf("blocked asker: %q", cond)
	}
}

func TestLastActivitySubscriptionPushes(t *testing.T) {
	ts := startServer(t, nil)
	alice := ts.login(t, 5, "", true)
	subscribe := func(enable string) {
		t.Helper()
		alice.write(`<iq type='set' id='ss'><subscribe xmlns='https://connectycube.com/protocol/status_streaming' user_jid='6-1@localhost' enable='` + enable + `'/></iq>`)
		if iq := alice.nextIQ(); iq.ID != "ss" || iq.Type != "result" {
			t.Fatalf("subscribe: %+v", iq)
		}
	}
	expectPush := func(what, seconds string) {
		t.Helper()
		iq := alice.nextIQ()
		q := iq.payload()
		if iq.Type != "result" || iq.From != "6-1@localhost" || iq.To != alice.jid || iq.ID == "" ||
			q == nil || q.XMLName.Space != cube.NSLast || q.attr("seconds") != seconds {
			t.Fatalf("%s push: %+v %+v", what, iq, q)
		}
	}
	subscribe("true")
	bob := ts.login(t, 6, "a", true)
	expectPush("connect", "0")
	bob2 := ts.login(t, 6, "b", true) // a second resource is not a new connect
	alice.expectSilence(100 * time.Millisecond)
	bob.write(`</stream:stream>`)
	alice.expectSilence(100 * time.Millisecond) // bob is still online through b
	bob2.write(`</stream:stream>`)
	expectPush("disconnect", "1") // offline is never 0, which means online
	waitOffline(t, ts, 6)
	if iq := alice.lastOf("6-1@localhost"); iq.payload().attr("seconds") != "1" {
		t.Fatalf("just after the disconnect: %+v", iq.payload())
	}

	subscribe("false")
	ts.login(t, 6, "c", true)
	alice.expectSilence(100 * time.Millisecond)

	// Subscriptions end with the subscriber's session.
	subscribe("true")
	alice.write(`</stream:stream>`)
	deadline := time.Now().Add(3 * time.Second)
	for {
		ts.srv.lastSub.mu.Lock()
		left := len(ts.srv.lastSub.byTarget)
		ts.srv.lastSub.mu.Unlock()
		if left == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d watched users left after the subscriber went", left)
		}
		time.Sleep(5 * time.Millisecond)
	}
}
