package xmppd

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/xml"
	"strconv"
	"time"

	"github.com/cubechat/cubechat/cube"
)

// Stream management (XEP-0198, docs/protocol.md §8.15). After bind the client may
// send <enable/>; from then on both sides count the stanzas they handle. The server
// answers <r/> with <a h/> (stanzas read from the client, modulo 2^32), asks for the
// client's count with <r/> whenever its writer has caught up with a burst (at most one
// request in flight), and keeps every stanza it sent until an <a h/> covers it.
//
// With resume="true" the session outlives a dropped connection (not a clean
// </stream:stream>, not a stream error of ours) for Config.ResumeWindow: it stays
// registered, detached, and keeps what is routed to it. A new stream may <resume/>
// it after SASL instead of binding: the server answers <resumed h/> and resends what
// the client's h does not cover. When a session ends with unacknowledged messages
// (the window ran out, or it was never resumable), each content chat message among
// them goes where an undelivered one goes: to the user's sessions that bound after it
// was sent, or, with none online, into the offline queue with its <delay/> stamp.
// Other stanzas (group messages, signals, IQs) are not queued, as for offline users.

// smState is a session's stream management; guarded by session.mu.
type smState struct {
	in        uint32    // stanzas handled from the client (the h we report)
	acked     uint32    // stanzas of ours the client acknowledged
	unacked   []smEntry // sent, not acknowledged, oldest first (seq acked+1…)
	bytes     int       // bytes held in unacked
	requested bool      // an <r/> of ours awaits its <a/>
	resumable bool
	noResume  bool        // the client fell too far behind: end instead of detaching
	id        string      // resumption id (resumable only)
	expiry    *time.Timer // while detached
	resuming  bool        // a <resume/> is taking the session over
}

// smEntry is one unacknowledged stanza.
type smEntry struct {
	b     []byte
	at    time.Time // when it was sent
	binds uint64    // registry.binds then: later sessions never saw it
}

var (
	smRequest = []byte(`<r xmlns="` + nsSM + `"/>`)
	smFeature = `<sm xmlns="` + nsSM + `"/>`
)

// keep records stanzas as sent and unacknowledged; false when that would hold more
// than maxBytes (the client does not acknowledge).
func (sm *smState) keep(stanzas [][]byte, binds uint64, maxBytes int) bool {
	n := 0
	for _, b := range stanzas {
		n += len(b)
	}
	if sm.bytes+n > maxBytes {
		return false
	}
	now := time.Now()
	for _, b := range stanzas {
		sm.unacked = append(sm.unacked, smEntry{b: b, at: now, binds: binds})
	}
	sm.bytes += n
	return true
}

// ack drops what the client's h covers and says how many that was; false when h
// counts more than was sent.
func (sm *smState) ack(h uint32) (dropped int, ok bool) {
	n := h - sm.acked // modulo 2^32, as the counters wrap
	if uint64(n) > uint64(len(sm.unacked)) {
		return 0, false
	}
	for _, e := range sm.unacked[:n] {
		sm.bytes -= len(e.b)
	}
	sm.unacked = append([]smEntry(nil), sm.unacked[n:]...)
	sm.acked = h
	return int(n), true
}

// sent is the count of stanzas sent since <enable/>, modulo 2^32.
func (sm *smState) sent() uint32 { return sm.acked + uint32(len(sm.unacked)) }

// handled counts one stanza read from the client (after it was processed).
func (s *session) handled() {
	s.mu.Lock()
	if s.sm != nil {
		s.sm.in++
	}
	s.mu.Unlock()
}

// ackRequestDue tells the writer of l to follow what it wrote with <r/>: stream
// management is on, something is unacknowledged and no request is in flight.
func (s *session) ackRequestDue(l *link) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.sm == nil || s.link != l || s.sm.requested || len(s.sm.unacked) == 0 {
		return false
	}
	s.sm.requested = true
	return true
}

// handleSM answers the stream management elements of a bound session.
func (c *conn) handleSM(s *session, start xml.StartElement) error {
	switch start.Name.Local {
	case "enable":
		c.enableSM(s, start)
	case "r":
		s.mu.Lock()
		on, h := s.sm != nil, uint32(0)
		if on {
			h = s.sm.in
		}
		s.mu.Unlock()
		if on {
			s.sendNonza([]byte(`<a xmlns="` + nsSM + `" h="` + strconv.FormatUint(uint64(h), 10) + `"/>`))
		}
	case "a":
		h, err := strconv.ParseUint(attrOf(start, "h"), 10, 32)
		if err != nil {
			return &streamErr{condUndefined, "<a/> needs h, a count of stanzas"}
		}
		return c.ackSM(s, uint32(h))
	case "resume":
		s.sendNonza(smFailed("unexpected-request", ""))
	}
	return nil
}

// enableSM answers <enable/>: <enabled/> (with an id and the window when resume is
// asked), or <failed/> when it is already on.
func (c *conn) enableSM(s *session, start xml.StartElement) {
	resume := attrOf(start, "resume") == "true" || attrOf(start, "resume") == "1"
	window := c.srv.cfg.ResumeWindow
	if v, err := strconv.Atoi(attrOf(start, "max")); err == nil && v > 0 && time.Duration(v)*time.Second < window {
		window = time.Duration(v) * time.Second
	}
	s.mu.Lock()
	if s.sm != nil {
		s.mu.Unlock()
		s.sendNonza(smFailed("unexpected-request", ""))
		return
	}
	sm := &smState{resumable: resume}
	if resume {
		sm.id = newResumeID()
	}
	s.sm = sm
	// <enabled/> goes on the queue under the lock, so no stanza counted after it
	// reaches the client before it.
	reply := `<enabled xmlns="` + nsSM + `"`
	if resume {
		reply += ` id="` + sm.id + `" resume="true" max="` + strconv.Itoa(int(window/time.Second)) + `"`
	}
	reply += `/>`
	if l := s.link; l != nil && !l.closed {
		select {
		case l.out <- outItem{b: []byte(reply)}:
			l.queued += len(reply)
		default:
		}
	}
	s.mu.Unlock()
	if resume {
		c.srv.resumable.add(sm.id, s, window)
	}
	c.log.Info("xmpp stream management on", "jid", s.jid, "resume", resume)
}

// ackSM applies the client's <a h/> and asks again when more is unacknowledged.
func (c *conn) ackSM(s *session, h uint32) error {
	s.mu.Lock()
	if s.sm == nil {
		s.mu.Unlock()
		return nil
	}
	sent := s.sm.sent()
	dropped, ok := s.sm.ack(h)
	if !ok {
		s.mu.Unlock()
		return &streamErr{condUndefined, "handled-count-too-high: h=" + strconv.FormatUint(uint64(h), 10) + " but sent " + strconv.FormatUint(uint64(sent), 10)}
	}
	s.sm.requested = false
	// Ask again only while acks make progress: a client whose count lags (one that
	// answers some stanzas without counting them) must not start an endless r/a loop;
	// the next burst asks again anyway.
	again := dropped > 0 && len(s.sm.unacked) > 0
	if again {
		s.sm.requested = true
	}
	s.mu.Unlock()
	if again {
		s.sendNonza(smRequest)
	}
	return nil
}

// smFailed renders <failed/> with a stanza error condition; h (the client's stanzas
// the server handled) is added when known.
func smFailed(cond, h string) []byte {
	var b bytes.Buffer
	b.WriteString(`<failed xmlns="` + nsSM + `"`)
	if h != "" {
		b.WriteString(` h="` + h + `"`)
	}
	b.WriteString(`><` + cond + ` xmlns="` + cube.NSStanzas + `"/></failed>`)
	return b.Bytes()
}

func newResumeID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// attrOf is the value of the start element's attribute with this local name, or "".
func attrOf(start xml.StartElement, local string) string {
	for _, a := range start.Attr {
		if a.Name.Local == local {
			return a.Value
		}
	}
	return ""
}
