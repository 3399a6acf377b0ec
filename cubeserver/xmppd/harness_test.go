package xmppd

import (
	"crypto/tls"
	"encoding/base64"
	"encoding/xml"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/cubechat/cubechat/cube"
	"github.com/cubechat/cubechat/internal/testwait"
)

const testPassword = "secret"

// testServer is a running xmppd on 127.0.0.1 with both listeners and a fake backend.
type testServer struct {
	srv      *Server
	backend  *fakeBackend
	plain    string // STARTTLS listener
	direct   string // direct TLS listener
	clientTL *tls.Config
}

// startServer starts a server with users 5, 6, 7, 8 (password "secret"); tweak
// changes the config before start.
func startServer(t testing.TB, tweak func(*Config)) *testServer {
	t.Helper()
	serverTLS, pool := testTLS(t)
	be := newFakeBackend()
	for _, id := range []int64{5, 6, 7, 8} {
		be.addUser(id, testPassword)
	}
	level := slog.LevelWarn
	if os.Getenv("XMPPD_TEST_LOG") != "" {
		level = slog.LevelDebug
	}
	cfg := Config{Domain: "localhost", AppID: 1, TLS: serverTLS,
		Logger: slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))}
	if tweak != nil {
		tweak(&cfg)
	}
	srv := New(cfg, be)
	ts := &testServer{srv: srv, backend: be, clientTL: &tls.Config{RootCAs: pool, ServerName: "localhost"}}
	for _, direct := range []bool{false, true} {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		if direct {
			ts.direct = ln.Addr().String()
		} else {
			ts.plain = ln.Addr().String()
		}
		go func() { _ = srv.Serve(ln, direct) }()
	}
	t.Cleanup(func() { _ = srv.Close() })
	return ts
}

// rawClient speaks XMPP by hand so tests can see and send exact XML.
type rawClient struct {
	t    *testing.T
	conn net.Conn
	dec  *xml.Decoder
	jid  string
	in   chan any // elements read after login (see reader)
	// own gets the presence of the user's other resources (own_presence.go), kept
	// apart so tests about other things need not expect it.
	own chan *presenceOut
}

// streamEnd is what the reader reports when the server closed the stream.
type streamEnd struct{}

// gotStreamError is a <stream:error/> from the server.
type gotStreamError struct{ cond, text string }

func dialRaw(t *testing.T, addr string, tlsCfg *tls.Config) *rawClient {
	t.Helper()
	var conn net.Conn
	var err error
	if tlsCfg != nil {
		conn, err = tls.Dial("tcp", addr, tlsCfg)
	} else {
		conn, err = net.Dial("tcp", addr)
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = conn.Close() })
	_ = conn.SetDeadline(time.Now().Add(10 * time.Second))
	return &rawClient{t: t, conn: conn, dec: xml.NewDecoder(conn)}
}

func (c *rawClient) write(s string) {
	c.t.Helper()
	if _, err := io.WriteString(c.conn, s); err != nil {
		c.t.Fatalf("write: %v", err)
	}
}

func (c *rawClient) writeElem(v any) {
	c.t.Helper()
	b, err := xml.Marshal(v)
	if err != nil {
		c.t.Fatal(err)
	}
	c.write(string(b))
}

// nextStart returns the next start element (handshake phase, synchronous).
func (c *rawClient) nextStart() xml.StartElement {
	c.t.Helper()
	for {
		tok, err := c.dec.Token()
		if err != nil {
			c.t.Fatalf("read: %v", err)
		}
		if se, ok := tok.(xml.StartElement); ok {
			return se
		}
	}
}

// open sends a stream header and returns the features element.
func (c *rawClient) open() node {
	c.t.Helper()
	c.write(`<?xml version='1.0'?><stream:stream to='localhost' xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' version='1.0'>`)
	if se := c.nextStart(); se.Name.Local != "stream" {
		c.t.Fatalf("want stream header, got %v", se.Name)
	}
	se := c.nextStart()
	var f node
	if err := c.dec.DecodeElement(&f, &se); err != nil {
		c.t.Fatal(err)
	}
	if se.Name.Space != nsStream || se.Name.Local != "features" {
		c.t.Fatalf("want features, got %v", se.Name)
	}
	return f
}

func (c *rawClient) startTLS(cfg *tls.Config) node {
	c.t.Helper()
	c.write(`<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>`)
	if se := c.nextStart(); se.Name.Local != "proceed" {
		c.t.Fatalf("want proceed, got %v", se.Name)
	}
	tc := tls.Client(c.conn, cfg)
	if err := tc.Handshake(); err != nil {
		c.t.Fatal(err)
	}
	c.conn = tc
	c.dec = xml.NewDecoder(tc)
	return c.open()
}

// auth sends PLAIN and returns the answer: the element name and, for failure, the node.
func (c *rawClient) auth(authzid, authcid, password string) (string, node) {
	c.t.Helper()
	payload := base64.StdEncoding.EncodeToString([]byte(authzid + "\x00" + authcid + "\x00" + password))
	c.write(`<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='PLAIN'>` + payload + `</auth>`)
	se := c.nextStart()
	var n node
	if err := c.dec.DecodeElement(&n, &se); err != nil {
		c.t.Fatal(err)
	}
	return se.Name.Local, n
}

func (c *rawClient) bind(resource string) string {
	c.t.Helper()
	if resource == "" {
		c.write(`<iq type='set' id='b1'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'/></iq>`)
	} else {
		var b strings.Builder
		_ = xml.EscapeText(&b, []byte(resource))
		c.write(`<iq type='set' id='b1'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'><resource>` + b.String() + `</resource></bind></iq>`)
	}
	se := c.nextStart()
	var iq iqStanza
	if err := c.dec.DecodeElement(&iq, &se); err != nil {
		c.t.Fatal(err)
	}
	p := iq.payload()
	if iq.Type != "result" || p == nil || p.child("jid") == nil {
		c.t.Fatalf("bind failed: %+v", iq)
	}
	return p.child("jid").Text
}

// login connects over direct TLS, authenticates as uid, binds and starts the reader.
// presence=true sends initial presence (which flushes the offline queue).
func (ts *testServer) login(t *testing.T, uid int64, resource string, presence bool) *rawClient {
	t.Helper()
	c := ts.connect(t, uid, resource)
	c.startReader()
	if presence {
		c.write(`<presence/>`)
	}
	return c
}

// connect authenticates and binds over direct TLS but reads nothing afterwards.
func (ts *testServer) connect(t *testing.T, uid int64, resource string) *rawClient {
	t.Helper()
	c := dialRaw(t, ts.direct, ts.clientTL)
	c.open()
	if name, n := c.auth("", fmt.Sprintf("%d-1", uid), testPassword); name != "success" {
		t.Fatalf("auth as %d: %s %+v", uid, name, n)
	}
	c.open()
	c.jid = c.bind(resource)
	_ = c.conn.SetDeadline(time.Time{})
	return c
}

// startReader decodes every later element into c.in: *cube.MessageStanza,
// *presenceOut, *iqStanza, gotStreamError, streamEnd or an error.
func (c *rawClient) startReader() {
	c.in = make(chan any, 100)
	c.own = make(chan *presenceOut, 100)
	go func() {
		defer close(c.in)
		for {
			tok, err := c.dec.Token()
			if err != nil {
				c.in <- err
				return
			}
			switch se := tok.(type) {
			case xml.EndElement:
				c.in <- streamEnd{}
				return
			case xml.StartElement:
				var v any
				switch se.Name.Local {
				case "message":
					v = &cube.MessageStanza{}
				case "presence":
					v = &presenceOut{}
				case "iq":
					v = &iqStanza{}
				default:
					v = &node{}
				}
				if err := c.dec.DecodeElement(v, &se); err != nil {
					c.in <- err
					return
				}
				if p, ok := v.(*presenceOut); ok && p.MUCUser == nil && p.From != c.jid && cube.BareJID(p.From) == cube.BareJID(c.jid) {
					c.own <- p
					continue
				}
				if n, ok := v.(*node); ok && se.Name.Local == "error" && se.Name.Space == nsStream {
					ge := gotStreamError{}
					for _, ch := range n.Children {
						if ch.XMLName.Local == "text" {
							ge.text = ch.Text
						} else {
							ge.cond = ch.XMLName.Local
						}
					}
					v = ge
				}
				c.in <- v
			}
		}
	}()
}

// next waits for the next element read after login.
func (c *rawClient) next(timeout time.Duration) any {
	c.t.Helper()
	select {
	case v, ok := <-c.in:
		if !ok {
			c.t.Fatal("connection closed")
		}
		return v
	case <-time.After(timeout):
		c.t.Fatalf("%s: nothing received within %v", c.jid, timeout)
	}
	return nil
}

func (c *rawClient) nextMessage() *cube.MessageStanza {
	c.t.Helper()
	v := c.next(3 * time.Second)
	m, ok := v.(*cube.MessageStanza)
	if !ok {
		c.t.Fatalf("%s: want message, got %T %+v", c.jid, v, v)
	}
	return m
}

// nextOwnPresence waits for the presence of another resource of the user.
func (c *rawClient) nextOwnPresence() *presenceOut {
	c.t.Helper()
	p, _ := testwait.Recv(c.t, c.jid+" receiving its own presence", 3*time.Second, c.own)
	return p
}

func (c *rawClient) nextIQ() *iqStanza {
	c.t.Helper()
	v := c.next(3 * time.Second)
	iq, ok := v.(*iqStanza)
	if !ok {
		c.t.Fatalf("%s: want iq, got %T %+v", c.jid, v, v)
	}
	return iq
}

// expectSilence fails if anything arrives within d.
func (c *rawClient) expectSilence(d time.Duration) {
	c.t.Helper()
	select {
	case v := <-c.in:
		c.t.Fatalf("%s: expected nothing, got %T %+v", c.jid, v, v)
	case <-time.After(d):
	}
}

// ping round-trips an IQ, which proves the connection is served and that everything
// sent before it was processed.
func (c *rawClient) ping(id string) {
	c.t.Helper()
	c.write(`<iq type='get' id='` + id + `' to='localhost'><ping xmlns='urn:xmpp:ping'/></iq>`)
	iq := c.nextIQ()
	if iq.ID != id || iq.Type != "result" {
		c.t.Fatalf("ping %s: %+v", id, iq)
	}
}

// chat builds a content message from this client.
func chat(to, id, body string, params ...cube.Param) *cube.MessageStanza {
	m := &cube.MessageStanza{To: to, Type: cube.ChatType, ID: id, Body: cube.Str(body)}
	if len(params) > 0 {
		m.Extra = &cube.ExtraParams{Params: params}
	}
	return m
}

var saveParam = cube.Param{Name: "save_to_history", Value: "1"}
