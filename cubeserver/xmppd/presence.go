package xmppd

import (
	"github.com/cubechat/cubechat/cube"
)

// handlePresence: broadcast presence goes to the user's other resources
// (own_presence.go), and initial presence flushes the offline queue; presence to a
// room is a MUC join or leave; other presence (subscriptions, directed) is ignored.
func (c *conn) handlePresence(s *session, p *presenceStanza) {
	if p.To == "" {
		if isOwnBroadcast(p) {
			c.srv.broadcastOwnPresence(s, p)
		}
		if p.Type == "" {
			c.flushOffline(s)
		}
		return
	}
	if cube.IsRoomJID(p.To) {
		c.handleMUCPresence(s, p)
	}
}

// flushOffline hands the user's queued stanzas, in order and as one write, to the
// first session that sends initial presence — or, for a client that never does, to
// the session whose OfflineFlushDelay after bind ran out first. Each session tries
// once; TakeOffline empties the queue, so a second session finds nothing.
func (c *conn) flushOffline(s *session) {
	s.flushOnce.Do(func() {
		unlock := c.srv.reg.lockUser(s.userID)
		defer unlock()
		ctx, cancel := c.backendCtx()
		defer cancel()
		queued, err := c.srv.backend.TakeOffline(ctx, s.userID)
		if err != nil {
			c.log.Error("xmpp take offline", "user", s.userID, "err", err)
			return
		}
		if len(queued) == 0 {
			return
		}
		if s.sendBatch(queued) {
			c.log.Info("xmpp offline messages delivered", "jid", s.jid, "count", len(queued))
			return
		}
		// The session closed meanwhile: put everything back, in order.
		for _, b := range queued {
			if err := c.srv.backend.QueueOffline(ctx, s.userID, b); err != nil {
				c.log.Error("xmpp requeue offline", "user", s.userID, "err", err)
			}
		}
	})
}
