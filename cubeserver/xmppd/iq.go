package xmppd

import (
	"github.com/cubechat/cubechat/cube"
)

// handleIQ answers the IQs a ConnectyCube client sends to its server: session, roster,
// ping, carbons, mobile#v2, privacy lists, last activity and its status_streaming
// subscription, a room's online occupants (disco#items, room_online.go) and service
// discovery (disco.go); IQs for other users and resources are routed (iq_route.go).
// Anything else gets service-unavailable, which the SDK reports as an error instead
// of hanging.
func (c *conn) handleIQ(s *session, iq *iqStanza) {
	if iq.Type == "result" || iq.Type == "error" {
		c.relayIQAnswer(s, iq) // the server sends no requests: answers go to users (iq_route.go)
		return
	}
	domain := c.srv.cfg.Domain
	p := iq.payload()
	if (iq.Type != "get" && iq.Type != "set") || p == nil {
		c.rejectIQ(s, iq, "modify", "400", "bad-request", "iq needs type get or set and one payload")
		return
	}
	if p.XMLName.Space == cube.NSLast && p.XMLName.Local == "query" {
		c.handleLastQuery(s, iq) // addressed to other users, so before the check below
		return
	}
	if c.isRoomItemsQuery(iq) {
		c.handleRoomItems(s, iq) // muc.listOnlineUsers; addressed to a room
		return
	}
	if isDiscoQuery(iq) && c.handleDisco(s, iq) {
		return
	}
	if c.routeIQ(s, iq) {
		return
	}
	if iq.To != "" && iq.To != domain && cube.BareJID(iq.To) != c.srv.userJID(s.userID) {
		c.rejectIQ(s, iq, "cancel", "503", "service-unavailable", "")
		return
	}
	ok := func() { s.sendStanza(iqReply{Type: "result", ID: iq.ID, From: iq.To}) }
	ns, name := p.XMLName.Space, p.XMLName.Local
	switch {
	case ns == nsSession && name == "session" && iq.Type == "set":
		ok()
	case ns == nsRoster && name == "query" && iq.Type == "get":
		s.sendStanza(iqReply{Type: "result", ID: iq.ID, From: iq.To, Payload: emptyRoster{}})
	case ns == cube.NSPing && name == "ping" && iq.Type == "get":
		ok()
	case ns == cube.NSCarbons && (name == "enable" || name == "disable") && iq.Type == "set":
		s.carbons.Store(name == "enable")
		ok()
	case ns == cube.NSMobile && name == "mobile" && iq.Type == "set":
		c.setActive(s, iq, p)
	case ns == cube.NSPrivacy && name == "query":
		c.handlePrivacy(s, iq, p)
	case ns == cube.NSStatusStreaming && name == "subscribe":
		c.handleStatusStreaming(s, iq, p)
	case ns == nsBind && name == "bind":
		c.rejectIQ(s, iq, "cancel", "405", "not-allowed", "resource already bound")
	default:
		c.rejectIQ(s, iq, "cancel", "503", "service-unavailable", "")
	}
}

// setActive handles Tigase mobile#v2: enable="true" means the client went to the
// background (inactive, wants pushes); "false" means it is active again.
func (c *conn) setActive(s *session, iq *iqStanza, p *node) {
	var active bool
	switch p.attr("enable") {
	case "true":
		active = false
	case "false":
		active = true
	default:
		c.rejectIQ(s, iq, "modify", "400", "bad-request", `enable must be "true" or "false"`)
		return
	}
	ctx, cancel := c.backendCtx()
	err := c.srv.backend.SetUserActive(ctx, s.userID, active)
	cancel()
	s.inactive.Store(!active) // alerts follow the session state even if the store failed
	if err != nil {
		c.log.Error("xmpp set user active", "user", s.userID, "err", err)
		c.rejectIQ(s, iq, "wait", "500", "internal-server-error", "")
		return
	}
	s.sendStanza(iqReply{Type: "result", ID: iq.ID, From: iq.To})
}

func (c *conn) rejectIQ(s *session, iq *iqStanza, typ, code, cond, text string) {
	var payload string
	if p := iq.payload(); p != nil {
		payload = p.XMLName.Space + " " + p.XMLName.Local
	}
	c.log.Info("xmpp iq rejected", "jid", s.jid, "id", iq.ID, "type", iq.Type, "payload", payload, "condition", cond)
	s.sendStanza(iqError(iq, iq.To, typ, code, cond, text))
}

// iqError builds the error answer to iq, from the address it was sent to.
func iqError(iq *iqStanza, from, typ, code, cond, text string) iqReply {
	return iqReply{Type: "error", ID: iq.ID, From: from, Error: cube.NewStanzaError(typ, code, cond, text)}
}
