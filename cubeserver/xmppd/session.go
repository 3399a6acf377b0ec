package xmppd

import (
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cubechat/cubechat/cube"
)

// session is one bound resource: its full JID, its stream management state and the
// link to the connection that carries it. Routing from any connection only enqueues,
// so one slow client never blocks another; a client whose queue overflows is
// disconnected. With resumable stream management (sm.go) a session outlives its
// connection: it stays registered, detached, for Config.ResumeWindow, and a new
// connection may take it over with <resume/>.
type session struct {
	srv      *Server
	userID   int64
	resource string
	jid      string // full JID
	bindSeq  uint64 // registry.binds when it bound: tells sessions newer than a stanza

	carbons   atomic.Bool
	inactive  atomic.Bool // mobile#v2 enable="true": in the background, wants chat alerts
	flushOnce sync.Once   // the offline queue is flushed at most once per session
	first     bool        // the user had no other session when this one bound

	privacyMu sync.Mutex
	active    string // the session's active privacy list ("" = the default applies)

	mu         sync.Mutex
	link       *link // nil while detached, or once ended
	queue      int   // bounds of a link's queue: stanzas and bytes
	queueBytes int
	sm         *smState // nil until <enable/>
	ended      bool     // unregistered; nothing is accepted any more
}

// outItem is one write: its bytes, and whether they hold stanzas (after which a
// stream management client is asked for an ack) or only stream-level elements.
type outItem struct {
	b       []byte
	stanzas bool
}

// link is one connection's writer: a bounded queue and the goroutine that drains it.
type link struct {
	c      *conn
	out    chan outItem
	queued int // bytes in out, not yet written
	closed bool
	done   chan struct{} // closed when the writer has finished
}

func newSession(srv *Server, userID int64, resource, jid string, queue, queueBytes int) *session {
	return &session{srv: srv, userID: userID, resource: resource, jid: jid, queue: queue, queueBytes: queueBytes}
}

// attach gives the session a new link over c and returns it (its writer is not
// started yet: see writeLoop). The caller holds s.mu.
func (s *session) attachLocked(c *conn) *link {
	l := &link{c: c, out: make(chan outItem, s.queue), done: make(chan struct{})}
	s.link = l
	c.mu.Lock()
	c.sess, c.link = s, l
	c.mu.Unlock()
	return l
}

// attached tells whether a connection carries the session now (false while it waits
// detached for a resumption).
func (s *session) attached() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.link != nil
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

// send queues one stanza's bytes; false when the session can take nothing (closed,
// or overflowed). With stream management the stanza is also kept until the client
// acknowledges it, and a detached session keeps it for the resumption (true).
func (s *session) send(b []byte) bool {
	return s.enqueue(b, [][]byte{b})
}

// sendBatch queues several stanzas as one write (the offline flush), each counted
// on its own by stream management.
func (s *session) sendBatch(stanzas [][]byte) bool {
	var joined []byte
	for _, b := range stanzas {
		joined = append(joined, b...)
	}
	return s.enqueue(joined, stanzas)
}

// sendNonza queues a stream-level element that stream management does not count
// (<enabled/>, <r/>, <a/>, <failed/>).
func (s *session) sendNonza(b []byte) bool {
	return s.enqueue(b, nil)
}

// enqueue is send, sendBatch and sendNonza: b is written as one piece, stanzas are
// the stanzas it holds. The queue is bounded in stanzas and in bytes: a client that
// does not read what it is sent is disconnected rather than allowed to grow the
// server's memory; unacknowledged stanzas are bounded the same way (sm.go).
func (s *session) enqueue(b []byte, stanzas [][]byte) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ended {
		return false
	}
	kept := false
	if s.sm != nil && len(stanzas) > 0 {
		if !s.sm.keep(stanzas, s.srv.reg.binds.Load(), s.queueBytes) {
			s.overflowLocked("unacknowledged stanzas")
			return false
		}
		kept = true
	}
	l := s.link
	if l == nil || l.closed {
		return kept
	}
	if l.queued+len(b) <= s.queueBytes {
		select {
		case l.out <- outItem{b: b, stanzas: len(stanzas) > 0}:
			l.queued += len(b)
			return true
		default:
		}
	}
	s.overflowLocked("send queue")
	return kept
}

// overflowLocked cuts off a client that does not keep up: its link is closed and its
// connection dropped, and the session will not be resumed (what it has not
// acknowledged goes where undelivered messages go, sm.go).
func (s *session) overflowLocked(what string) {
	if s.sm != nil {
		s.sm.noResume = true
	}
	l := s.link
	if l == nil {
		return
	}
	s.srv.log.Warn("xmpp "+what+" overflow, disconnecting", "conn", l.c.id, "jid", s.jid,
		"queued_bytes", l.queued, "queued_stanzas", len(l.out))
	if !l.closed {
		l.closed = true
		close(l.out)
	}
	// Unblock the writer (it may sit in a slow Write) and the reader.
	_ = l.c.f.Abort()
}

// written releases n bytes of the link's budget once the writer has taken them.
func (s *session) written(l *link, n int) {
	s.mu.Lock()
	l.queued -= n
	s.mu.Unlock()
}

// queuedBytes is the bytes waiting for the writer.
func (s *session) queuedBytes() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.link == nil {
		return 0
	}
	return s.link.queued
}

// sendStanza marshals and queues any stanza struct.
func (s *session) sendStanza(v any) bool {
	b, err := marshal(v)
	if err != nil {
		s.srv.log.Error("xmpp marshal", "jid", s.jid, "err", err)
		return false
	}
	return s.send(b)
}

// finishLocked queues the last bytes of a link's stream (if any) and lets its writer
// drain. The caller holds s.mu.
func (l *link) finishLocked(final []byte) {
	if l.closed {
		return
	}
	if final != nil {
		select {
		case l.out <- outItem{b: final}:
			l.queued += len(final)
		default:
		}
	}
	l.closed = true
	close(l.out)
}

// finish is finishLocked for callers that do not hold the session's lock.
func (s *session) finish(l *link, final []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	l.finishLocked(final)
}

// writeLoop is the only writer of the link's connection. What is queued when it
// takes an item goes out with it in one write (up to writeCoalesceMax bytes): at a
// few thousand stanzas a second a write and a TLS record per stanza were a tenth of
// the server's CPU (docs/benchmarks.md, issue 10, round 4); the order on the wire is
// the queue's. Whenever it has written every stanza queued it asks a
// stream-management client to acknowledge what it has not yet acknowledged (sm.go),
// so acks follow bursts rather than every stanza; the request rides on the same
// write, after the stanzas.
func (s *session) writeLoop(l *link) {
	defer close(l.done)
	failed := false
	f := l.c.f
	var buf []byte // reused between writes
	for item := range l.out {
		var stanzas bool
		buf, stanzas = takeQueued(l.out, append(buf[:0], item.b...), item.stanzas)
		s.written(l, len(buf))
		if failed {
			continue // drain so that senders never see a full queue of a dead conn
		}
		if stanzas && len(l.out) == 0 && s.ackRequestDue(l) {
			buf = append(buf, smRequest...)
		}
		_ = f.SetWriteDeadline(time.Now().Add(writeTimeout))
		if err := f.Write(buf); err != nil {
			failed = true
			_ = f.Abort()
		}
		if cap(buf) > writeCoalesceMax {
			buf = nil // a large batch (an offline flush) does not keep its buffer
		}
	}
}

// writeCoalesceMax bounds the bytes writeLoop joins into one write.
const writeCoalesceMax = 64 << 10

// takeQueued appends to buf the items already queued on out, until it holds
// writeCoalesceMax bytes or the queue is empty (or closed: the caller's range then
// ends). stanzas tells whether any of them, or what buf held, is a stanza.
func takeQueued(out <-chan outItem, buf []byte, stanzas bool) ([]byte, bool) {
	for len(buf) < writeCoalesceMax {
		select {
		case next, ok := <-out:
			if !ok {
				return buf, stanzas
			}
			buf = append(buf, next.b...)
			stanzas = stanzas || next.stanzas
		default:
			return buf, stanzas
		}
	}
	return buf, stanzas
}

// registry maps user ids to their bound sessions.
type registry struct {
	mu    sync.RWMutex
	users map[int64]map[string]*session
	// userLocks serialise "is the user online? else queue offline" against
	// "register and flush the offline queue", so no message falls between them.
	userLocks [64]sync.Mutex
	// binds counts sessions ever bound; a session's bindSeq is its value at bind.
	binds atomic.Uint64
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
	s.bindSeq = r.binds.Add(1)
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
