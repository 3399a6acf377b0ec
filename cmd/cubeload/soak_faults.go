package main

import (
	"context"
	"math/rand/v2"
	"sync/atomic"
	"time"

	"github.com/cubechat/cubechat/internal/faultproxy"
)

// faultCounts is what the fault schedule did.
type faultCounts struct {
	Cuts, CutConns, Stalls, StalledConns, Restarts atomic.Int64
	RestartErrors                                  atomic.Int64
}

// randBetween is a uniformly random duration in [lo, hi].
func randBetween(r *rand.Rand, lo, hi time.Duration) time.Duration {
	if hi <= lo {
		return lo
	}
	return lo + time.Duration(r.Int64N(int64(hi-lo)+1))
}

// runFaults cuts and stalls the proxies at random until ctx ends. Each fault hits
// the chat proxy (3 in 5) or the REST proxy; a cut closes each open connection with
// probability ½…1, a stall holds the bytes of each open connection with probability
// ½…1 for StallMin…StallMax.
func runFaults(ctx context.Context, o SoakOptions, r *rand.Rand, chat, rest *faultproxy.Proxy, n *faultCounts) {
	if o.Intensity == 0 {
		return
	}
	for {
		gap := time.Duration(float64(randBetween(r, o.CutMin, o.CutMax)) / o.Intensity)
		t := time.NewTimer(gap)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
		}
		p := rest
		if r.IntN(5) < 3 {
			p = chat
		}
		if r.Float64() < o.StallShare {
			// Some connections only, so that what they carry arrives late and
			// out of step with the others' traffic.
			n.Stalls.Add(1)
			n.StalledConns.Add(int64(p.StallSome(randBetween(r, o.StallMin, o.StallMax), 0.5+r.Float64()/2, r)))
			continue
		}
		n.Cuts.Add(1)
		n.CutConns.Add(int64(p.Cut(0.5+r.Float64()/2, r)))
	}
}

// runRestarts restarts the server o.Restarts times, evenly spread over the run
// (at 1/(k+1), 2/(k+1), …), each time down for 1–3 s.
func runRestarts(ctx context.Context, o SoakOptions, r *rand.Rand, c *cluster, n *faultCounts) {
	start := time.Now()
	for k := 1; k <= o.Restarts; k++ {
		at := start.Add(o.Duration * time.Duration(k) / time.Duration(o.Restarts+1))
		t := time.NewTimer(time.Until(at))
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
		}
		if err := c.stopServer(); err != nil {
			c.log.Warn("stopping the server", "err", err)
		}
		down := randBetween(r, time.Second, 3*time.Second)
		select {
		case <-ctx.Done():
		case <-time.After(down):
		}
		// Start again even when ctx ended: the comparison needs the server. Its own
		// context is the run's parent (the cluster outlives the fault phase).
		// A port may linger for a moment after Close: try a few times.
		var err error
		for try := 0; try < 20; try++ {
			if err = c.startServer(context.WithoutCancel(ctx)); err == nil {
				break
			}
			time.Sleep(250 * time.Millisecond)
		}
		if err != nil {
			n.RestartErrors.Add(1)
			c.log.Error("restarting the server", "err", err)
			continue
		}
		n.Restarts.Add(1)
	}
}
