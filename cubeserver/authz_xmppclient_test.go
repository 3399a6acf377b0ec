package cubeserver

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"encoding/xml"
	"fmt"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/cubechat/cubechat/cube"
)

// A raw XMPP client for the matrix: it writes stanzas exactly as given (so it can
// forge what no SDK would send) and queues everything it reads.

const xmppWait = 10 * time.Second

type xclient struct {
	t    *testing.T
	conn *tls.Conn
	dec  *xml.Decoder
	jid  string

	mu     sync.Mutex
	queue  []any // *cube.MessageStanza, xiq, or error (the end of the stream)
	notify chan struct{}
	done   chan struct{}
}

// xiq is an IQ as the matrix needs it.
type xiq struct {
	ID   string `xml:"id,attr"`
	Type string `xml:"type,attr"`
	From string `xml:"from,attr"`
}

// xmppAuth opens a stream over direct TLS and tries SASL PLAIN as userID with secret.
// It returns the client after <success/>, or nil after <failure/>.
func (e *authzEnv) xmppAuth(userID int64, secret string) *xclient {
	e.t.Helper()
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(e.s.CertPEM())
	conn, err := tls.Dial("tcp", e.s.XMPPTLSAddr(), &tls.Config{RootCAs: pool, ServerName: "localhost"})
	if err != nil {
		e.t.Fatal(err)
	}
	c := &xclient{t: e.t, conn: conn, dec: xml.NewDecoder(conn), notify: make(chan struct{}, 1), done: make(chan struct{})}
	_ = conn.SetDeadline(time.Now().Add(xmppWait))
	c.openStream()
	authcid := strconv.FormatInt(userID, 10) + "-" + strconv.FormatInt(e.s.AppID(), 10)
	c.write(`<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='PLAIN'>` +
		base64.StdEncoding.EncodeToString([]byte("\x00"+authcid+"\x00"+secret)) + `</auth>`)
	se := c.nextStart()
	_ = c.dec.Skip()
	if se.Name.Local != "success" {
		_ = conn.Close()
		return nil
	}
	return c
}

// xmppLogin signs the role's user in with a fresh session token, binds, sends
// presence and starts reading.
func (e *authzEnv) xmppLogin(r role) *xclient {
	e.t.Helper()
	c := e.xmppAuth(e.users[r].ID, e.token(r))
	if c == nil {
		e.t.Fatalf("XMPP login as %s refused", r)
	}
	return c.bind()
}

func (c *xclient) bind() *xclient {
	c.t.Helper()
	c.openStream()
	c.write(`<iq type='set' id='bind1'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'/></iq>`)
	se := c.nextStart()
	var res struct {
		Type string `xml:"type,attr"`
		JID  string `xml:"bind>jid"`
	}
	if err := c.dec.DecodeElement(&res, &se); err != nil || res.Type != "result" {
		c.t.Fatalf("bind: %+v %v", res, err)
	}
	c.jid = res.JID
	_ = c.conn.SetDeadline(time.Time{})
	c.write(`<presence/>`)
	go c.read()
	c.t.Cleanup(c.close)
	return c
}

func (c *xclient) close() {
	_ = c.conn.Close()
	select {
	case <-c.done:
	case <-time.After(xmppWait):
		c.t.Error("XMPP reader did not stop")
	}
}

func (c *xclient) openStream() {
	c.t.Helper()
	c.write(clientStreamHeader)
	if se := c.nextStart(); se.Name.Local != "stream" {
		c.t.Fatalf("want a stream header, got %v", se.Name)
	}
	if se := c.nextStart(); se.Name.Local != "features" {
		c.t.Fatalf("want stream features, got %v", se.Name)
	}
	_ = c.dec.Skip()
}

func (c *xclient) nextStart() xml.StartElement {
	c.t.Helper()
	for {
		tok, err := c.dec.Token()
		if err != nil {
			c.t.Fatalf("XMPP read: %v", err)
		}
		if se, ok := tok.(xml.StartElement); ok {
			return se
		}
	}
}

func (c *xclient) write(s string) {
	c.t.Helper()
	if _, err := c.conn.Write([]byte(s)); err != nil {
		c.t.Fatalf("XMPP write: %v", err)
	}
}

// read queues every stanza until the stream ends; the queue is unbounded so that a
// connection the current case does not read never pushes back on the server.
func (c *xclient) read() {
	defer close(c.done)
	for {
		tok, err := c.dec.Token()
		if err != nil {
			c.push(err)
			return
		}
		se, ok := tok.(xml.StartElement)
		if !ok {
			continue
		}
		switch se.Name.Local {
		case "message":
			var m cube.MessageStanza
			if err := c.dec.DecodeElement(&m, &se); err != nil {
				c.push(err)
				return
			}
			c.push(&m)
		case "iq":
			var iq xiq
			if err := c.dec.DecodeElement(&iq, &se); err != nil {
				c.push(err)
				return
			}
			c.push(iq)
		default:
			_ = c.dec.Skip()
		}
	}
}

func (c *xclient) push(v any) {
	c.mu.Lock()
	c.queue = append(c.queue, v)
	c.mu.Unlock()
	select {
	case c.notify <- struct{}{}:
	default:
	}
}

// until consumes queued stanzas up to the one stop accepts and returns those before
// it; the end of the stream or xmppWait without it fails the test.
func (c *xclient) until(what string, stop func(v any) bool) []any {
	c.t.Helper()
	var seen []any
	deadline := time.After(xmppWait)
	for {
		c.mu.Lock()
		q := c.queue
		c.queue = nil
		c.mu.Unlock()
		for i, v := range q {
			if err, ok := v.(error); ok {
				c.t.Fatalf("%s: stream of %s ended waiting for %s: %v", c.t.Name(), c.jid, what, err)
			}
			if stop(v) {
				c.mu.Lock()
				c.queue = append(q[i+1:], c.queue...)
				c.mu.Unlock()
				return seen
			}
			seen = append(seen, v)
		}
		select {
		case <-c.notify:
		case <-deadline:
			c.t.Fatalf("%s: %s never saw %s", c.t.Name(), c.jid, what)
		}
	}
}

// pingRoundTrip returns what arrived before the answer to a ping: the server routes a
// stream's stanzas in order, so everything the stanzas sent before it caused for this
// connection (echoes, bounces) is queued by then.
func (c *xclient) pingRoundTrip(id string) []any {
	c.t.Helper()
	c.write(fmt.Sprintf(`<iq type='get' id='%s' to='localhost'><ping xmlns='urn:xmpp:ping'/></iq>`, id))
	return c.until("ping "+id, func(v any) bool { iq, ok := v.(xiq); return ok && iq.ID == id && iq.Type == "result" })
}
