package xmppd

import (
	"context"
	"sync/atomic"
	"time"

	"github.com/cubechat/cubechat/cube"
)

// Stored 1-1 and group messages, and 1-1 chat markers (also a store write each), are
// pipelined per connection (docs/benchmarks.md). A
// connection used to read its next stanza only once the previous message had been
// committed, so each sender had one write in the store's group commit at a time and
// a group could hold at most one message per sender. Now the reader queues a stored
// chat message's write (StoreChatMessageAsync) and hands the rest of its routing
// (delivery, carbons, alerts, a bounce when the store refuses it, and counting it as
// handled for stream management) to the connection's completer, which does that in
// order once the write has committed. The reader goes on with the next stanza.
//
// Order is kept: the writes of one connection commit in the order queued, the
// completer finishes them in that order, and any other stanza (or stream management
// element, or bounce) waits until everything queued before it has finished (drain).
// Nothing is delivered or acknowledged before its message is committed.

// asyncStorer and asyncMarker are the optional Backend methods that make pipelining
// possible; without them a stored message or a marker is handled on the reader.
type asyncStorer interface {
	StoreChatMessageAsync(ctx context.Context, m cube.Message) (wait func() (inserted bool, err error))
}

type asyncMarker interface {
	MarkMessageAsync(ctx context.Context, messageID string, userID int64, read bool) (wait func() (marked bool, err error))
}

// pureMarker is a 1-1 chat marker with no edit, delete or reaction riding on it: one
// the pipeline can record and relay.
func pureMarker(m *cube.MessageStanza) bool {
	return isMarker(m) && m.Replace == nil && m.Remove == nil && m.Reactions == nil && markerID(m) != ""
}

// markDeferred queues a 1-1 marker's write and a completion that relays it as
// routeChatSignal would (recorded even when privacy drops the relay); false when the
// backend cannot mark asynchronously.
func (c *conn) markDeferred(s *session, rid int64, m *cube.MessageStanza) bool {
	async, ok := c.srv.backend.(asyncMarker)
	if !ok || c.pipe == nil {
		return false
	}
	id := markerID(m)
	ctx, cancel := c.backendCtx()
	wait := async.MarkMessageAsync(ctx, id, s.userID, m.Displayed != nil)
	c.deferred = true
	c.pipe.queue(func() {
		defer s.handled()
		defer cancel()
		marked, err := wait()
		if err != nil {
			c.log.Error("xmpp marker: store", "id", id, "user", s.userID, "err", err)
		}
		if !marked && !c.unmarkedRelayable(ctx, s, id) {
			return
		}
		if c.srv.blocked1to1(ctx, s.userID, s, s.jid, rid, cube.PrivacyMessage) {
			c.log.Debug("xmpp blocked signal dropped", "jid", s.jid, "to", m.To)
			return
		}
		c.srv.deliverChat(ctx, s, rid, m, false, time.Time{})
		if !isChatState(m) {
			c.srv.sendCarbons(s, s.userID, m)
		}
	})
	return true
}

// pipelineDepth bounds the messages and markers a connection has in flight; the reader
// waits when it is reached.
const pipelineDepth = 32

// pipeline is a connection's completer: one goroutine, owned by serve, that runs the
// queued completions in order.
type pipeline struct {
	jobs    chan func()
	pending atomic.Int64 // queued and not finished
	done    chan struct{}
}

func newPipeline() *pipeline {
	p := &pipeline{jobs: make(chan func(), pipelineDepth), done: make(chan struct{})}
	go p.run()
	return p
}

func (p *pipeline) run() {
	defer close(p.done)
	for job := range p.jobs {
		job()
		p.pending.Add(-1)
	}
}

// queue hands a completion to the completer (waiting while pipelineDepth are queued).
func (p *pipeline) queue(job func()) {
	p.pending.Add(1)
	p.jobs <- job
}

// drain returns once every completion queued so far has finished.
func (p *pipeline) drain() {
	if p.pending.Load() == 0 {
		return
	}
	finished := make(chan struct{})
	p.queue(func() { close(finished) })
	<-finished
}

// stop finishes what is queued and ends the completer.
func (p *pipeline) stop() {
	close(p.jobs)
	<-p.done
}

// drain waits for the connection's queued completions (none without a pipeline).
func (c *conn) drain() {
	if c.pipe != nil {
		c.pipe.drain()
	}
}

// storeDeferred queues the write of a stored message (1-1 to recipient rid, or 0 for a
// group) and its completion, which runs deliver once the message is stored; false when
// the backend cannot store asynchronously (the caller stores it in line).
func (c *conn) storeDeferred(s *session, m *cube.MessageStanza, d *cube.Dialog, rid int64, now time.Time,
	deliver func(ctx context.Context, stored cube.Message)) bool {
	async, ok := c.srv.backend.(asyncStorer)
	if !ok || c.pipe == nil {
		return false
	}
	ctx, cancel := c.backendCtx()
	row := storedMessage(m, d.ID, s.userID, rid, now)
	var wait func() (bool, error)
	turn := c.srv.turns.take(d.ID, func() { wait = async.StoreChatMessageAsync(ctx, row) })
	c.deferred = true
	c.pipe.queue(func() {
		defer s.handled()
		defer turn.finish()
		inserted, err := wait()
		cancel()
		if err != nil {
			c.log.Error("xmpp store message", "id", m.ID, "dialog", d.ID, "err", err)
			c.bounce(s, m, backendErr(err, errDialogNotFound))
			return
		}
		if !inserted {
			c.log.Info("xmpp duplicate message id not relayed again", "id", m.ID, "dialog", d.ID)
			return
		}
		turn.wait() // fanned out after what its dialog stored before it (fanout_order.go)
		ctx, cancel := c.backendCtx()
		defer cancel()
		deliver(ctx, row)
	})
	return true
}
