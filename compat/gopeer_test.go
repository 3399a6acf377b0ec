package compat

import (
	"bytes"
	"context"
	"crypto/x509"
	"encoding/json"
	"errors"
	"log/slog"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cubechat/cubechat/cube"
	"github.com/cubechat/cubechat/cubeserver"
)

// goPeer is a user connected with our Go SDK (cube) that echoes every chat message a
// JS client sends it, so chat/crossclient.test.mjs proves that the two SDKs understand
// each other through cubeserver. It is Ready before node starts (no readiness
// handshake needed) and disconnected when the run ends.
type goPeer struct {
	user     cube.User
	password string
	chat     *cube.Chat
	echoed   atomic.Int64
	log      lockedBuffer // the peer's SDK warnings, shown at the end of the run
}

// peerInfo is CUBE_GO_PEER: who the JS tests should talk to.
type peerInfo struct {
	ID    int64  `json:"id"`
	Login string `json:"login"`
}

func (p *goPeer) envJSON() string {
	b, _ := json.Marshal(peerInfo{ID: p.user.ID, Login: p.user.Login})
	return string(b)
}

// EchoPrefix is what the peer puts before the text it echoes.
const echoPrefix = "echo: "

func startGoPeer(ctx context.Context, t *testing.T, srv *cubeserver.Server) (*goPeer, error) {
	const password = "pw-go-peer"
	u, err := srv.Store().CreateUser(ctx, cube.User{Login: "go-peer", FullName: "Go SDK peer"}, password)
	if err != nil {
		return nil, err
	}
	p := &goPeer{}
	roots := x509.NewCertPool()
	if !roots.AppendCertsFromPEM(srv.CertPEM()) {
		return nil, errors.New("cubeserver certificate does not parse")
	}
	cfg := cube.Config{
		AppID: srv.AppID(), AuthKey: srv.AuthKey(), APIURL: srv.HTTPURL(),
		ChatHost: srv.XMPPTLSAddr(), ChatDomain: srv.Domain(), ChatTLS: "tls", RootCAs: roots,
		Logger: slog.New(slog.NewTextHandler(&p.log, &slog.HandlerOptions{Level: slog.LevelWarn})),
	}
	p.user, p.password = u, password
	p.chat = cube.NewChat(cfg, cube.ChatOptions{
		UserID: u.ID, Password: password, Reconnect: &cube.ReconnectPolicy{Attempts: 0}, HandshakeTimeout: 10 * time.Second,
	})
	cctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	if err := p.chat.Connect(cctx); err != nil {
		return nil, err
	}
	stop := make(chan struct{})
	done := make(chan struct{})
	go p.echo(t, stop, done)
	t.Cleanup(func() {
		close(stop)
		p.chat.Disconnect()
		<-done
		t.Logf("Go SDK peer echoed %d messages", p.echoed.Load())
		if warnings := p.log.String(); warnings != "" {
			t.Logf("Go SDK peer warnings:\n%s", warnings)
		}
	})
	return p, nil
}

// echo answers each incoming message in the same dialog with "echo: <body>", the
// original id in echo_of, peer_sm ("1" when the Go SDK runs stream management) and the
// original custom parameters copied back, which shows
// that the Go SDK parsed what the JS SDK encoded and the other way round.
func (p *goPeer) echo(t *testing.T, stop <-chan struct{}, done chan<- struct{}) {
	defer close(done)
	for {
		var ev cube.Event
		var open bool
		select {
		case <-stop:
			return
		case ev, open = <-p.chat.Events():
			if !open {
				return
			}
		}
		me, ok := ev.(cube.MessageEvent)
		if !ok || me.Carbon || me.Delayed || me.Message.SenderID == p.user.ID {
			continue
		}
		in := me.Message
		// peer_sm tells the JS side whether our SDK runs stream management (XEP-0198).
		custom := map[string]any{"echo_of": in.ID, "peer_sm": map[bool]string{true: "1", false: "0"}[p.chat.StreamManagement()]}
		for k, v := range in.Custom {
			custom["got_"+k] = v
		}
		out := cube.OutgoingMessage{
			DialogID: in.ChatDialogID, Body: echoPrefix + in.Message, SaveToHistory: true, Custom: custom,
			DialogType: cube.DialogPrivate, RecipientID: in.SenderID,
		}
		if me.Stanza != nil && me.Stanza.Type == cube.GroupChatType {
			out.DialogType, out.RecipientID = cube.DialogGroup, 0
		}
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		_, err := p.chat.SendMessage(ctx, out)
		cancel()
		if err != nil {
			t.Logf("Go SDK peer could not echo %s: %v", in.ID, err)
			continue
		}
		p.echoed.Add(1)
	}
}

// lockedBuffer collects log output from the SDK's goroutines, which may still write
// after the test has finished (t.Log would panic then).
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
