package sync

import (
	"context"
	"fmt"
	"time"

	"github.com/cubechat/cubechat/cache"
	"github.com/cubechat/cubechat/cube"
)

// A catch-up fetches several dialogs at once (catchUpWorkers) and one pageWriter
// stores what they fetch: the pages waiting when it is free go into one transaction
// (up to writeBatchMessages messages), so the network, the server and the cache work
// at the same time and a transaction's fixed cost is paid once per batch rather than
// per page. A fetcher learns when each of its pages is committed; a dialog's cursor
// moves only once all of its pages are (catchUpDialog).

const (
	// catchUpWorkers is how many dialogs one catch-up fetches at the same time.
	catchUpWorkers = 4
	// writeBatchMessages bounds how many messages one catch-up transaction stores.
	writeBatchMessages = 1000
)

// storeJob is one fetched page waiting to be stored.
type storeJob struct {
	page    []cube.Message
	listing *serverListing // the dialog's listing; only the writer touches it
	asked   time.Time
	done    chan error // buffered: receives exactly one result
}

// pageWriter stores the pages of one catch-up pass. Its goroutine is started by
// startPageWriter and ended by close, both by the pass that owns it.
type pageWriter struct {
	e       *Engine
	me      int64
	jobs    chan storeJob
	stopped chan struct{}
}

func (e *Engine) startPageWriter(ctx context.Context) *pageWriter {
	w := &pageWriter{e: e, me: e.Me(), jobs: make(chan storeJob, 2*catchUpWorkers), stopped: make(chan struct{})}
	go w.run(ctx)
	return w
}

// store queues a page; the returned channel delivers its outcome once it is stored
// (committed, its reactions brought up to date) or failed.
func (w *pageWriter) store(ctx context.Context, page []cube.Message, listing *serverListing, asked time.Time) (<-chan error, error) {
	job := storeJob{page: page, listing: listing, asked: asked, done: make(chan error, 1)}
	select {
	case w.jobs <- job:
		return job.done, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// close ends the writer once every queued page is answered. No store may follow.
func (w *pageWriter) close() {
	close(w.jobs)
	<-w.stopped
}

func (w *pageWriter) run(ctx context.Context) {
	defer close(w.stopped)
	for job := range w.jobs {
		group := []storeJob{job}
		size := len(job.page)
	gather:
		for size < writeBatchMessages {
			select {
			case next, ok := <-w.jobs:
				if !ok {
					break gather
				}
				group = append(group, next)
				size += len(next.page)
			default:
				break gather
			}
		}
		w.storeGroup(ctx, group)
	}
}

// storeGroup stores the pages of group in one transaction, in the order they came
// (a dialog's pages in its listing's order), and answers each.
func (w *pageWriter) storeGroup(ctx context.Context, group []storeJob) {
	// The cache calls run to the end even if the pass is cancelled meanwhile (a
	// batch is bounded): with a context that can end, the SQLite driver watches it
	// for every statement, which costs more than the whole insert of a message.
	dbCtx := context.WithoutCancel(ctx)
	size := 0
	for _, j := range group {
		size += len(j.page)
	}
	// Sized once: a cache.Message is large, and growing these slices page by page
	// copied each batch's messages several times over (docs/benchmarks.md, round 3).
	ids := make([]string, 0, size)
	for _, j := range group {
		ids = append(ids, wireIDs(j.page)...)
	}
	stored, err := w.e.db.MessagesByID(dbCtx, ids)
	if err != nil {
		answerAll(group, fmt.Errorf("reading stored messages: %w", err))
		return
	}
	batches := make([]wireBatch, len(group))
	msgs := make([]cache.Message, 0, size)
	var listed []cache.Listed
	for i, j := range group {
		b := w.e.prepareWire(j.page, stored, w.me, j.listing, j.asked)
		for k := range b.msgs {
			// A page boundary may repeat a message: the later page sees the copy the
			// earlier one stores in this same transaction, as if stored before.
			if stored[b.msgs[k].ID] == nil {
				stored[b.msgs[k].ID] = &b.msgs[k]
			}
		}
		batches[i] = b
		msgs = append(msgs, b.msgs...)
		listed = append(listed, b.listed...)
	}
	_, unsure, err := w.e.db.UpsertListed(dbCtx, msgs, listed)
	if err != nil {
		answerAll(group, fmt.Errorf("storing messages: %w", err))
		return
	}
	w.e.planRelist(unsure)
	for i, j := range group {
		j.done <- w.e.finishWire(ctx, batches[i])
	}
}

func answerAll(group []storeJob, err error) {
	for _, j := range group {
		j.done <- err
	}
}
