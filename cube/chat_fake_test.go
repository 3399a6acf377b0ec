package cube

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"encoding/xml"
	"fmt"
	"io"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cubechat/cubechat/internal/testcert"
)

// fakeXMPP is a minimal XMPP server for the chat tests: direct TLS or STARTTLS,
// SASL PLAIN, bind, IQ answers, and hooks to push stanzas, drop the connection or
// stop answering pings.
type fakeXMPP struct {
	t         *testing.T
	ln        net.Listener
	tlsConf   *tls.Config
	roots     *x509.CertPool
	startTLS  bool
	password  string
	onLogin   []string // raw stanzas pushed right after bind (offline messages)
	mu        sync.Mutex
	conn      net.Conn // the latest logged-in connection
	logins    int
	silentPng bool
	// stallNext makes the connection that reads the next element stall: it answers
	// nothing more and discards what it reads, until the client closes its socket,
	// which it reports on socketClosed.
	stallNext    bool
	socketClosed chan struct{}
	received     chan fakeElem
	// answer, when set, may answer a get/set IQ itself with a raw stanza ("" = the
	// default empty result).
	answer func(iq fakeElem) string
}

// fakeElem is one top-level element the server received.
type fakeElem struct {
	XMLName xml.Name
	Attrs   []xml.Attr `xml:",any,attr"`
	Inner   string     `xml:",innerxml"`
}

func (e fakeElem) attr(name string) string {
	for _, a := range e.Attrs {
		if a.Name.Local == name {
			return a.Value
		}
	}
	return ""
}

func newFakeXMPP(t *testing.T, startTLS bool) *fakeXMPP {
	t.Helper()
	cert, roots := testcert.Localhost(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	f := &fakeXMPP{t: t, ln: ln, roots: roots, startTLS: startTLS, password: "pw",
		tlsConf: &tls.Config{Certificates: []tls.Certificate{cert}}, received: make(chan fakeElem, 100),
		socketClosed: make(chan struct{}, 10)}
	t.Cleanup(func() { ln.Close(); f.kill() })
	go f.serve()
	return f
}

func (f *fakeXMPP) config() Config {
	mode := ChatDirectTLS
	if f.startTLS {
		mode = ChatStartTLS
	}
	return Config{AppID: 1, ChatHost: f.ln.Addr().String(), ChatDomain: "localhost", ChatTLS: mode, RootCAs: f.roots}
}

func (f *fakeXMPP) serve() {
	for {
		c, err := f.ln.Accept()
		if err != nil {
			return
		}
		if !f.startTLS {
			c = tls.Server(c, f.tlsConf)
		}
		go f.handle(c)
	}
}

// open reads the client's stream header and answers with ours and the features.
func (f *fakeXMPP) open(c net.Conn, features string) (*xml.Decoder, error) {
	d := xml.NewDecoder(c)
	for {
		tok, err := d.Token()
		if err != nil {
			return nil, err
		}
		if se, ok := tok.(xml.StartElement); ok && se.Name.Local == "stream" {
			break
		}
	}
	_, err := fmt.Fprintf(c, `<?xml version='1.0'?><stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' id='s1' from='localhost' version='1.0'><stream:features>%s</stream:features>`, features)
	return d, err
}

// next reads the next top-level element; io.EOF when the client closed its stream.
func next(d *xml.Decoder) (fakeElem, error) {
	for {
		tok, err := d.Token()
		if err != nil {
			return fakeElem{}, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			var e fakeElem
			err := d.DecodeElement(&e, &t)
			return e, err
		case xml.EndElement:
			return fakeElem{}, io.EOF
		}
	}
}

const saslFeatures = `<mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'><mechanism>PLAIN</mechanism></mechanisms>`

func (f *fakeXMPP) handle(c net.Conn) {
	defer c.Close()
	if f.startTLS {
		d, err := f.open(c, `<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'><required/></starttls>`)
		if err != nil {
			return
		}
		if e, err := next(d); err != nil || e.XMLName.Local != "starttls" {
			return
		}
		fmt.Fprint(c, `<proceed xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>`)
		tc := tls.Server(c, f.tlsConf)
		if tc.Handshake() != nil {
			return
		}
		c = tc
	}
	d, err := f.open(c, saslFeatures)
	if err != nil {
		return
	}
	auth, err := next(d)
	if err != nil {
		return
	}
	raw, _ := base64.StdEncoding.DecodeString(auth.Inner)
	parts := strings.Split(string(raw), "\x00")
	if len(parts) != 3 || parts[1] != "7-1" || parts[2] != f.password {
		fmt.Fprint(c, `<failure xmlns='urn:ietf:params:xml:ns:xmpp-sasl'><not-authorized/><text>Password not verified</text></failure></stream:stream>`)
		return
	}
	fmt.Fprint(c, `<success xmlns='urn:ietf:params:xml:ns:xmpp-sasl'/>`)
	if d, err = f.open(c, `<bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'/>`); err != nil {
		return
	}
	bind, err := next(d)
	if err != nil {
		return
	}
	fmt.Fprintf(c, `<iq type='result' id='%s'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'><jid>7-1@localhost/r%d</jid></bind></iq>`, bind.attr("id"), time.Now().UnixNano())
	f.mu.Lock()
	f.conn = c
	f.logins++
	f.mu.Unlock()
	for _, s := range f.onLogin {
		fmt.Fprint(c, s)
	}
	for {
		e, err := next(d)
		if err == io.EOF {
			fmt.Fprint(c, `</stream:stream>`)
			return
		}
		if err != nil {
			return
		}
		f.received <- e
		f.mu.Lock()
		stall := f.stallNext
		f.stallNext = false
		f.mu.Unlock()
		if stall {
			_, _ = io.Copy(io.Discard, c) // until the client closes the socket
			f.socketClosed <- struct{}{}
			return
		}
		if e.XMLName.Local == "iq" && (e.attr("type") == "get" || e.attr("type") == "set") {
			f.mu.Lock()
			silent := f.silentPng && strings.Contains(e.Inner, "urn:xmpp:ping")
			answer := f.answer
			f.mu.Unlock()
			if answer != nil {
				if raw := answer(e); raw != "" {
					fmt.Fprint(c, raw)
					continue
				}
			}
			if !silent {
				fmt.Fprintf(c, `<iq type='result' id='%s' from='localhost'/>`, e.attr("id"))
			}
		}
	}
}

// setAnswer installs answer (see the field) safely while the server runs.
func (f *fakeXMPP) setAnswer(answer func(iq fakeElem) string) {
	f.mu.Lock()
	f.answer = answer
	f.mu.Unlock()
}

// push sends a raw stanza on the latest connection.
func (f *fakeXMPP) push(raw string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.conn == nil {
		f.t.Fatal("push: no connection")
	}
	fmt.Fprint(f.conn, raw)
}

// kill drops the latest connection without any XMPP goodbye.
func (f *fakeXMPP) kill() {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.conn != nil {
		f.conn.Close()
		f.conn = nil
	}
}

func (f *fakeXMPP) loginCount() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.logins
}

// waitReceived returns the next received element with the given name, or fails.
func (f *fakeXMPP) waitReceived(name string) fakeElem {
	f.t.Helper()
	deadline := time.After(5 * time.Second)
	for {
		select {
		case e := <-f.received:
			if e.XMLName.Local == name {
				return e
			}
		case <-deadline:
			f.t.Fatalf("server never received <%s>", name)
		}
	}
}
