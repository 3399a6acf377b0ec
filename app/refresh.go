package app

import (
	"context"
	"time"

	"github.com/cubechat/cubechat/cache"
)

// refreshInterval caps how often the UI reloads after cache changes (about 60 Hz), so a
// burst of events costs a handful of reloads instead of one per event.
const refreshInterval = time.Second / 60

// pumpChanges reads cache changes and calls handle with their union, at most once per
// interval. handle runs on this goroutine — off the UI goroutine — so it may load from
// the cache, then hand the results to the UI with fyne.Do. Changes that arrive while
// handle runs are merged into the next call. It returns when ctx ends or in closes.
func pumpChanges(ctx context.Context, in <-chan cache.Change, interval time.Duration, handle func(cache.Change)) {
	var (
		pending cache.Change
		have    bool
		timer   *time.Timer
		fire    <-chan time.Time
		last    time.Time
	)
	defer func() {
		if timer != nil {
			timer.Stop()
		}
	}()
	for {
		select {
		case <-ctx.Done():
			return
		case c, ok := <-in:
			if !ok {
				if have {
					handle(pending)
				}
				return
			}
			pending = mergeChanges(pending, c)
			have = true
			if fire == nil {
				wait := interval - time.Since(last)
				if wait < 0 {
					wait = 0
				}
				timer = time.NewTimer(wait)
				fire = timer.C
			}
		case <-fire:
			fire = nil
			c := pending
			pending, have = cache.Change{}, false
			handle(c)
			last = time.Now()
		}
	}
}

// sleepCtx waits d, or less when ctx ends first; it reports whether the full wait
// passed. Delayed work of a screen sleeps here, inside a goroutine the screen owns,
// so closing the screen never waits out a delay.
func sleepCtx(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}
