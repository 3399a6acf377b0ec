// Package throttle slows down password guessing: it counts failed sign-ins per key (an
// account, an address) in a leaky bucket and refuses further attempts on a key whose
// bucket is full, until enough of it has drained. REST and XMPP share one Guard.
package throttle

import (
	"strings"
	"sync"
	"time"
)

// Limits for one kind of key: Burst failures are allowed at once; each drains after
// Drain. With the defaults an account gets 10 quick tries, then one per 30 s.
type Limits struct {
	Burst int
	Drain time.Duration
}

// Defaults: an address is shared by many people behind one NAT, so it gets more room.
var (
	DefaultAccount = Limits{Burst: 10, Drain: 30 * time.Second}
	DefaultAddress = Limits{Burst: 50, Drain: 6 * time.Second}
)

// maxKeys bounds the memory a flood of distinct keys can take; past it, drained buckets
// are dropped and, if that frees nothing, further new keys go uncounted.
const maxKeys = 100_000

// Guard counts failures. Keys "addr:…" use the address limits, all others the account
// limits. The zero value is not usable; build it with New.
type Guard struct {
	account, address Limits
	now              func() time.Time

	mu      sync.Mutex
	buckets map[string]bucket
}

type bucket struct {
	level float64 // failures not yet drained
	at    time.Time
}

// New builds a guard; now nil = time.Now (tests pass a fake clock).
func New(account, address Limits, now func() time.Time) *Guard {
	if now == nil {
		now = time.Now
	}
	return &Guard{account: account, address: address, now: now, buckets: map[string]bucket{}}
}

func (g *Guard) limits(key string) Limits {
	if strings.HasPrefix(key, "addr:") {
		return g.address
	}
	return g.account
}

// level is key's bucket drained up to now.
func (g *Guard) level(key string, now time.Time) float64 {
	b, ok := g.buckets[key]
	if !ok {
		return 0
	}
	l := g.limits(key)
	drained := b.level - float64(now.Sub(b.at))/float64(l.Drain)
	if drained <= 0 {
		delete(g.buckets, key)
		return 0
	}
	return drained
}

// Allow says whether an attempt on every key may be checked: false while any key's
// bucket is full. Refused attempts are not counted, so a locked key drains on time.
func (g *Guard) Allow(keys ...string) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	now := g.now()
	for _, k := range keys {
		if g.level(k, now) > float64(g.limits(k).Burst)-1 {
			return false
		}
	}
	return true
}

// Failed counts one failed attempt on each key. Successful sign-ins are never counted.
func (g *Guard) Failed(keys ...string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	now := g.now()
	for _, k := range keys {
		lvl := g.level(k, now)
		if _, ok := g.buckets[k]; !ok && len(g.buckets) >= maxKeys {
			g.sweep(now)
			if len(g.buckets) >= maxKeys {
				continue // full of live buckets: the key is not tracked
			}
		}
		g.buckets[k] = bucket{level: lvl + 1, at: now}
	}
}

// sweep drops drained buckets.
func (g *Guard) sweep(now time.Time) {
	for k := range g.buckets {
		g.level(k, now)
	}
}
