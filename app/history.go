package app

import (
	"context"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/cubechat/cubechat/cache"
	"github.com/cubechat/cubechat/widgets"
)

// olderRetryDelay is how long to wait before asking the server again for older history
// after a page came back empty (offline, or the start of the dialog).
const olderRetryDelay = 10 * time.Second

// historyView is the open chat's messages: a virtualized list over a window of cache
// rows. It opens with the newest page and pages older rows in when the top row shows —
// first from the cache, then from the server through the engine.
type historyView struct {
	m       *mainScreen
	list    *widget.List
	content fyne.CanvasObject
	empty   *widget.Label // shown once a load found no messages
	jump    *jumpDown     // "N new ↓" while scrolled up (history_jump.go)

	// Owned by the UI goroutine.
	group        bool
	msgs         []cache.Message // oldest first
	rows         []widgets.BubbleData
	heights      []float32
	measured     map[string]float32 // heights at the current width
	measurer     *widgets.MessageBubble
	slots        *bubbleSlots // the list's items and their bubbles
	width        float32
	follow       bool // scroll to the bottom after the next load
	loadingOlder bool
	olderAfter   time.Time // no older-page request before this
	exhausted    bool      // the server said there is nothing older
	target       string    // a message to scroll to once it is loaded (search results)
	sizing       bool      // measure is setting heights: the list's refresh after it fills the rows

	mu       sync.Mutex // guards the snapshot the change pump reads
	dialogID string
	gen      uint64 // bumped on every open; stale loads are dropped
	shown    int
}

func newHistoryView(m *mainScreen) *historyView {
	h := &historyView{m: m, measured: map[string]float32{}, measurer: widgets.NewMessageBubble()}
	h.slots = newBubbleSlots(h, func() *widgets.MessageBubble {
		b := widgets.NewMessageBubble()
		b.OnRetry = func(id string) { m.chat.retry(id) }
		b.OnMenu = func(id string, at fyne.Position) { m.chat.showMessageMenu(id, at) }
		b.OnReact = func(id, emoji string) { m.chat.react(id, emoji) }
		b.OnOpenAttachment = func(id, uid string) { m.chat.openAttachment(id, uid) }
		b.OnSaveAttachment = func(id, uid string) { m.chat.saveAttachment(id, uid) }
		b.OnQuote = func(quoted string) { m.chat.jumpToMessage(quoted) }
		return b
	})
	h.list = widget.NewList(
		func() int { return len(h.rows) },
		h.slots.newSlot, // the bubbles come from h.slots (history_slots.go)
		func(id widget.ListItemID, o fyne.CanvasObject) {
			if id >= len(h.rows) || h.sizing {
				return
			}
			h.slots.bubbleFor(o.(*fyne.Container), id).Update(h.rows[id])
			if id == 0 {
				h.maybeLoadOlder()
			}
			if id == len(h.rows)-1 {
				h.jump.reset() // the newest row is in view
			}
		},
	)
	h.list.HideSeparators = true
	// Rows are not selectable: a tap must not leave a highlighted message behind.
	h.list.OnSelected = func(id widget.ListItemID) { h.list.Unselect(id) }
	ww := newWidthWatcher(h.list, h.setWidth)
	ww.atBottom, ww.toBottom = h.atBottom, h.list.ScrollToBottom
	h.empty = widget.NewLabelWithStyle(noMessagesText(), fyne.TextAlignCenter, fyne.TextStyle{})
	h.empty.Importance = widget.LowImportance
	h.empty.Hide()
	h.jump = newJumpDown(h.list.ScrollToBottom)
	h.content = container.NewStack(ww, container.NewCenter(h.empty), h.jump.box)
	return h
}

// noMessagesText is what an empty history says.
func noMessagesText() string { return lang.L("No messages here yet — say hello!") }

// open shows the newest page of dialogID.
func (h *historyView) open(dialogID string, group bool) {
	h.mu.Lock()
	h.dialogID = dialogID
	h.gen++
	gen := h.gen
	h.shown = 0
	h.mu.Unlock()

	h.group = group
	h.msgs, h.rows, h.heights = nil, nil, nil
	h.measured = map[string]float32{} // bounded by what one dialog shows
	h.loadingOlder = false
	h.olderAfter = time.Time{}
	h.exhausted = false
	h.follow = true
	h.target = ""
	h.empty.Hide()
	h.jump.reset()
	h.list.Refresh()
	if dialogID != "" {
		h.m.bg.Go(func() { h.firstLoad(gen, dialogID) })
	}
}

// firstLoad shows the newest page from the cache. A dialog whose messages the cache has
// never held (a public chat just joined, a dialog catch-up left for later) but that has
// history on the server is filled from the server first: nothing else would ask, since
// paging back starts from the oldest message shown.
func (h *historyView) firstLoad(gen uint64, dialogID string) {
	ctx, cancel := context.WithTimeout(h.m.ctx, 2*loadTimeout)
	defer cancel()
	cached, err := h.m.db.Messages(ctx, dialogID, time.Time{}, "", 1)
	if err == nil && len(cached) == 0 {
		if d, derr := h.m.db.Dialog(ctx, dialogID); derr == nil && (d.LastMessageID != "" || !d.LastMessageAt.IsZero()) {
			runOnUI(func() {
				if _, cur, _ := h.snapshot(); cur == gen {
					h.empty.SetText(lang.L("Loading messages…"))
					h.empty.Show()
				}
			})
			if _, lerr := h.m.engine.LoadOlder(ctx, dialogID, time.Time{}); lerr != nil && h.m.ctx.Err() == nil {
				h.m.log.Info("loading the newest messages from the server", "dialog", dialogID, "err", lerr)
			}
		}
	}
	h.load(gen, dialogID, historyPage)
	h.m.trim.poke() // the chat is drawn: what opening it freed can go back to the OS
}

// setGroup switches sender names on or off when a dialog's type is learnt late.
func (h *historyView) setGroup(group bool) {
	if h.group != group {
		h.group = group
		h.rebuild()
	}
}

// followBottom makes the next load scroll to the newest message (after sending).
func (h *historyView) followBottom() { h.follow = true }

func (h *historyView) snapshot() (dialogID string, gen uint64, shown int) {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.dialogID, h.gen, h.shown
}

// reload re-reads the newest rows after a change; it runs off the UI goroutine.
func (h *historyView) reload(changed int) {
	dialogID, gen, shown := h.snapshot()
	if dialogID != "" {
		h.load(gen, dialogID, reloadLimit(shown, changed))
	}
}

// load reads the newest limit rows of dialogID off the UI goroutine and shows them.
func (h *historyView) load(gen uint64, dialogID string, limit int) {
	ctx, cancel := context.WithTimeout(h.m.ctx, loadTimeout)
	defer cancel()
	msgs, err := h.m.db.Messages(ctx, dialogID, time.Time{}, "", limit)
	if err != nil {
		if h.m.ctx.Err() == nil {
			h.m.log.Error("loading messages", "dialog", dialogID, "err", err)
		}
		return
	}
	runOnUI(func() {
		if _, cur, _ := h.snapshot(); cur == gen {
			h.setMessages(msgs)
			h.revealPending()
		}
	})
}

// setMessages replaces the window, keeping the reader at the bottom if they were there.
func (h *historyView) setMessages(msgs []cache.Message) {
	stick := h.follow || h.atBottom()
	h.follow = false
	prev := h.msgs
	// A reload reads the newest rows; rows paged in above them meanwhile stay, so the
	// window never shrinks under the reader.
	h.msgs = keepOlder(h.msgs, msgs)
	if !stick {
		h.jump.arrived(newerThan(prev, h.msgs))
	}
	if len(h.msgs) == 0 {
		h.empty.SetText(noMessagesText())
		h.empty.Show()
	} else {
		h.empty.Hide()
	}
	h.mu.Lock()
	h.shown = len(h.msgs)
	h.mu.Unlock()
	h.rebuild()
	if stick {
		h.list.ScrollToBottom()
	}
}

// atBottom tells whether the newest row is in view (so new messages should follow).
func (h *historyView) atBottom() bool {
	if len(h.heights) == 0 {
		return true
	}
	return h.list.GetScrollOffset()+h.list.Size().Height >= h.contentHeight()-theme.Padding()*4
}

func (h *historyView) contentHeight() float32 {
	var total float32
	for _, x := range h.heights {
		total += x
	}
	return total + theme.Padding()*float32(len(h.heights)-1)
}

// redraw is rebuild for a change of what the rows show rather than of which rows
// there are (a thumbnail decoded, an upload's progress, a highlight): a reader at the
// newest message stays there when its row grows. A thumbnail decoded just after a
// sent picture scrolled the list down would otherwise leave that picture cut off.
func (h *historyView) redraw() {
	stick := h.atBottom()
	h.rebuild()
	if stick {
		h.list.ScrollToBottom()
	}
}

// rebuild recomputes rows and their heights from msgs and refreshes the list.
func (h *historyView) rebuild() {
	h.rows = historyRows(h.msgs, h.m.me, h.group, h.m.users, time.Now(), time.Local)
	if h.m.chat != nil {
		h.m.chat.decorateRows(h.rows, h.msgs)
		h.m.chat.pinned.follow(h.msgs)
	}
	h.measure()
	h.list.Refresh()
}

// measure sets every row's height for the current width. Heights are cached per row
// content, so a reload re-measures only rows that changed.
func (h *historyView) measure() {
	if h.width <= 0 {
		return // not laid out yet; setWidth measures on first layout
	}
	h.heights = make([]float32, len(h.rows))
	// Each changed height makes Fyne refresh the whole list, every visible bubble
	// laid out again; both callers refresh the list once measure is done.
	h.sizing = true
	defer func() { h.sizing = false }()
	for i, r := range h.rows {
		key := r.LayoutKey()
		height, ok := h.measured[key]
		if !ok {
			height = h.measurer.Measure(r, h.width)
			h.measured[key] = height
		}
		h.heights[i] = height
		h.list.SetItemHeight(i, height)
	}
}

// setWidth re-measures when the pane's width changes (wrapping changes every height).
func (h *historyView) setWidth(w float32) {
	if w == h.width || w <= 0 {
		return
	}
	stick := h.atBottom()
	h.width = w
	h.measured = map[string]float32{}
	h.measure()
	h.list.Refresh()
	if stick {
		h.list.ScrollToBottom()
	}
}

// maybeLoadOlder pages in older rows when the top row comes into view.
func (h *historyView) maybeLoadOlder() {
	if h.loadingOlder || h.exhausted || len(h.msgs) == 0 || time.Now().Before(h.olderAfter) {
		return
	}
	dialogID, gen, _ := h.snapshot()
	oldest := h.msgs[0]
	h.loadingOlder = true
	h.m.bg.Go(func() { h.loadOlder(gen, dialogID, oldest) })
}

// loadOlder reads the page before oldest from the cache; when the cache runs short it
// asks the engine to back-fill from the server, then reads again.
func (h *historyView) loadOlder(gen uint64, dialogID string, oldest cache.Message) {
	ctx, cancel := context.WithTimeout(h.m.ctx, 2*loadTimeout)
	defer cancel()
	older, err := h.m.db.Messages(ctx, dialogID, oldest.SentAt, oldest.ID, historyPage)
	serverDone := false
	if err == nil && len(older) < historyPage {
		n, lerr := h.m.engine.LoadOlder(ctx, dialogID, oldest.SentAt)
		if lerr != nil {
			h.m.log.Info("back-fill from the server failed", "dialog", dialogID, "err", lerr)
		}
		serverDone = lerr == nil && n == 0
		older, err = h.m.db.Messages(ctx, dialogID, oldest.SentAt, oldest.ID, historyPage)
	}
	if err != nil && h.m.ctx.Err() == nil {
		h.m.log.Error("loading older messages", "dialog", dialogID, "err", err)
	}
	runOnUI(func() {
		if _, cur, _ := h.snapshot(); cur != gen {
			return
		}
		h.loadingOlder = false
		h.exhausted = serverDone && len(older) == 0
		if len(older) == 0 {
			h.olderAfter = time.Now().Add(olderRetryDelay)
			return
		}
		h.prepend(older)
	})
}

// prepend adds older rows above the window and keeps the same message under the
// reader's eyes by moving the scroll offset down by the added height.
func (h *historyView) prepend(older []cache.Message) {
	merged := prependMessages(older, h.msgs)
	added := len(merged) - len(h.msgs)
	if added == 0 {
		return // a reload got there first; the next top-row render pages on from there
	}
	offset := h.list.GetScrollOffset()
	var oldFirst float32
	if len(h.heights) > 0 {
		oldFirst = h.heights[0]
	}
	h.msgs = merged
	h.mu.Lock()
	h.shown = len(merged)
	h.mu.Unlock()
	h.rebuild()
	if len(h.heights) > added {
		var shift float32
		for _, x := range h.heights[:added] {
			shift += x + theme.Padding()
		}
		// The old first row may have lost its date separator to the new rows above it.
		shift += h.heights[added] - oldFirst
		h.list.ScrollToOffset(offset + shift)
	}
}

// prependMessages puts older before current, dropping rows already in current.
func prependMessages(older, current []cache.Message) []cache.Message {
	have := make(map[string]bool, len(current))
	for _, m := range current {
		have[m.ID] = true
	}
	out := make([]cache.Message, 0, len(older)+len(current))
	for _, m := range older {
		if !have[m.ID] {
			out = append(out, m)
		}
	}
	return append(out, current...)
}

// keepOlder returns newest with the rows of current that are older than newest's first
// row put in front of it.
func keepOlder(current, newest []cache.Message) []cache.Message {
	if len(newest) == 0 || len(current) == 0 {
		if len(newest) == 0 {
			return current
		}
		return newest
	}
	first := newest[0]
	n := 0
	for n < len(current) && olderThan(current[n], first) {
		n++
	}
	if n == 0 {
		return newest
	}
	out := make([]cache.Message, 0, n+len(newest))
	return append(append(out, current[:n]...), newest...)
}

// olderThan orders messages as the cache does: by time, then in the order the
// server stored them (cache.Message.Arrival), then by id.
func olderThan(a, b cache.Message) bool {
	if !a.SentAt.Equal(b.SentAt) {
		return a.SentAt.Before(b.SentAt)
	}
	if a.Arrival != b.Arrival {
		return a.Arrival < b.Arrival
	}
	return a.ID < b.ID
}

// widthWatcher lays out one object full-size and reports width changes, which the
// history needs to re-measure wrapped bubbles.
type widthWatcher struct {
	widget.BaseWidget
	obj      fyne.CanvasObject
	onWidth  func(float32)
	atBottom func() bool
	toBottom func()
}

func newWidthWatcher(obj fyne.CanvasObject, onWidth func(float32)) *widthWatcher {
	w := &widthWatcher{obj: obj, onWidth: onWidth}
	w.ExtendBaseWidget(w)
	return w
}

func (w *widthWatcher) CreateRenderer() fyne.WidgetRenderer {
	return &widthWatcherRenderer{w: w}
}

type widthWatcherRenderer struct{ w *widthWatcher }

func (r *widthWatcherRenderer) Layout(size fyne.Size) {
	r.w.onWidth(size.Width)
	// A shorter pane (the composer grew, a banner appeared) keeps the newest message in
	// view if it was: the list would otherwise keep its offset and hide the bottom.
	old := r.w.obj.Size()
	stick := size.Height < old.Height && r.w.atBottom != nil && r.w.atBottom()
	r.w.obj.Resize(size)
	if stick {
		r.w.toBottom()
	}
}

func (r *widthWatcherRenderer) MinSize() fyne.Size           { return r.w.obj.MinSize() }
func (r *widthWatcherRenderer) Refresh()                     { r.w.obj.Refresh() }
func (r *widthWatcherRenderer) Objects() []fyne.CanvasObject { return []fyne.CanvasObject{r.w.obj} }
func (r *widthWatcherRenderer) Destroy()                     {}
