package app

import (
	"context"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"

	"github.com/cubechat/cubechat/cache"
)

// revealPages bounds how far back the history pages (from the cache) to find a message
// a search result points at.
const revealPages = 40

// reveal scrolls to message id, paging older rows in from the cache when it is not in
// the window yet. It is called after open, so it waits for the first load.
func (h *historyView) reveal(id string) {
	h.target = id
	h.revealPending()
}

// revealPending scrolls to the target if loaded, else fetches the rows down to it.
func (h *historyView) revealPending() {
	if h.target == "" || len(h.msgs) == 0 {
		return
	}
	for i, m := range h.msgs {
		if m.ID == h.target {
			h.target = ""
			h.follow = false
			h.scrollToMiddle(i)
			h.m.chat.media.flash(m.ID) // marked for a moment (search_highlight.go)
			return
		}
	}
	if h.loadingOlder {
		return
	}
	dialogID, gen, _ := h.snapshot()
	target, oldest := h.target, h.msgs[0]
	h.loadingOlder = true
	h.m.bg.Go(func() {
		older := h.olderUntil(dialogID, oldest, target)
		runOnUI(func() {
			if _, cur, _ := h.snapshot(); cur != gen {
				return
			}
			h.loadingOlder = false
			if len(older) > 0 {
				h.prepend(older)
			}
			if h.target == target && !h.contains(target) {
				h.target = "" // not cached (deleted meanwhile): stay where we are
				return
			}
			h.revealPending()
		})
	})
}

// olderUntil reads pages older than oldest until one holds id (or the cache runs out).
func (h *historyView) olderUntil(dialogID string, oldest cache.Message, id string) []cache.Message {
	ctx, cancel := context.WithTimeout(h.m.ctx, 2*loadTimeout)
	defer cancel()
	var out []cache.Message
	before, beforeID := oldest.SentAt, oldest.ID
	for range revealPages {
		page, err := h.m.db.Messages(ctx, dialogID, before, beforeID, historyPage)
		if err != nil || len(page) == 0 {
			if err != nil && h.m.ctx.Err() == nil {
				h.m.log.Warn("paging to a search result", "dialog", dialogID, "err", err)
			}
			return out
		}
		out = append(page, out...)
		for _, m := range page {
			if m.ID == id {
				return out
			}
		}
		before, beforeID = page[0].SentAt, page[0].ID
	}
	return out
}

func (h *historyView) contains(id string) bool {
	_, ok := h.messageByID(id)
	return ok
}

// scrollToMiddle scrolls row i to the middle of the view, where the eye looks first
// (the list's own ScrollTo leaves it at the top or bottom edge).
func (h *historyView) scrollToMiddle(i int) {
	if i >= len(h.heights) || h.list.Size().Height <= 0 {
		h.list.ScrollTo(i) // not measured yet
		return
	}
	var top float32
	for _, x := range h.heights[:i] {
		top += x + theme.Padding()
	}
	offset := top - (h.list.Size().Height-h.heights[i])/2
	h.list.ScrollToOffset(fyne.Max(0, fyne.Min(offset, h.contentHeight()-h.list.Size().Height)))
}
