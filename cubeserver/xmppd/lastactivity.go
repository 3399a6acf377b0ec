package xmppd

import (
	"context"
	"encoding/xml"
	"sync"
	"time"

	"github.com/cubechat/cubechat/cube"
)

// Last activity (XEP-0012) and ConnectyCube's status_streaming subscriptions
// (docs/protocol.md §8.13). A user's connect and disconnect are their first resource
// binding and their last resource going; the query answers 0 while the user is online,
// else the seconds since the last disconnect (at least 1). Subscribers get the
// recommended push, <iq type="result" from="{user}" to="{subscriber}"><query
// xmlns="jabber:iq:last" seconds="N"/></iq>, with 0 when the user connects and 1 when
// they disconnect.

// lastQuery is the jabber:iq:last payload of answers and pushes.
type lastQuery struct {
	XMLName xml.Name `xml:"jabber:iq:last query"`
	Seconds int64    `xml:"seconds,attr"`
}

// lastActivitySubs maps a watched user to the sessions subscribed to them; a
// subscription lives as long as the subscriber's session.
type lastActivitySubs struct {
	mu       sync.Mutex
	byTarget map[int64]map[*session]struct{}
}

func (l *lastActivitySubs) set(sub *session, target int64, on bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	subs := l.byTarget[target]
	if on {
		if subs == nil {
			subs = map[*session]struct{}{}
			l.byTarget[target] = subs
		}
		subs[sub] = struct{}{}
		return
	}
	delete(subs, sub)
	if len(subs) == 0 {
		delete(l.byTarget, target)
	}
}

func (l *lastActivitySubs) subscribers(target int64) []*session {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := make([]*session, 0, len(l.byTarget[target]))
	for s := range l.byTarget[target] {
		out = append(out, s)
	}
	return out
}

// drop ends every subscription of a session that is going away.
func (l *lastActivitySubs) drop(sub *session) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for target, subs := range l.byTarget {
		delete(subs, sub)
		if len(subs) == 0 {
			delete(l.byTarget, target)
		}
	}
}

// presenceCtx bounds the connect/disconnect bookkeeping. It does not derive from the
// server context: a disconnect during Close must still be recorded (Close waits for
// the connections before the owner closes the store).
func presenceCtx() (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), 5*time.Second)
}

// userConnected records the user's first resource and tells the subscribers.
func (s *Server) userConnected(userID int64) {
	ctx, cancel := presenceCtx()
	defer cancel()
	if err := s.backend.RecordConnect(ctx, userID, time.Now()); err != nil {
		s.log.Warn("xmpp record connect", "user", userID, "err", err)
	}
	s.pushLastActivity(ctx, userID, 0)
}

// sessionEnded unregisters a session, ends its subscriptions, tells the user's other
// resources it left and, when it was the user's last one, records the disconnect and
// tells the subscribers.
func (s *Server) sessionEnded(sess *session) {
	unlock := s.reg.lockUser(sess.userID)
	last := s.reg.remove(sess)
	unlock()
	s.lastSub.drop(sess)
	s.ownSessionEnded(sess)
	if !last {
		return
	}
	ctx, cancel := presenceCtx()
	defer cancel()
	if err := s.backend.RecordDisconnect(ctx, sess.userID, time.Now()); err != nil {
		s.log.Warn("xmpp record disconnect", "user", sess.userID, "err", err)
	}
	s.pushLastActivity(ctx, sess.userID, offlineSeconds)
}

// offlineSeconds is the least "seconds since last activity" of an offline user: 0 means
// online in jabber:iq:last, so a user who left a moment ago reads as 1 second, and a
// client can tell the two pushes apart.
const offlineSeconds = 1

// pushLastActivity sends seconds (0 when the user connects, offlineSeconds when they
// leave) to every subscriber of the user whom privacy lets see it.
func (s *Server) pushLastActivity(ctx context.Context, userID, seconds int64) {
	from := s.userJID(userID)
	for _, sub := range s.lastSub.subscribers(userID) {
		if !s.lastActivityVisible(ctx, sub, userID) || !s.mayReceive(ctx, sub.userID, sub, cube.PrivacyIQ, from) {
			continue
		}
		sub.sendStanza(iqReply{Type: "result", ID: cube.NewObjectID(), From: from, To: sub.jid, Payload: lastQuery{Seconds: seconds}})
	}
}

// lastActivityVisible tells whether the asker may learn the target's last activity:
// the asker's own list must not mutually block the target, and the target's default
// list must accept the asker's IQs.
func (s *Server) lastActivityVisible(ctx context.Context, asker *session, target int64) bool {
	if asker.userID == target {
		return true
	}
	return s.maySend(ctx, asker.userID, asker, s.userJID(target)) &&
		s.mayReceive(ctx, target, nil, cube.PrivacyIQ, asker.jid)
}

// handleLastQuery answers <query xmlns="jabber:iq:last"/> to a user (or the server,
// which answers its uptime as XEP-0012 describes).
func (c *conn) handleLastQuery(s *session, iq *iqStanza) {
	if iq.Type != "get" {
		c.rejectIQ(s, iq, "modify", "400", "bad-request", "last activity is a get")
		return
	}
	if iq.To == "" || iq.To == c.srv.cfg.Domain {
		s.sendStanza(iqReply{Type: "result", ID: iq.ID, From: c.srv.cfg.Domain,
			Payload: lastQuery{Seconds: int64(time.Since(c.srv.started).Seconds())}})
		return
	}
	uid, ok := c.srv.recipient(iq.To)
	if !ok {
		c.rejectIQ(s, iq, "cancel", "404", "item-not-found", "no such user")
		return
	}
	ctx, cancel := c.backendCtx()
	defer cancel()
	if !c.srv.lastActivityVisible(ctx, s, uid) {
		c.rejectIQ(s, iq, "cancel", "503", "service-unavailable", "")
		return
	}
	var seconds int64
	if !c.srv.Online(uid) {
		seen, err := c.srv.backend.LastSeen(ctx, uid)
		if err != nil {
			if isNotFound(err) {
				c.rejectIQ(s, iq, "cancel", "404", "item-not-found", "the user has never been online")
				return
			}
			c.log.Error("xmpp last seen", "user", uid, "err", err)
			c.rejectIQ(s, iq, "wait", "500", "internal-server-error", "")
			return
		}
		seconds = max(offlineSeconds, int64(time.Since(seen).Seconds()))
	}
	s.sendStanza(iqReply{Type: "result", ID: iq.ID, From: iq.To, Payload: lastQuery{Seconds: seconds}})
}

// handleStatusStreaming (un)subscribes the session to a user's connects and
// disconnects: <subscribe xmlns=".../status_streaming" user_jid="…" enable="true"/>.
func (c *conn) handleStatusStreaming(s *session, iq *iqStanza, p *node) {
	if iq.Type != "set" {
		c.rejectIQ(s, iq, "modify", "400", "bad-request", "subscribe is a set")
		return
	}
	uid, ok := c.srv.recipient(p.attr("user_jid"))
	if !ok {
		c.rejectIQ(s, iq, "modify", "400", "bad-request", "user_jid is not a user of this app")
		return
	}
	var on bool
	switch p.attr("enable") {
	case "true":
		on = true
	case "false":
	default:
		c.rejectIQ(s, iq, "modify", "400", "bad-request", `enable must be "true" or "false"`)
		return
	}
	c.srv.lastSub.set(s, uid, on)
	s.sendStanza(iqReply{Type: "result", ID: iq.ID})
}
