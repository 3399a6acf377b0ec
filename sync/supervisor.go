package sync

import (
	"context"
	"errors"
	"time"

	"github.com/cubechat/cubechat/cube"
	"github.com/cubechat/cubechat/internal/backoff"
)

// Reconnect backoff of the supervisor (jittered, internal/backoff), used once the cube reconnection manager has
// given up (or the first connect failed): the app must come back by itself when the
// server does, without hammering it meanwhile.
const (
	minBackoff = time.Second
	maxBackoff = 30 * time.Second
	// finalEventWait bounds the wait for a closed chat's last event.
	finalEventWait = 5 * time.Second
)

// supervise keeps a chat connection alive for as long as ctx runs: open a REST
// session if needed, connect, run the session, and after it ends wait and start over
// with a new Chat. While the engine needs a sign-in it waits for Login instead.
func (e *Engine) supervise(ctx context.Context) {
	retry := backoff.New(backoff.Policy{Min: e.backoffMin, Max: e.backoffMax})
	for ctx.Err() == nil {
		if !e.waitSignIn(ctx) {
			return
		}
		e.redial.begin()
		err := e.ensureSession(ctx)
		wasReady := false
		if err == nil {
			wasReady, err = e.runChat(ctx)
		}
		e.redial.ended()
		if ctx.Err() != nil {
			return
		}
		if wasReady {
			retry.Reset()
		}
		wait := retry.Next()
		if err != nil {
			e.log.Warn("chat connection ended", "err", err, "retry_in", wait)
		}
		e.status.Update(func(s *Status) { s.State = StateOffline; s.Err = err; s.Syncing = false })
		if errors.Is(err, cube.ErrAuth) {
			// The password may have changed, or the token expired: the next round's
			// new REST session (or question about the token) tells for sure.
			e.mu.Lock()
			e.session = false
			e.mu.Unlock()
		}
		if errors.Is(err, ErrAuth) {
			retry.Reset() // the loop's top waits for Login, then starts afresh
			continue
		}
		if !e.waitBackoff(ctx, wait) {
			return
		}
	}
}

// waitBackoff waits d before the next attempt, or less when ReconnectNow asks for it.
// False means ctx ended first.
func (e *Engine) waitBackoff(ctx context.Context, d time.Duration) bool {
	timer := time.NewTimer(d)
	defer timer.Stop()
	e.redial.setWaiting(true)
	defer e.redial.setWaiting(false)
	select {
	case <-ctx.Done():
		return false
	case <-timer.C:
	case <-e.redial.wake:
		e.log.Info("reconnecting now, as asked", "skipped_wait", d)
	}
	return true
}

// runChat runs one cube.Chat from connect until it is closed for good (the cube
// reconnection manager gave up, or ctx ended). It reports whether the chat ever got
// Ready, and why it ended.
func (e *Engine) runChat(ctx context.Context) (wasReady bool, err error) {
	cfg, err := e.profile.cubeConfig()
	if err != nil {
		return false, err
	}
	cfg.Logger = e.log
	me, password := e.credentials()
	// Delivered markers are sent by storeLive once the message is stored
	// (live_batch.go), not by the SDK on receipt.
	chat := cube.NewChat(cfg, cube.ChatOptions{UserID: me, Password: password, Reconnect: e.chatReconnect,
		NoAutoDeliver: true})

	// The pipeline reads events until the chat reports a final state; it is not tied
	// to ctx, because the chat's event pump blocks until its events are read.
	p := newPipeline(e, chat)
	done := make(chan struct{})
	go func() {
		defer close(done)
		p.run(ctx)
	}()
	defer func() {
		// Disconnect reports Closed unless the chat already ended (and reported it).
		_ = chat.Disconnect()
		select {
		case <-done:
		case <-time.After(finalEventWait):
			p.abandon()
			<-done
		}
	}()

	if err := chat.Connect(ctx); err != nil {
		return false, err
	}
	p.connected()
	for {
		select {
		case <-done:
			return true, p.endErr()
		case <-ctx.Done():
			return true, ctx.Err()
		case <-e.signInLost:
			// A session that cannot be renewed ends the chat too: REST and catch-up
			// are refused, and a half-working app would look online. A wake-up left
			// over from before the last Login is ignored.
			if e.signInNeeded() {
				return true, errSignInNeeded
			}
		}
	}
}
