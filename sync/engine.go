// Package sync is the sync engine: it keeps the local cache current with the
// ConnectyCube server (incremental REST catch-up plus live XMPP events), runs the
// persistent outbox and tells the server whether the user is active. The UI reads the
// cache and acts only through the Engine.
package sync

import (
	"context"
	"errors"
	"log/slog"
	gosync "sync"
	"sync/atomic"
	"time"

	"github.com/cubechat/cubechat/cache"
	"github.com/cubechat/cubechat/cube"
	"github.com/cubechat/cubechat/internal/feed"
)

// ErrOffline means the server could not be reached; the engine works on cached data
// and keeps trying in the background.
var ErrOffline = errors.New("sync: server unreachable, working offline")

// ErrAuth means the server rejected the login or password.
var ErrAuth = errors.New("sync: wrong login or password")

// Status is the engine's connection state as the UI shows it.
type Status struct {
	State   ConnState // the chat connection's state, or StateOffline
	Err     error     // the last connection error, if any
	Syncing bool      // a catch-up is running
	// NeedsSignIn: the session ended and cannot be renewed without the password (a
	// resumed session, or a password changed elsewhere). The engine stops trying until
	// Login succeeds; the app asks the user to sign in again.
	NeedsSignIn bool
	// StoreErr: the cache could not store what arrived (wrapping cache.ErrDiskFull
	// when the disk is full). Nothing is lost: what was missed is fetched again as
	// soon as the cache takes writes, and then this clears.
	StoreErr error
}

// Engine is the sync engine of one account. Create it with New, then Login and Start.
type Engine struct {
	db      *cache.DB
	profile Profile
	log     *slog.Logger

	cursors *cursorBook
	status  *feed.Value[Status]
	// outboxKick wakes the outbox worker; it holds at most one pending wake-up.
	outboxKick chan struct{}
	// fresh hands the messages Send queues while live to the outbox in memory.
	fresh *freshOutbox
	// actionsQueued: the action queue may hold something (set by kickOutbox, which
	// follows every queued action); the outbox reads it only then.
	actionsQueued atomic.Bool
	activity      *activity
	events        *feed.Feed[Event]
	typing        *typingBook
	watch         *watchList
	// unread collects dialogs whose live-kept unread counts are asked again.
	unread *unreadBook
	// onScreen keeps the on-screen read markers no server answer has confirmed yet.
	onScreen *onScreenBook
	// missed holds the dialogs with live traffic the cache failed to store, or
	// signals about messages it did not hold yet (live_missed.go).
	missed *missedBook
	// passMu runs one listing pass at a time: a catch-up, or a refetch of missed
	// traffic, which must store after the pages of a catch-up already asked for.
	passMu gosync.Mutex
	// liveReactions are the reactions stored live lately, laid over reaction lists
	// asked for before them (reactions_live.go).
	liveReactions liveReactionLog
	// reactionsMu orders live reactions and reaction lists into the cache: a list
	// computed before a live reaction was logged must not be written after it.
	reactionsMu gosync.Mutex
	// relist holds seconds whose order the server is asked for again (relist.go).
	relist relistBook
	// own remembers the order of the messages this engine confirmed lately, which
	// spares listing a second that holds only those (relist_own.go).
	own ownSeconds
	// facts remembers each dialog's type and peer for sending (dialog_facts.go).
	facts dialogFacts
	// markers holds the live markers waiting for their write (markers_queue.go).
	markers markerQueue
	// sessionStart is when this engine was built: only messages newer than it
	// may raise desktop notifications.
	sessionStart time.Time
	// bounceMu orders "mark a confirmed batch sent" against "a bounce marks one of
	// them failed" and "the user retries it", which arrive on different goroutines in
	// any order.
	bounceMu gosync.Mutex
	bounced  map[string]bool // message ids that bounced, checked by the outbox
	// retries counts RetryFailed calls per message id: a confirmation belongs to the
	// attempt it was sent in, and must not settle a retry queued after it (that
	// retry would then never be sent).
	retries map[string]int

	// tokens keeps the session token between runs (nil = memory only); tokenWarnOnce
	// makes an unavailable store one log line, not one per renewal.
	tokens        TokenStore
	tokenWarnOnce gosync.Once
	// sessionMu serialises opening, checking and renewing the REST session.
	sessionMu gosync.Mutex
	// signedIn wakes a supervisor that waits for "sign in again"; signInLost ends the
	// running chat when the session is lost for good (one pending wake-up each).
	signedIn   chan struct{}
	signInLost chan struct{}
	// redial carries ReconnectNow's wake-up to the supervisor's backoff wait.
	redial *redialGate
	// backoffMin/backoffMax bound the supervisor's wait between attempts, and
	// chatReconnect is the cube reconnection manager's policy (nil = SDK default).
	// Constants in production; tests change them before Start.
	backoffMin, backoffMax time.Duration
	chatReconnect          *cube.ReconnectPolicy
	// ackLinger is the outbox's wait before it asks for an acknowledgement
	// (outbox_linger.go); a constant in production, tests change it before Start.
	ackLinger time.Duration

	mu       gosync.Mutex
	client   *cube.Client // set by Login or Resume
	me       int64
	login    string
	password string // kept in memory only, for the chat login and session renewal; "" after Resume
	session  bool   // the client holds a valid REST session token
	// needSignIn: the session ended and cannot be renewed (see Status.NeedsSignIn).
	needSignIn bool
	conn       *cube.Chat // the current chat while Ready; nil otherwise
	live       *cube.Chat // the current chat once Ready and caught up: the outbox sends on it
	open       string     // the dialog shown in the window ("" = none)
	focused    bool
	readsMu    gosync.Mutex // serialises edits of the persisted pending-read list
	cancel     context.CancelFunc
	started    bool
	wg         gosync.WaitGroup
	bg         *Workers // short sends started by UI calls (typing, unsubscribing)
}

// New builds an engine over db for the server described by p. A nil logger discards.
func New(db *cache.DB, p Profile, logger *slog.Logger) *Engine {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	e := &Engine{
		db:           db,
		profile:      p,
		log:          logger.With("component", "sync"),
		status:       newStatusFeed(Status{State: StateOffline}),
		outboxKick:   make(chan struct{}, 1),
		fresh:        newFreshOutbox(),
		signedIn:     make(chan struct{}, 1),
		signInLost:   make(chan struct{}, 1),
		redial:       newRedialGate(),
		backoffMin:   minBackoff,
		ackLinger:    defaultAckLinger,
		backoffMax:   maxBackoff,
		focused:      true,
		events:       newEventFeed(),
		watch:        newWatchList(),
		unread:       newUnreadBook(),
		onScreen:     newOnScreenBook(),
		missed:       newMissedBook(),
		bounced:      map[string]bool{},
		retries:      map[string]int{},
		sessionStart: time.Now(),
		bg:           NewWorkers(context.Background()),
	}
	e.typing = newTypingBook(func(ev TypingEvent) { e.events.Publish(ev) }, e.sendTyping)
	e.cursors = newCursorBook(e.persistCursor)
	e.activity = newActivity(e.applyActivity)
	e.actionsQueued.Store(true) // the last session may have left some
	return e
}

// Me is the logged-in user's id (0 before Login).
func (e *Engine) Me() int64 {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.me
}

// Status is the current connection state.
func (e *Engine) Status() Status { return e.status.Get() }

// SubscribeStatus returns a feed of status changes. A slow reader only misses
// intermediate states, never the latest one; the engine never blocks on it. Call the
// returned function to unsubscribe.
func (e *Engine) SubscribeStatus() (<-chan Status, func()) { return e.status.Subscribe() }

// Start runs the supervisor in the background: connect chat → catch-up → live events,
// reconnecting for as long as the engine runs, and the outbox worker. Login must have
// been called (successfully or with ErrOffline). Calling Start twice does nothing.
func (e *Engine) Start(ctx context.Context) {
	e.mu.Lock()
	if e.started {
		e.mu.Unlock()
		return
	}
	e.started = true
	ctx, e.cancel = context.WithCancel(ctx)
	e.mu.Unlock()

	e.wg.Add(4)
	go func() {
		defer e.wg.Done()
		e.supervise(ctx)
	}()
	go func() {
		defer e.wg.Done()
		e.runOutbox(ctx)
	}()
	go func() {
		defer e.wg.Done()
		e.runUnreadRefresh(ctx)
	}()
	go func() {
		defer e.wg.Done()
		e.runRefetchMissed(ctx)
	}()
}

// Stop ends every background goroutine and closes the chat connection. It returns
// once all of them have finished. The cache stays open (the caller owns it). Stop is
// final: to go online again, build a new Engine over the same cache.
func (e *Engine) Stop() {
	e.mu.Lock()
	cancel := e.cancel
	e.mu.Unlock()
	if cancel != nil {
		cancel()
	}
	e.activity.stop()
	e.typing.stop()
	e.bg.Stop()
	e.wg.Wait()
	e.events.Close()
	e.status.Update(func(s *Status) { s.State = StateOffline; s.Syncing = false })
}

// setConn records the chat that is Ready (nil when not).
func (e *Engine) setConn(c *cube.Chat) {
	e.mu.Lock()
	e.conn = c
	e.mu.Unlock()
}

// connChat is the Ready chat, or nil.
func (e *Engine) connChat() *cube.Chat {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.conn
}

// setLive records the chat that outgoing work may use (nil when not Ready).
func (e *Engine) setLive(c *cube.Chat) {
	e.mu.Lock()
	e.live = c
	e.mu.Unlock()
}

// liveChat is the chat to send on, or nil when not connected and caught up.
func (e *Engine) liveChat() *cube.Chat {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.live
}

// kickOutbox wakes the outbox worker without blocking, to read the cache's queue
// (outbox_fresh.go).
func (e *Engine) kickOutbox() {
	e.fresh.spoil()
	e.actionsQueued.Store(true)
	e.wakeOutbox()
}

// wakeOutbox wakes the outbox worker without blocking.
func (e *Engine) wakeOutbox() {
	select {
	case e.outboxKick <- struct{}{}:
	default:
	}
}

// OpenDialog tells the engine which dialog the window shows ("" = none), so that live
// messages there do not count as unread while the window is focused.
func (e *Engine) OpenDialog(dialogID string) {
	e.mu.Lock()
	e.open = dialogID
	e.mu.Unlock()
}

// viewing tells whether the user is looking at dialogID right now.
func (e *Engine) viewing(dialogID string) bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.focused && e.open != "" && e.open == dialogID
}
