package cube

import (
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"slices"

	"github.com/xmppo/go-xmpp"
)

// roomItemsQuery is XEP-0030's items query; sent to a group dialog's room it asks who is
// online there, as the JS SDK's muc.listOnlineUsers does (docs/protocol.md).
type roomItemsQuery struct {
	XMLName xml.Name       `xml:"http://jabber.org/protocol/disco#items query"`
	Items   []roomItemsJID `xml:"item"`
}

type roomItemsJID struct {
	JID string `xml:"jid,attr"`
}

// ListOnlineUsers returns the ids of a group dialog's occupants who are online now, in
// ascending order. Items the server lists that are not {room}/{userId} are skipped.
func (c *Chat) ListOnlineUsers(ctx context.Context, dialogID string) ([]int64, error) {
	if dialogID == "" {
		return nil, errors.New("cube: a dialog id is required")
	}
	iq, err := c.requestIQ(ctx, "get", RoomJID(c.cfg.AppID, dialogID, c.cfg.ChatDomain), roomItemsQuery{})
	if err != nil {
		return nil, fmt.Errorf("cube: online users of %s: %w", dialogID, err)
	}
	var q roomItemsQuery
	if err := decodeIQPayload(iq, &q); err != nil {
		return nil, err
	}
	ids := make([]int64, 0, len(q.Items))
	for _, it := range q.Items {
		if id, ok := SenderIDFromRoomJID(it.JID); ok {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	return slices.Compact(ids), nil
}

// handleDiscoItems hands a disco#items result to its waiter as an IQ: go-xmpp returns
// such results already parsed (xmpp.DiscoItems), without the raw query.
func (c *Chat) handleDiscoItems(cc *chatConn, d xmpp.DiscoItems) {
	q := roomItemsQuery{Items: make([]roomItemsJID, 0, len(d.Items))}
	for _, it := range d.Items {
		q.Items = append(q.Items, roomItemsJID{JID: it.Jid})
	}
	raw, err := xml.Marshal(q)
	if err != nil {
		c.log.Debug("chat disco items not re-encoded", "err", err)
		return
	}
	if !cc.iqs.resolve(xmpp.IQ{ID: d.ID, From: d.Jid, Type: "result", Query: raw}) {
		c.log.Debug("chat disco items without request", "id", d.ID, "from", d.Jid)
	}
}
