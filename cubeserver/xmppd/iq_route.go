package xmppd

import (
	"encoding/xml"
	"strings"

	"github.com/cubechat/cubechat/cube"
)

// IQs addressed to users (RFC 6121 §8.5). To a full JID (another user's resource, or
// another resource of the sender) the request is routed to that resource from the
// sender's full JID, and its result or error comes back the same way; a resource
// that is not online gets service-unavailable (§8.5.3.2.2) and an answer to one is
// dropped. To another user's bare JID the server answers on the account's behalf
// (§8.5.2.1.3): ping, last activity (lastactivity.go) and disco (disco.go); every
// other namespace, and any account that does not exist (§8.5.1), gets
// service-unavailable. Privacy lists apply as to messages: a request the recipient's
// list refuses, or to someone the sender's list blocks both ways, bounces with
// service-unavailable; a refused answer is dropped. A payload that re-encodes over
// the stanza limit is refused with policy-violation, like a message's children.

// iqForward is a routed IQ: the payload (and error) as the sender wrote them.
type iqForward struct {
	XMLName  xml.Name       `xml:"jabber:client iq"`
	Type     string         `xml:"type,attr"`
	ID       string         `xml:"id,attr,omitempty"`
	From     string         `xml:"from,attr"`
	To       string         `xml:"to,attr"`
	Children []cube.XMLElem `xml:",any"`
}

// routeIQ handles a get or set for another user or another resource; false when
// the IQ is for the server or the sender's own account (answered by handleIQ).
func (c *conn) routeIQ(s *session, iq *iqStanza) bool {
	if iq.To == "" || iq.To == s.jid {
		return false
	}
	uid, ok := c.srv.recipient(iq.To)
	if !ok {
		return false
	}
	if cube.JIDResource(iq.To) == "" {
		if uid == s.userID {
			return false
		}
		c.answerForAccount(s, iq, uid)
		return true
	}
	target := c.iqTarget(s, uid, iq.To)
	if target == nil {
		c.rejectIQ(s, iq, "cancel", "503", "service-unavailable", "")
		return true
	}
	if !c.forwardIQ(s, iq, target) {
		c.rejectIQ(s, iq, errChildrenTooLarge.typ, errChildrenTooLarge.code, errChildrenTooLarge.cond, "the request is too large to relay")
	}
	return true
}

// relayIQAnswer passes a result or error to the resource that asked; answers to the
// server, to an account or to a resource that left are dropped (nothing waits there).
func (c *conn) relayIQAnswer(s *session, iq *iqStanza) {
	if iq.To == "" || iq.To == s.jid || cube.JIDResource(iq.To) == "" {
		return
	}
	uid, ok := c.srv.recipient(iq.To)
	if !ok {
		return
	}
	if target := c.iqTarget(s, uid, iq.To); target != nil {
		_ = c.forwardIQ(s, iq, target) // an answer too large to relay is dropped
	}
}

// iqTarget is the online session with full JID to of user uid that may receive an
// IQ from s, or nil.
func (c *conn) iqTarget(s *session, uid int64, to string) *session {
	target := addressedSession(c.srv.reg.sessions(uid), to)
	if target == nil || uid == s.userID {
		return target
	}
	ctx, cancel := c.backendCtx()
	defer cancel()
	if !c.srv.maySend(ctx, s.userID, s, c.srv.userJID(uid)) || !c.srv.mayReceive(ctx, uid, target, cube.PrivacyIQ, s.jid) {
		c.log.Info("xmpp iq refused by privacy", "jid", s.jid, "to", to)
		return nil
	}
	return target
}

// forwardIQ relays iq to target from s; false when it re-encodes over the stanza
// limit (see checkChildren) and was not sent.
func (c *conn) forwardIQ(s *session, iq *iqStanza, target *session) bool {
	fwd := iqForward{Type: iq.Type, ID: iq.ID, From: s.jid, To: target.jid}
	for _, n := range iq.Payload {
		fwd.Children = append(fwd.Children, nodeElem(n))
	}
	b, err := marshal(fwd)
	if err != nil || len(b) > c.srv.cfg.MaxStanzaBytes {
		c.log.Info("xmpp iq not relayed", "jid", s.jid, "to", target.jid, "id", iq.ID, "bytes", len(b), "err", err)
		return false
	}
	target.send(b)
	return true
}

// answerForAccount answers a get or set to another user's bare JID.
func (c *conn) answerForAccount(s *session, iq *iqStanza, uid int64) {
	if serr := c.accountAnswers(s, uid); serr != nil {
		c.rejectIQ(s, iq, serr.typ, serr.code, serr.cond, serr.text)
		return
	}
	p := iq.payload()
	if p.XMLName.Space == cube.NSPing && p.XMLName.Local == "ping" && iq.Type == "get" {
		s.sendStanza(iqReply{Type: "result", ID: iq.ID, From: iq.To})
		return
	}
	c.rejectIQ(s, iq, "cancel", "503", "service-unavailable", "")
}

// nodeElem turns a generically read payload back into an element to relay: names,
// namespaces, attributes, children and text are kept. node does not record where
// text sits among children, so text mixed with child elements (no IQ protocol uses
// that) is written before them; whitespace between children is dropped.
func nodeElem(n node) cube.XMLElem {
	e := cube.XMLElem{Name: n.XMLName}
	for _, a := range n.Attrs {
		if a.Name.Space == "xmlns" || (a.Name.Space == "" && a.Name.Local == "xmlns") {
			continue // declarations: the encoder writes its own
		}
		e.Attrs = append(e.Attrs, a)
	}
	if len(n.Children) == 0 || strings.TrimSpace(n.Text) != "" {
		if n.Text != "" {
			e.Nodes = append(e.Nodes, cube.XMLNode{Text: n.Text})
		}
	}
	for _, ch := range n.Children {
		child := nodeElem(ch)
		e.Nodes = append(e.Nodes, cube.XMLNode{Elem: &child})
	}
	return e
}
