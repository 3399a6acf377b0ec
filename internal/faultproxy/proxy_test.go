package faultproxy

import (
	"bufio"
	"io"
	"math/rand/v2"
	"net"
	"sync"
	"testing"
	"time"
)

// echoServer answers every line with the same line, until closed.
func echoServer(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	var conns []net.Conn
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer c.Close()
				_, _ = io.Copy(c, c)
			}()
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		mu.Lock()
		for _, c := range conns {
			c.Close()
		}
		mu.Unlock()
		wg.Wait()
	})
	return ln.Addr().String()
}

func startProxy(t *testing.T, target string) *Proxy {
	t.Helper()
	p, err := Listen("127.0.0.1:0", target)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	return p
}

// dial connects through the proxy and waits until the proxy has the link open.
func dial(t *testing.T, p *Proxy) (net.Conn, *bufio.Reader) {
	t.Helper()
	before := p.Open()
	c, err := net.Dial("tcp", p.Addr())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	r := bufio.NewReader(c)
	roundTrip(t, c, r, "hello")
	if p.Open() <= before {
		t.Fatalf("proxy shows %d open links after a round trip, want more than %d", p.Open(), before)
	}
	return c, r
}

func roundTrip(t *testing.T, c net.Conn, r *bufio.Reader, line string) {
	t.Helper()
	if err := c.SetDeadline(time.Now().Add(5 * time.Second)); err != nil {
		t.Fatal(err)
	}
	if _, err := io.WriteString(c, line+"\n"); err != nil {
		t.Fatalf("write %q: %v", line, err)
	}
	got, err := r.ReadString('\n')
	if err != nil {
		t.Fatalf("read echo of %q: %v", line, err)
	}
	if got != line+"\n" {
		t.Fatalf("echo = %q, want %q", got, line+"\n")
	}
}

// expectClosed reads until the connection ends; it must end within 5 s.
func expectClosed(t *testing.T, c net.Conn, r *bufio.Reader) {
	t.Helper()
	if err := c.SetReadDeadline(time.Now().Add(5 * time.Second)); err != nil {
		t.Fatal(err)
	}
	_, err := r.ReadString('\n')
	if err == nil {
		t.Fatal("the connection still delivers data after the cut")
	}
	if ne, ok := err.(net.Error); ok && ne.Timeout() {
		t.Fatal("the connection stayed open after the cut")
	}
}

func TestForwardsBothWays(t *testing.T) {
	p := startProxy(t, echoServer(t))
	c, r := dial(t, p)
	for _, line := range []string{"one", "two", "three"} {
		roundTrip(t, c, r, line)
	}
}

func TestCutClosesEveryConnectionAndNewOnesWork(t *testing.T) {
	p := startProxy(t, echoServer(t))
	c1, r1 := dial(t, p)
	c2, r2 := dial(t, p)
	if n := p.Cut(1, nil); n != 2 {
		t.Fatalf("Cut closed %d connections, want 2", n)
	}
	expectClosed(t, c1, r1)
	expectClosed(t, c2, r2)
	c3, r3 := dial(t, p)
	roundTrip(t, c3, r3, "after the cut")
}

func TestCutShareZeroKeepsConnections(t *testing.T) {
	p := startProxy(t, echoServer(t))
	c, r := dial(t, p)
	if n := p.Cut(0, rand.New(rand.NewPCG(1, 2))); n != 0 {
		t.Fatalf("Cut(0) closed %d connections", n)
	}
	roundTrip(t, c, r, "still here")
}

func TestStallHoldsBytesThenDeliversThemInOrder(t *testing.T) {
	p := startProxy(t, echoServer(t))
	c, r := dial(t, p)
	p.Stall(time.Hour)
	if _, err := io.WriteString(c, "held-1\nheld-2\n"); err != nil {
		t.Fatal(err)
	}
	// Nothing may come back while the stall lasts.
	if err := c.SetReadDeadline(time.Now().Add(300 * time.Millisecond)); err != nil {
		t.Fatal(err)
	}
	if line, err := r.ReadString('\n'); err == nil {
		t.Fatalf("got %q through a stalled proxy", line)
	}
	p.Unstall()
	if err := c.SetReadDeadline(time.Now().Add(5 * time.Second)); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"held-1\n", "held-2\n"} {
		got, err := r.ReadString('\n')
		if err != nil || got != want {
			t.Fatalf("after the stall got %q, %v; want %q", got, err, want)
		}
	}
}

func TestStallEndsByItself(t *testing.T) {
	p := startProxy(t, echoServer(t))
	c, r := dial(t, p)
	p.Stall(200 * time.Millisecond)
	roundTrip(t, c, r, "after a short stall") // within roundTrip's 5 s deadline
}

func TestTargetDownClosesTheClientAndRecovers(t *testing.T) {
	// A port with nothing listening: take one and release it.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	p := startProxy(t, addr)
	c, err := net.Dial("tcp", p.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	expectClosed(t, c, bufio.NewReader(c))

	// The target comes back on the same port (a server restart).
	back, err := net.Listen("tcp", addr)
	if err != nil {
		t.Skipf("port %s was taken meanwhile: %v", addr, err)
	}
	var served sync.WaitGroup
	served.Add(1)
	go func() {
		defer served.Done()
		s, err := back.Accept()
		if err == nil {
			_, _ = io.Copy(s, s) // until the client's side closes (cleanup below)
			s.Close()
		}
	}()
	t.Cleanup(func() { back.Close(); served.Wait() }) // runs after c2 is closed
	c2, r2 := dial(t, p)
	roundTrip(t, c2, r2, "server is back")
}

func TestCloseEndsConnections(t *testing.T) {
	p, err := Listen("127.0.0.1:0", echoServer(t))
	if err != nil {
		t.Fatal(err)
	}
	c, r := dial(t, p)
	p.Stall(time.Hour) // Close must not wait for a stall
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}
	expectClosed(t, c, r)
	if _, err := net.Dial("tcp", p.Addr()); err == nil {
		t.Fatal("the proxy still accepts after Close")
	}
}

func TestStallSomeHoldsOnlyTheChosenConnections(t *testing.T) {
	p := startProxy(t, echoServer(t))
	c1, r1 := dial(t, p)
	if n := p.StallSome(time.Hour, 1, rand.New(rand.NewPCG(1, 2))); n != 1 {
		t.Fatalf("StallSome stalled %d connections, want 1", n)
	}
	c2, r2 := dial(t, p) // opened after the stall: not held
	roundTrip(t, c2, r2, "the new one flows")
	if _, err := io.WriteString(c1, "held\n"); err != nil {
		t.Fatal(err)
	}
	if err := c1.SetReadDeadline(time.Now().Add(300 * time.Millisecond)); err != nil {
		t.Fatal(err)
	}
	if line, err := r1.ReadString('\n'); err == nil {
		t.Fatalf("got %q through a stalled connection", line)
	}
	p.Unstall()
	if err := c1.SetReadDeadline(time.Now().Add(5 * time.Second)); err != nil {
		t.Fatal(err)
	}
	if got, err := r1.ReadString('\n'); err != nil || got != "held\n" {
		t.Fatalf("after Unstall got %q, %v", got, err)
	}
}
