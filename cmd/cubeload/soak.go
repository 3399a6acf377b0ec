package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"os"
	gosync "sync"
	"time"

	"github.com/cubechat/cubechat/cache"
	"github.com/cubechat/cubechat/cube"
	csync "github.com/cubechat/cubechat/sync"
)

// soakSetupLimit bounds the setup: users, dialogs, first logins and first catch-up.
const soakSetupLimit = time.Minute

// quietFor is how long every cache must stay unchanged, with every engine Ready and
// nothing queued, before the run counts as quiescent.
const quietFor = 3 * time.Second

// Soak runs one soak (see SoakOptions and docs/reliability.md) and reports. An error
// means the soak itself could not run; divergences are in the report.
func Soak(ctx context.Context, o SoakOptions, log *slog.Logger) (*SoakReport, error) {
	started := time.Now()
	rep := newSoakReport(o)
	dir := o.DataDir
	if dir != "" {
		// A previous run's server and caches would make a different world.
		if entries, err := os.ReadDir(dir); err == nil && len(entries) > 0 {
			return nil, fmt.Errorf("-data %s is not empty; give a new directory", dir)
		}
	}
	if dir == "" {
		tmp, err := os.MkdirTemp("", "cubesoak-")
		if err != nil {
			return nil, err
		}
		defer os.RemoveAll(tmp)
		dir = tmp
	}
	if err := mkdirs(dir); err != nil {
		return nil, err
	}
	quiet := slog.New(slog.DiscardHandler)
	engineLog, serverLog := quiet, quiet
	if o.Verbose {
		engineLog, serverLog = log.With("side", "engine"), log.With("side", "server")
	}
	cl, err := startCluster(ctx, dir, log, serverLog)
	if err != nil {
		return nil, err
	}
	defer func() {
		if err := cl.close(); err != nil {
			log.Warn("closing the soak cluster", "err", err)
		}
	}()

	dialogs, err := setUpWorld(ctx, cl, o, engineLog)
	if err != nil {
		return nil, fmt.Errorf("soak setup: %w", err)
	}

	book := newLedger()
	var faults faultCounts
	runUnderFaults(ctx, o, cl, dialogs, book, &faults)
	cl.rest.Unstall()
	cl.chat.Unstall()

	faultsOff := time.Now()
	rep.Quiet, rep.NotQuiet = waitQuiescent(ctx, cl, o.Settle)
	rep.QuietAfter = time.Since(faultsOff)
	for _, sc := range cl.clients {
		sc.engine.Stop() // the caches hold still while they are compared
	}
	if o.beforeCompare != nil {
		if err := o.beforeCompare(ctx, cl); err != nil {
			return nil, err
		}
	}
	compareErr := compareAll(ctx, cl, book, rep)
	book.mu.Lock()
	rep.Sent, rep.Edits, rep.Deletes, rep.Reactions, rep.Reads = book.sends, book.edits, book.deletes, book.reacts, book.reads
	rep.OnPending, rep.ActionErrors, rep.ActionErrorExamples = book.onPending, book.errors, book.errorExamples
	book.mu.Unlock()
	rep.Cuts, rep.CutConns, rep.Stalls = faults.Cuts.Load(), faults.CutConns.Load(), faults.Stalls.Load()
	rep.StalledConns = faults.StalledConns.Load()
	rep.Restarts, rep.RestartErrors = faults.Restarts.Load(), faults.RestartErrors.Load()
	rep.Elapsed = time.Since(started)
	if compareErr != nil {
		return rep, fmt.Errorf("comparing: %w", compareErr)
	}
	return rep, nil
}

// setUpWorld creates the users, a private dialog for every pair and the groups (over
// REST, straight to the server), then starts one engine per user and waits until each
// has caught up with its dialogs. It returns each user's dialog ids. The engines
// live on runCtx; the setup itself is bounded by soakSetupLimit.
func setUpWorld(runCtx context.Context, cl *cluster, o SoakOptions, engineLog *slog.Logger) ([][]string, error) {
	ctx, cancel := context.WithTimeout(runCtx, soakSetupLimit)
	defer cancel()
	users := make([]*soakClient, o.Engines)
	rest := make([]*cube.Client, o.Engines)
	for i := range users {
		sc, err := cl.createUser(ctx, i)
		if err != nil {
			return nil, err
		}
		users[i] = sc
		if rest[i], err = cl.directClient(ctx, sc.user.Login, sc.password); err != nil {
			return nil, err
		}
	}
	dialogs := make([][]string, o.Engines)
	for i := range users {
		for j := i + 1; j < len(users); j++ {
			d, err := rest[i].CreateDialog(ctx, cube.NewDialog{Type: cube.DialogPrivate, OccupantsIDs: []int64{users[j].user.ID}})
			if err != nil {
				return nil, fmt.Errorf("private dialog %d-%d: %w", i, j, err)
			}
			dialogs[i] = append(dialogs[i], d.ID)
			dialogs[j] = append(dialogs[j], d.ID)
		}
	}
	for g := range o.Groups {
		var others []int64
		for _, u := range users[1:] {
			others = append(others, u.user.ID)
		}
		d, err := rest[0].CreateDialog(ctx, cube.NewDialog{Type: cube.DialogGroup, Name: fmt.Sprintf("Soak group %d", g+1), OccupantsIDs: others})
		if err != nil {
			return nil, fmt.Errorf("group %d: %w", g+1, err)
		}
		for i := range dialogs {
			dialogs[i] = append(dialogs[i], d.ID)
		}
	}
	for _, sc := range users {
		if err := cl.startEngine(ctx, runCtx, sc, engineLog); err != nil {
			return nil, err
		}
	}
	for i, sc := range users {
		if err := waitHasDialogs(ctx, sc, dialogs[i]); err != nil {
			return nil, err
		}
	}
	return dialogs, nil
}

// waitHasDialogs waits until the engine is Ready and caught up and its cache lists
// every dialog of its user.
func waitHasDialogs(ctx context.Context, sc *soakClient, ids []string) error {
	for {
		s := sc.engine.Status()
		missing := ""
		for _, id := range ids {
			if _, err := sc.db.Dialog(ctx, id); err != nil {
				missing = id
				break
			}
		}
		if s.State == csync.StateReady && !s.Syncing && missing == "" {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("user %d not ready with its dialogs (status %+v, missing %q): %w", sc.index, s, missing, ctx.Err())
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// runUnderFaults runs the actors, the faults and the restarts for o.Duration and
// waits for all of them.
func runUnderFaults(ctx context.Context, o SoakOptions, cl *cluster, dialogs [][]string, book *ledger, faults *faultCounts) {
	ctx, cancel := context.WithTimeout(ctx, o.Duration)
	defer cancel()
	var wg gosync.WaitGroup
	for i, sc := range cl.clients {
		a := &actor{c: sc, seed: o.Seed, r: rand.New(rand.NewPCG(o.Seed, uint64(i)+1)), dialogs: dialogs[i],
			book: book, rate: o.Rate / float64(len(cl.clients))}
		wg.Add(1)
		go func() { defer wg.Done(); a.run(ctx) }()
	}
	wg.Add(2)
	go func() {
		defer wg.Done()
		runFaults(ctx, o, rand.New(rand.NewPCG(o.Seed, 1000)), cl.chat, cl.rest, faults)
	}()
	go func() {
		defer wg.Done()
		runRestarts(ctx, o, rand.New(rand.NewPCG(o.Seed, 2000)), cl, faults)
	}()
	wg.Wait()
}

// waitQuiescent waits until every engine is Ready, caught up, with nothing queued,
// and no cache has changed for quietFor; or until limit. It says which engines were
// not there when the limit passed.
func waitQuiescent(ctx context.Context, cl *cluster, limit time.Duration) (bool, []string) {
	changes := make([]<-chan cache.Change, len(cl.clients))
	for i, sc := range cl.clients {
		ch, unsubscribe := sc.db.Subscribe()
		defer unsubscribe()
		changes[i] = ch
	}
	deadline := time.Now().Add(limit)
	lastChange := time.Now()
	for {
		for _, ch := range changes {
			select {
			case <-ch:
				lastChange = time.Now()
			default:
			}
		}
		busy := busyEngines(ctx, cl)
		if len(busy) == 0 && time.Since(lastChange) >= quietFor {
			return true, nil
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			if len(busy) == 0 {
				busy = []string{"caches still changing"}
			}
			return false, busy
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// busyEngines describes every engine that is not Ready and idle.
func busyEngines(ctx context.Context, cl *cluster) []string {
	var out []string
	for _, sc := range cl.clients {
		s := sc.engine.Status()
		outbox, err1 := sc.db.Outbox(ctx)
		actions, err2 := sc.db.Actions(ctx)
		if err := errors.Join(err1, err2); err != nil {
			out = append(out, fmt.Sprintf("user %d: %v", sc.index, err))
			continue
		}
		if s.State != csync.StateReady || s.Syncing || s.NeedsSignIn || len(outbox) > 0 || len(actions) > 0 {
			out = append(out, fmt.Sprintf("user %d: %s syncing=%v outbox=%d actions=%d err=%v",
				sc.index, s.State, s.Syncing, len(outbox), len(actions), s.Err))
		}
	}
	return out
}

// compareAll reads every user's server view and compares.
func compareAll(ctx context.Context, cl *cluster, book *ledger, rep *SoakReport) error {
	c := &comparer{rep: rep, book: book, names: map[int64]string{}, server: map[string]cube.Message{},
		pendingAt: map[string]bool{}, cachedState: map[string]cache.MessageState{}, reactions: &reactionBook{viewer: map[string]*cube.Client{}, full: map[string]map[string][]int64{}}}
	views := make([]*serverView, len(cl.clients))
	for i, sc := range cl.clients {
		c.names[sc.user.ID] = fmt.Sprintf("user %d", sc.index)
		rest, err := cl.directClient(ctx, sc.user.Login, sc.password)
		if err != nil {
			return err
		}
		if views[i], err = readServerView(ctx, rest); err != nil {
			return err
		}
		for _, msgs := range views[i].messages {
			for _, m := range msgs {
				if _, seen := c.server[m.ID]; !seen {
					c.server[m.ID] = m
					c.reactions.viewer[m.ID] = rest
				}
			}
		}
	}
	for _, m := range c.server {
		rep.ServerMessages++
		if m.Deleted {
			rep.ServerTombstones++
		}
	}
	for i, sc := range cl.clients {
		if err := c.compareClient(ctx, sc, views[i]); err != nil {
			return err
		}
	}
	c.serverDuplicates()
	return c.compareLedger(ctx)
}
