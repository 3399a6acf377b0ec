package sync

import (
	"bytes"
	"crypto/tls"
	"net"
	"path/filepath"
	"strings"
	gosync "sync"
	"testing"
	"time"

	"github.com/cubechat/cubechat/cache"
	"github.com/cubechat/cubechat/cube"
)

// faultProxy is a TCP proxy between an engine and cubeserver that injects real
// faults: block cuts every open connection and refuses new ones until unblock;
// cutAfter ends the client's connection right after the client→server bytes
// holding a marker were forwarded, so the server processes the stanza but the
// client never hears back. With a certificate it terminates TLS on both sides (the
// chat's direct-TLS port), so it can see the stanzas; without one it forwards bytes
// (REST over plain HTTP).
type faultProxy struct {
	t      testing.TB
	ln     net.Listener
	target string
	cert   *tls.Certificate

	mu       gosync.Mutex
	blocked  bool
	marker   []byte
	blockCut bool // block once the marker's connection is cut
	dropCut  bool // cut before the marker's bytes go through: the server never sees them
	cuts     int
	conns    map[net.Conn]bool
	wg       gosync.WaitGroup
}

func newFaultProxy(t testing.TB, target string, cert *tls.Certificate) *faultProxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &faultProxy{t: t, ln: ln, target: target, cert: cert, conns: map[net.Conn]bool{}}
	p.wg.Add(1)
	go p.accept()
	t.Cleanup(p.close)
	return p
}

func (p *faultProxy) addr() string { return p.ln.Addr().String() }

// close stops accepting, cuts everything and waits for every goroutine.
func (p *faultProxy) close() {
	_ = p.ln.Close()
	p.block()
	p.wg.Wait()
}

// block cuts every open connection and refuses new ones.
func (p *faultProxy) block() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.blocked = true
	for c := range p.conns {
		_ = c.Close()
	}
}

func (p *faultProxy) unblock() {
	p.mu.Lock()
	p.blocked = false
	p.mu.Unlock()
}

// cutAfter arms a one-shot cut on the client→server bytes holding marker; with
// thenBlock the proxy also refuses connections from then on, until unblock.
func (p *faultProxy) cutAfter(marker string, thenBlock bool) {
	p.mu.Lock()
	p.marker, p.blockCut, p.dropCut = []byte(marker), thenBlock, false
	p.mu.Unlock()
}

// dropOn arms a one-shot cut on the client→server bytes holding marker that drops
// them: the client wrote them on a connection that then died, and the server never
// got them (what a cut does to bytes in flight).
func (p *faultProxy) dropOn(marker string) {
	p.mu.Lock()
	p.marker, p.blockCut, p.dropCut = []byte(marker), false, true
	p.mu.Unlock()
}

func (p *faultProxy) cutCount() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.cuts
}

// track registers an open connection; false when blocked (the caller closes it).
func (p *faultProxy) track(cs ...net.Conn) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.blocked {
		return false
	}
	for _, c := range cs {
		p.conns[c] = true
	}
	return true
}

func (p *faultProxy) untrack(cs ...net.Conn) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, c := range cs {
		delete(p.conns, c)
	}
}

func (p *faultProxy) accept() {
	defer p.wg.Done()
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		p.wg.Add(1)
		go func() {
			defer p.wg.Done()
			p.serve(c)
		}()
	}
}

func (p *faultProxy) serve(rawClient net.Conn) {
	rawServer, err := net.DialTimeout("tcp", p.target, 5*time.Second)
	if err != nil {
		_ = rawClient.Close()
		return
	}
	if !p.track(rawClient, rawServer) {
		_ = rawClient.Close()
		_ = rawServer.Close()
		return
	}
	defer p.untrack(rawClient, rawServer)
	defer rawClient.Close()
	defer rawServer.Close()
	client, server := rawClient, rawServer
	if p.cert != nil {
		tc := tls.Server(rawClient, &tls.Config{Certificates: []tls.Certificate{*p.cert}})
		// The fixture talks to the in-process server on loopback; the client side of
		// the proxy is where the engine's certificate check happens.
		ts := tls.Client(rawServer, &tls.Config{InsecureSkipVerify: true}) //nolint:gosec // test fixture
		_ = rawClient.SetDeadline(time.Now().Add(5 * time.Second))
		if tc.Handshake() != nil || ts.Handshake() != nil {
			return
		}
		_ = rawClient.SetDeadline(time.Time{})
		client, server = tc, ts
	}

	cut := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		p.clientToServer(client, server, cut)
	}()
	// Server → client until the server ends. After a cut the server's output is read
	// and dropped: closing with unread bytes would reset the connection, and a reset
	// may discard what the server has not read yet — the very stanza being tested.
	buf := make([]byte, 32<<10)
	for {
		n, err := server.Read(buf)
		if n > 0 {
			select {
			case <-cut:
			default:
				_, _ = client.Write(buf[:n])
			}
		}
		if err != nil {
			break
		}
	}
	_ = client.Close()
	<-done
}

// clientToServer forwards until the client ends or the marker's bytes have gone
// through; then it closes the client and half-closes the server side, so that the
// server reads everything forwarded, then the end of the stream.
func (p *faultProxy) clientToServer(client, server net.Conn, cut chan struct{}) {
	defer func() {
		if cw, ok := server.(interface{ CloseWrite() error }); ok {
			_ = cw.CloseWrite()
		}
		// Bound the wait for the server to finish.
		_ = server.SetReadDeadline(time.Now().Add(10 * time.Second))
	}()
	buf := make([]byte, 32<<10)
	var tail []byte
	for {
		n, err := client.Read(buf)
		if n > 0 {
			window := append(tail, buf[:n]...)
			// The cut starts before the bytes go out, so that no answer to them can
			// reach the client.
			hit, drop := p.hit(window)
			if hit {
				close(cut)
				_ = client.Close()
			}
			if drop {
				return
			}
			if _, werr := server.Write(buf[:n]); werr != nil || hit {
				return
			}
			tail = append([]byte(nil), window[max(0, len(window)-256):]...)
		}
		if err != nil {
			return
		}
	}
}

// hit tells whether window holds the armed marker, disarming it (one cut), and
// whether its bytes are to be dropped rather than forwarded.
func (p *faultProxy) hit(window []byte) (hit, drop bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.marker) == 0 || !bytes.Contains(window, p.marker) {
		return false, false
	}
	p.marker = nil
	p.cuts++
	if p.blockCut {
		p.blocked = true
	}
	return true, p.dropCut
}

// serverCert is the in-process server's own TLS certificate, for a proxy that
// stands in for it (the engine pins the server's certificate).
func (h *harness) serverCert() *tls.Certificate {
	h.t.Helper()
	dir := filepath.Join(h.srv.Config().DataDir, "tls")
	cert, err := tls.LoadX509KeyPair(filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem"))
	if err != nil {
		h.t.Fatalf("loading the server's certificate: %v", err)
	}
	return &cert
}

// proxied is a peer whose chat (direct TLS) and REST go through fault proxies.
type proxied struct {
	*peer
	chat, rest *faultProxy
}

// newProxiedPeer starts an engine for a whose connections pass through proxies,
// with short reconnect waits so that a test does not sit out production backoffs.
func (h *harness) newProxiedPeer(a account) *proxied {
	h.t.Helper()
	chat := newFaultProxy(h.t, h.srv.XMPPTLSAddr(), h.serverCert())
	rest := newFaultProxy(h.t, strings.TrimPrefix(h.srv.HTTPURL(), "https://"), nil)
	prof := h.profile()
	prof.ChatHost, prof.ChatTLS = chat.addr(), cube.ChatDirectTLS
	// REST is TLS end to end: the proxy forwards its bytes, the engine checks the
	// server's pinned certificate (the port is no part of it).
	prof.APIURL = "https://" + rest.addr()
	p := &peer{h: h, acc: a, path: filepath.Join(h.t.TempDir(), a.Login+"-proxied.db")}
	db, err := cache.Open(p.path)
	if err != nil {
		h.t.Fatal(err)
	}
	p.db = db
	p.e = New(db, prof, testLogger(a.Login))
	h.t.Cleanup(p.close)
	p.e.backoffMin, p.e.backoffMax = 50*time.Millisecond, 200*time.Millisecond
	p.e.chatReconnect = &cube.ReconnectPolicy{Attempts: 1, Interval: 20 * time.Millisecond}
	if err := p.e.Login(h.ctx, a.Login, a.password); err != nil {
		h.t.Fatalf("login %s: %v", a.Login, err)
	}
	p.e.Start(h.ctx)
	return &proxied{peer: p, chat: chat, rest: rest}
}
