package cube

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/cubechat/cubechat/internal/backoff"
)

var (
	// ErrAuth is wrapped by Connect when the server rejects the user's credentials.
	ErrAuth = errors.New("cube: chat authentication failed")
	// ErrNotConnected is returned by calls that need a live chat connection.
	ErrNotConnected = errors.New("cube: chat is not connected")
	// errDisconnected ends a connect attempt that Disconnect overtook.
	errDisconnected = errors.New("cube: chat was disconnected")
)

// ChatOptions are the user's chat credentials and the connection's timing.
type ChatOptions struct {
	UserID   int64
	Password string // the user's password or the session token
	Resource string // "" = server-assigned
	// Reconnect is the reconnection manager: nil means the SDK defaults (5 attempts, 5 s
	// apart); Attempts 0 disables reconnecting.
	Reconnect *ReconnectPolicy
	// PingInterval is how long the connection may stay silent (no byte from the
	// server) before we ping; a busy connection is never pinged. Default 10s.
	PingInterval time.Duration
	// PingTimeout: a ping followed by this much silence means the connection is dead,
	// so a stall is noticed within PingInterval+PingTimeout. Default 8s; also bounds
	// every IQ.
	PingTimeout time.Duration

	HandshakeTimeout time.Duration // default 15s
	// NoAutoDeliver turns off the AutoDeliver behaviour (on by default, as in SDK 6):
	// a delivered marker for every new message from someone else that names its dialog.
	NoAutoDeliver bool
}

// ReconnectPolicy says how often and how far apart a dropped chat connection is
// re-established, as ConnectyCube's SDKs do.
type ReconnectPolicy struct {
	Attempts int           // total attempts after a drop; 0 disables reconnecting
	Interval time.Duration // between attempts (jittered down to half); 0 means 5 s
}

// Reconnection defaults of ConnectyCube's SDKs.
const (
	DefaultReconnectAttempts = 5
	DefaultReconnectInterval = 5 * time.Second
)

// Liveness defaults: a silent stall is noticed within 18 s, and a quiet healthy
// connection costs one ping every 10 s.
const (
	DefaultPingInterval = 10 * time.Second
	DefaultPingTimeout  = 8 * time.Second
)

func (o ChatOptions) withDefaults() ChatOptions {
	policy := ReconnectPolicy{Attempts: DefaultReconnectAttempts, Interval: DefaultReconnectInterval}
	if o.Reconnect != nil {
		policy = *o.Reconnect
		if policy.Interval <= 0 {
			policy.Interval = DefaultReconnectInterval
		}
	}
	o.Reconnect = &policy
	if o.PingInterval <= 0 {
		o.PingInterval = DefaultPingInterval
	}
	if o.PingTimeout <= 0 {
		o.PingTimeout = DefaultPingTimeout
	}
	if o.HandshakeTimeout <= 0 {
		o.HandshakeTimeout = 15 * time.Second
	}
	return o
}

// Chat is the user's XMPP connection: one live go-xmpp client at a time, replaced by
// the reconnection manager when it fails. Every state change and incoming message is
// reported, in order, on Events().
type Chat struct {
	cfg    Config
	opts   ChatOptions
	log    *slog.Logger
	events *eventQueue

	mu    sync.Mutex
	state ConnState
	sess  *chatSession // from Connect until Disconnect or a final failure
	conn  *chatConn    // the live connection, nil while (re)connecting
}

// chatSession is one Connect…Disconnect span; its context stops reconnect attempts.
type chatSession struct {
	ctx    context.Context
	cancel context.CancelFunc
}

// NewChat prepares a chat connection; nothing happens until Connect.
func NewChat(cfg Config, opts ChatOptions) *Chat {
	return &Chat{
		cfg:    cfg,
		opts:   opts.withDefaults(),
		log:    cfg.logger().With("component", "cube.chat", "user", opts.UserID),
		events: newEventQueue(),
	}
}

// Events is the single ordered stream of state changes and messages. It has one
// consumer, never drops an event and never blocks the connection. Every message of a
// connection comes after that connection's Ready (messages that arrive while carbons
// are being enabled, such as offline ones, are held back until then), so a consumer
// can take its catch-up cursor when it sees Ready.
func (c *Chat) Events() <-chan Event { return c.events.out }

// StopEvents tells the chat that nobody reads Events() any more: events not yet read,
// and any reported later, are dropped instead of waiting forever for a reader. Call
// it when the consumer of Events() stops for good.
func (c *Chat) StopEvents() { c.events.discard() }

// State is the current connection state.
func (c *Chat) State() ConnState {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.state
}

func (c *Chat) current() *chatConn {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.conn
}

func (c *Chat) setStateLocked(s ConnState, err error) {
	c.state = s
	c.log.Info("chat state", "state", s.String(), "err", err)
	c.events.push(StateEvent{State: s, Err: err})
}

// endSessionLocked stops reconnecting and reports the final state.
func (c *Chat) endSessionLocked(s ConnState, err error) {
	if c.sess != nil {
		c.sess.cancel()
		c.sess = nil
	}
	c.setStateLocked(s, err)
}

// Connect logs in and returns once the connection is Ready, or with the first error
// (wrapping ErrAuth when the credentials are refused; auth failures are not retried).
// After a later drop the reconnection manager takes over until Disconnect.
func (c *Chat) Connect(ctx context.Context) error {
	o, err := xmppOptions(c.cfg, c.opts)
	if err != nil {
		return err
	}
	c.mu.Lock()
	if c.sess != nil {
		ready := c.state == Ready
		c.mu.Unlock()
		if ready {
			return nil
		}
		return errors.New("cube: chat is already connecting")
	}
	sctx, cancel := context.WithCancel(context.Background())
	s := &chatSession{ctx: sctx, cancel: cancel}
	c.sess = s
	c.mu.Unlock()

	dctx, stop := context.WithCancel(ctx)
	defer stop()
	defer context.AfterFunc(sctx, stop)()
	d, err := dialXMPP(dctx, o, c.opts.HandshakeTimeout, c.log)
	if err != nil {
		c.mu.Lock()
		defer c.mu.Unlock()
		if c.sess != s {
			return errDisconnected
		}
		if errors.Is(err, ErrAuth) {
			c.endSessionLocked(AuthenticationFailure, err)
		} else {
			c.endSessionLocked(Closed, err)
		}
		return err
	}
	return c.activate(s, d, Authenticated)
}

// activate makes cl the live connection: it reports first (Authenticated or
// Resumed), starts the reader, enables carbons, reports Ready and starts pinging.
func (c *Chat) activate(s *chatSession, d dialed, first ConnState) error {
	cc := newChatConn(d, c.log)
	c.mu.Lock()
	if c.sess != s {
		c.mu.Unlock()
		go closeClient(d.client, c.log)
		return errDisconnected
	}
	c.conn = cc
	c.setStateLocked(first, nil)
	c.mu.Unlock()

	go c.readLoop(cc)
	// Stream management first: the carbons answer then proves <enabled/> (or
	// <failed/>) was read, so Confirm knows which way to confirm from Ready on.
	if err := cc.enableSM(); err != nil {
		c.log.Debug("chat stream management not asked for", "err", err) // the carbons request fails the same way
	}
	if _, err := cc.request(s.ctx, "set", "", carbonsEnableElem{}, c.opts.PingTimeout); err != nil {
		if cc.isDead() {
			return err
		}
		// A server without carbons still chats; only copies of our own messages sent
		// from other devices will be missing.
		c.log.Warn("chat carbons not enabled", "err", err)
	}

	c.mu.Lock()
	defer c.mu.Unlock()
	if c.conn != cc {
		if cc.deadErr != nil {
			return cc.deadErr
		}
		return errDisconnected
	}
	c.setStateLocked(Ready, nil)
	cc.release(c.events)
	go c.pingLoop(cc)
	return nil
}

// connLost handles the end of a connection (reader error, missed ping, oversized
// stanza): the dead client is closed in the background and the reconnection manager
// starts, unless reconnecting is off or the server threw us out for good (a stream
// error other than a transient one such as system-shutdown).
func (c *Chat) connLost(cc *chatConn, err error) {
	if !cc.markDead(err) {
		return
	}
	go cc.shutdown()
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.conn != cc {
		return
	}
	c.conn = nil
	transient := false
	if isStreamError(err) {
		cond := cc.wire.streamErrorCondition()
		err = fmt.Errorf("%w [%s]", err, cond)
		transient = transientStreamErrors[cond]
	}
	switch {
	case isStreamError(err) && !transient:
		c.endSessionLocked(ForceClosed, err)
	case c.opts.Reconnect.Attempts <= 0:
		c.endSessionLocked(Closed, err)
	default:
		c.setStateLocked(Reconnecting, err)
		go c.reconnect(c.sess)
	}
}

// isStreamError tells a server's <stream:error/> (conflict, policy, shutdown…) from a
// dropped socket; go-xmpp reports both only as text, and drops the condition
// (wireWatch reads it from the bytes).
func isStreamError(err error) bool {
	return strings.HasPrefix(err.Error(), "stream error")
}

// reconnect tries Reconnect.Attempts times, about Reconnect.Interval apart (each wait
// drawn from its upper half, so that clients dropped together do not return together).
// Success reports Resumed then Ready; refused credentials AuthenticationFailure; giving
// up Closed.
func (c *Chat) reconnect(s *chatSession) {
	o, err := xmppOptions(c.cfg, c.opts) // validated by Connect already
	if err != nil {
		c.giveUp(s, err)
		return
	}
	wait := backoff.New(backoff.Policy{Min: c.opts.Reconnect.Interval, Max: c.opts.Reconnect.Interval})
	var lastErr error
	for attempt := 1; attempt <= c.opts.Reconnect.Attempts; attempt++ {
		if !wait.Wait(s.ctx) {
			return
		}
		d, err := dialXMPP(s.ctx, o, c.opts.HandshakeTimeout, c.log)
		if err == nil {
			// A drop during activation is handled by connLost, which starts afresh.
			_ = c.activate(s, d, Resumed)
			return
		}
		lastErr = err
		c.log.Info("chat reconnect failed", "attempt", attempt, "err", err)
		if errors.Is(err, ErrAuth) {
			break
		}
	}
	c.giveUp(s, lastErr)
}

// giveUp ends session s after failed reconnects, unless Disconnect already did.
func (c *Chat) giveUp(s *chatSession, err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.sess != s {
		return
	}
	if errors.Is(err, ErrAuth) {
		c.endSessionLocked(AuthenticationFailure, err)
		return
	}
	c.endSessionLocked(Closed, err)
}

// Disconnect closes the connection for good (no reconnect) and reports Closed.
func (c *Chat) Disconnect() error {
	c.mu.Lock()
	cc := c.conn
	if c.sess == nil && cc == nil {
		c.mu.Unlock()
		return nil
	}
	c.conn = nil
	c.endSessionLocked(Closed, nil)
	c.mu.Unlock()
	if cc != nil && cc.markDead(ErrNotConnected) {
		cc.shutdown()
	}
	return nil
}
