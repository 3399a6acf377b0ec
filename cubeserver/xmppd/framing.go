package xmppd

import (
	"bufio"
	"bytes"
	"crypto/tls"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net"
	"time"
)

// framing is the part of an XMPP stream that differs between transports: TCP's
// <stream:stream> document (here) and RFC 7395 WebSocket frames (websocket.go). The
// stream logic in conn.go talks only to this interface.
type framing interface {
	// ReadOpen waits for the client's stream header and returns its attributes.
	ReadOpen() (streamOpen, error)
	// WriteOpen sends the server's stream header.
	WriteOpen(id, from string) error
	// Next returns the start of the next top-level element; errStreamClosed when
	// the client closed the stream. The caller must Decode or Skip the element.
	Next() (xml.StartElement, error)
	Decode(v any, start *xml.StartElement) error
	Skip() error
	// Write sends complete, already marshalled elements.
	Write(b []byte) error
	// WriteClose ends the stream (</stream:stream>).
	WriteClose() error
	// CloseTag is the element that ends the stream, for callers that append it to a
	// final write; BareOpen is a minimal stream header for an error sent before ours.
	CloseTag() []byte
	BareOpen() []byte
	// Restart forgets parser state: the client opens a new stream after SASL success.
	Restart()
	// StartTLS upgrades the connection in place (and restarts the parser).
	StartTLS(cfg *tls.Config) error
	Encrypted() bool
	SetReadDeadline(t time.Time) error
	SetWriteDeadline(t time.Time) error
	RemoteAddr() string
	// Close ends the connection politely (TLS close_notify, bounded by a short deadline).
	Close() error
	// Abort drops the TCP connection at once, even while a Write is blocked.
	Abort() error
}

type streamOpen struct {
	To      string
	Version string
}

// streamOpenFrom reads the attributes the stream logic needs from a stream header:
// <stream:stream> over TCP and <open/> over WebSocket carry the same ones.
func streamOpenFrom(attrs []xml.Attr) streamOpen {
	var o streamOpen
	for _, a := range attrs {
		switch a.Name.Local {
		case "to":
			o.To = a.Value
		case "version":
			o.Version = a.Value
		}
	}
	return o
}

var (
	errStreamClosed  = errors.New("xmppd: client closed the stream")
	errStanzaTooBig  = errors.New("xmppd: stanza exceeds the size limit")
	errNotWellFormed = errors.New("xmppd: not well-formed XML")
)

// stanzaLimiter counts bytes handed to the XML decoder since the last reset and
// fails once a single top-level element grows past max, before it is buffered whole.
type stanzaLimiter struct {
	r   *bufio.Reader
	n   int
	max int
}

func (l *stanzaLimiter) ReadByte() (byte, error) {
	if l.n >= l.max {
		return 0, errStanzaTooBig
	}
	b, err := l.r.ReadByte()
	if err == nil {
		l.n++
	}
	return b, err
}

// Read exists so the decoder sees an io.Reader; it uses ReadByte (no extra buffering).
func (l *stanzaLimiter) Read(p []byte) (int, error) {
	if l.n >= l.max {
		return 0, errStanzaTooBig
	}
	if len(p) > l.max-l.n {
		p = p[:l.max-l.n]
	}
	n, err := l.r.Read(p)
	l.n += n
	return n, err
}

// tcpFraming is an XMPP stream over a TCP (or TLS) connection.
type tcpFraming struct {
	raw      net.Conn // the TCP connection under any TLS layer
	conn     net.Conn
	limiter  *stanzaLimiter
	dec      *xml.Decoder
	maxBytes int
	tls      bool
}

func newTCPFraming(c net.Conn, maxBytes int) *tcpFraming {
	raw := c
	tc, isTLS := c.(*tls.Conn)
	if isTLS {
		raw = tc.NetConn()
	}
	f := &tcpFraming{raw: raw, conn: c, maxBytes: maxBytes, tls: isTLS}
	f.limiter = &stanzaLimiter{r: bufio.NewReader(c), max: maxBytes}
	f.Restart()
	return f
}

func (f *tcpFraming) Restart() {
	f.limiter.n = 0
	f.dec = xml.NewDecoder(f.limiter)
}

func (f *tcpFraming) ReadOpen() (streamOpen, error) {
	f.limiter.n = 0
	for {
		tok, err := f.token()
		if err != nil {
			return streamOpen{}, err
		}
		switch t := tok.(type) {
		case xml.ProcInst, xml.Comment:
			continue
		case xml.CharData:
			if len(bytes.TrimSpace(t)) > 0 {
				return streamOpen{}, errNotWellFormed
			}
		case xml.StartElement:
			if t.Name.Space != nsStream || t.Name.Local != "stream" {
				return streamOpen{}, fmt.Errorf("%w: expected <stream:stream>, got <%s>", errBadNamespace, t.Name.Local)
			}
			return streamOpenFrom(t.Attr), nil
		default:
			return streamOpen{}, errNotWellFormed
		}
	}
}

var errBadNamespace = errors.New("xmppd: invalid stream namespace")

func (f *tcpFraming) WriteOpen(id, from string) error {
	var b bytes.Buffer
	b.WriteString(`<?xml version='1.0'?><stream:stream xmlns='jabber:client' xmlns:stream='` + nsStream + `' version='1.0' xml:lang='en' id='`)
	_ = xml.EscapeText(&b, []byte(id))
	b.WriteString(`' from='`)
	_ = xml.EscapeText(&b, []byte(from))
	b.WriteString(`'>`)
	return f.Write(b.Bytes())
}

func (f *tcpFraming) Next() (xml.StartElement, error) {
	f.limiter.n = 0
	for {
		tok, err := f.token()
		if err != nil {
			return xml.StartElement{}, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			return t, nil
		case xml.EndElement:
			// The only element left open at top level is the stream itself.
			return xml.StartElement{}, errStreamClosed
		case xml.CharData:
			// Whitespace keepalives are allowed between stanzas; text is not.
			if len(bytes.TrimSpace(t)) > 0 {
				return xml.StartElement{}, errNotWellFormed
			}
			f.limiter.n = 0
		case xml.Comment, xml.ProcInst, xml.Directive:
			return xml.StartElement{}, errNotWellFormed
		}
	}
}

// token reads one token and classifies decoder errors: a syntax error means the
// client sent malformed XML, which must end the stream with <not-well-formed/>.
func (f *tcpFraming) token() (xml.Token, error) {
	tok, err := f.dec.Token()
	return tok, classifyReadErr(err)
}

func classifyReadErr(err error) error {
	if err == nil {
		return nil
	}
	var syn *xml.SyntaxError
	switch {
	case errors.Is(err, errStanzaTooBig):
		return errStanzaTooBig
	case errors.As(err, &syn):
		if syn.Msg == "unexpected EOF" {
			return io.ErrUnexpectedEOF
		}
		return fmt.Errorf("%w: %s", errNotWellFormed, syn.Msg)
	}
	return err
}

func (f *tcpFraming) Decode(v any, start *xml.StartElement) error {
	return classifyReadErr(f.dec.DecodeElement(v, start))
}

func (f *tcpFraming) Skip() error {
	return classifyReadErr(f.dec.Skip())
}

func (f *tcpFraming) Write(b []byte) error {
	_, err := f.conn.Write(b)
	return err
}

func (f *tcpFraming) WriteClose() error {
	return f.Write(f.CloseTag())
}

func (f *tcpFraming) CloseTag() []byte { return []byte(`</stream:stream>`) }

func (f *tcpFraming) BareOpen() []byte {
	return []byte(`<?xml version='1.0'?><stream:stream xmlns='jabber:client' xmlns:stream='` + nsStream + `' version='1.0'>`)
}

func (f *tcpFraming) StartTLS(cfg *tls.Config) error {
	// Clients such as go-xmpp end <starttls/> with a newline; anything else pipelined
	// before the handshake would be plaintext posing as encrypted input: refuse it.
	if n := f.limiter.r.Buffered(); n > 0 {
		pending, _ := f.limiter.r.Peek(n)
		if len(bytes.TrimSpace(pending)) > 0 {
			return fmt.Errorf("%w: data sent before the TLS handshake", errNotWellFormed)
		}
		_, _ = f.limiter.r.Discard(n)
	}
	tc := tls.Server(f.conn, cfg)
	if err := tc.Handshake(); err != nil {
		return fmt.Errorf("xmppd: tls handshake: %w", err)
	}
	f.conn = tc
	f.tls = true
	f.limiter.r = bufio.NewReader(tc)
	f.Restart()
	return nil
}

func (f *tcpFraming) Encrypted() bool                    { return f.tls }
func (f *tcpFraming) SetReadDeadline(t time.Time) error  { return f.conn.SetReadDeadline(t) }
func (f *tcpFraming) SetWriteDeadline(t time.Time) error { return f.conn.SetWriteDeadline(t) }
func (f *tcpFraming) RemoteAddr() string                 { return f.conn.RemoteAddr().String() }
func (f *tcpFraming) Abort() error                       { return f.raw.Close() }

func (f *tcpFraming) Close() error {
	_ = f.conn.SetWriteDeadline(time.Now().Add(time.Second))
	return f.conn.Close()
}
