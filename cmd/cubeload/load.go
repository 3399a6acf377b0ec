package main

import (
	"context"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cubechat/cubechat/cube"
)

// Report is everything one run measured.
type Report struct {
	Options   Options
	InProcess bool

	Setup   time.Duration // users, sessions, dialogs, catch-up history
	Connect time.Duration // every chat login until Ready

	Sent          int           // messages the senders wrote to their connections
	SendErrors    int           // sends that failed locally (not counted in Sent)
	Truncated     bool          // -duration (or the context) ended before every message was offered
	SendTime      time.Duration // first to last send
	DeliverTime   time.Duration // first send to last delivery
	Deliveries    deliveryFigures
	Drops         int64 // chat connections lost during the run
	MessageErrors int64 // messages the server bounced

	Stored int // messages in the load dialogs, counted over REST afterwards

	CatchUp *catchUpFigures // nil when skipped
	Memory  memoryFigures
}

// Lost is how many sent messages are missing from the store or from a recipient.
func (r *Report) Lost() (notStored, notDelivered int) {
	return r.Sent - r.Stored, r.Deliveries.Expected - r.Deliveries.Delivered
}

// Load runs one load test against a fresh in-process server or the one the options
// name. It stops by itself: sending ends after -duration, waiting after -drain.
func Load(ctx context.Context, o Options, log *slog.Logger) (*Report, error) {
	rep := &Report{Options: o}
	tgt, err := openTarget(ctx, o, log)
	if err != nil {
		return nil, err
	}
	defer func() {
		if err := tgt.close(); err != nil {
			log.Warn("stop server", "err", err)
		}
	}()
	rep.InProcess = tgt.inProcess()

	var sampler *rssSampler
	if tgt.serverPID != 0 {
		sampler = startRSSSampler(tgt.serverPID, 100*time.Millisecond)
		rep.Memory = memoryFigures{Measured: true, WholeProcess: tgt.inProcess(), Start: sampler.sample()}
		defer func() {
			rep.Memory.Peak = sampler.finish()
		}()
	}

	start := time.Now()
	prefix := fmt.Sprintf("load%d", start.UnixMilli()) // unique logins: runs can share a server
	users, err := tgt.createUsers(ctx, prefix, o.Users, o.Parallel)
	if err != nil {
		return nil, err
	}
	plan, err := createDialogs(ctx, users, o)
	if err != nil {
		return nil, err
	}
	var history *privatePair
	if o.CatchUp > 0 {
		if history, err = prepareHistory(ctx, tgt, prefix, o); err != nil {
			return nil, err
		}
	}
	rep.Setup = time.Since(start)

	tr := newTracker()
	start = time.Now()
	fl, err := connectFleet(ctx, tgt.cfg, users, o.Parallel, o.Markers, tr, log)
	if err != nil {
		return nil, err
	}
	rep.Connect = time.Since(start)
	if sampler != nil {
		rep.Memory.Connected = sampler.sample()
	}

	sendMessages(ctx, fl, plan, o, tr, rep)
	waitDeliveries(ctx, tr, o.Drain)
	rep.Deliveries = tr.figures()
	if !rep.Deliveries.LastDelivery.IsZero() {
		rep.DeliverTime = rep.Deliveries.LastDelivery.Sub(rep.Deliveries.FirstSend)
	}
	rep.Drops, rep.MessageErrors = fl.drops.Load(), fl.messageErrors.Load()
	fl.close()
	if sampler != nil {
		rep.Memory.End = sampler.sample()
	}

	if rep.Stored, err = countStored(ctx, plan); err != nil {
		return rep, err
	}
	if history != nil {
		fig, err := measureCatchUp(ctx, tgt.cfg, history.b, history.dialogID, o.CatchUp)
		if err != nil {
			return rep, err
		}
		rep.CatchUp = &fig
	}
	return rep, nil
}

// prepareHistory makes the dialog the catch-up reader will read: two users of their
// own (never online during the load) and o.CatchUp messages.
func prepareHistory(ctx context.Context, tgt *target, prefix string, o Options) (*privatePair, error) {
	pair, err := tgt.createUsers(ctx, prefix+"-history", 2, 2)
	if err != nil {
		return nil, err
	}
	d, err := pair[0].rest.CreateDialog(ctx, cube.NewDialog{Type: cube.DialogPrivate, OccupantsIDs: []int64{pair[1].user.ID}})
	if err != nil {
		return nil, fmt.Errorf("history dialog: %w", err)
	}
	if err := tgt.seedDialog(ctx, pair[0], d.ID, o.CatchUp, o.Parallel); err != nil {
		return nil, fmt.Errorf("history messages: %w", err)
	}
	return &privatePair{a: pair[0], b: pair[1], dialogID: d.ID}, nil
}

// outgoing is one message to send and who must receive it.
type outgoing struct {
	chat       *cube.Chat
	msg        cube.OutgoingMessage
	kind       messageKind
	recipients []int64
}

// pick chooses the next message: a group one with probability GroupShare, else a 1-1
// one in a random pair; the sender is a random member. The seed is fixed so runs with
// the same flags send the same mix.
func pick(r *rand.Rand, fl *fleet, plan *layout, o Options, i int) outgoing {
	body := fmt.Sprintf("load message %d", i)
	if len(plan.groups) > 0 && (len(plan.pairs) == 0 || r.Float64() < o.GroupShare) {
		g := plan.groups[r.IntN(len(plan.groups))]
		from := r.IntN(len(g.members))
		var to []int64
		for j, m := range g.members {
			if j != from {
				to = append(to, m.user.ID)
			}
		}
		sender := g.members[from].user.ID
		return outgoing{chat: fl.chats[sender], kind: kindGroup, recipients: to, msg: cube.OutgoingMessage{
			DialogID: g.dialogID, DialogType: cube.DialogGroup, Body: body, SaveToHistory: true}}
	}
	p := plan.pairs[r.IntN(len(plan.pairs))]
	from, to := p.a, p.b
	if r.IntN(2) == 1 {
		from, to = to, from
	}
	return outgoing{chat: fl.chats[from.user.ID], kind: kindPrivate, recipients: []int64{to.user.ID}, msg: cube.OutgoingMessage{
		DialogID: p.dialogID, DialogType: cube.DialogPrivate, RecipientID: to.user.ID, Body: body, SaveToHistory: true}}
}

// sendMessages offers o.Messages at o.Rate (open loop: message i is due at i/rate
// after the start, whatever happened to the ones before) through o.Senders writers,
// until all are sent or o.Duration runs out.
func sendMessages(ctx context.Context, fl *fleet, plan *layout, o Options, tr *tracker, rep *Report) {
	jobs := make(chan outgoing, o.Senders)
	var failures atomic.Int64
	var wg sync.WaitGroup
	for range o.Senders {
		wg.Go(func() {
			for job := range jobs {
				id := cube.NewObjectID()
				job.msg.ID = id
				tr.expect(id, job.kind, job.recipients)
				if _, err := job.chat.SendMessage(ctx, job.msg); err != nil {
					tr.cancel(id) // nobody will receive it, and it is not counted as sent
					if failures.Add(1) <= 3 {
						fl.log.Warn("send failed", "id", id, "err", err)
					}
				}
			}
		})
	}
	r := rand.New(rand.NewPCG(1, 2))
	start := time.Now()
	deadline := start.Add(o.Duration)
	offered := 0
	for i := range o.Messages {
		if o.Rate > 0 && !sleepUntil(ctx, start.Add(time.Duration(float64(i)/o.Rate*float64(time.Second)))) {
			break
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			break
		}
		select {
		case jobs <- pick(r, fl, plan, o, i):
			offered++
		case <-ctx.Done():
		}
	}
	close(jobs)
	wg.Wait()
	rep.SendTime = time.Since(start)
	rep.Truncated = offered < o.Messages
	rep.SendErrors = int(failures.Load())
	rep.Sent = offered - rep.SendErrors
}
