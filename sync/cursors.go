package sync

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	gosync "sync"

	"github.com/cubechat/cubechat/cache"
)

// Cursor keys in the cache's key/value table.
const (
	dialogsCursorKey   = "dialogs.updated_at"  // unix seconds of the newest dialog update caught up
	messageCursorKey   = "messages.date_sent:" // + dialog id: unix seconds of the newest message caught up
	pendingReadsCursor = "pending_reads"       // JSON list of dialog ids to mark read when online
)

// cursorBook decides when a dialog's message cursor may move. The rule (design.md):
// the catch-up cursor is the newest message stored before this connection became
// Ready. Live messages that arrive while their dialog is still catching up must not
// move it — if that catch-up is cut short, the messages between the old cursor and
// the live one would be silently skipped next time. Once a dialog's catch-up has
// completed on this connection, the live stream is gap-free and may advance it.
//
// A connection is a generation: begin starts one at Ready, end closes it when the
// connection drops. Calls that carry an older generation (a cancelled catch-up) are
// ignored.
type cursorBook struct {
	mu      gosync.Mutex
	persist func(dialogID string, sentAt int64) error

	gen       uint64
	connected bool
	planned   bool             // the catch-up knows which dialogs it has to fetch
	pending   map[string]bool  // dialogs whose catch-up has not completed
	liveMax   map[string]int64 // newest live date_sent per dialog still pending
	cur       map[string]int64 // cursor values as persisted
}

func newCursorBook(persist func(dialogID string, sentAt int64) error) *cursorBook {
	return &cursorBook{persist: persist, cur: map[string]int64{}}
}

// begin starts a new connection generation from the cursors persisted at Ready.
func (b *cursorBook) begin(persisted map[string]int64) uint64 {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.gen++
	b.connected = true
	b.planned = false
	b.pending = map[string]bool{}
	b.liveMax = map[string]int64{}
	b.cur = map[string]int64{}
	for k, v := range persisted {
		b.cur[k] = v
	}
	return b.gen
}

// end marks the connection lost: until the next begin no live message moves a cursor.
func (b *cursorBook) end() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.connected = false
	b.planned = false
}

// plan records the dialogs the catch-up of generation gen will fetch. Every other
// dialog is caught up already, so live messages seen for it so far may count.
func (b *cursorBook) plan(gen uint64, dialogIDs []string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if gen != b.gen || !b.connected {
		return
	}
	b.planned = true
	for _, id := range dialogIDs {
		b.pending[id] = true
	}
	for id, v := range b.liveMax {
		if !b.pending[id] {
			b.advance(id, v)
			delete(b.liveMax, id)
		}
	}
}

// live notes a stored live message of dialogID sent at sentAt (unix seconds).
func (b *cursorBook) live(dialogID string, sentAt int64) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if !b.connected || !b.planned || b.pending[dialogID] {
		if b.connected && sentAt > b.liveMax[dialogID] {
			b.liveMax[dialogID] = sentAt
		}
		return
	}
	b.advance(dialogID, sentAt)
}

// complete marks dialogID caught up on generation gen: everything up to fetchedNewest
// came from the server, and everything after it arrived live.
func (b *cursorBook) complete(gen uint64, dialogID string, fetchedNewest int64) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if gen != b.gen || !b.connected {
		return
	}
	delete(b.pending, dialogID)
	b.advance(dialogID, max(fetchedNewest, b.liveMax[dialogID]))
	delete(b.liveMax, dialogID)
}

// current is the cursor of dialogID as this connection knows it.
func (b *cursorBook) current(dialogID string) int64 {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.cur[dialogID]
}

// advance moves a cursor forward only; the caller holds the lock.
func (b *cursorBook) advance(dialogID string, sentAt int64) {
	if sentAt <= b.cur[dialogID] {
		return
	}
	b.cur[dialogID] = sentAt
	// A failed write is logged by persist. The in-memory value still serves this
	// connection; the next Ready reads the older persisted value and re-fetches a
	// little more, which the upsert makes harmless.
	_ = b.persist(dialogID, sentAt)
}

// persistCursor writes a dialog's message cursor to the cache.
func (e *Engine) persistCursor(dialogID string, sentAt int64) error {
	err := e.db.SetCursor(context.Background(), messageCursorKey+dialogID, strconv.FormatInt(sentAt, 10))
	if err != nil {
		e.log.Warn("saving message cursor", "dialog", dialogID, "err", err)
	}
	return err
}

// readCursor reads a numeric cursor; a missing one is 0.
func (e *Engine) readCursor(ctx context.Context, key string) (int64, error) {
	v, err := e.db.Cursor(ctx, key)
	if errors.Is(err, cache.ErrNotFound) || (err == nil && v == "") {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("sync: cursor %s holds %q, not a number: %w", key, v, err)
	}
	return n, nil
}

// readMessageCursors reads the message cursor of every cached dialog.
func (e *Engine) readMessageCursors(ctx context.Context) (map[string]int64, error) {
	dialogs, err := e.db.Dialogs(ctx)
	if err != nil {
		return nil, err
	}
	out := make(map[string]int64, len(dialogs))
	for _, d := range dialogs {
		v, err := e.readCursor(ctx, messageCursorKey+d.ID)
		if err != nil {
			return nil, err
		}
		if v != 0 {
			out[d.ID] = v
		}
	}
	return out, nil
}
