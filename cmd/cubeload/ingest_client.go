package main

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/base64"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"sync/atomic"
	"time"
)

// The ingest clients speak XMPP over direct TLS without the SDK, so that the CPU of the
// shared machine goes to the server under test: a sender writes stanzas marshalled
// before the clock starts and reads only stream management acks; a receiver counts
// the <message elements in what it reads without parsing them.

const nsSM = "urn:xmpp:sm:3"

// rawConn is one logged-in chat connection.
type rawConn struct {
	conn net.Conn
	dec  *xml.Decoder
}

// dialRaw logs uid in with SASL PLAIN, binds a resource and sends initial presence.
func dialRaw(ctx context.Context, addr string, tlsConf *tls.Config, domain string, appID, uid int64, password string) (*rawConn, error) {
	d := tls.Dialer{Config: tlsConf}
	conn, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, err
	}
	if dl, ok := ctx.Deadline(); ok {
		_ = conn.SetDeadline(dl)
	}
	c := &rawConn{conn: conn, dec: xml.NewDecoder(conn)}
	header := `<?xml version='1.0'?><stream:stream to='` + domain + `' xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' version='1.0'>`
	plain := base64.StdEncoding.EncodeToString(fmt.Appendf(nil, "\x00%d-%d\x00%s", uid, appID, password))
	steps := []struct{ send, want string }{
		{header, "features"},
		{`<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='PLAIN'>` + plain + `</auth>`, "success"},
		{header, "features"}, // the stream restarts after SASL
		{`<iq type='set' id='bind'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'/></iq>`, "iq"},
	}
	for i, st := range steps {
		if i == 2 {
			c.dec = xml.NewDecoder(conn)
		}
		if err := c.step(st.send, st.want); err != nil {
			conn.Close()
			return nil, fmt.Errorf("login of %d waiting for <%s>: %w", uid, st.want, err)
		}
	}
	if _, err := io.WriteString(conn, `<presence/>`); err != nil {
		conn.Close()
		return nil, err
	}
	return c, nil
}

func (c *rawConn) step(send, want string) error {
	if _, err := io.WriteString(c.conn, send); err != nil {
		return err
	}
	return c.skipTo(want)
}

// skipTo reads until a start element named local and skips over it; a SASL failure or
// a stream error ends the wait.
func (c *rawConn) skipTo(local string) error {
	for {
		tok, err := c.dec.Token()
		if err != nil {
			return err
		}
		se, ok := tok.(xml.StartElement)
		if !ok {
			continue
		}
		switch se.Name.Local {
		case local:
			return c.dec.Skip()
		case "failure", "error":
			if se.Name.Space != "jabber:client" {
				return fmt.Errorf("server answered <%s xmlns=%q>", se.Name.Local, se.Name.Space)
			}
		}
	}
}

// enableSM turns on stream management (no resumption): from now on the server
// answers <r/> with <a h/>, h counting the stanzas it has finished handling.
func (c *rawConn) enableSM() error {
	return c.step(`<enable xmlns='`+nsSM+`'/>`, "enabled")
}

func (c *rawConn) close() { _ = c.conn.Close() }

// sender writes its stanzas in chunks, each followed by <r/>, and keeps at most
// window stanzas ahead of the server's last <a h/>. acked is the last h.
type sender struct {
	c      *rawConn
	acked  atomic.Int64
	moved  chan struct{} // a new ack arrived (buffered 1)
	bounce atomic.Int64  // messages the server sent back (bounces)
	done   chan error    // the reader's end
}

func newSender(c *rawConn) *sender {
	s := &sender{c: c, moved: make(chan struct{}, 1), done: make(chan error, 1)}
	_ = c.conn.SetDeadline(time.Time{})
	go s.read()
	return s
}

// read follows the acks until the connection ends.
func (s *sender) read() {
	for {
		tok, err := s.c.dec.Token()
		if err != nil {
			s.done <- err
			return
		}
		se, ok := tok.(xml.StartElement)
		if !ok || se.Name.Local == "stream" {
			continue
		}
		switch {
		case se.Name.Space == nsSM && se.Name.Local == "a":
			for _, a := range se.Attr {
				if a.Name.Local == "h" {
					if h, err := strconv.ParseInt(a.Value, 10, 64); err == nil {
						s.acked.Store(h)
					}
				}
			}
			select {
			case s.moved <- struct{}{}:
			default:
			}
		case se.Name.Space == nsSM && se.Name.Local == "r":
			// We count no stanzas of the server's (a bounce is an error of the run).
			_, _ = io.WriteString(s.c.conn, `<a xmlns='`+nsSM+`' h='0'/>`)
		case se.Name.Local == "message":
			s.bounce.Add(1)
		}
		if err := s.c.dec.Skip(); err != nil {
			s.done <- err
			return
		}
	}
}

// send writes every stanza, chunk at a time, and returns once the server has
// acknowledged them all (handled: stored when they are to be stored). Whatever was
// sent before has been acknowledged already: h goes on counting from there.
func (s *sender) send(ctx context.Context, stanzas [][]byte, chunk, window int) error {
	base := s.acked.Load()
	var buf bytes.Buffer
	request := []byte(`<r xmlns='` + nsSM + `'/>`)
	for i := 0; i < len(stanzas); i += chunk {
		end := min(i+chunk, len(stanzas))
		if err := s.waitAcked(ctx, base+int64(end-window)); err != nil {
			return err
		}
		buf.Reset()
		for _, b := range stanzas[i:end] {
			buf.Write(b)
		}
		buf.Write(request)
		if _, err := s.c.conn.Write(buf.Bytes()); err != nil {
			return err
		}
	}
	return s.waitAcked(ctx, base+int64(len(stanzas)))
}

// waitAcked blocks until the server has acknowledged n stanzas.
func (s *sender) waitAcked(ctx context.Context, n int64) error {
	for s.acked.Load() < n {
		select {
		case <-s.moved:
		case err := <-s.done:
			return fmt.Errorf("connection ended at %d acknowledged: %w", s.acked.Load(), err)
		case <-ctx.Done():
			return fmt.Errorf("at %d of %d acknowledged: %w", s.acked.Load(), n, ctx.Err())
		}
	}
	return nil
}

// receiver counts the messages that reach one connection.
type receiver struct {
	c    *rawConn
	got  atomic.Int64
	done chan error
}

func newReceiver(c *rawConn) *receiver {
	r := &receiver{c: c, done: make(chan error, 1)}
	_ = c.conn.SetDeadline(time.Time{})
	go r.read()
	return r
}

// read counts "<message" in the stream, also when a read splits it.
func (r *receiver) read() {
	pattern := []byte("<message")
	buf := make([]byte, 64<<10)
	carry := 0 // bytes kept from the previous read: a possible start of pattern
	for {
		n, err := r.c.conn.Read(buf[carry:])
		if n > 0 {
			data := buf[:carry+n]
			r.got.Add(int64(bytes.Count(data, pattern)))
			// Keep a tail shorter than the pattern: it holds no whole match (so
			// nothing is counted twice) but may hold the start of the next one.
			keep := min(len(pattern)-1, len(data))
			copy(buf, data[len(data)-keep:])
			carry = keep
		}
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				err = nil
			}
			r.done <- err
			return
		}
	}
}
