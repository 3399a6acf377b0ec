package sync

import (
	"context"
	"fmt"
	gosync "sync"
	"time"

	"github.com/cubechat/cubechat/cache"
	"github.com/cubechat/cubechat/cube"
)

// pipeline is the ordered incoming pipeline of one cube.Chat: a single goroutine reads
// chat.Events() in order and, for each message, deduplicates (upsert by id), maps,
// stores, and lets the cache notify the UI. It also turns connection states into
// catch-up runs and the engine's status.
type pipeline struct {
	e        *Engine
	chat     *cube.Chat
	readyNow chan struct{}
	quit     chan struct{} // closed by abandon
	quitOnce gosync.Once

	// Owned by the pipeline goroutine.
	isReady     bool
	stopCatchUp context.CancelFunc

	errMu gosync.Mutex
	err   error
}

func newPipeline(e *Engine, chat *cube.Chat) *pipeline {
	return &pipeline{e: e, chat: chat, readyNow: make(chan struct{}, 1), quit: make(chan struct{})}
}

// abandon stops the pipeline without its final event (a chat that never started).
func (p *pipeline) abandon() { p.quitOnce.Do(func() { close(p.quit) }) }

// connected tells the pipeline that Connect returned Ready. The chat may or may not
// also report it as a StateEvent; ready() runs once either way.
func (p *pipeline) connected() {
	select {
	case p.readyNow <- struct{}{}:
	default:
	}
}

func (p *pipeline) endErr() error {
	p.errMu.Lock()
	defer p.errMu.Unlock()
	return p.err
}

func (p *pipeline) setErr(err error) {
	p.errMu.Lock()
	p.err = err
	p.errMu.Unlock()
}

// run consumes events until the chat reports a final state (Closed, ForceClosed,
// AuthenticationFailure) or the pipeline is abandoned. ctx bounds the work done per
// event, not the loop: a chat's events must be read to the end.
func (p *pipeline) run(ctx context.Context) {
	defer p.chat.StopEvents() // nothing reads this chat's events after the pipeline
	defer p.dropped()
	events := p.chat.Events()
	for {
		select {
		case <-p.quit:
			return
		case <-p.readyNow:
			p.ready(ctx)
		case ev, ok := <-events:
			if !ok {
				return
			}
			for ev != nil {
				var open bool
				if ev, open = p.handleRun(ctx, ev, events); !open {
					return
				}
			}
		}
	}
}

// handle processes one event; false means the chat is closed for good.
func (p *pipeline) handle(ctx context.Context, ev cube.Event) bool {
	switch ev := ev.(type) {
	case cube.StateEvent:
		if (ev.State == cube.Ready || ev.State == cube.Resumed) && p.ready(ctx) {
			break // ready published Ready together with Syncing
		}
		p.e.status.Update(func(s *Status) { s.State = connStateOf(ev.State); s.Err = ev.Err })
		switch ev.State {
		case cube.Reconnecting, cube.Idle:
			p.dropped()
		case cube.Closed, cube.ForceClosed, cube.AuthenticationFailure:
			// The attempt is over (the supervisor is about to back off): from here on
			// ReconnectNow may cut that wait short.
			p.e.redial.ended()
			err := ev.Err
			if err == nil {
				err = fmt.Errorf("sync: chat connection %s", ev.State)
			}
			p.setErr(err)
			return false
		}
	case cube.MessageEvent:
		p.e.storeLive(ctx, p.chat, []cube.MessageEvent{ev})
	default:
		p.e.handleSignal(ctx, p.chat, ev)
	}
	return true
}

// ready starts a connection generation: read the cursors as they are at this moment,
// then catch up in the background while live events keep flowing. It reports
// whether it did; it then published Ready and Syncing in one update, so that no
// subscriber sees "Ready, caught up" before the catch-up has begun (a benchmark
// waiting for that saw it and stopped with an empty cache).
func (p *pipeline) ready(ctx context.Context) bool {
	if p.isReady {
		return false
	}
	if st := p.chat.State(); st != cube.Ready && st != cube.Resumed {
		return false // a late notice from Connect about a connection that already dropped
	}
	p.isReady = true
	e := p.e
	e.status.Update(func(s *Status) { s.State = StateReady; s.Err = nil; s.Syncing = true })
	snapshot, err := e.readMessageCursors(ctx)
	if err != nil {
		// Without cursors every dialog is fetched from its start (up to the budget):
		// slower, never lossy.
		e.log.Error("reading message cursors", "err", err)
	}
	gen := e.cursors.begin(snapshot)
	catchCtx, cancel := context.WithCancel(ctx)
	p.stopCatchUp = cancel
	e.setConn(p.chat)
	e.wg.Add(1)
	go func() {
		defer e.wg.Done()
		e.afterReady(catchCtx, p.chat, gen)
	}()
	return true
}

// dropped ends the generation: cursors freeze, catch-up stops, the outbox waits.
func (p *pipeline) dropped() {
	if !p.isReady {
		return
	}
	p.isReady = false
	p.e.cursors.end()
	p.stopCatchUp()
	p.e.setConn(nil)
	p.e.setLive(nil)
	p.e.forgetOnline()
}

// fetchDialog finds a dialog the cache does not know. The list API filters by update
// time, not id, so ask for dialogs updated around the message first, then all.
func (e *Engine) fetchDialog(ctx context.Context, dialogID string, around time.Time) error {
	filters := []cube.DialogFilter{
		{UpdatedAtGTE: around.Add(-time.Minute), SortDesc: "updated_at", Limit: pageSize},
		{SortDesc: "updated_at", Limit: pageSize},
	}
	for _, f := range filters {
		for skip := 0; ; skip += pageSize {
			f.Skip = skip
			var list *cube.DialogList
			err := e.rest(ctx, func(c *cube.Client) (err error) {
				list, err = c.ListDialogs(ctx, f)
				return err
			})
			if err != nil {
				return err
			}
			for _, d := range list.Items {
				if d.ID == dialogID {
					return e.storeDialogs(ctx, []cube.Dialog{d})
				}
			}
			if len(list.Items) < pageSize {
				break
			}
		}
	}
	return fmt.Errorf("sync: dialog %s is not on the server's list", dialogID)
}

// storeDialogs upserts server dialogs and fetches the profiles of unknown occupants.
func (e *Engine) storeDialogs(ctx context.Context, dialogs []cube.Dialog) error {
	if len(dialogs) == 0 {
		return nil
	}
	stored := make([]cache.Dialog, len(dialogs))
	var occupants []int64
	for i, d := range dialogs {
		stored[i] = dialogFromWire(d)
		occupants = append(occupants, d.OccupantsIDs...)
	}
	if err := e.db.UpsertDialogs(ctx, stored); err != nil {
		return err
	}
	return e.ensureUsers(ctx, occupants)
}

// ensureUsers fetches the profiles of the given users that the cache lacks.
func (e *Engine) ensureUsers(ctx context.Context, ids []int64) error {
	_, err := e.profilesOf(ctx, ids)
	return err
}

// profilesOf is ensureUsers that also returns the profiles of ids it holds then.
func (e *Engine) profilesOf(ctx context.Context, ids []int64) (map[int64]cache.User, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	known, err := e.db.Users(ctx, ids)
	if err != nil {
		return nil, err
	}
	seen := map[int64]bool{}
	var missing []int64
	for _, id := range ids {
		if _, ok := known[id]; !ok && id != 0 && !seen[id] {
			seen[id] = true
			missing = append(missing, id)
		}
	}
	if len(missing) == 0 {
		return known, nil
	}
	var users []cube.User
	err = e.rest(ctx, func(c *cube.Client) (err error) {
		users, err = c.UsersByIDs(ctx, missing)
		return err
	})
	if err != nil {
		return known, err
	}
	stored := make([]cache.User, len(users))
	for i, u := range users {
		stored[i] = userFromWire(u)
	}
	if err := e.db.UpsertUsers(ctx, stored); err != nil {
		return known, err
	}
	for _, u := range stored {
		known[u.ID] = u
	}
	return known, nil
}
