package cube

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Stream management (XEP-0198, docs/protocol.md §8.15) as far as go-xmpp v0.4.1
// allows. go-xmpp knows nothing of it: it binds inside NewClient (no way to send
// <resume/> instead), offers no way to hand it a connection, and its Recv fails on
// any element it does not model. That failure is recoverable, though: Recv returns
// "unexpected XMPP message urn:xmpp:sm:3 <a/>" after reading only the start tag, and
// the next Recv skips the rest. So, when the server offers <sm/> (seen by the wire
// watch during the handshake):
//   - after bind we send <enable/> (without resume: a go-xmpp stream cannot be
//     resumed, so a dropped connection is a new session, and the server places what we
//     did not acknowledge in the offline queue at once);
//   - the reader turns those errors into <enabled/>, <failed/>, <r/> and <a/>; the h of
//     an <a/> is read from the raw bytes by the wire watch (smAcks), in wire order;
//   - we count stanzas Recv hands over and answer the server's <r/> with <a h/>
//     (stanzas go-xmpp answers itself, such as pings, are not counted: the server's
//     count then stays a little ahead, which costs nothing but a repeated stanza);
//   - Confirm sends <r/> and waits until an <a h/> covers every stanza written
//     before it, the outbox's proof that the server handled its messages.
//
// Without <sm/>, Confirm is a ping round trip (a stream is processed in order).

const nsSM = "urn:xmpp:sm:3"

// smErrPrefix is how go-xmpp's Recv reports a stream management element.
const smErrPrefix = "unexpected XMPP message " + nsSM + " <"

// smStanzaErrPrefix is a child of <failed/> (a stanza error condition), which go-xmpp
// reads as a top-level element of its own.
const smStanzaErrPrefix = "unexpected XMPP message " + NSStanzas + " <"

// smState is one connection's stream management.
type smState struct {
	mu      sync.Mutex
	asked   bool     // <enable/> written: from here on our stanzas count
	enabled bool     // <enabled/> received
	failed  bool     // <failed/> received (inFailed: its condition may follow)
	in      uint32   // stanzas handed over by Recv since <enabled/>
	out     uint32   // stanzas written since <enable/>
	acked   uint32   // the server's latest h
	waiters []smWait // Confirm calls waiting for an h
	// A server <r/> is answered by one goroutine at a time: asking says a request
	// waits for an answer, answering that the goroutine runs.
	asking, answering bool
}

type smWait struct {
	target uint32
	done   chan struct{}
}

// covers tells whether h counts at least target, modulo 2^32.
func covers(h, target uint32) bool { return int32(h-target) >= 0 }

// smElement reads a go-xmpp Recv error that is really a stream management element
// (or a condition inside <failed/>): its local name, and whether it is one.
func smElement(err error) (string, bool) {
	msg := err.Error()
	if rest, ok := strings.CutPrefix(msg, smErrPrefix); ok {
		return strings.TrimSuffix(rest, "/>"), true
	}
	if rest, ok := strings.CutPrefix(msg, smStanzaErrPrefix); ok {
		return "condition:" + strings.TrimSuffix(rest, "/>"), true
	}
	return "", false
}

// enableSM asks for stream management when the server offered it; the answer is
// read by the reader. Called right after the reader starts.
func (cc *chatConn) enableSM() error {
	if !cc.wire.smOffered.Load() {
		return nil
	}
	cc.writeMu.Lock()
	defer cc.writeMu.Unlock()
	if _, err := cc.client.SendOrg(`<enable xmlns="` + nsSM + `"/>`); err != nil {
		return fmt.Errorf("cube: chat send: %w", err)
	}
	cc.sm.mu.Lock()
	cc.sm.asked = true
	cc.sm.mu.Unlock()
	return nil
}

// handleSM is the reader's side of a stream management element (name from
// smElement). It reports false for an element it cannot accept here.
func (c *Chat) handleSM(cc *chatConn, name string) bool {
	sm := &cc.sm
	switch name {
	case "enabled":
		sm.mu.Lock()
		sm.enabled, sm.in = true, 0
		sm.mu.Unlock()
		c.log.Debug("chat stream management on")
	case "failed":
		sm.mu.Lock()
		sm.failed = true
		enabled := sm.enabled
		sm.mu.Unlock()
		if !enabled {
			c.log.Info("chat stream management refused; the outbox confirms with pings")
		}
	case "r":
		if sm.wantAnswer() {
			// From its own goroutine: the reader must never wait on a full socket buffer.
			go c.answerRequests(cc)
		}
	case "a":
		h, ok := cc.wire.nextAck()
		if !ok {
			c.log.Warn("chat <a/> without a readable h")
			return true
		}
		sm.ack(h)
	default:
		if strings.HasPrefix(name, "condition:") {
			sm.mu.Lock()
			failed := sm.failed
			sm.mu.Unlock()
			return failed
		}
		c.log.Debug("chat stream management element ignored", "name", name)
	}
	return true
}

// finalAck is the <a h/> that goes before our stream close ("" without stream
// management).
func (sm *smState) finalAck() string {
	sm.mu.Lock()
	defer sm.mu.Unlock()
	if !sm.enabled {
		return ""
	}
	return `<a xmlns="` + nsSM + `" h="` + strconv.FormatUint(uint64(sm.in), 10) + `"/>`
}

// wantAnswer notes a server <r/>; true when the caller must start the goroutine
// that answers (at most one runs: requests that come meanwhile are answered by it).
func (sm *smState) wantAnswer() bool {
	sm.mu.Lock()
	defer sm.mu.Unlock()
	if !sm.enabled {
		return false
	}
	sm.asking = true
	if sm.answering {
		return false
	}
	sm.answering = true
	return true
}

// answerRequests sends <a h/> with the current count until no <r/> is left
// unanswered; it ends with the connection at the latest (a write then fails).
func (c *Chat) answerRequests(cc *chatConn) {
	sm := &cc.sm
	for {
		sm.mu.Lock()
		if !sm.asking {
			sm.answering = false
			sm.mu.Unlock()
			return
		}
		sm.asking = false
		h := sm.in
		sm.mu.Unlock()
		if err := cc.sendNonza([]byte(`<a xmlns="` + nsSM + `" h="` + strconv.FormatUint(uint64(h), 10) + `"/>`)); err != nil {
			c.log.Debug("chat ack not sent", "err", err)
			sm.mu.Lock()
			sm.answering = false
			sm.mu.Unlock()
			return
		}
	}
}

// ack records the server's h and releases the Confirm calls it covers.
func (sm *smState) ack(h uint32) {
	sm.mu.Lock()
	defer sm.mu.Unlock()
	sm.acked = h
	kept := sm.waiters[:0]
	for _, w := range sm.waiters {
		if covers(h, w.target) {
			close(w.done)
			continue
		}
		kept = append(kept, w)
	}
	sm.waiters = kept
}

// handled counts a stanza Recv handed over.
func (sm *smState) handled() {
	sm.mu.Lock()
	if sm.enabled {
		sm.in++
	}
	sm.mu.Unlock()
}

// wrote counts a stanza written (the server counts from <enable/> on).
func (sm *smState) wrote() {
	sm.mu.Lock()
	if sm.asked {
		sm.out++
	}
	sm.mu.Unlock()
}

// waitAll registers a wait for everything written so far; ok=false when stream
// management is not on.
func (sm *smState) waitAll() (done chan struct{}, ok bool) {
	sm.mu.Lock()
	defer sm.mu.Unlock()
	if !sm.enabled {
		return nil, false
	}
	done = make(chan struct{})
	if covers(sm.acked, sm.out) {
		close(done)
		return done, true
	}
	sm.waiters = append(sm.waiters, smWait{target: sm.out, done: done})
	return done, true
}

// StreamManagement tells whether the live connection runs stream management
// (XEP-0198), so that Confirm rests on the server's acknowledgements.
func (c *Chat) StreamManagement() bool {
	cc := c.current()
	if cc == nil {
		return false
	}
	cc.sm.mu.Lock()
	defer cc.sm.mu.Unlock()
	return cc.sm.enabled
}

// Confirm waits until the server has handled every stanza written so far on the live
// connection: an <a/> of stream management covering them, or, on a server without
// it, a ping answered after them (a stream is processed in order). It fails when the
// connection ends first, and after PingTimeout.
func (c *Chat) Confirm(ctx context.Context) error {
	cc := c.current()
	if cc == nil {
		return ErrNotConnected
	}
	done, ok := cc.sm.waitAll()
	if !ok {
		_, err := cc.request(ctx, "get", c.cfg.ChatDomain, pingElem{}, c.opts.PingTimeout)
		return err
	}
	select {
	case <-done:
		return nil
	default:
	}
	if err := cc.sendNonza([]byte(`<r xmlns="` + nsSM + `"/>`)); err != nil {
		return err
	}
	timer := time.NewTimer(c.opts.PingTimeout)
	defer timer.Stop()
	select {
	case <-done:
		return nil
	case <-cc.dead:
		if cc.deadErr != nil {
			return cc.deadErr
		}
		return ErrNotConnected
	case <-ctx.Done():
		return ctx.Err()
	case <-timer.C:
		return errors.New("cube: chat: no acknowledgement from the server in time")
	}
}

// ackElem finds <a …/> start tags in raw bytes (the watch keeps those of the SM
// namespace).
var ackElem = regexp.MustCompile(`<a\s[^>]*>`)
var ackH = regexp.MustCompile(`\sh\s*=\s*["'](\d+)["']`)

// scanAcks appends the h of every stream management <a/> in data to the watch's
// queue, in order; a tag cut at the end of a read is kept for the next one.
func (w *wireWatch) scanAcks(data []byte) {
	buf := data
	if len(w.ackCarry) > 0 {
		buf = append(w.ackCarry, data...)
		w.ackCarry = nil
	}
	if !bytes.Contains(buf, []byte("<a")) {
		return
	}
	last := 0
	for _, loc := range ackElem.FindAllIndex(buf, -1) {
		tag := buf[loc[0]:loc[1]]
		last = loc[1]
		if !bytes.Contains(tag, []byte(nsSM)) {
			continue
		}
		if m := ackH.FindSubmatch(tag); m != nil {
			if h, err := strconv.ParseUint(string(m[1]), 10, 32); err == nil {
				w.acks = append(w.acks, uint32(h))
			}
		}
	}
	// An "<a" after the last complete tag without its ">" yet: keep it (bounded).
	if i := bytes.LastIndex(buf[last:], []byte("<a")); i >= 0 && !bytes.Contains(buf[last+i:], []byte(">")) {
		if rest := buf[last+i:]; len(rest) <= 256 {
			w.ackCarry = append([]byte(nil), rest...)
		}
	} else if bytes.HasSuffix(buf, []byte("<")) {
		w.ackCarry = []byte("<")
	}
}

// nextAck takes the h of the oldest <a/> read and not yet handled.
func (w *wireWatch) nextAck() (uint32, bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if len(w.acks) == 0 {
		return 0, false
	}
	h := w.acks[0]
	w.acks = w.acks[1:]
	return h, true
}
