package xmppd

import "sync"

// A user's own resources see each other's presence (RFC 6121 §4.2.2, §4.5.2). A
// session becomes available with its first broadcast presence (no to, no type): that
// presence, children as written, goes to the user's other available sessions, and
// theirs come to it. Later broadcasts go to the others too; unavailable presence, or
// the session ending, is told to them and makes the session unavailable again.
// Nothing goes to other users: accounts here have no rosters, so nobody is
// subscribed (the ConnectyCube SDKs read only MUC presence and last activity).

// ownPresence holds the last broadcast presence of every available session, so a
// newly available resource learns the others' current state. It costs at most one
// stanza (Config.MaxStanzaBytes) per session.
type ownPresence struct {
	mu        sync.Mutex
	available map[*session]presenceOut // made on first use
}

// broadcastOwnPresence handles a presence without to from session s: available
// (typ "") or unavailable.
func (s *Server) broadcastOwnPresence(from *session, p *presenceStanza) {
	out := presenceOut{ID: p.ID, Type: p.Type, From: from.jid, Lang: p.Lang, Other: p.Other}
	o := &s.ownPresence
	o.mu.Lock()
	_, wasAvailable := o.available[from]
	if p.Type == "unavailable" {
		delete(o.available, from)
	} else {
		if o.available == nil {
			o.available = map[*session]presenceOut{}
		}
		o.available[from] = out
	}
	// Who gets it, and (for a newly available session) what it gets, are read under
	// the same lock as the update: of two resources becoming available at once, at
	// least one sees the other, so neither misses the other's presence.
	var others []*session
	var theirs []presenceOut
	for t, tp := range o.available {
		if t != from && t.userID == from.userID {
			others = append(others, t)
			theirs = append(theirs, tp)
		}
	}
	o.mu.Unlock()
	if p.Type == "unavailable" && !wasAvailable {
		return // it was never announced
	}
	for _, t := range others {
		cp := out
		cp.To = t.jid
		t.sendStanza(cp)
	}
	if p.Type == "" && !wasAvailable {
		for _, tp := range theirs {
			tp.To = from.jid
			from.sendStanza(tp)
		}
	}
}

// ownSessionEnded tells the user's other available sessions that sess, if it was
// available, is gone.
func (s *Server) ownSessionEnded(sess *session) {
	s.ownPresence.mu.Lock()
	_, was := s.ownPresence.available[sess]
	s.ownPresence.mu.Unlock()
	if was {
		s.broadcastOwnPresence(sess, &presenceStanza{Type: "unavailable"})
	}
}

// isOwnBroadcast tells whether a presence without to is one the user's resources
// share: available or unavailable (subscription requests and probes are not).
func isOwnBroadcast(p *presenceStanza) bool {
	return p.To == "" && (p.Type == "" || p.Type == "unavailable")
}
