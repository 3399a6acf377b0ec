// Package backoff is the one retry-wait policy: exponential growth from Min to Max,
// with jitter so that many clients cut off by the same outage do not all come back
// in the same instant. Every retry loop of the client (the supervisor's reconnects,
// catch-up, the outbox, refetches, the cube reconnection manager) waits through it.
package backoff

import (
	"context"
	"math/rand/v2"
	"time"
)

// Jitter says how a wait is spread below its exponential step d.
type Jitter int

const (
	// Equal waits a uniform time in [d/2, d): never less than half the step, so a
	// retry loop cannot spin, yet spread enough to break up a crowd.
	Equal Jitter = iota
	// Full waits a uniform time in [0, d): the widest spread, for loops where an
	// immediate retry costs nothing.
	Full
	// None waits exactly d (tests and fixed schedules).
	None
)

// Policy describes a backoff. Min is the first step and Max the largest (a Max below
// Min is taken as Min, so Min == Max gives a fixed, jittered interval). Rand, when
// set, returns a uniform value in [0, n) for n > 0; nil uses math/rand/v2.
type Policy struct {
	Min, Max time.Duration
	Jitter   Jitter
	Rand     func(n int64) int64
}

// Backoff is one retry loop's state. It is not safe for concurrent use: each loop
// owns its own.
type Backoff struct {
	p    Policy
	step time.Duration // the exponential step the next wait is drawn from
}

// New returns a Backoff at its first step.
func New(p Policy) *Backoff {
	if p.Min <= 0 {
		panic("backoff: Min must be positive")
	}
	p.Max = max(p.Max, p.Min)
	if p.Rand == nil {
		p.Rand = rand.Int64N
	}
	return &Backoff{p: p, step: p.Min}
}

// Next returns the wait before the next attempt and doubles the step (up to Max).
func (b *Backoff) Next() time.Duration {
	d := b.jittered(b.step)
	if b.step > b.p.Max/2 {
		b.step = b.p.Max // doubling would pass Max (or overflow)
	} else {
		b.step *= 2
	}
	return d
}

// Reset returns to the first step, after a success.
func (b *Backoff) Reset() { b.step = b.p.Min }

// Wait sleeps for Next(), or until ctx ends; false means ctx ended first.
func (b *Backoff) Wait(ctx context.Context) bool {
	t := time.NewTimer(b.Next())
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}

func (b *Backoff) jittered(d time.Duration) time.Duration {
	switch b.p.Jitter {
	case None:
		return d
	case Full:
		return time.Duration(b.p.Rand(int64(d)))
	default:
		half := d / 2
		if half <= 0 {
			return d
		}
		return d - half + time.Duration(b.p.Rand(int64(half)))
	}
}
