// Package faultproxy is a TCP proxy that injects network faults between clients and
// a server: it can cut open connections and stall them (hold every byte for a while,
// then let it through). The soak test (cubeload soak) puts one in front of the
// server's REST port and one in front of its chat port; see docs/reliability.md.
package faultproxy

import (
	"math/rand/v2"
	"net"
	"sync"
	"time"
)

// Proxy forwards every connection accepted on its address to a target address. The
// target may be down for a while (a server restart): a connection accepted then is
// closed at once, as a refused connection would be.
type Proxy struct {
	ln     net.Listener
	target string

	mu      sync.Mutex
	links   map[*link]struct{}
	until   time.Time     // bytes are held until then (a stall)
	changed chan struct{} // closed and replaced when a stall is set or lifted
	closed  bool

	wg sync.WaitGroup // the accept loop and every link's two copiers
}

// link is one proxied connection: the client side and the server side.
type link struct {
	client, server net.Conn
	once           sync.Once
	until          time.Time // this link's own stall (StallSome); guarded by Proxy.mu
}

func (l *link) close() {
	l.once.Do(func() {
		l.client.Close()
		l.server.Close()
	})
}

// Listen starts a proxy on addr (e.g. "127.0.0.1:0") that forwards to target.
func Listen(addr, target string) (*Proxy, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	p := &Proxy{ln: ln, target: target, links: map[*link]struct{}{}, changed: make(chan struct{})}
	p.wg.Add(1)
	go p.accept()
	return p, nil
}

// Addr is the address clients connect to.
func (p *Proxy) Addr() string { return p.ln.Addr().String() }

// Open is the number of connections being proxied now.
func (p *Proxy) Open() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.links)
}

// Cut closes each open connection with probability share (1 cuts all), abruptly on
// both sides, and returns how many it closed. r picks; nil means share 1.
func (p *Proxy) Cut(share float64, r *rand.Rand) int {
	p.mu.Lock()
	var cut []*link
	for l := range p.links {
		if r == nil || share >= 1 || r.Float64() < share {
			cut = append(cut, l)
			delete(p.links, l)
		}
	}
	p.mu.Unlock()
	for _, l := range cut {
		l.close()
	}
	return len(cut)
}

// Stall holds the bytes of every connection, open or new, in both directions for d
// (counted from now; a longer running stall is kept). Held bytes are delivered, in
// order, when the stall ends; TCP flow control pushes back on the senders meanwhile.
func (p *Proxy) Stall(d time.Duration) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if until := time.Now().Add(d); until.After(p.until) {
		p.until = until
		p.signal()
	}
}

// StallSome stalls each open connection with probability share for d, the others
// and new ones not: the stalled connections' bytes arrive late and out of step with
// the rest, as on a real network. It returns how many it stalled; r picks.
func (p *Proxy) StallSome(d time.Duration, share float64, r *rand.Rand) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	until, n := time.Now().Add(d), 0
	for l := range p.links {
		if r.Float64() < share {
			n++
			if until.After(l.until) {
				l.until = until
			}
		}
	}
	p.signal()
	return n
}

// Unstall lets held bytes through now, on every connection.
func (p *Proxy) Unstall() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.until = time.Time{}
	for l := range p.links {
		l.until = time.Time{}
	}
	p.signal()
}

// signal wakes every copier waiting on a stall; p.mu must be held.
func (p *Proxy) signal() {
	close(p.changed)
	p.changed = make(chan struct{})
}

// Close stops accepting, closes every connection and waits for the proxy's
// goroutines.
func (p *Proxy) Close() error {
	p.mu.Lock()
	p.closed = true
	p.until = time.Time{}
	p.signal()
	p.mu.Unlock()
	err := p.ln.Close()
	p.Cut(1, nil)
	p.wg.Wait()
	return err
}

func (p *Proxy) accept() {
	defer p.wg.Done()
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return // closed (Close); a proxy has no other reason to stop
		}
		p.wg.Add(1)
		go p.serve(c)
	}
}

// serve dials the target for one accepted connection and copies both ways until
// either side ends or the connection is cut.
func (p *Proxy) serve(client net.Conn) {
	defer p.wg.Done()
	server, err := net.DialTimeout("tcp", p.target, 5*time.Second)
	if err != nil {
		client.Close()
		return
	}
	l := &link{client: client, server: server}
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		l.close()
		return
	}
	p.links[l] = struct{}{}
	p.mu.Unlock()

	var copiers sync.WaitGroup
	copiers.Add(2)
	go func() { defer copiers.Done(); p.copy(l, server, client) }()
	go func() { defer copiers.Done(); p.copy(l, client, server) }()
	copiers.Wait()
	p.mu.Lock()
	delete(p.links, l)
	p.mu.Unlock()
}

// copy moves bytes from src to dst, holding each chunk while the proxy is stalled.
// When this direction ends (EOF, error, cut) the whole link is closed, which ends
// the other direction's Read too.
func (p *Proxy) copy(l *link, dst, src net.Conn) {
	defer l.close()
	buf := make([]byte, 32*1024)
	for {
		n, err := src.Read(buf)
		if n > 0 {
			if !p.waitUnstalled(l) {
				return
			}
			if _, werr := dst.Write(buf[:n]); werr != nil {
				return
			}
		}
		if err != nil {
			return
		}
	}
}

// waitUnstalled returns when no stall of the proxy or of l is running: true to go
// on, false when the proxy was closed meanwhile.
func (p *Proxy) waitUnstalled(l *link) bool {
	for {
		p.mu.Lock()
		until, changed, closed := p.until, p.changed, p.closed
		if l.until.After(until) {
			until = l.until
		}
		p.mu.Unlock()
		if closed {
			return false
		}
		wait := time.Until(until)
		if wait <= 0 {
			return true
		}
		t := time.NewTimer(wait)
		select {
		case <-t.C:
		case <-changed:
			t.Stop()
		}
	}
}
