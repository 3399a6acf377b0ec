package xmppd

import (
	"slices"
	"testing"

	"github.com/cubechat/cubechat/cube"
)

// roomItems asks the room for its items as the JS SDK's muc.listOnlineUsers does and
// returns the item jids, or the error condition.
func roomItems(t *testing.T, c *rawClient, room, id string) (jids []string, errCond string) {
	t.Helper()
	c.write(`<iq type='get' id='` + id + `' to='` + room + `'><query xmlns='http://jabber.org/protocol/disco#items'/></iq>`)
	iq := c.nextIQ()
	if iq.ID != id {
		t.Fatalf("answer to %s has id %q", id, iq.ID)
	}
	if iq.Type == "error" {
		for _, p := range iq.Payload {
			if p.XMLName.Local == "error" && len(p.Children) > 0 {
				return nil, p.Children[0].XMLName.Local
			}
		}
		return nil, "error"
	}
	p := iq.payload()
	if iq.Type != "result" || p == nil || p.XMLName.Space != cube.NSDiscoItems || iq.From != room {
		t.Fatalf("answer %+v", iq)
	}
	for _, it := range p.Children {
		jids = append(jids, it.attr("jid"))
	}
	return jids, ""
}

// TestRoomItemsListOnlineOccupants: a room answers disco#items with its occupants that
// are online (not offline occupants, not online outsiders); an outsider is refused.
func TestRoomItemsListOnlineOccupants(t *testing.T) {
	ts := startServer(t, nil)
	d := cube.Dialog{ID: cube.NewObjectID(), Type: cube.DialogGroup, UserID: 5, OccupantsIDs: []int64{5, 6, 7}}
	ts.backend.addDialog(d)
	room := ts.srv.roomJID(d.ID)
	alice := ts.login(t, 5, "", true)
	ts.login(t, 6, "desk", true)
	ts.login(t, 6, "phone", true) // two resources, one item
	outsider := ts.login(t, 8, "", true)

	jids, cond := roomItems(t, alice, room, "q1")
	if want := []string{room + "/5", room + "/6"}; cond != "" || !slices.Equal(jids, want) {
		t.Fatalf("online occupants = %v (%s), want %v", jids, cond, want)
	}
	ts.login(t, 7, "", true)
	if jids, _ := roomItems(t, alice, room, "q2"); len(jids) != 3 {
		t.Fatalf("after carol signed in: %v", jids)
	}
	if _, cond := roomItems(t, outsider, room, "q3"); cond != "forbidden" {
		t.Fatalf("outsider's query: condition %q, want forbidden", cond)
	}
}
