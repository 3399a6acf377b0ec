package sync

import gosync "sync"

// redialGate lets ReconnectNow cut the supervisor's backoff wait short. It knows
// whether a connection attempt is under way, so that a request made while one is
// (connecting, Ready, or the cube reconnection manager retrying) is dropped instead of
// lingering and skipping a later, legitimate backoff.
type redialGate struct {
	mu         gosync.Mutex
	attempting bool          // from the start of an attempt until its chat has ended
	waiting    bool          // the supervisor is in its backoff wait
	wake       chan struct{} // one pending wake-up for the supervisor's backoff wait
}

func newRedialGate() *redialGate { return &redialGate{wake: make(chan struct{}, 1)} }

// begin marks the start of a connection attempt and forgets any earlier request: this
// attempt is the one that was asked for.
func (g *redialGate) begin() {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.attempting = true
	select {
	case <-g.wake:
	default:
	}
}

// ended marks the attempt over: its chat reported a final state (or never started). A
// request from now on wakes the supervisor's next backoff wait.
func (g *redialGate) ended() {
	g.mu.Lock()
	g.attempting = false
	g.mu.Unlock()
}

// request asks for an attempt at once. It reports false, and does nothing, while an
// attempt is under way.
func (g *redialGate) request() bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.attempting {
		return false
	}
	select {
	case g.wake <- struct{}{}:
	default: // already requested
	}
	return true
}

// setWaiting records whether the supervisor is in its backoff wait.
func (g *redialGate) setWaiting(w bool) {
	g.mu.Lock()
	g.waiting = w
	g.mu.Unlock()
}

// isWaiting tells whether the supervisor is in its backoff wait.
func (g *redialGate) isWaiting() bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.waiting
}

// ReconnectNow makes the next connection attempt happen at once instead of after the
// current backoff wait; when the cube reconnection manager has given up, that attempt
// is a fresh chat. It does nothing while the engine is Ready or connecting (the cube
// reconnection manager's own retries count as connecting) and while it waits for a
// sign-in (only Login helps then). Safe to call from any goroutine, any number of
// times; the password given to Login stays in use, so no sign-in is needed.
func (e *Engine) ReconnectNow() {
	if e.signInNeeded() {
		e.log.Debug("reconnect now ignored: waiting for a sign-in")
		return
	}
	if e.redial.request() {
		e.log.Info("reconnect now requested")
	} else {
		e.log.Debug("reconnect now ignored: a connection attempt is under way")
	}
}
