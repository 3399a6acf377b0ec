package xmppd

import (
	"encoding/xml"

	"github.com/cubechat/cubechat/cube"
)

// Service discovery (XEP-0030) for standard clients: the server, its MUC service,
// the rooms a user may join and users' bare JIDs (answered by the server on the
// account's behalf) describe themselves with one identity and the features of
// features.go. A user's full JID is the client's to answer (iq_route.go). The JS
// SDK's room items query is room_online.go.

type discoInfo struct {
	XMLName    xml.Name        `xml:"http://jabber.org/protocol/disco#info query"`
	Node       string          `xml:"node,attr,omitempty"`
	Identities []discoIdentity `xml:"identity"`
	Features   []discoFeature  `xml:"feature"`
}

type discoIdentity struct {
	Category string `xml:"category,attr"`
	Type     string `xml:"type,attr"`
	Name     string `xml:"name,attr,omitempty"`
}

type discoFeature struct {
	Var string `xml:"var,attr"`
}

func newDiscoInfo(node string, id discoIdentity, features []string) discoInfo {
	info := discoInfo{Node: node, Identities: []discoIdentity{id}}
	for _, f := range features {
		info.Features = append(info.Features, discoFeature{Var: f})
	}
	return info
}

// isDiscoQuery tells whether iq is a disco#info or disco#items get.
func isDiscoQuery(iq *iqStanza) bool {
	p := iq.payload()
	return iq.Type == "get" && p != nil && p.XMLName.Local == "query" &&
		(p.XMLName.Space == nsDiscoInfo || p.XMLName.Space == cube.NSDiscoItems)
}

// handleDisco answers a disco query to the server, the MUC service, a room or a
// user's bare JID; it reports false for any other address (a full JID is routed).
func (c *conn) handleDisco(s *session, iq *iqStanza) bool {
	p := iq.payload()
	info := p.XMLName.Space == nsDiscoInfo
	node := p.attr("node")
	domain := c.srv.cfg.Domain
	answer := func(from string, payload any) {
		s.sendStanza(iqReply{Type: "result", ID: iq.ID, From: from, Payload: payload})
	}
	switch {
	case node != "" && (iq.To == "" || iq.To == domain || cube.JIDResource(iq.To) == ""):
		// No entity here has nodes (XEP-0030 §7: item-not-found for an unknown node).
		c.rejectIQ(s, iq, "cancel", "404", "item-not-found", "no such node")
	case iq.To == "" || iq.To == domain:
		if info {
			answer(domain, newDiscoInfo("", discoIdentity{Category: "server", Type: "im", Name: "cubeserver"}, serverFeatures))
		} else {
			answer(domain, discoItems{Items: []discoItem{{JID: "muc." + domain}}})
		}
	case iq.To == "muc."+domain:
		if info {
			answer(iq.To, newDiscoInfo("", discoIdentity{Category: "conference", Type: "text", Name: "Dialogs"}, mucFeatures))
		} else {
			answer(iq.To, discoItems{Items: []discoItem{}}) // rooms are private to their occupants
		}
	case c.isRoomJID(iq.To) && cube.JIDResource(iq.To) == "" && info:
		if _, serr := c.occupiedDialog(iq.To, s.userID, true); serr != nil {
			c.rejectIQ(s, iq, serr.typ, serr.code, serr.cond, serr.text)
			return true
		}
		answer(iq.To, newDiscoInfo("", discoIdentity{Category: "conference", Type: "text"}, mucFeatures))
	case cube.JIDResource(iq.To) == "":
		uid, ok := c.srv.recipient(iq.To)
		if !ok {
			return false
		}
		if serr := c.accountAnswers(s, uid); serr != nil {
			c.rejectIQ(s, iq, serr.typ, serr.code, serr.cond, serr.text)
			return true
		}
		if info {
			answer(iq.To, newDiscoInfo("", discoIdentity{Category: "account", Type: "registered"}, accountFeatures))
		} else {
			answer(iq.To, discoItems{Items: []discoItem{}})
		}
	default:
		return false
	}
	return true
}

func (c *conn) isRoomJID(jid string) bool {
	_, ok := c.srv.roomDialogID(jid)
	return ok
}

// accountAnswers checks that the server may answer an IQ on behalf of user uid's
// bare JID: the account exists and its privacy lists accept IQs from the asker
// (else, as for an unknown account, service-unavailable: RFC 6121 §8.5.1, XEP-0016).
func (c *conn) accountAnswers(s *session, uid int64) *stanzaErr {
	if uid == s.userID {
		return nil
	}
	ctx, cancel := c.backendCtx()
	defer cancel()
	exists, err := c.srv.backend.UserExists(ctx, uid)
	if err != nil {
		c.log.Error("xmpp user exists", "user", uid, "err", err)
		return errInternal
	}
	if !exists || !c.srv.maySend(ctx, s.userID, s, c.srv.userJID(uid)) || !c.srv.mayReceive(ctx, uid, nil, cube.PrivacyIQ, s.jid) {
		return errServiceUnavailable
	}
	return nil
}
