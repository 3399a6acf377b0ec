package xmppd

import (
	"context"

	"github.com/cubechat/cubechat/cube"
)

// addressedSession is the online session a 1-1 stanza names by its full JID, or nil
// for a bare JID or a resource that is not online (then every resource gets it).
func addressedSession(sessions []*session, to string) *session {
	if cube.JIDResource(to) == "" {
		return nil
	}
	for _, t := range sessions {
		if t.jid == to {
			return t
		}
	}
	return nil
}

// sendReceivedCarbons copies a 1-1 stanza that was delivered only to the resource it
// named (target) to the recipient's other resources that enabled carbons (XEP-0280
// <received/>), privacy permitting, so every device of the user sees the
// conversation. The wrapper comes from the recipient's bare JID: clients trust only
// carbons from their own account.
func (s *Server) sendReceivedCarbons(ctx context.Context, origin *session, rid int64, target *session, m *cube.MessageStanza) {
	if isPrivate(m) {
		return
	}
	for _, t := range s.reg.sessions(rid) {
		if t == target || t == origin || !t.carbons.Load() {
			continue
		}
		if !s.mayReceive(ctx, rid, t, cube.PrivacyMessage, m.From) {
			continue
		}
		inner := *m
		wrap := cube.MessageStanza{From: s.userJID(rid), To: t.jid, Type: m.Type, CarbonReceived: &cube.CarbonElem{}}
		wrap.CarbonReceived.Forwarded.Message = &inner
		t.sendStanza(&wrap)
	}
}
