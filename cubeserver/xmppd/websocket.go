package xmppd

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/coder/websocket"
)

// XMPP over WebSocket (RFC 7395), the JS SDK's default transport (see docs/architecture.md
// and the ConnectyCube chat docs): subprotocol "xmpp", one complete element per text
// message, the stream opened and closed with <open/> and <close/> in the framing namespace.
// The stream logic is the TCP one (conn.go) behind the framing interface. PLAIN is offered
// without TLS: the real service is wss:// behind a TLS terminator, and tests use
// ws://localhost, which the SDK counts as secure.

const (
	nsFraming     = "urn:ietf:params:xml:ns:xmpp-framing"
	wsSubprotocol = "xmpp"
	// wsCloseGrace bounds the polite close (close frame, then the peer's answer) before
	// the socket is dropped.
	wsCloseGrace = time.Second
)

// rawConnKey carries the accepted TCP connection from ServeWebSocket's http.Server to
// the handler, so that a close can be bounded even when the peer never answers.
type rawConnKey struct{}

// WebSocketHandler serves RFC 7395 XMPP on any path. Mount it on an HTTP server of
// your own, or let ServeWebSocket run one.
func (s *Server) WebSocketHandler() http.Handler {
	return http.HandlerFunc(s.serveWS)
}

// ServeWebSocket accepts XMPP-over-WebSocket connections on ln until ln fails or Close
// is called (then it returns nil).
func (s *Server) ServeWebSocket(ln net.Listener) error {
	if !s.trackListener(ln) {
		return nil
	}
	defer s.untrackListener(ln)
	hs := &http.Server{Handler: s.WebSocketHandler(), ReadHeaderTimeout: 10 * time.Second,
		ErrorLog: slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
		ConnContext: func(ctx context.Context, c net.Conn) context.Context {
			return context.WithValue(ctx, rawConnKey{}, c)
		}}
	err := hs.Serve(ln)
	_ = hs.Close() // connections that never upgraded
	if s.isClosed() || errors.Is(err, http.ErrServerClosed) {
		return nil
	}
	return err
}

// asksForXMPP reports whether the upgrade request offers the "xmpp" subprotocol.
func asksForXMPP(r *http.Request) bool {
	for _, v := range r.Header.Values("Sec-WebSocket-Protocol") {
		if slices.Contains(strings.Split(strings.ReplaceAll(v, " ", ""), ","), wsSubprotocol) {
			return true
		}
	}
	return false
}

// serveWS accepts only clients that ask for the "xmpp" subprotocol (RFC 7395 §3.1) and
// runs the connection; the HTTP handler must not return before it ends. Origin is not
// checked: the SDK in Node sends none, a browser page may be served from anywhere, and
// nothing rides on ambient credentials (the client authenticates inside the stream).
func (s *Server) serveWS(w http.ResponseWriter, r *http.Request) {
	if !asksForXMPP(r) {
		http.Error(w, "xmppd: the websocket subprotocol must be xmpp", http.StatusBadRequest)
		return
	}
	ws, err := websocket.Accept(w, r, &websocket.AcceptOptions{
		Subprotocols: []string{wsSubprotocol}, InsecureSkipVerify: true,
	})
	if err != nil {
		s.log.Info("websocket upgrade failed", "remote", r.RemoteAddr, "err", err)
		return
	}
	// The size limit is enforced per message in frame, so that an oversized stanza gets
	// a stream error instead of the library closing the socket at once.
	ws.SetReadLimit(-1)
	raw, _ := r.Context().Value(rawConnKey{}).(net.Conn)
	s.startConn(&wsFraming{ws: ws, raw: raw, remote: r.RemoteAddr, max: int64(s.cfg.MaxStanzaBytes)}, true, false)
}

// wsFraming reads and writes one element per WebSocket message.
type wsFraming struct {
	ws     *websocket.Conn
	raw    net.Conn // nil when the handler runs on someone else's http.Server
	remote string
	max    int64        // bytes a message may have
	dec    *xml.Decoder // over the frame being read

	mu                          sync.Mutex
	readDeadline, writeDeadline time.Time
}

// deadlineCtx is a context that ends at deadline (never when it is zero).
func deadlineCtx(deadline time.Time) (context.Context, context.CancelFunc) {
	if deadline.IsZero() {
		return context.WithCancel(context.Background())
	}
	return context.WithDeadline(context.Background(), deadline)
}

// frame reads the next non-blank message.
func (f *wsFraming) frame() ([]byte, error) {
	for {
		f.mu.Lock()
		ctx, cancel := deadlineCtx(f.readDeadline)
		f.mu.Unlock()
		b, err := f.readMessage(ctx)
		cancel()
		if err != nil {
			return nil, err
		}
		if len(bytes.TrimSpace(b)) > 0 {
			return b, nil
		}
	}
}

// readMessage reads one message of at most f.max bytes.
func (f *wsFraming) readMessage(ctx context.Context) ([]byte, error) {
	_, r, err := f.ws.Reader(ctx)
	if err != nil {
		return nil, err
	}
	b, err := io.ReadAll(io.LimitReader(r, f.max+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > f.max {
		return nil, errStanzaTooBig
	}
	return b, nil
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
	f.mu.Lock()
	ctx, cancel := deadlineCtx(f.writeDeadline)
	f.mu.Unlock()
	defer cancel()
	for _, e := range elems {
		if err := f.ws.Write(ctx, websocket.MessageText, e); err != nil {
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
func (f *wsFraming) Encrypted() bool    { return true }
func (f *wsFraming) RemoteAddr() string { return f.remote }

// SetReadDeadline and SetWriteDeadline bound the next reads and writes; the library
// takes contexts, so each call builds one from the deadline. A read or write cut short by
// its deadline closes the socket, which is what the stream does next anyway.
func (f *wsFraming) SetReadDeadline(t time.Time) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.readDeadline = t
	return nil
}

func (f *wsFraming) SetWriteDeadline(t time.Time) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.writeDeadline = t
	return nil
}

// Close sends the WebSocket close frame and waits for the peer's answer, at most
// wsCloseGrace: after that the socket is dropped, which ends the handshake at once.
func (f *wsFraming) Close() error {
	done := make(chan error, 1)
	go func() { done <- f.ws.Close(websocket.StatusNormalClosure, "") }()
	select {
	case err := <-done:
		return err
	case <-time.After(wsCloseGrace):
	}
	if f.raw != nil {
		_ = f.raw.Close()
	}
	return <-done // bounded by the library's own close timeouts when raw is nil
}

// Abort drops the socket at once, so a Write blocked on a client that stopped reading
// lets go of the connection's write lock before Close needs it.
func (f *wsFraming) Abort() error {
	if f.raw != nil {
		_ = f.raw.Close()
	}
	return f.ws.CloseNow()
}
