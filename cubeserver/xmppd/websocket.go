package xmppd

import (
	"bytes"
	"crypto/tls"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"slices"
	"time"

	"golang.org/x/net/websocket"
)

// XMPP over WebSocket (RFC 7395), the JS SDK's default transport (protocol.md §8.1,
// §10): subprotocol "xmpp", one complete element per text frame, the stream opened
// and closed with <open/> and <close/> in the framing namespace. The stream logic is
// the TCP one (conn.go) behind the framing interface. PLAIN is offered without TLS:
// the real service is wss:// behind a TLS terminator, and tests use ws://localhost,
// which the SDK counts as secure.

const nsFraming = "urn:ietf:params:xml:ns:xmpp-framing"

// WebSocketHandler serves RFC 7395 XMPP on any path. Mount it on an HTTP server of
// your own, or let ServeWebSocket run one.
func (s *Server) WebSocketHandler() http.Handler {
	return websocket.Server{Handshake: wsHandshake, Handler: s.serveWS}
}

// ServeWebSocket accepts XMPP-over-WebSocket connections on ln until ln fails or Close
// is called (then it returns nil).
func (s *Server) ServeWebSocket(ln net.Listener) error {
	if !s.trackListener(ln) {
		return nil
	}
	defer s.untrackListener(ln)
	hs := &http.Server{Handler: s.WebSocketHandler(), ReadHeaderTimeout: 10 * time.Second,
		ErrorLog: slog.NewLogLogger(s.log.Handler(), slog.LevelWarn)}
	err := hs.Serve(ln)
	_ = hs.Close() // connections that never upgraded
	if s.isClosed() || errors.Is(err, http.ErrServerClosed) {
		return nil
	}
	return err
}

// wsHandshake accepts only clients that ask for the "xmpp" subprotocol (RFC 7395
// §3.1) and does not check Origin: the SDK in Node sends none.
func wsHandshake(cfg *websocket.Config, _ *http.Request) error {
	if !slices.Contains(cfg.Protocol, "xmpp") {
		return errors.New("xmppd: the websocket subprotocol must be xmpp")
	}
	cfg.Protocol = []string{"xmpp"}
	return nil
}

// serveWS runs one connection; the HTTP handler must not return before it ends.
func (s *Server) serveWS(ws *websocket.Conn) {
	ws.PayloadType = websocket.TextFrame
	ws.MaxPayloadBytes = s.cfg.MaxStanzaBytes
	s.startConn(&wsFraming{ws: ws, remote: ws.Request().RemoteAddr}, true, false)
}

// wsFraming reads and writes one element per WebSocket message.
type wsFraming struct {
	ws     *websocket.Conn
	remote string
	dec    *xml.Decoder // over the frame being read
}

// frame reads the next non-blank message.
func (f *wsFraming) frame() ([]byte, error) {
	for {
		var b []byte
		if err := websocket.Message.Receive(f.ws, &b); err != nil {
			if errors.Is(err, websocket.ErrFrameTooLarge) {
				return nil, errStanzaTooBig
			}
			return nil, err
		}
		if len(bytes.TrimSpace(b)) > 0 {
			return b, nil
		}
	}
}

// first returns the frame's root element, leaving f.dec positioned inside it.
func (f *wsFraming) first() (xml.StartElement, error) {
	b, err := f.frame()
	if err != nil {
		return xml.StartElement{}, err
	}
	f.dec = xml.NewDecoder(bytes.NewReader(b))
	for {
		tok, err := f.dec.Token()
		if err != nil {
			return xml.StartElement{}, frameErr(err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			return t, nil
		case xml.CharData:
			if len(bytes.TrimSpace(t)) > 0 {
				return xml.StartElement{}, errNotWellFormed
			}
		case xml.ProcInst: // tolerated before <open/>
		default:
			return xml.StartElement{}, errNotWellFormed
		}
	}
}

func (f *wsFraming) ReadOpen() (streamOpen, error) {
	start, err := f.first()
	if err != nil {
		return streamOpen{}, err
	}
	if start.Name.Space != nsFraming || start.Name.Local != "open" {
		return streamOpen{}, fmt.Errorf("%w: expected <open/>, got <%s>", errBadNamespace, start.Name.Local)
	}
	return streamOpenFrom(start.Attr), nil
}

func (f *wsFraming) WriteOpen(id, from string) error {
	var b bytes.Buffer
	b.WriteString(`<open xmlns="` + nsFraming + `" version="1.0" xml:lang="en" id="`)
	_ = xml.EscapeText(&b, []byte(id))
	b.WriteString(`" from="`)
	_ = xml.EscapeText(&b, []byte(from))
	b.WriteString(`"/>`)
	return f.Write(b.Bytes())
}

func (f *wsFraming) Next() (xml.StartElement, error) {
	start, err := f.first()
	if err != nil {
		return start, err
	}
	if start.Name.Space == nsFraming && start.Name.Local == "close" {
		return start, errStreamClosed
	}
	return start, nil
}

func (f *wsFraming) Decode(v any, start *xml.StartElement) error {
	return frameErr(f.dec.DecodeElement(v, start))
}

func (f *wsFraming) Skip() error { return frameErr(f.dec.Skip()) }

// frameErr classifies a parse error inside one frame: the frame is all there is, so
// running out of input means the client sent an incomplete element, not that the
// connection dropped.
func frameErr(err error) error {
	err = classifyReadErr(err)
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return errNotWellFormed
	}
	return err
}

// Write sends each top-level element of b as its own text frame: callers hand over
// several at once (the offline flush, an error followed by <close/>).
func (f *wsFraming) Write(b []byte) error {
	elems, err := splitElements(b)
	if err != nil {
		return fmt.Errorf("xmppd: websocket write of malformed output: %w", err)
	}
	for _, e := range elems {
		if err := websocket.Message.Send(f.ws, string(e)); err != nil {
			return err
		}
	}
	return nil
}

// splitElements cuts a run of complete elements into one slice per element
// (whitespace between them is dropped).
func splitElements(b []byte) ([][]byte, error) {
	dec := xml.NewDecoder(bytes.NewReader(b))
	var out [][]byte
	depth := 0
	var start int64
	for {
		off := dec.InputOffset()
		tok, err := dec.RawToken()
		if errors.Is(err, io.EOF) {
			if depth != 0 {
				return nil, io.ErrUnexpectedEOF
			}
			return out, nil
		}
		if err != nil {
			return nil, err
		}
		switch tok.(type) {
		case xml.StartElement:
			if depth == 0 {
				start = off
			}
			depth++
		case xml.EndElement:
			depth--
			if depth < 0 {
				return nil, errors.New("unbalanced end tag")
			}
			if depth == 0 {
				out = append(out, b[start:dec.InputOffset()])
			}
		}
	}
}

func (f *wsFraming) WriteClose() error { return f.Write(f.CloseTag()) }
func (f *wsFraming) CloseTag() []byte  { return []byte(`<close xmlns="` + nsFraming + `"/>`) }
func (f *wsFraming) BareOpen() []byte {
	return []byte(`<open xmlns="` + nsFraming + `" version="1.0"/>`)
}

// Restart is a no-op: every frame gets a fresh decoder.
func (f *wsFraming) Restart() {}

func (f *wsFraming) StartTLS(*tls.Config) error {
	return errors.New("xmppd: no STARTTLS over WebSocket")
}

// Encrypted reports true so that PLAIN is offered and STARTTLS is not (see the top
// of this file).
func (f *wsFraming) Encrypted() bool                    { return true }
func (f *wsFraming) SetReadDeadline(t time.Time) error  { return f.ws.SetReadDeadline(t) }
func (f *wsFraming) SetWriteDeadline(t time.Time) error { return f.ws.SetWriteDeadline(t) }
func (f *wsFraming) RemoteAddr() string                 { return f.remote }

// Close sends the WebSocket close frame (bounded) and closes the socket.
func (f *wsFraming) Close() error {
	_ = f.ws.SetWriteDeadline(time.Now().Add(time.Second))
	return f.ws.Close()
}

// Abort expires every pending read and write first, so a Write blocked on a client
// that stopped reading lets go of the connection's write lock before Close needs it.
func (f *wsFraming) Abort() error {
	_ = f.ws.SetDeadline(time.Now())
	return f.ws.Close()
}
