package app

import (
	"fyne.io/fyne/v2/lang"

	"context"

	"github.com/cubechat/cubechat/cache"
)

// blockState is what the header knows of the open private chat's block: a blocked peer
// shows as blocked instead of "online", which would suggest their messages still arrive.
type blockState struct {
	peer            int64
	blocked, mutual bool
}

// blockedSubtitle replaces the presence line of a private chat whose peer is blocked.
func blockedSubtitle(b blockState, d cache.Dialog, me int64) (string, bool) {
	if d.Type != dialogPrivate || !b.blocked || b.peer != peerOf(d, me) {
		return "", false
	}
	if b.mutual {
		return lang.L("Blocked both ways — neither of you can message the other"), true
	}
	return lang.L("Blocked — you do not get their messages"), true
}

// loadBlocked reads the block state of d's peer off the UI goroutine and shows it (on
// opening a chat and whenever the block list changes).
func (h *chatHeader) loadBlocked(d cache.Dialog) {
	m := h.c.m
	if d.Type != dialogPrivate {
		h.block = blockState{}
		return
	}
	peer := peerOf(d, m.me)
	// Two reads can be in flight (a chat opened, then the block list changed): only the
	// newest may set the header, or an older "not blocked" could land last.
	h.blockGen++
	gen := h.blockGen
	m.bg.Go(func() {
		ctx, cancel := context.WithTimeout(m.ctx, loadTimeout)
		blocked, mutual, err := m.db.IsBlocked(ctx, peer)
		cancel()
		if err != nil {
			if m.ctx.Err() == nil {
				m.log.Warn("reading the block list", "err", err)
			}
			return
		}
		runOnUI(func() {
			if h.c.dialog.ID != d.ID || h.blockGen != gen {
				return // another chat opened, or a newer read started, meanwhile
			}
			h.block = blockState{peer: peer, blocked: blocked, mutual: mutual}
			h.set(h.c.dialog)
		})
	})
}
