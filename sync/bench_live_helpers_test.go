package sync

import (
	"context"
	"maps"
	"runtime"
	"runtime/metrics"
	"slices"
	"testing"
	"time"

	"github.com/cubechat/cubechat/cache"
	"github.com/cubechat/cubechat/cube"
	"github.com/cubechat/cubechat/internal/livestage"
)

// The live benchmarks' shared parts: a raw SDK connection that times the message
// events it receives (the reference), and a watcher that times when each message
// first shows in a cache's change feed (what the UI reacts to).

// rawArrival is a message event a raw connection received, and when.
type rawArrival struct {
	id string
	at time.Time
}

// connectRaw connects a raw cube.Chat as a; its message events arrive on the
// returned channel, timed as they are read. stop disconnects it.
func connectRaw(b *testing.B, h *harness, a account, room int) (*cube.Chat, <-chan rawArrival, func()) {
	b.Helper()
	cfg, err := h.profile().cubeConfig()
	if err != nil {
		b.Fatal(err)
	}
	chat := cube.NewChat(cfg, cube.ChatOptions{UserID: a.ID, Password: a.password})
	received := make(chan rawArrival, room)
	quit, done := make(chan struct{}), make(chan struct{})
	go func() { // drains the events (the pump blocks otherwise) until stopped
		defer close(done)
		for {
			select {
			case ev := <-chat.Events():
				if me, ok := ev.(cube.MessageEvent); ok {
					livestage.Mark(livestage.Seen, me.Message.ID)
					received <- rawArrival{id: me.Message.ID, at: time.Now()}
				}
			case <-quit:
				return
			}
		}
	}()
	if err := chat.Connect(h.ctx); err != nil {
		b.Fatal(err)
	}
	stop := func() {
		_ = chat.Disconnect()
		close(quit)
		select {
		case <-done:
		case <-time.After(waitLimit):
			b.Error("chat events did not end")
		}
	}
	return chat, received, stop
}

// rawSend sends one private message from a raw connection with a fresh id.
func rawSend(ctx context.Context, chat *cube.Chat, dlg *cube.Dialog, to int64, body string) (string, error) {
	id := cube.NewObjectID()
	_, err := chat.SendMessage(ctx, cube.OutgoingMessage{ID: id, DialogID: dlg.ID, DialogType: cube.DialogPrivate,
		RecipientID: to, Body: body, SaveToHistory: true})
	return id, err
}

// waitRaw reads arrivals until every id of want has come, and returns when each did.
func waitRaw(b *testing.B, got <-chan rawArrival, want map[string]time.Time) map[string]time.Time {
	b.Helper()
	at := make(map[string]time.Time, len(want))
	deadline := time.After(waitLimit)
	for len(at) < len(want) {
		select {
		case r := <-got:
			if _, ok := want[r.id]; ok {
				at[r.id] = r.at
			}
		case <-deadline:
			b.Fatalf("the raw receiver got %d of %d messages within %s", len(at), len(want), waitLimit)
		}
	}
	return at
}

// feedWatch records when each message of one dialog first shows in a cache's
// change feed.
type feedWatch struct {
	dialogID string
	seen     chan map[string]time.Time // holds the map between uses: a one-slot lock
	changed  chan struct{}             // a signal after each change is recorded
	done     chan struct{}
	stop     func()
}

func watchFeed(db *cache.DB, dialogID string) *feedWatch {
	changes, unsubscribe := db.Subscribe()
	w := &feedWatch{dialogID: dialogID, seen: make(chan map[string]time.Time, 1),
		changed: make(chan struct{}, 1), done: make(chan struct{}), stop: unsubscribe}
	w.seen <- map[string]time.Time{}
	go func() { // ends when the subscription does (stop, or the cache closing)
		defer close(w.done)
		for ch := range changes {
			now := time.Now()
			seen := <-w.seen
			for _, id := range ch.Messages[dialogID] {
				if _, ok := seen[id]; !ok {
					livestage.Mark(livestage.Seen, id)
					seen[id] = now
				}
			}
			w.seen <- seen
			select {
			case w.changed <- struct{}{}:
			default:
			}
		}
	}()
	return w
}

// waitAll waits until every id of want has shown, and returns when each did.
func (w *feedWatch) waitAll(b *testing.B, want map[string]time.Time) map[string]time.Time {
	b.Helper()
	deadline := time.After(waitLimit)
	pending := maps.Clone(want) // shrinks as they show, so a check costs what is left
	out := make(map[string]time.Time, len(want))
	for {
		seen := <-w.seen
		for id := range pending {
			if at, ok := seen[id]; ok {
				out[id] = at
				delete(pending, id)
			}
		}
		w.seen <- seen
		if len(pending) == 0 {
			return out
		}
		select {
		case <-w.changed:
		case <-deadline:
			b.Fatalf("the change feed named %d of %d messages within %s", len(out), len(want), waitLimit)
		}
	}
}

// close ends the watch and waits for its goroutine.
func (w *feedWatch) close(b *testing.B) {
	w.stop()
	select {
	case <-w.done:
	case <-time.After(waitLimit):
		b.Error("the feed watcher did not end")
	}
}

// latencies are the delays from each send to its arrival, sorted.
func latencies(sent, arrived map[string]time.Time) []time.Duration {
	out := make([]time.Duration, 0, len(sent))
	for id, t0 := range sent {
		out = append(out, arrived[id].Sub(t0))
	}
	slices.Sort(out)
	return out
}

// percentile is the nearest-rank p-th percentile of sorted delays, in ms.
func percentile(sorted []time.Duration, p int) float64 {
	if len(sorted) == 0 {
		return 0
	}
	i := max(0, (len(sorted)*p+99)/100-1)
	return float64(sorted[i].Microseconds()) / 1000
}

// reportLatency prints p50 and p99 of the delays in ms.
func reportLatency(b *testing.B, sorted []time.Duration) {
	b.ReportMetric(percentile(sorted, 50), "p50-ms")
	b.ReportMetric(percentile(sorted, 99), "p99-ms")
}

// cpuMeter reports, over a timed part, the process's CPU time, the bytes it
// allocated per message and its garbage collections. The collections are the
// largest part of the live path's tail here: the test process's live heap is a few
// MiB, so it collects every few MiB allocated, a few times a second
// (docs/benchmarks.md, "Issue 10, live path, round 5").
type cpuMeter struct {
	start      time.Duration
	mem        runtime.MemStats
	goroutines uint64
}

// goroutinesCreatedMetric counts the goroutines the process has started: each one
// is scheduling work queued beside the ones carrying a message.
const goroutinesCreatedMetric = "/sched/goroutines-created:goroutines"

func goroutinesCreated() uint64 {
	s := []metrics.Sample{{Name: goroutinesCreatedMetric}}
	metrics.Read(s)
	if s[0].Value.Kind() != metrics.KindUint64 {
		return 0
	}
	return s[0].Value.Uint64()
}

func startCPU() cpuMeter {
	c := cpuMeter{start: processCPU(), goroutines: goroutinesCreated()}
	runtime.ReadMemStats(&c.mem)
	return c
}

// report prints the CPU time per message since start in µs, the KiB allocated per
// message, the collections run and the goroutines started per message.
func (c cpuMeter) report(b *testing.B, msgs int) {
	cpu := processCPU() - c.start
	goroutines := goroutinesCreated() - c.goroutines
	var now runtime.MemStats
	runtime.ReadMemStats(&now)
	b.ReportMetric(float64(cpu.Microseconds())/float64(msgs), "cpu-µs/msg")
	b.ReportMetric(float64(now.TotalAlloc-c.mem.TotalAlloc)/1024/float64(msgs), "alloc-KiB/msg")
	b.ReportMetric(float64(now.NumGC-c.mem.NumGC), "gc-cycles")
	b.ReportMetric(float64(goroutines)/float64(msgs), "goroutines/msg")
}
