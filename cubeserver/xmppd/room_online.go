package xmppd

import (
	"encoding/xml"
	"slices"
	"strconv"

	"github.com/cubechat/cubechat/cube"
)

// XEP-0030's items query (cube.NSDiscoItems) sent to a room asks who is in it: the JS
// SDK's muc.listOnlineUsers reads the user id from each item's jid resource.

type discoItems struct {
	XMLName xml.Name    `xml:"http://jabber.org/protocol/disco#items query"`
	Items   []discoItem `xml:"item"`
}

type discoItem struct {
	JID string `xml:"jid,attr"`
}

// isRoomItemsQuery tells whether iq asks a room for its items.
func (c *conn) isRoomItemsQuery(iq *iqStanza) bool {
	p := iq.payload()
	if iq.Type != "get" || p == nil || p.XMLName.Space != cube.NSDiscoItems || p.XMLName.Local != "query" {
		return false
	}
	_, ok := c.srv.roomDialogID(iq.To)
	return ok
}

// handleRoomItems answers a room's items query with one {room}/{userId} item per
// occupant who has a live session, the asker included, in id order. Who may ask is who
// may join the room (roomAdmits); others get the same error as a refused join.
func (c *conn) handleRoomItems(s *session, iq *iqStanza) {
	d, serr := c.occupiedDialog(iq.To, s.userID, true)
	if serr != nil {
		c.rejectIQ(s, iq, serr.typ, serr.code, serr.cond, serr.text)
		return
	}
	room := c.srv.roomJID(d.ID)
	ids := slices.Clone(d.OccupantsIDs)
	slices.Sort(ids)
	res := discoItems{Items: []discoItem{}}
	for _, uid := range slices.Compact(ids) {
		if c.srv.Online(uid) {
			res.Items = append(res.Items, discoItem{JID: room + "/" + strconv.FormatInt(uid, 10)})
		}
	}
	s.sendStanza(iqReply{Type: "result", ID: iq.ID, From: room, Payload: res})
}
