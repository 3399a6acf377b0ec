package xmppd

import (
	"encoding/xml"
	"slices"

	"github.com/cubechat/cubechat/cube"
)

// Message children the server does not model (cube.MessageStanza.Other) are relayed
// as the sender wrote them: receipts (XEP-0184), stable ids (XEP-0359), <thread/>,
// links (XEP-0066), private namespaces. They are never stored as message fields;
// only the offline queue keeps them, inside the queued stanza. The stanza size limit
// (Config.MaxStanzaBytes) bounds what is read; the re-encoding declares a namespace
// only where it changes, but escaping and empty elements written in full can still
// make it grow, so children that re-encode over the limit are refused (checkChildren):
// clients cap what they read (cube.MaxIncomingStanzaBytes), and a relayed stanza must
// not cost its recipient the connection.

// Namespaces of children that only a server writes.
const (
	nsLegacyDelay = "jabber:x:delay" // XEP-0091, obsolete form of urn:xmpp:delay
	nsStanzaID    = "urn:xmpp:sid:0" // XEP-0359 <stanza-id by=…/> (its <origin-id/> is the client's)
)

// withoutServerOnly drops the children a client may not forge: a legacy delay stamp,
// and stanza ids that claim to come from this server, its rooms or its users' archives (XEP-0359
// §5: a server removes those before adding its own).
func (s *Server) withoutServerOnly(children []cube.XMLElem) []cube.XMLElem {
	return slices.DeleteFunc(children, func(e cube.XMLElem) bool {
		switch {
		case e.Name.Space == nsLegacyDelay && e.Name.Local == "x":
			return true
		case e.Name.Space == nsStanzaID && e.Name.Local == "stanza-id":
			by := cube.JIDDomain(elemAttr(e, "by")) // the server, a room or a user's archive here
			return by == s.cfg.Domain || by == "muc."+s.cfg.Domain
		}
		return false
	})
}

// errChildrenTooLarge refuses a message whose unmodelled children grow past the
// stanza limit when written again.
var errChildrenTooLarge = &stanzaErr{"modify", "406", "policy-violation", "the message's extension elements are too large"}

// checkChildren encodes the children once, as they will be relayed, and refuses them
// when that is over Config.MaxStanzaBytes or impossible.
func (s *Server) checkChildren(children []cube.XMLElem) *stanzaErr {
	n := 0
	for _, e := range children {
		b, err := xml.Marshal(e)
		if err != nil {
			return &stanzaErr{"modify", "400", "bad-request", "an extension element cannot be relayed"}
		}
		n += len(b)
	}
	if n > s.cfg.MaxStanzaBytes {
		return errChildrenTooLarge
	}
	return nil
}

// isPrivate tells whether the sender asked that the message not be carbon-copied
// (XEP-0280 §6: <private xmlns="urn:xmpp:carbons:2"/>).
func isPrivate(m *cube.MessageStanza) bool {
	return slices.ContainsFunc(m.Other, func(e cube.XMLElem) bool {
		return e.Name.Space == cube.NSCarbons && e.Name.Local == "private"
	})
}

// elemAttr is the value of an attribute of e in no namespace, or "".
func elemAttr(e cube.XMLElem, local string) string {
	for _, a := range e.Attrs {
		if a.Name.Space == "" && a.Name.Local == local {
			return a.Value
		}
	}
	return ""
}
