package xmppd

import (
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cubechat/cubechat/cube"
)

// session is one bound resource: its full JID and the queue of its writer goroutine.
// Routing from any connection only enqueues, so one slow client never blocks another;
// a client whose queue overflows is disconnected.
type session struct {
	c        *conn
	userID   int64
	resource string
	jid      string // full JID

	carbons   atomic.Bool
	inactive  atomic.Bool // mobile#v2 enable="true": in the background, wants chat alerts
	flushOnce sync.Once   // the offline queue is flushed at most once per session
	first     bool        // the user had no other session when this one bound

	privacyMu sync.Mutex
	active    string // the session's active privacy list ("" = the default applies)

	mu       sync.Mutex
	out      chan []byte
	queued   int // bytes in out, not yet written
	maxBytes int // bound of queued
	closed   bool
	done     chan struct{} // closed when the writer has finished
}

func newSession(c *conn, userID int64, resource, jid string, queue, queueBytes int) *session {
	return &session{c: c, userID: userID, resource: resource, jid: jid,
		out: make(chan []byte, queue), maxBytes: queueBytes, done: make(chan struct{})}
}

func (s *session) activeList() string {
	s.privacyMu.Lock()
	defer s.privacyMu.Unlock()
	return s.active
}

func (s *session) setActiveList(name string) {
	s.privacyMu.Lock()
	defer s.privacyMu.Unlock()
	s.active = name
}

// send queues raw element bytes; false when the session is closed or overflowed.
// The queue is bounded in stanzas and in bytes: a client that does not read what it
// is sent is disconnected rather than allowed to grow the server's memory.
func (s *session) send(b []byte) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return false
	}
	if s.queued+len(b) <= s.maxBytes {
		select {
		case s.out <- b:
			s.queued += len(b)
			return true
		default:
		}
	}
	s.closed = true
	close(s.out)
	s.c.srv.log.Warn("xmpp send queue overflow, disconnecting", "conn", s.c.id, "jid", s.jid,
		"queued_bytes", s.queued, "queued_stanzas", len(s.out))
	// Unblock the writer (it may sit in a slow Write) and the reader.
	_ = s.c.f.Abort()
	return false
}

// written releases n bytes of the queue's budget once the writer has taken them.
func (s *session) written(n int) {
	s.mu.Lock()
	s.queued -= n
	s.mu.Unlock()
}

// queuedBytes is the bytes waiting for the writer.
func (s *session) queuedBytes() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.queued
}

// sendStanza marshals and queues any stanza struct.
func (s *session) sendStanza(v any) bool {
	b, err := marshal(v)
	if err != nil {
		s.c.srv.log.Error("xmpp marshal", "conn", s.c.id, "err", err)
		return false
	}
	return s.send(b)
}

// finish queues the last bytes of the stream (if any) and lets the writer drain.
func (s *session) finish(final []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return
	}
	if final != nil {
		select {
		case s.out <- final:
			s.queued += len(final)
		default:
		}
	}
	s.closed = true
	close(s.out)
}

// writeLoop is the only writer of the connection once the session is bound.
func (s *session) writeLoop() {
	defer close(s.done)
	failed := false
	for b := range s.out {
		s.written(len(b))
		if failed {
			continue // drain so that senders never see a full queue of a dead conn
		}
		_ = s.c.f.SetWriteDeadline(time.Now().Add(writeTimeout))
		if err := s.c.f.Write(b); err != nil {
			failed = true
			_ = s.c.f.Abort()
		}
	}
}

// registry maps user ids to their bound sessions.
type registry struct {
	mu    sync.RWMutex
	users map[int64]map[string]*session
	// userLocks serialise "is the user online? else queue offline" against
	// "register and flush the offline queue", so no message falls between them.
	userLocks [64]sync.Mutex
}

func newRegistry() *registry {
	return &registry{users: map[int64]map[string]*session{}}
}

func (r *registry) lockUser(userID int64) func() {
	m := &r.userLocks[uint64(userID)%uint64(len(r.userLocks))]
	m.Lock()
	return m.Unlock
}

// sessions returns the user's sessions in a stable order (by resource).
func (r *registry) sessions(userID int64) []*session {
	r.mu.RLock()
	defer r.mu.RUnlock()
	res := r.users[userID]
	out := make([]*session, 0, len(res))
	for _, s := range res {
		out = append(out, s)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].resource < out[j].resource })
	return out
}

// taken tells whether the user already has a session with this resource.
func (r *registry) taken(userID int64, resource string) bool {
	r.mu.RLock()
	defer r.mu.RUnlock()
	_, ok := r.users[userID][resource]
	return ok
}

// add registers s unless its resource is taken; the caller holds the user lock.
func (r *registry) add(s *session) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	res := r.users[s.userID]
	if res == nil {
		res = map[string]*session{}
		r.users[s.userID] = res
	}
	if _, ok := res[s.resource]; ok {
		return false
	}
	res[s.resource] = s
	return true
}

// remove unregisters s and tells whether the user has no session left.
func (r *registry) remove(s *session) (last bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	res := r.users[s.userID]
	if res[s.resource] == s {
		delete(res, s.resource)
	}
	if len(res) == 0 {
		delete(r.users, s.userID)
		return true
	}
	return false
}

// deliverCopy addresses a copy of m to the session and queues it.
func (s *session) deliverCopy(m cube.MessageStanza) bool {
	m.To = s.jid
	return s.sendStanza(&m)
}
