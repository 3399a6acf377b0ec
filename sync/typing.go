package sync

import (
	"context"
	"slices"
	gosync "sync"
	"time"

	"github.com/cubechat/cubechat/cache"
	"github.com/cubechat/cubechat/cube"
)

const (
	// typingExpiry ends a peer's typing state when no refresh came (the peer may
	// have closed the app mid-word and will never send "paused").
	typingExpiry = 10 * time.Second
	// typingIdle is how long after the last keystroke our "paused" goes out.
	typingIdle = 3 * time.Second
	// typingSendTimeout bounds one chat-state stanza.
	typingSendTimeout = 3 * time.Second
)

// typingBook tracks who is typing where (incoming) and our own composing state per
// dialog (outgoing, debounced).
type typingBook struct {
	publish func(TypingEvent)
	send    func(dialogID string, composing bool)
	expiry  time.Duration
	idle    time.Duration

	mu      gosync.Mutex
	peers   map[string]map[int64]*time.Timer // dialog → typing user → expiry timer
	ours    map[string]*time.Timer           // dialog → our pending "paused"
	stopped bool
}

func newTypingBook(publish func(TypingEvent), send func(string, bool)) *typingBook {
	return &typingBook{publish: publish, send: send, expiry: typingExpiry, idle: typingIdle,
		peers: map[string]map[int64]*time.Timer{}, ours: map[string]*time.Timer{}}
}

// peer records a typing signal of userID in dialogID.
func (b *typingBook) peer(dialogID string, userID int64, typing bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.stopped {
		return
	}
	users := b.peers[dialogID]
	old, was := users[userID]
	if was {
		old.Stop()
	}
	if !typing {
		if was {
			delete(users, userID)
			b.publish(TypingEvent{DialogID: dialogID, UserID: userID, Typing: false})
		}
		return
	}
	if users == nil {
		users = map[int64]*time.Timer{}
		b.peers[dialogID] = users
	}
	// The callback takes the lock before it reads t: peer holds it while assigning t, so
	// even a timer that fires at once sees the assignment.
	var t *time.Timer
	t = time.AfterFunc(b.expiry, func() {
		b.mu.Lock()
		defer b.mu.Unlock()
		b.expireLocked(dialogID, userID, t)
	})
	users[userID] = t
	if !was {
		b.publish(TypingEvent{DialogID: dialogID, UserID: userID, Typing: true})
	}
}

// expireLocked ends a typing state that was not refreshed in time; b.mu is held.
func (b *typingBook) expireLocked(dialogID string, userID int64, t *time.Timer) {
	if b.stopped || b.peers[dialogID][userID] != t {
		return // refreshed or ended meanwhile
	}
	delete(b.peers[dialogID], userID)
	b.publish(TypingEvent{DialogID: dialogID, UserID: userID, Typing: false})
}

// typingUsers lists, sorted, who is typing in dialogID now.
func (b *typingBook) typingUsers(dialogID string) []int64 {
	b.mu.Lock()
	defer b.mu.Unlock()
	var out []int64
	for id := range b.peers[dialogID] {
		out = append(out, id)
	}
	slices.Sort(out)
	return out
}

// ourTyping is a keystroke (true) or an explicit stop (false) in dialogID:
// "composing" goes out on the first keystroke only, "paused" after idle without
// keystrokes or at once on a stop.
func (b *typingBook) ourTyping(dialogID string, typing bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.stopped {
		return
	}
	t, composing := b.ours[dialogID]
	if composing {
		t.Stop()
	}
	if !typing {
		if composing {
			delete(b.ours, dialogID)
			b.send(dialogID, false)
		}
		return
	}
	if !composing {
		b.send(dialogID, true)
	}
	var next *time.Timer
	next = time.AfterFunc(b.idle, func() {
		b.mu.Lock()
		defer b.mu.Unlock()
		if !b.stopped && b.ours[dialogID] == next {
			delete(b.ours, dialogID)
			b.send(dialogID, false)
		}
	})
	b.ours[dialogID] = next
}

// ourMessageSent ends our composing state without a "paused": the message itself
// tells the peer we stopped.
func (b *typingBook) ourMessageSent(dialogID string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if t, ok := b.ours[dialogID]; ok {
		t.Stop()
		delete(b.ours, dialogID)
	}
}

func (b *typingBook) stop() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.stopped = true
	for _, users := range b.peers {
		for _, t := range users {
			t.Stop()
		}
	}
	for _, t := range b.ours {
		t.Stop()
	}
}

// SetTyping tells the engine the user is typing in dialogID (call it on every
// keystroke) or stopped (typing=false, e.g. the text was cleared). The peer gets
// "composing" once and "paused" after 3 s without keystrokes.
func (e *Engine) SetTyping(dialogID string, typing bool) {
	if dialogID == "" {
		return
	}
	e.typing.ourTyping(dialogID, typing)
}

// TypingUsers lists who is typing in dialogID now.
func (e *Engine) TypingUsers(dialogID string) []int64 { return e.typing.typingUsers(dialogID) }

// sendTyping sends one chat state in the background: a keystroke must never wait
// for the network. Without a live chat it is simply skipped (typing is ephemeral).
func (e *Engine) sendTyping(dialogID string, composing bool) {
	chat := e.liveChat()
	if chat == nil {
		return
	}
	e.bg.Go(func() {
		ctx, cancel := context.WithTimeout(e.bg.Context(), typingSendTimeout)
		defer cancel()
		d, err := e.db.Dialog(ctx, dialogID)
		if err != nil {
			e.log.Debug("typing: unknown dialog", "dialog", dialogID, "err", err)
			return
		}
		if err := chat.SendTyping(ctx, peerOfDialog(*d, e.Me()), composing); err != nil {
			e.log.Debug("sending typing state", "dialog", dialogID, "err", err)
		}
	})
}

// peerOfDialog addresses a cached dialog for chat signals.
func peerOfDialog(d cache.Dialog, me int64) cube.Peer {
	return cube.Peer{DialogID: d.ID, DialogType: d.Type, RecipientID: peerOf(d, me)}
}

// privateDialogWith finds the cached private dialog with userID ("" when none):
// 1-1 chat signals (typing) carry no dialog id.
func (e *Engine) privateDialogWith(ctx context.Context, userID int64) (string, error) {
	if userID == e.Me() { // every private dialog holds us: our own signal names none
		return "", nil
	}
	return e.db.PrivateDialogWith(ctx, userID)
}
