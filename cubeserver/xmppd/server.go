package xmppd

import (
	"context"
	"crypto/tls"
	"errors"
	"io"
	"log/slog"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cubechat/cubechat/cube"
)

// Backend is the server state xmppd needs; *store.Store implements it.
//
// Unknown ids: DialogMembers may return (nil, nil), or an error that wraps
// sql.ErrNoRows or has a NotFound() bool method returning true; xmppd answers those
// with item-not-found (404) and every other error with internal-server-error (500).
// The same holds for FindOrCreatePrivateDialog with an unknown user.
type Backend interface {
	CheckChatPassword(ctx context.Context, userID int64, secret string) (bool, error)
	// SCRAMCredential is the user's stored SCRAM credential for mechanism ("SCRAM-SHA-1"
	// or "SCRAM-SHA-256"), a not-found error when the user has none (yet).
	SCRAMCredential(ctx context.Context, userID int64, mechanism string) (salt []byte, iterations int, storedKey, serverKey []byte, err error)
	// SCRAMTokenKeys derives SCRAM keys from the user's live session tokens with the
	// password credential's salt and iterations (tokens stand in for passwords, §8.2).
	SCRAMTokenKeys(ctx context.Context, userID int64, mechanism string, salt []byte, iterations int) (storedKeys, serverKeys [][]byte, err error)
	// DialogMembers is the dialog as routing needs it, looked up for every routed
	// message: ID, Type, UserID (owner), OccupantsIDs and AdminsIDs; other fields may
	// be left zero (xmppd shows none of them to anyone).
	DialogMembers(ctx context.Context, dialogID string) (*cube.Dialog, error)
	FindOrCreatePrivateDialog(ctx context.Context, a, b int64) (*cube.Dialog, error)
	// UserExists tells whether the user has an account (RFC 6121 §8.5.1: stanzas to
	// an unknown user are answered with service-unavailable).
	UserExists(ctx context.Context, userID int64) (bool, error)
	StoreChatMessage(ctx context.Context, m cube.Message) (inserted bool, err error)
	QueueOffline(ctx context.Context, userID int64, stanza []byte) error
	TakeOffline(ctx context.Context, userID int64) ([][]byte, error)
	SetUserActive(ctx context.Context, userID int64, active bool) error

	// Edits, deletes and markers of stored messages (docs/protocol.md §8.5, §8.7, §8.8).
	// Message returns an error matching the not-found rule above for an unknown id.
	Message(ctx context.Context, id string, viewer int64) (cube.Message, error)
	EditMessages(ctx context.Context, dialogID string, userID int64, ids []string, body string) error
	RemoveMessage(ctx context.Context, id string) (dialogID string, err error)
	// MarkMessage applies a chat marker of userID to one stored message: received
	// (read=false) → delivered, displayed (read=true) → read and delivered, with the
	// reader's unread count recomputed. It does nothing (marked=false) unless the
	// message exists, is someone else's and is in a dialog the user occupies.
	MarkMessage(ctx context.Context, messageID string, userID int64, read bool) (marked bool, err error)

	// Privacy lists (XEP-0016, docs/protocol.md §8.12). Unknown list names are not-found
	// errors; invalid items are any other error (answered with bad-request, since
	// xmppd validates items itself before storing them).
	PrivacyLists(ctx context.Context, userID int64) (lists map[string][]cube.PrivacyItem, defaultName string, err error)
	SetPrivacyList(ctx context.Context, userID int64, name string, items []cube.PrivacyItem) error
	DeletePrivacyList(ctx context.Context, userID int64, name string) error
	SetDefaultPrivacyList(ctx context.Context, userID int64, name string) error // "" declines

	// Last activity (XEP-0012, docs/protocol.md §8.13). LastSeen is a not-found error for a
	// user who never connected.
	RecordConnect(ctx context.Context, userID int64, at time.Time) error
	RecordDisconnect(ctx context.Context, userID int64, at time.Time) error
	LastSeen(ctx context.Context, userID int64) (time.Time, error)

	// Chat alerts (docs/protocol.md §9.6); see Server.AlertRecipients.
	DialogNotificationsEnabled(ctx context.Context, dialogID string, userID int64) (bool, error)
	RecordAlerts(ctx context.Context, m cube.Message, recipients []int64) error
}

// Config configures the XMPP server. Zero values take the documented defaults.
type Config struct {
	Domain         string       // chat domain; default "localhost"
	AppID          int64        // default 1
	TLS            *tls.Config  // server certificate; required for STARTTLS and direct TLS
	Logger         *slog.Logger // nil = discard
	MaxStanzaBytes int          // default 256 KiB

	// AllowPlain lets a plain TCP client authenticate without STARTTLS (the JS SDK's
	// xmpp:// mode). Default false: STARTTLS is required before auth.
	AllowPlain bool
	// HandshakeTimeout bounds connect-to-bind; default 20 s.
	HandshakeTimeout time.Duration
	// IdleTimeout closes a stream that sends nothing (clients ping every 40 s); default 5 min.
	IdleTimeout time.Duration
	// SendQueue is the number of pending outgoing writes per connection before the
	// client counts as too slow and is disconnected; default 512.
	SendQueue int
	// SendQueueBytes bounds the bytes of those pending writes the same way, so a
	// client that stops reading costs at most this much memory; default 8 MiB.
	SendQueueBytes int
	// MaxSessionsPerUser bounds a user's bound resources; one more is refused at bind
	// (resource-constraint) and its stream closed. Default 10.
	MaxSessionsPerUser int
	// OfflineFlushDelay is how long after bind a session that never sends initial
	// presence waits before its offline messages are flushed anyway; default 1 s.
	OfflineFlushDelay time.Duration
	// LoginGuard throttles failed SASL sign-ins per account and address; nil = none.
	LoginGuard LoginGuard
	// ResumeWindow is how long a session that enabled stream management with
	// resume="true" survives a dropped connection, waiting for <resume/> (sm.go);
	// a client may ask for less with max. Default 60 s.
	ResumeWindow time.Duration
}

func (c *Config) setDefaults() {
	if c.Domain == "" {
		c.Domain = "localhost"
	}
	if c.AppID == 0 {
		c.AppID = 1
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if c.MaxStanzaBytes <= 0 {
		c.MaxStanzaBytes = 256 << 10
	}
	if c.HandshakeTimeout <= 0 {
		c.HandshakeTimeout = 20 * time.Second
	}
	if c.IdleTimeout <= 0 {
		c.IdleTimeout = 5 * time.Minute
	}
	if c.SendQueue <= 0 {
		c.SendQueue = 512
	}
	if c.SendQueueBytes <= 0 {
		c.SendQueueBytes = 8 << 20
	}
	if c.MaxSessionsPerUser <= 0 {
		c.MaxSessionsPerUser = 10
	}
	if c.OfflineFlushDelay <= 0 {
		c.OfflineFlushDelay = time.Second
	}
	if c.ResumeWindow <= 0 {
		c.ResumeWindow = DefaultResumeWindow
	}
}

// DefaultResumeWindow is Config.ResumeWindow's default: long enough for a laptop's
// Wi-Fi hand-over or a phone's network switch, short enough that a session nobody
// resumes soon hands its unacknowledged messages to the offline queue.
const DefaultResumeWindow = 60 * time.Second

// writeTimeout bounds one socket write, so a client that stops reading cannot pin
// its writer goroutine forever.
const writeTimeout = 30 * time.Second

// Server is the XMPP server. It is safe for concurrent use.
type Server struct {
	cfg     Config
	backend Backend
	log     *slog.Logger
	reg     *registry
	// ownPresence: available sessions and their presence (own_presence.go)
	ownPresence ownPresence

	mu        sync.Mutex
	listeners map[net.Listener]struct{}
	conns     map[*conn]struct{}
	closed    bool
	wg        sync.WaitGroup
	nextConn  atomic.Int64

	ctx    context.Context // cancelled by Close; parent of every backend call
	cancel context.CancelFunc

	started time.Time    // for last activity of the server itself
	privacy privacyCache // users' privacy lists, loaded on first use
	lastSub lastActivitySubs
	auth    authState // SASL: throttling and SCRAM's stand-in salts (sasl_scram.go)

	resumable resumableSessions // stream management sessions that may be resumed
	turns     dialogTurns       // each dialog's stored messages fanned out in store order (fanout_order.go)
}

// New builds a server; it listens only when Serve is called.
func New(cfg Config, b Backend) *Server {
	cfg.setDefaults()
	ctx, cancel := context.WithCancel(context.Background())
	return &Server{
		cfg:       cfg,
		backend:   b,
		log:       cfg.Logger,
		reg:       newRegistry(),
		listeners: map[net.Listener]struct{}{},
		conns:     map[*conn]struct{}{},
		ctx:       ctx,
		cancel:    cancel,
		started:   time.Now(),
		privacy:   privacyCache{users: map[int64]*privacyState{}, gen: map[int64]uint64{}},
		lastSub:   lastActivitySubs{byTarget: map[int64]map[*session]struct{}{}},
		auth:      newAuthState(cfg.LoginGuard),
	}
}

// ErrNoTLS is returned by Serve for a direct-TLS listener without Config.TLS.
var ErrNoTLS = errors.New("xmppd: direct TLS needs Config.TLS")

// Serve accepts connections until ln fails or Close is called (then it returns nil).
// directTLS=false is plain TCP where STARTTLS is required before auth (unless
// Config.AllowPlain); directTLS=true wraps every connection in TLS at once.
func (s *Server) Serve(ln net.Listener, directTLS bool) error {
	return s.serve(ln, directTLS, false)
}

// ServePlain accepts XMPP over plain TCP where clients may authenticate without TLS,
// whatever Config.AllowPlain says. It exists for the official JS SDK's xmpp:// TCP mode
// (CUBE_TCP_ENABLE) in tests; give it a loopback listener only.
func (s *Server) ServePlain(ln net.Listener) error {
	return s.serve(ln, false, true)
}

func (s *Server) serve(ln net.Listener, directTLS, plainAuth bool) error {
	if directTLS && s.cfg.TLS == nil {
		return ErrNoTLS
	}
	if !s.trackListener(ln) {
		return nil
	}
	defer s.untrackListener(ln)

	var delay time.Duration
	for {
		nc, err := ln.Accept()
		if err != nil {
			if s.isClosed() {
				return nil
			}
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				// Temporary accept failure (e.g. out of file descriptors): back off.
				delay = min(max(2*delay, 5*time.Millisecond), time.Second)
				time.Sleep(delay)
				continue
			}
			return err
		}
		delay = 0
		if directTLS {
			nc = tls.Server(nc, s.cfg.TLS)
		}
		s.startConn(newTCPFraming(nc, s.cfg.MaxStanzaBytes), false, plainAuth)
	}
}

// trackListener registers ln so that Close closes it. On a server already closed it
// closes ln itself and reports false: the caller returns without serving.
func (s *Server) trackListener(ln net.Listener) bool {
	s.mu.Lock()
	closed := s.closed
	if !closed {
		s.listeners[ln] = struct{}{}
	}
	s.mu.Unlock()
	if closed {
		_ = ln.Close() // after unlocking: a close may wait on the OS
	}
	return !closed
}

// untrackListener forgets ln once its accept loop has ended.
func (s *Server) untrackListener(ln net.Listener) {
	s.mu.Lock()
	delete(s.listeners, ln)
	s.mu.Unlock()
}

// startConn runs a connection over the given framing: in a new goroutine, or (wait,
// for WebSocket handlers that must not return early) in the caller's.
func (s *Server) startConn(f framing, wait, plainAuth bool) {
	c := newConn(s, f, s.nextConn.Add(1))
	c.plainAuth = plainAuth
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		_ = f.Abort()
		return
	}
	s.conns[c] = struct{}{}
	s.wg.Add(1)
	s.mu.Unlock()
	run := func() {
		defer s.wg.Done()
		c.run()
		s.mu.Lock()
		delete(s.conns, c)
		s.mu.Unlock()
	}
	if wait {
		run()
		return
	}
	go run()
}

func (s *Server) isClosed() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.closed
}

// Close stops the listeners, ends every stream with <system-shutdown/> and waits
// for the connection goroutines to finish.
func (s *Server) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	var errs []error
	for ln := range s.listeners {
		if err := ln.Close(); err != nil && !errors.Is(err, net.ErrClosed) {
			errs = append(errs, err)
		}
	}
	conns := make([]*conn, 0, len(s.conns))
	for c := range s.conns {
		conns = append(conns, c)
	}
	s.mu.Unlock()

	for _, c := range conns {
		c.shutdown()
	}
	s.cancel()
	s.wg.Wait()
	// Only now: a connection ending during the shutdown may still have detached.
	s.endAllDetached()
	return errors.Join(errs...)
}

// Online tells whether the user has at least one bound resource.
func (s *Server) Online(userID int64) bool {
	return len(s.reg.sessions(userID)) > 0
}

// Deliver sends m to every online resource of the user, each copy addressed to that
// resource. Offline users get nothing (REST callers store what must survive). No
// privacy rules apply: use DeliverToDialog for anything a user sends.
func (s *Server) Deliver(userID int64, m *cube.MessageStanza) {
	for _, sess := range s.reg.sessions(userID) {
		cp := *m
		cp.To = sess.jid
		if !sess.sendStanza(&cp) {
			s.log.Warn("xmpp deliver failed", "user", userID, "resource", sess.resource, "id", m.ID)
		}
	}
}

// userJID is the bare JID of a user of this app.
func (s *Server) userJID(userID int64) string {
	return cube.UserJID(userID, s.cfg.AppID, s.cfg.Domain)
}

// roomJID is the MUC JID of a dialog.
func (s *Server) roomJID(dialogID string) string {
	return cube.RoomJID(s.cfg.AppID, dialogID, s.cfg.Domain)
}
