package app

import "time"

// headerTick is how often the open chat's header is redrawn with the clock: "last seen
// just now" must become "last seen 1 min ago" without waiting for another change.
const headerTick = 20 * time.Second

// tickHeader redraws the header of the open chat every headerTick until the screen
// closes (it runs under the main screen's workers).
func (h *chatHeader) tickHeader() {
	m := h.c.m
	m.bg.Go(func() {
		for sleepCtx(m.ctx, headerTick) {
			runOnUI(h.tick)
		}
	})
}

// tick redraws the subtitle of an open chat with a time in it (a private chat's last
// seen); others do not change with the clock.
func (h *chatHeader) tick() {
	if d := h.c.dialog; d.ID != "" && d.Type == dialogPrivate {
		h.set(d)
	}
}
