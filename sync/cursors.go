package sync

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	gosync "sync"

	"github.com/cubechat/cubechat/cache"
)

// Cursor keys in the cache's key/value table. Every cursor holds a time the server
// assigned (its updated_at, unix seconds), never this machine's clock nor a
// sender-stamped date_sent.
const (
	dialogsCursorKey   = "dialogs.updated_at"       // newest dialog updated_at caught up
	messageCursorKey   = "dialog.messages_updated:" // + dialog id: the dialog's updated_at when its messages were last caught up
	pendingReadsCursor = "pending_reads"            // JSON list of dialog ids to mark read when online
)

// cursorBook keeps the per-dialog message cursors of this connection. A dialog's
// cursor moves only when its catch-up committed everything the server listed as
// changed since the old value (catchUpDialog); live messages never move it, so a
// message the server stored but never delivered live (or delivered on a connection
// that then dropped) is still fetched by the next catch-up.
//
// A connection is a generation: begin starts one at Ready, end closes it when the
// connection drops. Calls that carry an older generation (a cancelled catch-up) are
// ignored.
type cursorBook struct {
	mu      gosync.Mutex
	persist func(dialogID string, updatedAt int64) error

	gen       uint64
	connected bool
	cur       map[string]int64 // cursor values as persisted
}

func newCursorBook(persist func(dialogID string, updatedAt int64) error) *cursorBook {
	return &cursorBook{persist: persist, cur: map[string]int64{}}
}

// begin starts a new connection generation from the cursors persisted at Ready.
func (b *cursorBook) begin(persisted map[string]int64) uint64 {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.gen++
	b.connected = true
	b.cur = map[string]int64{}
	for k, v := range persisted {
		b.cur[k] = v
	}
	return b.gen
}

// end marks the connection lost: until the next begin no cursor moves.
func (b *cursorBook) end() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.connected = false
}

// complete records that dialogID's messages changed before its listed updated_at
// (unix seconds) are all in the cache, on generation gen.
func (b *cursorBook) complete(gen uint64, dialogID string, listedUpdatedAt int64) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if gen != b.gen || !b.connected || listedUpdatedAt <= b.cur[dialogID] {
		return
	}
	b.cur[dialogID] = listedUpdatedAt
	// A failed write is logged by persist. The in-memory value still serves this
	// connection; the next Ready reads the older persisted value and re-fetches a
	// little more, which the upsert makes harmless.
	_ = b.persist(dialogID, listedUpdatedAt)
}

// current is the cursor of dialogID as this connection knows it (0 = never caught up).
func (b *cursorBook) current(dialogID string) int64 {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.cur[dialogID]
}

// persistCursor writes a dialog's message cursor to the cache.
func (e *Engine) persistCursor(dialogID string, updatedAt int64) error {
	err := e.db.SetCursor(context.Background(), messageCursorKey+dialogID, strconv.FormatInt(updatedAt, 10))
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

// readMessageCursors reads the message cursor of every cached dialog, in one query. A
// dialog without one (first stored by a live message, or by a version whose cursors
// followed date_sent) is caught up from the updated_at the server gave it when it was
// stored (see knownSince), never from a sender's clock.
func (e *Engine) readMessageCursors(ctx context.Context) (map[string]int64, error) {
	values, err := e.db.PrefixedCursors(ctx, messageCursorKey)
	if err != nil {
		return nil, err
	}
	out := make(map[string]int64, len(values))
	for id, v := range values {
		if v == "" {
			continue
		}
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return nil, fmt.Errorf("sync: cursor %s holds %q, not a number: %w", messageCursorKey+id, v, err)
		}
		if n != 0 {
			out[id] = n
		}
	}
	return out, nil
}
