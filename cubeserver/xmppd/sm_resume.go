package xmppd

import (
	"encoding/xml"
	"errors"
	"strconv"
	"sync"
	"time"

	"github.com/cubechat/cubechat/cube"
)

// resumableSessions are the sessions that enabled resumption, by resumption id.
type resumableSessions struct {
	mu     sync.Mutex
	byID   map[string]*session
	window map[*session]time.Duration
}

func (r *resumableSessions) add(id string, s *session, window time.Duration) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.byID == nil {
		r.byID, r.window = map[string]*session{}, map[*session]time.Duration{}
	}
	r.byID[id] = s
	r.window[s] = window
}

func (r *resumableSessions) get(id string) (*session, time.Duration) {
	r.mu.Lock()
	defer r.mu.Unlock()
	s := r.byID[id]
	return s, r.window[s]
}

func (r *resumableSessions) forget(s *session) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for id, t := range r.byID {
		if t == s {
			delete(r.byID, id)
		}
	}
	delete(r.window, s)
}

func (r *resumableSessions) all() []*session {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]*session, 0, len(r.byID))
	for _, s := range r.byID {
		out = append(out, s)
	}
	return out
}

// releaseOutcome is what became of a session when its connection ended.
type releaseOutcome int

const (
	sessionEndedNow  releaseOutcome = iota // unregister it and place its unacknowledged messages
	sessionDetached                        // kept for a resumption
	sessionTakenOver                       // another connection resumed it already
)

func (o releaseOutcome) String() string {
	switch o {
	case sessionDetached:
		return "detached, resumable"
	case sessionTakenOver:
		return "resumed elsewhere"
	}
	return "ended"
}

// dropped tells whether err ended the stream by losing the connection (which a
// resumable session survives) rather than by a close or a stream error.
func dropped(err error) bool {
	var se *streamErr
	switch {
	case err == nil, errors.Is(err, errStreamClosed), errors.As(err, &se),
		errors.Is(err, errStanzaTooBig), errors.Is(err, errNotWellFormed), errors.Is(err, errBadNamespace):
		return false
	}
	return true
}

// release is called by c when its stream ended: the session's link over c gets its
// final bytes, and a resumable session that lost its connection is detached.
func (s *session) release(c *conn, err error, final []byte, stopping bool) releaseOutcome {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.link == nil || s.link.c != c {
		return sessionTakenOver
	}
	s.link.finishLocked(final)
	s.link = nil
	sm := s.sm
	if sm != nil && sm.resumable && !sm.noResume && !stopping && dropped(err) {
		_, window := s.srv.resumable.get(sm.id)
		sm.requested = false
		sm.expiry = time.AfterFunc(window, func() { s.srv.expireDetached(s) })
		return sessionDetached
	}
	s.ended = true
	return sessionEndedNow
}

// expireDetached ends a session whose resumption window ran out. It runs as server
// work, so Close waits for it (and after Close, Close itself does it).
func (srv *Server) expireDetached(s *session) {
	if !srv.addWork() {
		return
	}
	defer srv.wg.Done()
	srv.endDetached(s)
}

// endDetached ends s if it is still detached and nobody is resuming it.
func (srv *Server) endDetached(s *session) {
	s.mu.Lock()
	if s.ended || s.link != nil || (s.sm != nil && s.sm.resuming) {
		s.mu.Unlock()
		return
	}
	s.ended = true
	if s.sm != nil && s.sm.expiry != nil {
		s.sm.expiry.Stop()
	}
	s.mu.Unlock()
	srv.log.Info("xmpp resumption window over", "jid", s.jid)
	srv.endSession(s)
}

// endSession unregisters an ended session and places what it never had acknowledged.
func (srv *Server) endSession(s *session) {
	srv.resumable.forget(s)
	srv.sessionEnded(s)
	srv.placeUnacked(s)
}

// placeUnacked sends an ended session's unacknowledged content chat messages where
// undelivered ones go: the user's sessions bound after the message was sent (the
// others had their own copy), or the offline queue when none is online.
func (srv *Server) placeUnacked(s *session) {
	s.mu.Lock()
	var entries []smEntry
	if s.sm != nil {
		entries, s.sm.unacked, s.sm.bytes = s.sm.unacked, nil, 0
	}
	s.mu.Unlock()
	if len(entries) == 0 {
		return
	}
	ctx, cancel := presenceCtx() // also during Close, before the store is closed
	defer cancel()
	unlock := srv.reg.lockUser(s.userID)
	defer unlock()
	online := srv.reg.sessions(s.userID)
	placed := 0
	for _, e := range entries {
		var m cube.MessageStanza
		if xml.Unmarshal(e.b, &m) != nil || m.Type != cube.ChatType || !isContent(&m) || m.Sent != nil || m.CarbonReceived != nil {
			continue
		}
		if m.Delay == nil {
			m.Delay = &cube.DelayElem{From: srv.cfg.Domain, Stamp: e.at.UTC().Format(time.RFC3339)}
		}
		if len(online) == 0 {
			m.To = srv.userJID(s.userID)
			b, err := marshal(&m)
			if err == nil {
				err = srv.backend.QueueOffline(ctx, s.userID, b)
			}
			if err != nil {
				srv.log.Error("xmpp queue unacknowledged offline", "user", s.userID, "id", m.ID, "err", err)
				continue
			}
			placed++
			continue
		}
		for _, t := range online {
			if t.bindSeq > e.binds && t.deliverCopy(m) {
				placed++
			}
		}
	}
	srv.log.Info("xmpp unacknowledged messages placed", "jid", s.jid, "unacked", len(entries), "placed", placed, "online", len(online))
}

// resume answers <resume previd h/> on a freshly authenticated stream: the session
// is taken over (its old connection, if still there, is dropped first), acknowledged
// up to h and the rest resent after <resumed/>. nil, nil when it answered <failed/>.
func (c *conn) resume(start xml.StartElement) (*session, error) {
	if err := c.f.Skip(); err != nil {
		return nil, err
	}
	previd := attrOf(start, "previd")
	h, herr := strconv.ParseUint(attrOf(start, "h"), 10, 32)
	s, _ := c.srv.resumable.get(previd)
	if s == nil || s.userID != c.userID || herr != nil {
		c.log.Info("xmpp resume refused", "user", c.userID, "known", s != nil)
		return nil, c.f.Write(smFailed("item-not-found", ""))
	}
	old, ok := s.beginResume()
	if !ok {
		return nil, c.f.Write(smFailed("item-not-found", ""))
	}
	if old != nil {
		// The old connection has not noticed yet: drop it and wait until its reader
		// stopped, so the h we report counts everything it read.
		_ = old.c.f.Abort()
		select {
		case <-old.c.served:
		case <-time.After(5 * time.Second):
		}
	}
	in, ok := s.completeResume(c, uint32(h))
	if !ok {
		c.log.Info("xmpp resume with a count too high", "jid", s.jid, "h", h)
		c.srv.endDetached(s)
		return nil, c.f.Write(smFailed("undefined-condition", strconv.FormatUint(uint64(in), 10)))
	}
	c.log.Info("xmpp session resumed", "jid", s.jid, "h", h)
	return s, nil
}

// beginResume marks s as being resumed (so it neither expires nor is resumed twice)
// and takes its link away from the old connection, if any.
func (s *session) beginResume() (old *link, ok bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ended || s.sm == nil || s.sm.resuming {
		return nil, false
	}
	s.sm.resuming = true
	if s.sm.expiry != nil {
		s.sm.expiry.Stop()
		s.sm.expiry = nil
	}
	old = s.link
	if old != nil {
		old.finishLocked(nil)
		s.link = nil
	}
	return old, true
}

// completeResume attaches s to c: what h acknowledges is dropped, the rest queued
// after <resumed/> in one write. ok=false when h counts more than was sent (the
// session stays detached; the caller ends it); in is the server's own count.
func (s *session) completeResume(c *conn, h uint32) (in uint32, ok bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sm.resuming = false
	in = s.sm.in
	if s.ended {
		return in, false
	}
	if _, ok := s.sm.ack(h); !ok {
		return in, false
	}
	s.sm.requested = false
	l := s.attachLocked(c)
	b := []byte(`<resumed xmlns="` + nsSM + `" previd="` + s.sm.id + `" h="` + strconv.FormatUint(uint64(in), 10) + `"/>`)
	for _, e := range s.sm.unacked {
		b = append(b, e.b...)
	}
	l.out <- outItem{b: b, stanzas: len(s.sm.unacked) > 0} // the new link's queue is empty
	l.queued += len(b)
	return in, true
}

// addWork counts a piece of background work that Close must wait for; false once
// the server is closed.
func (srv *Server) addWork() bool {
	srv.mu.Lock()
	defer srv.mu.Unlock()
	if srv.closed {
		return false
	}
	srv.wg.Add(1)
	return true
}

// endAllDetached ends every session still waiting for a resumption (Close).
func (srv *Server) endAllDetached() {
	for _, s := range srv.resumable.all() {
		srv.endDetached(s)
	}
}
