package xmppd

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"io"
	"log/slog"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cubechat/cubechat/cube"
)

// conn is one client connection: the handshake (negotiate.go) and then the stanza
// loop of its bound session.
type conn struct {
	srv *Server
	id  int64
	f   framing
	log *slog.Logger
	// plainAuth lets this connection authenticate without TLS: set only for the plain
	// listener of ServePlain (loopback, for the JS SDK's TCP mode).
	plainAuth bool

	opened   bool  // our stream header for the current stream is on the wire
	authed   bool  // SASL succeeded
	userID   int64 // set by SASL
	failures int   // failed SASL attempts

	resumed bool // the session was resumed (stream management), not bound anew
	// pipe completes stored chat messages in order while the reader goes on (pipeline.go);
	// deferred tells serve that the stanza just routed is counted as handled there.
	pipe     *pipeline
	deferred bool
	stopping atomic.Bool
	served   chan struct{} // closed when the stanza loop has stopped reading
	mu       sync.Mutex
	sess     *session
	link     *link // this connection's writer queue of sess
}

func newConn(s *Server, f framing, id int64) *conn {
	return &conn{srv: s, id: id, f: f, log: s.log.With("conn", id), served: make(chan struct{})}
}

// streamErr ends the stream with a <stream:error/> condition.
type streamErr struct{ cond, text string }

func (e *streamErr) Error() string { return "stream error " + e.cond + ": " + e.text }

// run drives the connection from accept to close.
func (c *conn) run() {
	started := time.Now()
	c.log.Info("xmpp connection opened", "remote", c.f.RemoteAddr())
	_ = c.f.SetReadDeadline(started.Add(c.srv.cfg.HandshakeTimeout))
	_ = c.f.SetWriteDeadline(started.Add(c.srv.cfg.HandshakeTimeout))

	sess, err := c.negotiate()
	if err != nil {
		if final := c.finalBytes(err); final != nil {
			// The handshake deadline may be what ended us; the goodbye gets its own.
			_ = c.f.SetWriteDeadline(time.Now().Add(time.Second))
			_ = c.f.Write(final)
		}
		_ = c.f.Close()
		c.log.Info("xmpp connection closed before bind", "reason", reason(err), "user", c.userID, "after", time.Since(started).Round(time.Millisecond))
		return
	}
	_ = c.f.SetWriteDeadline(time.Time{})
	c.mu.Lock()
	l := c.link
	c.mu.Unlock()
	go sess.writeLoop(l)
	if sess.first && !c.resumed {
		c.srv.userConnected(sess.userID)
	}
	flushTimer := time.AfterFunc(c.srv.cfg.OfflineFlushDelay, func() { c.flushOffline(sess) })

	err = c.serve(sess)
	close(c.served)

	flushTimer.Stop()
	outcome := sess.release(c, err, c.finalBytes(err), c.stopping.Load())
	if outcome == sessionEndedNow {
		c.srv.endSession(sess)
	}
	select {
	case <-l.done:
	case <-time.After(writeTimeout):
	}
	_ = c.f.Close()
	c.log.Info("xmpp connection closed", "jid", sess.jid, "reason", reason(err), "session", outcome.String(), "after", time.Since(started).Round(time.Millisecond))
}

// finalBytes is what the server writes before closing, given why the stream ended:
// a stream error for protocol faults, a plain close otherwise, nothing if the
// socket itself is gone.
func (c *conn) finalBytes(err error) []byte {
	var se *streamErr
	var ne net.Error
	switch {
	case c.stopping.Load():
		return nil // shutdown already queued its own goodbye
	case errors.Is(err, errStreamClosed):
		return c.withHeader(c.f.CloseTag())
	case errors.As(err, &se):
		return c.withHeader(append(streamError(se.cond, se.text), c.f.CloseTag()...))
	case errors.Is(err, errStanzaTooBig):
		return c.withHeader(append(streamError(condPolicyViolation, "stanza too big"), c.f.CloseTag()...))
	case errors.Is(err, errNotWellFormed):
		return c.withHeader(append(streamError(condNotWellFormed, ""), c.f.CloseTag()...))
	case errors.Is(err, errBadNamespace):
		return c.withHeader(append(streamError(condInvalidNS, ""), c.f.CloseTag()...))
	case errors.As(err, &ne) && ne.Timeout():
		return c.withHeader(append(streamError(condConnTimeout, ""), c.f.CloseTag()...))
	}
	return nil
}

// withHeader prefixes our stream header when the error comes before we sent it, as
// RFC 6120 §4.9.1.1 requires.
func (c *conn) withHeader(b []byte) []byte {
	if c.opened {
		return b
	}
	c.opened = true
	return append(c.f.BareOpen(), b...)
}

func reason(err error) string {
	switch {
	case err == nil:
		return "done"
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, net.ErrClosed):
		return "connection lost"
	}
	return err.Error()
}

// shutdown is called by Server.Close: a bound session says goodbye through its
// writer; anything earlier is simply dropped.
func (c *conn) shutdown() { c.endStream(condSystemShutdown, "") }

// endStream ends the connection from the server's side with a stream error of cond:
// the goodbye is written first, then the socket is closed.
func (c *conn) endStream(cond, text string) {
	c.mu.Lock()
	s, l := c.sess, c.link
	c.mu.Unlock()
	if s == nil {
		c.stopping.Store(true)
		_ = c.f.Abort()
		return
	}
	// Queue the goodbye before raising stopping: once the reader sees stopping it ends
	// the session itself, and a goodbye queued after that would be dropped.
	s.finish(l, append(streamError(cond, text), c.f.CloseTag()...))
	c.stopping.Store(true)
	select {
	case <-l.done:
		// The goodbye is written: close like a peer would (TLS close_notify, then FIN),
		// so the client reads the stream error before it sees the end of the stream.
		_ = c.f.Close()
	case <-time.After(2 * time.Second):
		_ = c.f.Abort()
	}
}

// serve reads stanzas of a bound session until the stream ends. Stored chat messages
// are completed by the connection's pipeline (pipeline.go); everything else waits for
// what is queued there, and so does the end of serve.
func (c *conn) serve(s *session) error {
	c.pipe = newPipeline()
	defer c.pipe.stop()
	for {
		if c.stopping.Load() {
			return nil
		}
		_ = c.f.SetReadDeadline(time.Now().Add(c.srv.cfg.IdleTimeout))
		start, err := c.f.Next()
		if err != nil {
			return err
		}
		if start.Name.Space != "" && start.Name.Space != cube.NSClient || start.Name.Local != "message" {
			c.drain()
		}
		if start.Name.Space == nsSM {
			if err := c.f.Skip(); err != nil {
				return err
			}
			if err := c.handleSM(s, start); err != nil {
				return err
			}
			continue
		}
		if start.Name.Space == "" {
			start.Name.Space = cube.NSClient // tolerate clients that omit the default namespace
		}
		if start.Name.Space != cube.NSClient {
			return &streamErr{condInvalidNS, "unexpected namespace " + start.Name.Space}
		}
		switch start.Name.Local {
		case "message":
			var m cube.MessageStanza
			if err := c.f.Decode(&m, &start); err != nil {
				return err
			}
			if !pipelinable(&m) {
				c.drain()
			}
			c.routeMessage(s, &m)
			if c.deferred {
				c.deferred = false // counted by the pipeline once stored
			} else {
				s.handled()
			}
		case "presence":
			var p presenceStanza
			if err := c.f.Decode(&p, &start); err != nil {
				return err
			}
			c.handlePresence(s, &p)
			s.handled()
		case "iq":
			var iq iqStanza
			if err := c.f.Decode(&iq, &start); err != nil {
				return err
			}
			c.handleIQ(s, &iq)
			s.handled()
		default:
			return &streamErr{condUnsupportedType, "unsupported element " + start.Name.Local}
		}
	}
}

// backendCtx bounds one backend call; Close cancels them all.
func (c *conn) backendCtx() (context.Context, context.CancelFunc) {
	return context.WithTimeout(c.srv.ctx, 10*time.Second)
}

// newStreamID returns a random stream id.
func newStreamID() string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
