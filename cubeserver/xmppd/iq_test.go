package xmppd

import (
	"testing"

	"github.com/cubechat/cubechat/cube"
)

func TestIQAnswers(t *testing.T) {
	ts := startServer(t, nil)
	c := ts.login(t, 5, "", true)
	cases := []struct {
		name     string
		raw      string
		wantType string
		wantErr  string // error condition when wantType is "error"
		payload  string // local name of the expected result payload, "" for empty
	}{
		{"legacy session", `<iq type='set' id='q1' to='localhost'><session xmlns='urn:ietf:params:xml:ns:xmpp-session'/></iq>`, "result", "", ""},
		{"roster", `<iq type='get' id='q1'><query xmlns='jabber:iq:roster'/></iq>`, "result", "", "query"},
		{"ping", `<iq type='get' id='q1' to='localhost'><ping xmlns='urn:xmpp:ping'/></iq>`, "result", "", ""},
		{"carbons enable", `<iq type='set' id='q1'><enable xmlns='urn:xmpp:carbons:2'/></iq>`, "result", "", ""},
		{"carbons disable", `<iq type='set' id='q1'><disable xmlns='urn:xmpp:carbons:2'/></iq>`, "result", "", ""},
		{"privacy names", `<iq type='get' id='q1'><query xmlns='jabber:iq:privacy'/></iq>`, "result", "", "query"},
		{"server last activity", `<iq type='get' id='q1' to='localhost'><query xmlns='jabber:iq:last'/></iq>`, "result", "", "query"},
		{"status streaming without enable", `<iq type='set' id='q1'><subscribe xmlns='https://connectycube.com/protocol/status_streaming' user_jid='6-1@localhost'/></iq>`, "error", "bad-request", ""},
		{"status streaming of a non-user", `<iq type='set' id='q1'><subscribe xmlns='https://connectycube.com/protocol/status_streaming' user_jid='room@elsewhere' enable='true'/></iq>`, "error", "bad-request", ""},
		{"disco items", `<iq type='get' id='q1' to='localhost'><query xmlns='http://jabber.org/protocol/disco#items'/></iq>`, "result", "", "query"},
		{"disco info of an unknown node", `<iq type='get' id='q1' to='localhost'><query xmlns='http://jabber.org/protocol/disco#info' node='x'/></iq>`, "error", "item-not-found", ""},
		{"unknown namespace", `<iq type='get' id='q1'><query xmlns='urn:example:nothing'/></iq>`, "error", "service-unavailable", ""},
		{"second bind", `<iq type='set' id='q1'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'/></iq>`, "error", "not-allowed", ""},
		{"bad mobile value", `<iq type='set' id='q1'><mobile xmlns='http://tigase.org/protocol/mobile#v2' enable='maybe'/></iq>`, "error", "bad-request", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c.write(tc.raw)
			iq := c.nextIQ()
			if iq.ID != "q1" || iq.Type != tc.wantType {
				t.Fatalf("got %+v", iq)
			}
			if tc.wantType == "error" {
				var cond string
				for _, p := range iq.Payload {
					if p.XMLName.Local == "error" && len(p.Children) > 0 {
						cond = p.Children[0].XMLName.Local
					}
				}
				if cond != tc.wantErr {
					t.Fatalf("error condition %q, want %q (%+v)", cond, tc.wantErr, iq.Payload)
				}
				return
			}
			p := iq.payload()
			if (p == nil) != (tc.payload == "") || (p != nil && p.XMLName.Local != tc.payload) {
				t.Fatalf("payload %+v, want %q", p, tc.payload)
			}
		})
	}
}

func TestMobileActiveInactive(t *testing.T) {
	ts := startServer(t, nil)
	c := ts.login(t, 5, "", true)
	for _, tc := range []struct {
		enable     string
		wantActive bool
	}{{"true", false}, {"false", true}, {"true", false}} {
		c.write(`<iq type='set' id='m1'><mobile xmlns='` + cube.NSMobile + `' enable='` + tc.enable + `'/></iq>`)
		if iq := c.nextIQ(); iq.Type != "result" || iq.ID != "m1" || iq.payload() != nil {
			t.Fatalf("mobile enable=%s answered %+v", tc.enable, iq)
		}
		if active, known := ts.backend.isActive(5); !known || active != tc.wantActive {
			t.Fatalf("enable=%s recorded active=%v known=%v", tc.enable, active, known)
		}
	}
}
