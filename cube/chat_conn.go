package cube

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/xmppo/go-xmpp"
)

// closeTimeout bounds how long we wait for go-xmpp's Close, which can hang when a
// parse error left its decoder mutex locked.
const closeTimeout = 3 * time.Second

// chatConn is one authenticated go-xmpp client. It is never reused: after its first
// Recv error (or a missed ping) it is dead, and the supervisor builds a new one.
type chatConn struct {
	client *xmpp.Client
	sock   net.Conn   // the TCP connection under client (socketOf), nil if not found
	wire   *wireWatch // every byte read passes it: size cap, last arrival, stream errors
	log    *slog.Logger

	// unanswered is set when a ping went unanswered: the peer (or the path to it) is
	// stalled, so no goodbye is waited for (shutdown).
	unanswered atomic.Bool

	writeMu sync.Mutex
	iqs     *iqTable
	sm      smState // stream management (chat_sm.go)

	deadOnce sync.Once
	dead     chan struct{}
	deadErr  error

	// readerDone is closed when readLoop has returned: only then may go-xmpp's Close
	// run, since Close reads the stream and writes flags that Recv reads unlocked.
	readerDone chan struct{}

	// Until Ready is announced, message events are held back so that every event of a
	// connection comes after its Ready (the engine takes its catch-up cursor there).
	readyMu sync.Mutex
	ready   bool
	held    []Event
}

func newChatConn(d dialed, log *slog.Logger) *chatConn {
	return &chatConn{client: d.client, sock: socketOf(d.client), wire: d.wire, log: log, iqs: newIQTable(),
		dead: make(chan struct{}), readerDone: make(chan struct{})}
}

// markDead records why the connection ended and fails every pending IQ. It reports
// whether this call was the first.
func (cc *chatConn) markDead(err error) bool {
	first := false
	cc.deadOnce.Do(func() {
		first = true
		cc.deadErr = err
		close(cc.dead)
		cc.iqs.failAll(err)
	})
	return first
}

func (cc *chatConn) isDead() bool {
	select {
	case <-cc.dead:
		return true
	default:
		return false
	}
}

// sendRaw writes one complete stanza. go-xmpp's writer is the bare connection, so
// writes are serialised here to keep stanzas from interleaving.
func (cc *chatConn) sendRaw(b []byte) error {
	return cc.sendStanzas(b, 1)
}

// sendStanzas writes b, which holds n complete stanzas, in one write: stream
// management counts each of them.
func (cc *chatConn) sendStanzas(b []byte, n int) error {
	if cc.isDead() {
		return ErrNotConnected
	}
	cc.writeMu.Lock()
	defer cc.writeMu.Unlock()
	if _, err := cc.client.SendOrg(string(b)); err != nil {
		return fmt.Errorf("cube: chat send: %w", err)
	}
	for range n {
		cc.sm.wrote()
	}
	return nil
}

// sendNonza writes a stream management element, which stream management does not
// count as a stanza.
func (cc *chatConn) sendNonza(b []byte) error {
	if cc.isDead() {
		return ErrNotConnected
	}
	cc.writeMu.Lock()
	defer cc.writeMu.Unlock()
	if _, err := cc.client.SendOrg(string(b)); err != nil {
		return fmt.Errorf("cube: chat send: %w", err)
	}
	return nil
}

// sendXML marshals v as encoding/xml does (Marshal: user text is always escaped) and sends it.
func (cc *chatConn) sendXML(v any) error {
	b, err := encodeStanza(v)
	if err != nil {
		return err
	}
	return cc.sendRaw(b)
}

// shutdown ends a connection whose reader was started, without racing it. A stalled
// connection (a ping went unanswered) has its socket closed at once: the reader's
// Recv fails and returns. Otherwise it closes our side of the stream so the server
// answers with its own close, which ends Recv; a server that never answers is waited
// for closeTimeout, then the socket is closed. Once the reader has returned, go-xmpp's
// Close finishes (it reads the stream, and writes flags that Recv reads unlocked).
func (cc *chatConn) shutdown() {
	if !cc.unanswered.Load() {
		cc.writeMu.Lock()
		// Acknowledge what we read, so the server does not hand it to the offline
		// queue as undelivered when the session ends (chat_sm.go).
		_, err := cc.client.SendOrg(cc.sm.finalAck() + "</stream:stream>")
		cc.writeMu.Unlock()
		if err != nil {
			cc.log.Debug("chat stream close not sent", "err", err)
		}
		select {
		case <-cc.readerDone:
		case <-time.After(closeTimeout):
			cc.log.Warn("chat server did not close the stream in time; closing the socket")
		}
	}
	if cc.sock != nil {
		cc.closeSocket()
		select {
		case <-cc.readerDone:
		case <-time.After(closeTimeout):
			cc.log.Warn("chat reader did not end after the socket closed")
		}
	}
	closeClient(cc.client, cc.log)
}

// closeSocket closes the TCP connection under the client (socketOf found it).
func (cc *chatConn) closeSocket() {
	if err := cc.sock.Close(); err != nil && !errors.Is(err, net.ErrClosed) {
		cc.log.Debug("chat socket close", "err", err)
	}
}

// closeClient closes a go-xmpp client in the background and gives up waiting after
// closeTimeout; an abandoned Close still ends when go-xmpp's own 10 s timer closes the
// socket, unless its decoder mutex is stuck, which only leaks that one goroutine.
func closeClient(cl *xmpp.Client, log *slog.Logger) {
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := cl.Close(); err != nil {
			log.Debug("chat close", "err", err)
		}
	}()
	select {
	case <-done:
	case <-time.After(closeTimeout):
		log.Warn("chat close did not finish in time; abandoned")
	}
}

// xmppOptions builds go-xmpp's options: PLAIN over TLS only, no session IQ, no
// go-xmpp pings (we ping ourselves), certificate verified against the chat host.
// go-xmpp sends the initial presence itself right after binding.
func xmppOptions(cfg Config, opts ChatOptions) (xmpp.Options, error) {
	if cfg.ChatDomain == "" || cfg.ChatHost == "" {
		return xmpp.Options{}, errors.New("cube: chat needs ChatHost and ChatDomain")
	}
	if opts.UserID <= 0 {
		return xmpp.Options{}, errors.New("cube: chat needs a user id")
	}
	o := xmpp.Options{
		Host:          cfg.ChatHost,
		User:          UserJID(opts.UserID, cfg.AppID, cfg.ChatDomain),
		Password:      opts.Password,
		Resource:      opts.Resource,
		DialTimeout:   opts.HandshakeTimeout,
		Mechanism:     "PLAIN",
		NoSASLUpgrade: true,
		Session:       false,
		// PeriodicServerPings stays false: its goroutine leaks and races.
		TLSConfig: &tls.Config{
			ServerName: tlsServerName(cfg),
			RootCAs:    cfg.RootCAs,
			MinVersion: tls.VersionTLS12,
		},
		SoftwareName: "cubechat",
	}
	switch strings.ToLower(cfg.ChatTLS) {
	case "", ChatDirectTLS:
	case ChatStartTLS:
		o.NoTLS, o.StartTLS = true, true
	default:
		return xmpp.Options{}, fmt.Errorf("cube: unknown ChatTLS mode %q (want %q or %q)", cfg.ChatTLS, ChatDirectTLS, ChatStartTLS)
	}
	return o, nil
}

// tlsServerName is the name the server certificate must carry: the host we dial (an IP
// address is checked against the certificate's IP SANs), or the chat domain when the
// host has no name of its own.
func tlsServerName(cfg Config) string {
	host := cfg.ChatHost
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	if host == "" {
		return cfg.ChatDomain
	}
	return host
}

// dialed is a logged-in go-xmpp client and the watch on what it reads.
type dialed struct {
	client *xmpp.Client
	wire   *wireWatch
}

// dialXMPP runs go-xmpp's handshake (TCP, TLS, SASL, bind), which has no deadline of its
// own, under ctx and timeout. On timeout the handshake is abandoned and its client, if
// it ever finishes, is closed. Every byte the client reads passes a fresh wireWatch,
// installed through go-xmpp's Debug tee (see wireWatch).
func dialXMPP(ctx context.Context, o xmpp.Options, timeout time.Duration, log *slog.Logger) (dialed, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	wire := newWireWatch(MaxIncomingStanzaBytes)
	o.Debug, o.DebugWriter = true, wire
	type result struct {
		cl  *xmpp.Client
		err error
	}
	ch := make(chan result, 1)
	go func() {
		cl, err := o.NewClient()
		ch <- result{cl, err}
	}()
	select {
	case r := <-ch:
		if r.err != nil {
			return dialed{}, classifyDialError(r.err)
		}
		return dialed{client: r.cl, wire: wire}, nil
	case <-ctx.Done():
		go func() {
			if r := <-ch; r.cl != nil {
				closeClient(r.cl, log)
			}
		}()
		return dialed{}, fmt.Errorf("cube: chat handshake: %w", ctx.Err())
	}
}

// classifyDialError turns go-xmpp's SASL failure text into ErrAuth.
func classifyDialError(err error) error {
	if strings.HasPrefix(err.Error(), "auth failure") {
		return fmt.Errorf("%w: %v", ErrAuth, err)
	}
	return fmt.Errorf("cube: chat connect: %w", err)
}
