package xmppd

import (
	"slices"
	"testing"
	"time"

	"github.com/cubechat/cubechat/cube"
	"github.com/cubechat/cubechat/internal/testwait"
	"github.com/xmppo/go-xmpp"
)

// recvDisco reads go-xmpp stanzas until a disco#info answer (or an IQ error) comes.
func recvDisco(t *testing.T, c *xmpp.Client) any {
	t.Helper()
	got := make(chan any, 1)
	go func() {
		for {
			v, err := c.Recv()
			if err != nil {
				got <- err
				return
			}
			switch v.(type) {
			case xmpp.DiscoResult, xmpp.IQ:
				got <- v
				return
			}
		}
	}()
	v, _ := testwait.Recv(t, "a disco#info answer", 5*time.Second, got)
	return v
}

// TestDiscoInfoServer: a plain XMPP client learns what the server supports (XEP-0030):
// an im server that advertises carbons (XEP-0280 §4 requires it), ping, last activity,
// privacy lists and offline storage.
func TestDiscoInfoServer(t *testing.T) {
	ts := startServer(t, nil)
	c := ts.goxmppLogin(t, "5", "")
	if _, err := c.DiscoverInfo("localhost"); err != nil {
		t.Fatal(err)
	}
	res, ok := recvDisco(t, c).(xmpp.DiscoResult)
	if !ok {
		t.Fatalf("want a disco#info result, got %+v", res)
	}
	if res.From != "localhost" || len(res.Identities) != 1 || res.Identities[0].Category != "server" || res.Identities[0].Type != "im" {
		t.Fatalf("identity %+v from %q", res.Identities, res.From)
	}
	for _, f := range []string{nsDiscoInfo, cube.NSDiscoItems, cube.NSCarbons, cube.NSPing, cube.NSLast, cube.NSPrivacy, "msgoffline"} {
		if !slices.Contains(res.Features, f) {
			t.Errorf("feature %q not advertised: %v", f, res.Features)
		}
	}
}

// TestDiscoInfoOtherEntities: the MUC service, a room the user is in, and a user's
// bare JID (answered by the server on the account's behalf) each describe themselves;
// a room the user may not join and an unknown user do not.
func TestDiscoInfoOtherEntities(t *testing.T) {
	ts := startServer(t, nil)
	room := cube.Dialog{ID: cube.NewObjectID(), Type: cube.DialogGroup, OccupantsIDs: []int64{5, 6}}
	closed := cube.Dialog{ID: cube.NewObjectID(), Type: cube.DialogGroup, OccupantsIDs: []int64{6, 7}}
	ts.backend.addDialog(room)
	ts.backend.addDialog(closed)
	c := ts.login(t, 5, "", true)
	cases := []struct {
		name, to, category, typ, feature, errCond string
	}{
		{"muc service", "muc.localhost", "conference", "text", cube.NSMUC, ""},
		{"room", ts.srv.roomJID(room.ID), "conference", "text", cube.NSMUC, ""},
		{"user", "6-1@localhost", "account", "registered", cube.NSLast, ""},
		{"own account", "5-1@localhost", "account", "registered", cube.NSLast, ""},
		{"room of others", ts.srv.roomJID(closed.ID), "", "", "", "forbidden"},
		{"unknown user", "99-1@localhost", "", "", "", "service-unavailable"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c.write(`<iq type='get' id='d1' to='` + tc.to + `'><query xmlns='` + nsDiscoInfo + `'/></iq>`)
			iq := c.nextIQ()
			if iq.ID != "d1" || iq.From != tc.to {
				t.Fatalf("answer %+v", iq)
			}
			if tc.errCond != "" {
				if iq.Type != "error" || iqErrCond(iq) != tc.errCond {
					t.Fatalf("want %s, got %+v", tc.errCond, iq)
				}
				return
			}
			p := iq.payload()
			if iq.Type != "result" || p == nil || p.XMLName.Space != nsDiscoInfo {
				t.Fatalf("want a disco#info result, got %+v", iq)
			}
			id := p.child("identity")
			if id == nil || id.attr("category") != tc.category || id.attr("type") != tc.typ {
				t.Fatalf("identity %+v", id)
			}
			var features []string
			for _, ch := range p.Children {
				if ch.XMLName.Local == "feature" {
					features = append(features, ch.attr("var"))
				}
			}
			if !slices.Contains(features, tc.feature) || !slices.Contains(features, nsDiscoInfo) {
				t.Fatalf("features %v lack %s", features, tc.feature)
			}
		})
	}
}

// TestDiscoItemsServer: the server's items list its MUC service.
func TestDiscoItemsServer(t *testing.T) {
	ts := startServer(t, nil)
	c := ts.login(t, 5, "", true)
	c.write(`<iq type='get' id='i1' to='localhost'><query xmlns='` + cube.NSDiscoItems + `'/></iq>`)
	iq := c.nextIQ()
	p := iq.payload()
	if iq.Type != "result" || p == nil || p.XMLName.Space != cube.NSDiscoItems {
		t.Fatalf("want a disco#items result, got %+v", iq)
	}
	if it := p.child("item"); it == nil || it.attr("jid") != "muc.localhost" {
		t.Fatalf("items %+v", p.Children)
	}
}
