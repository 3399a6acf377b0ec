package xmppd

import (
	"context"
	"encoding/base64"
	"encoding/xml"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/cubechat/cubechat/cube"
)

// wsClient speaks RFC 7395 by hand: one element per frame in each direction.
type wsClient struct {
	t  *testing.T
	ws *websocket.Conn
}

func startWS(t *testing.T, ts *testServer) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = ts.srv.ServeWebSocket(ln) }()
	return "ws://" + ln.Addr().String() + "/"
}

func dialWS(t *testing.T, url string, protocols ...string) (*wsClient, error) {
	return dialWSFrom(t, url, "", protocols...)
}

// dialWSFrom dials with an Origin header, as a browser page would send.
func dialWSFrom(t *testing.T, url, origin string, protocols ...string) (*wsClient, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	opts := &websocket.DialOptions{Subprotocols: protocols}
	if origin != "" {
		opts.HTTPHeader = http.Header{"Origin": {origin}}
	}
	ws, _, err := websocket.Dial(ctx, url, opts)
	if err != nil {
		return nil, err
	}
	t.Cleanup(func() { _ = ws.CloseNow() })
	return &wsClient{t: t, ws: ws}, nil
}

func (c *wsClient) send(s string) {
	c.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := c.ws.Write(ctx, websocket.MessageText, []byte(s)); err != nil {
		c.t.Fatalf("ws send: %v", err)
	}
}

// recv reads one frame and checks it holds exactly one element; it returns the
// element's name and the element decoded generically.
func (c *wsClient) recv() (xml.Name, node, string) {
	c.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	typ, b, err := c.ws.Read(ctx)
	if err != nil {
		c.t.Fatalf("ws receive: %v", err)
	}
	if typ != websocket.MessageText {
		c.t.Fatalf("a %v message; RFC 7395 wants text", typ)
	}
	frame := string(b)
	elems, err := splitElements([]byte(frame))
	if err != nil || len(elems) != 1 {
		c.t.Fatalf("frame %q holds %d elements (%v)", frame, len(elems), err)
	}
	dec := xml.NewDecoder(strings.NewReader(frame))
	var n node
	if err := dec.Decode(&n); err != nil {
		c.t.Fatalf("frame %q: %v", frame, err)
	}
	return n.XMLName, n, frame
}

func (c *wsClient) expect(space, local string) (node, string) {
	c.t.Helper()
	name, n, frame := c.recv()
	if name.Space != space || name.Local != local {
		c.t.Fatalf("want {%s}%s, got frame %q", space, local, frame)
	}
	return n, frame
}

const wsOpen = `<open xmlns="urn:ietf:params:xml:ns:xmpp-framing" to="localhost" version="1.0"/>`

// login runs the JS SDK's sequence over WebSocket and returns the bound JID.
func (c *wsClient) login(uid string) string {
	c.t.Helper()
	c.send(wsOpen)
	c.expect(nsFraming, "open")
	f, frame := c.expect(nsStream, "features")
	if !strings.Contains(frame, `xmlns:stream="`+nsStream+`"`) || f.child("mechanisms") == nil || f.child("starttls") != nil {
		c.t.Fatalf("features %q", frame)
	}
	c.send(`<auth xmlns="urn:ietf:params:xml:ns:xmpp-sasl" mechanism="PLAIN">` +
		base64.StdEncoding.EncodeToString([]byte("\x00"+uid+"-1\x00"+testPassword)) + `</auth>`)
	c.expect(nsSASL, "success")
	c.send(wsOpen)
	c.expect(nsFraming, "open")
	if f, _ := c.expect(nsStream, "features"); f.child("bind") == nil {
		c.t.Fatalf("no bind feature: %+v", f)
	}
	c.send(`<iq type="set" id="b1" xmlns="jabber:client"><bind xmlns="urn:ietf:params:xml:ns:xmpp-bind"/></iq>`)
	iq, _ := c.expect(cube.NSClient, "iq")
	return iq.child("bind").child("jid").Text
}

func TestWebSocketSessionRelaysBothWays(t *testing.T) {
	ts := startServer(t, nil)
	url := startWS(t, ts)
	alice := ts.login(t, 5, "", true)

	// Queue two messages for bob first: the offline flush must still be one per frame.
	for _, body := range []string{"one", "two"} {
		alice.writeElem(chat("6-1@localhost", cube.NewObjectID(), body, saveParam))
	}
	alice.ping("p1")

	bob, err := dialWS(t, url, "xmpp")
	if err != nil {
		t.Fatal(err)
	}
	jid := bob.login("6")
	if !strings.HasPrefix(jid, "6-1@localhost/") {
		t.Fatalf("bound %q", jid)
	}
	bob.send(`<presence xmlns="jabber:client"/>`)
	for _, want := range []string{"one", "two"} {
		m, _ := bob.expect(cube.NSClient, "message")
		if m.child("body").Text != want || m.child("delay") == nil {
			t.Fatalf("offline message %+v", m)
		}
	}

	// WebSocket → TCP, with the default namespace left out as some clients do.
	bob.send(`<message to="5-1@localhost" type="chat" id="w1"><body>over ws</body></message>`)
	if got := alice.nextMessage(); got.ID != "w1" || got.From != jid || got.BodyText() != "over ws" {
		t.Fatalf("alice got %+v", got)
	}
	// TCP → WebSocket.
	alice.writeElem(chat("6-1@localhost", "t1", "over tcp"))
	if m, _ := bob.expect(cube.NSClient, "message"); m.child("body").Text != "over tcp" {
		t.Fatalf("bob got %+v", m)
	}
	// IQs work the same way.
	bob.send(`<iq type="get" id="ping1" to="localhost" xmlns="jabber:client"><ping xmlns="urn:xmpp:ping"/></iq>`)
	if iq, _ := bob.expect(cube.NSClient, "iq"); iq.attr("type") != "result" || iq.attr("id") != "ping1" {
		t.Fatalf("ping answer %+v", iq)
	}

	// <close/> is answered with <close/> and the user goes offline.
	bob.send(`<close xmlns="urn:ietf:params:xml:ns:xmpp-framing"/>`)
	bob.expect(nsFraming, "close")
	waitOffline(t, ts, 6)
}

func TestWebSocketRefusals(t *testing.T) {
	ts := startServer(t, nil)
	url := startWS(t, ts)
	if _, err := dialWS(t, url); err == nil {
		t.Fatal("a client without the xmpp subprotocol was accepted")
	}
	cases := []struct {
		name, first, cond string
	}{
		{"tcp header instead of open", `<stream:stream xmlns:stream="http://etherx.jabber.org/streams" to="localhost"/>`, condInvalidNS},
		{"not xml", `<open`, condNotWellFormed},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, err := dialWS(t, url, "xmpp")
			if err != nil {
				t.Fatal(err)
			}
			c.send(tc.first)
			c.expect(nsFraming, "open") // the header RFC 6120 requires before an error
			e, _ := c.expect(nsStream, "error")
			if len(e.Children) == 0 || e.Children[0].XMLName.Local != tc.cond {
				t.Fatalf("stream error %+v, want %s", e, tc.cond)
			}
			c.expect(nsFraming, "close")
		})
	}
	// A stanza before auth is a stream error, then <close/>.
	c, err := dialWS(t, url, "xmpp")
	if err != nil {
		t.Fatal(err)
	}
	c.send(wsOpen)
	c.expect(nsFraming, "open")
	c.expect(nsStream, "features")
	c.send(`<message to="5-1@localhost"><body>x</body></message>`)
	if e, _ := c.expect(nsStream, "error"); e.Children[0].XMLName.Local != condNotAuthorized {
		t.Fatalf("stream error %+v", e)
	}
	c.expect(nsFraming, "close")
}

func TestSplitElements(t *testing.T) {
	cases := []struct {
		in   string
		want []string
		bad  bool
	}{
		{`<a/>`, []string{`<a/>`}, false},
		{`<a x="1"><b>t</b></a><c/>`, []string{`<a x="1"><b>t</b></a>`, `<c/>`}, false},
		{`<stream:error xmlns:stream="s"><x/></stream:error><close xmlns="f"/>`, []string{`<stream:error xmlns:stream="s"><x/></stream:error>`, `<close xmlns="f"/>`}, false},
		{`<a><b></a>`, nil, true},
		{`<a>`, nil, true},
	}
	for _, tc := range cases {
		got, err := splitElements([]byte(tc.in))
		if (err != nil) != tc.bad {
			t.Errorf("%q: err %v", tc.in, err)
			continue
		}
		var s []string
		for _, g := range got {
			s = append(s, string(g))
		}
		if !tc.bad && strings.Join(s, "|") != strings.Join(tc.want, "|") {
			t.Errorf("%q split into %q", tc.in, s)
		}
	}
}

func TestWebSocketServerCloseSaysGoodbye(t *testing.T) {
	ts := startServer(t, nil)
	url := startWS(t, ts)
	c, err := dialWS(t, url, "xmpp")
	if err != nil {
		t.Fatal(err)
	}
	c.login("5")
	done := make(chan error, 1)
	go func() { done <- ts.srv.Close() }()
	if e, _ := c.expect(nsStream, "error"); len(e.Children) == 0 || e.Children[0].XMLName.Local != condSystemShutdown {
		t.Fatalf("stream error %+v", e)
	}
	c.expect(nsFraming, "close")
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Close did not return")
	}
}

// TestWebSocketAcceptsAnyOrigin pins the origin policy: a page served from another
// origin may connect (authentication happens inside the stream, not by cookies), so the
// library's same-origin default must stay off.
func TestWebSocketAcceptsAnyOrigin(t *testing.T) {
	ts := startServer(t, nil)
	url := startWS(t, ts)
	c, err := dialWSFrom(t, url, "https://web.example.org", "xmpp")
	if err != nil {
		t.Fatalf("a cross-origin page was refused: %v", err)
	}
	if got := c.ws.Subprotocol(); got != "xmpp" {
		t.Fatalf("negotiated subprotocol %q", got)
	}
	if jid := c.login("5"); !strings.HasPrefix(jid, "5-1@localhost/") {
		t.Fatalf("bound %q", jid)
	}
}

// TestWebSocketOversizedStanza: a message over MaxStanzaBytes is answered with a
// policy-violation stream error and <close/>, as on TCP, instead of a dropped socket.
func TestWebSocketOversizedStanza(t *testing.T) {
	ts := startServer(t, func(c *Config) { c.MaxStanzaBytes = 4096 })
	url := startWS(t, ts)
	c, err := dialWS(t, url, "xmpp")
	if err != nil {
		t.Fatal(err)
	}
	c.login("5")
	c.send(`<message xmlns="jabber:client" to="6-1@localhost" type="chat"><body>` + strings.Repeat("x", 5000) + `</body></message>`)
	if e, _ := c.expect(nsStream, "error"); len(e.Children) == 0 || e.Children[0].XMLName.Local != condPolicyViolation {
		t.Fatalf("stream error %+v, want %s", e, condPolicyViolation)
	}
	c.expect(nsFraming, "close")
}
