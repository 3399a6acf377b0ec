package xmppd

import (
	"context"
	"sync/atomic"
	"time"

	"github.com/cubechat/cubechat/cube"
)

// Stored 1-1 messages are pipelined per connection (docs/benchmarks.md, issue 10). A
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

// asyncStorer is the optional Backend method that makes pipelining possible; without
// it a stored message is handled on the reader as before.
type asyncStorer interface {
	StoreChatMessageAsync(ctx context.Context, m cube.Message) (wait func() (inserted bool, err error))
}

// pipelineDepth bounds the stored messages a connection has in flight; the reader
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

// storeDeferred queues the write of a stored chat message and its completion; false
// when the backend cannot store asynchronously (the caller stores it in line).
func (c *conn) storeDeferred(s *session, m *cube.MessageStanza, d *cube.Dialog, rid int64, now time.Time) bool {
	async, ok := c.srv.backend.(asyncStorer)
	if !ok || c.pipe == nil {
		return false
	}
	ctx, cancel := c.backendCtx()
	row := storedMessage(m, d.ID, s.userID, rid, now)
	wait := async.StoreChatMessageAsync(ctx, row)
	c.deferred = true
	c.pipe.queue(func() {
		defer s.handled()
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
		ctx, cancel := c.backendCtx()
		defer cancel()
		c.srv.deliverChat(ctx, s, rid, m, true, now)
		c.srv.sendCarbons(s, s.userID, m)
		c.srv.recordAlerts(ctx, d, row, isSilent(m))
	})
	return true
}
