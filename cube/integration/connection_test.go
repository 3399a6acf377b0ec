package integration_test

import (
	"context"
	"errors"
	"io"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cubechat/cubechat/cube"
	"github.com/cubechat/cubechat/cubeserver"
)

// TestChatReconnectsAcrossServerRestart: cubeserver's orderly Close ends every stream
// with <system-shutdown/>; the SDK's reconnection manager (not a final ForceClosed)
// reaches the server again once it is back on the same ports, and chat works.
func TestChatReconnectsAcrossServerRestart(t *testing.T) {
	dir := t.TempDir()
	cfg := cubeserver.Config{DataDir: dir, HTTPAddr: "127.0.0.1:0", XMPPAddr: "127.0.0.1:0", XMPPTLSAddr: "127.0.0.1:0"}
	srv, err := cubeserver.Start(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	running := srv
	t.Cleanup(func() { running.Close() })
	alice, bob := login(t, srv, "alice"), login(t, srv, "bob")
	policy := &cube.ReconnectPolicy{Attempts: 100, Interval: 100 * time.Millisecond}
	alice.connect(t, cube.ChatOptions{Reconnect: policy})
	bob.connect(t, cube.ChatOptions{Reconnect: policy})

	// Same ports and data: what a restarted server looks like to its clients.
	cfg.HTTPAddr = strings.TrimPrefix(srv.HTTPURL(), "https://")
	cfg.XMPPAddr, cfg.XMPPTLSAddr = srv.XMPPAddr(), srv.XMPPTLSAddr()
	srv.Close()
	for _, a := range []*account{alice, bob} {
		lost := waitEvent(t, a.chat, func(e cube.StateEvent) bool { return e.State != cube.Ready })
		if lost.State != cube.Reconnecting || !strings.Contains(lost.Err.Error(), "system-shutdown") {
			t.Fatalf("%s after the server's shutdown: %v (%v)", a.Login, lost.State, lost.Err)
		}
	}
	again, err := cubeserver.Start(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	running = again
	for _, a := range []*account{alice, bob} {
		back := waitEvent(t, a.chat, func(e cube.StateEvent) bool { return e.State != cube.Resumed })
		if back.State != cube.Ready {
			t.Fatalf("%s after the restart: %v (%v)", a.Login, back.State, back.Err)
		}
	}
	sent, err := alice.chat.SendMessage(context.Background(), cube.OutgoingMessage{DialogType: cube.DialogPrivate, RecipientID: bob.ID, Body: "after the restart", SaveToHistory: true})
	if err != nil {
		t.Fatal(err)
	}
	waitEvent(t, bob.chat, func(e cube.MessageEvent) bool { return e.Message.ID == sent.ID })
}

// TestCarbonsBetweenTwoResources: bob is online on two resources. A message alice
// addresses to bob's phone reaches the phone and, as a <received/> carbon, the desk;
// what bob sends from the phone reaches the desk as a <sent/> carbon. Both come out
// as ordinary message events, flagged as carbons.
func TestCarbonsBetweenTwoResources(t *testing.T) {
	srv := startServer(t)
	alice, bob := login(t, srv, "alice"), login(t, srv, "bob")
	alice.connect(t, cube.ChatOptions{})
	phone := &account{User: bob.User, rest: bob.rest}
	phone.connect(t, cube.ChatOptions{Resource: "phone"})
	desk := &account{User: bob.User, rest: bob.rest}
	desk.connect(t, cube.ChatOptions{Resource: "desk"})

	body := "only to your phone"
	toPhone := &cube.MessageStanza{Type: cube.ChatType, ID: cube.NewObjectID(), Body: &body,
		To:    cube.UserJID(bob.ID, srv.AppID(), srv.Domain()) + "/phone",
		Extra: &cube.ExtraParams{}}
	toPhone.Extra.Set("save_to_history", "1")
	if err := alice.chat.Send(context.Background(), toPhone); err != nil {
		t.Fatal(err)
	}
	got := waitEvent(t, phone.chat, func(e cube.MessageEvent) bool { return e.Message.ID == toPhone.ID })
	if got.ReceivedCarbon || got.Carbon {
		t.Fatalf("the addressed resource got a carbon: %+v", got)
	}
	carbon := waitEvent(t, desk.chat, func(e cube.MessageEvent) bool { return e.Message.ID == toPhone.ID })
	if !carbon.ReceivedCarbon || carbon.Message.SenderID != alice.ID || carbon.Message.Message != body || carbon.Message.ChatDialogID == "" {
		t.Fatalf("desk's copy %+v", carbon)
	}

	reply, err := phone.chat.SendMessage(context.Background(), cube.OutgoingMessage{DialogType: cube.DialogPrivate, RecipientID: alice.ID, Body: "from my phone", SaveToHistory: true})
	if err != nil {
		t.Fatal(err)
	}
	mine := waitEvent(t, desk.chat, func(e cube.MessageEvent) bool { return e.Message.ID == reply.ID })
	if !mine.Carbon || mine.Message.SenderID != bob.ID || mine.Message.Message != "from my phone" {
		t.Fatalf("desk's sent carbon %+v", mine)
	}
	waitEvent(t, alice.chat, func(e cube.MessageEvent) bool { return e.Message.ID == reply.ID })
}

// TestStalledConnectionIsNoticed: a proxy between the SDK and cubeserver stops
// forwarding bytes but keeps both sockets open (a silent stall). The SDK's idle ping
// finds the connection dead and the reconnection manager opens a new one.
func TestStalledConnectionIsNoticed(t *testing.T) {
	srv := startServer(t)
	p := newStallProxy(t, srv.XMPPTLSAddr())
	alice := login(t, srv, "alice")
	cfg := alice.rest.Config()
	cfg.ChatHost = p.addr()
	alice.chat = cube.NewChat(cfg, cube.ChatOptions{UserID: alice.ID, Password: alice.rest.Token(),
		PingInterval: 300 * time.Millisecond, PingTimeout: 500 * time.Millisecond,
		Reconnect: &cube.ReconnectPolicy{Attempts: 5, Interval: 100 * time.Millisecond}})
	if err := alice.chat.Connect(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { alice.chat.Disconnect() })
	waitEvent(t, alice.chat, func(e cube.StateEvent) bool { return e.State == cube.Ready })

	p.stall()
	lost := waitEvent(t, alice.chat, func(e cube.StateEvent) bool { return e.State != cube.Ready })
	if lost.State != cube.Reconnecting || !strings.Contains(lost.Err.Error(), "ping") {
		t.Fatalf("after the stall: %v (%v)", lost.State, lost.Err)
	}
	waitEvent(t, alice.chat, func(e cube.StateEvent) bool { return e.State == cube.Ready })
	if err := alice.chat.Ping(context.Background()); err != nil {
		t.Fatalf("ping on the new connection: %v", err)
	}
}

// stallProxy forwards TCP to target; stall freezes every connection open so far:
// bytes stop moving in both directions while the sockets stay open. Later
// connections are forwarded normally.
type stallProxy struct {
	ln     net.Listener
	target string
	mu     sync.Mutex
	frozen []chan struct{}
	wg     sync.WaitGroup
}

func newStallProxy(t *testing.T, target string) *stallProxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &stallProxy{ln: ln, target: target}
	p.wg.Add(1)
	go p.accept()
	t.Cleanup(func() {
		ln.Close()
		p.stall() // ends the pipes still forwarding; accept closes every socket
		p.wg.Wait()
	})
	return p
}

func (p *stallProxy) addr() string { return p.ln.Addr().String() }

func (p *stallProxy) accept() {
	defer p.wg.Done()
	var conns []net.Conn
	defer func() {
		for _, c := range conns {
			c.Close()
		}
	}()
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		up, err := net.Dial("tcp", p.target)
		if err != nil {
			c.Close()
			continue
		}
		conns = append(conns, c, up)
		freeze := make(chan struct{})
		p.mu.Lock()
		p.frozen = append(p.frozen, freeze)
		p.mu.Unlock()
		p.wg.Add(2)
		go p.pipe(up, c, freeze)
		go p.pipe(c, up, freeze)
	}
}

// pipe copies src to dst until either ends or the connection is frozen; a frozen
// pipe stops reading (what was in flight stays unread) but closes nothing.
func (p *stallProxy) pipe(dst io.Writer, src net.Conn, freeze chan struct{}) {
	defer p.wg.Done()
	buf := make([]byte, 32<<10)
	for {
		_ = src.SetReadDeadline(time.Now().Add(50 * time.Millisecond))
		n, err := src.Read(buf)
		select {
		case <-freeze:
			return
		default:
		}
		if n > 0 {
			if _, werr := dst.Write(buf[:n]); werr != nil {
				return
			}
		}
		var ne net.Error
		if err != nil && !(errors.As(err, &ne) && ne.Timeout()) {
			return
		}
	}
}

func (p *stallProxy) stall() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, f := range p.frozen {
		close(f)
	}
	p.frozen = nil
}
