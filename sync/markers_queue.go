package sync

import (
	"context"
	gosync "sync"
	"time"

	"github.com/cubechat/cubechat/cube"
)

// Live markers are written by a worker, not by the pipeline: at most one cache
// write every markerWriteGap, holding every marker that arrived meanwhile. A
// sender at 2000 messages a second gets as many delivered markers, which arrive
// one by one; written as they came they were about 1800 write transactions per
// 3000 messages, a tenth of the live path's CPU (docs/benchmarks.md, issue 10,
// round 4). A marker that finds no write in the last markerWriteGap is written at
// once, so at a conversation's pace nothing waits; under load a tick shows up to
// markerWriteGap later. Markers only add to a message (cache.AddMarkerSets), so
// writing them after the events that followed them changes nothing: a message
// they name was stored before them (the pipeline stores messages itself, in
// order), and one deleted meanwhile is skipped or keeps its lists, as before.

// markerWriteGap is the least time between two writes of live markers.
const markerWriteGap = 20 * time.Millisecond

// markerWriteMax bounds the markers of one write, so that it stays short.
const markerWriteMax = 1000

// markerStopTimeout bounds the last write of a stopping engine.
const markerStopTimeout = 5 * time.Second

// markerQueue holds the live markers waiting for their write. At most one drain
// runs at a time.
type markerQueue struct {
	mu      gosync.Mutex
	pending []cube.MarkerEvent
	running bool      // a drain is under way
	last    time.Time // when the last write ended
}

// queueMarkers hands a run of live markers to the marker worker, starting it when
// none runs. A stopping engine takes no more workers: then the run is written here.
func (e *Engine) queueMarkers(ctx context.Context, run []cube.MarkerEvent) {
	q := &e.markers
	if !q.add(run) {
		return
	}
	if !e.bg.Go(func() { q.drain(e.bg.Context(), markerWriteGap, e.storeMarkers) }) {
		q.drain(ctx, 0, e.storeMarkers)
	}
}

// add queues run; true means no drain runs, and the caller must start one.
func (q *markerQueue) add(run []cube.MarkerEvent) bool {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.pending = append(q.pending, run...)
	start := !q.running
	q.running = true
	return start
}

// drain writes the queue until it is empty, one write per gap at most. Once ctx
// ends it writes what is left without waiting, under a context of its own: the
// cache outlives the engine (its owner closes it after Stop), and markers taken
// from the stream must not be lost on the way out.
func (q *markerQueue) drain(ctx context.Context, gap time.Duration, write func(context.Context, []cube.MarkerEvent)) {
	for {
		q.mu.Lock()
		if len(q.pending) == 0 {
			q.pending, q.running = nil, false
			q.mu.Unlock()
			return
		}
		wait := gap - time.Since(q.last)
		q.mu.Unlock()
		if wait > 0 && ctx.Err() == nil {
			t := time.NewTimer(wait)
			select {
			case <-t.C:
			case <-ctx.Done():
				t.Stop()
			}
		}
		q.mu.Lock()
		n := min(len(q.pending), markerWriteMax)
		batch := q.pending[:n:n]
		q.pending = q.pending[n:]
		q.mu.Unlock()
		wctx, cancel := ctx, context.CancelFunc(func() {})
		if ctx.Err() != nil {
			wctx, cancel = context.WithTimeout(context.WithoutCancel(ctx), markerStopTimeout)
		}
		write(wctx, batch)
		cancel()
		q.mu.Lock()
		q.last = time.Now()
		q.mu.Unlock()
	}
}
