package sync

import (
	"fmt"
	"maps"
	"slices"
	"testing"
	"time"

	"github.com/cubechat/cubechat/cube"
)

// Issue 10's live-path targets, each beside the raw SDK through the same server in
// the same run (docs/benchmarks.md, "Issue 10, live path"). Each benchmark uses two
// pairs of users, one per side, so that neither side's connections receive the
// other's messages.

const (
	// liveLatencyMsgs messages are sent at liveLatencyRate per second.
	liveLatencyMsgs = 1000
	liveLatencyRate = 50
	// liveSustainedMsgs messages are sent back to back.
	liveSustainedMsgs = 3000
)

// livePairs seeds the users of a live benchmark and a private dialog for each pair:
// ann → bob for the reference, cat → dan for the engine.
func livePairs(b *testing.B, h *harness) (raw, eng [2]account, rawDlg, engDlg *cube.Dialog) {
	b.Helper()
	raw = [2]account{h.user("ann"), h.user("bob")}
	eng = [2]account{h.user("cat"), h.user("dan")}
	var err error
	for _, p := range []struct {
		pair [2]account
		dlg  **cube.Dialog
	}{{raw, &rawDlg}, {eng, &engDlg}} {
		*p.dlg, err = h.client(p.pair[0]).CreateDialog(h.ctx, cube.NewDialog{Type: cube.DialogPrivate,
			OccupantsIDs: []int64{p.pair[1].ID}})
		if err != nil {
			b.Fatal(err)
		}
	}
	return raw, eng, rawDlg, engDlg
}

// pacedSend calls send liveLatencyMsgs times at liveLatencyRate per second and
// returns when each call started, by the id it returned.
func pacedSend(b *testing.B, send func(i int) (string, error)) map[string]time.Time {
	sent := make(map[string]time.Time, liveLatencyMsgs)
	tick := time.NewTicker(time.Second / liveLatencyRate)
	defer tick.Stop()
	for i := range liveLatencyMsgs {
		<-tick.C
		t0 := time.Now()
		id, err := send(i)
		if err != nil {
			b.Fatal(err)
		}
		sent[id] = t0
	}
	return sent
}

// measureLive times b.N runs of run, then settle (nil: nothing to wait for), and
// reports the CPU, garbage and goroutines per message and the delays' p50 and p99.
func measureLive(b *testing.B, run func() []time.Duration, settle func()) {
	var all []time.Duration
	b.ResetTimer()
	cpu := startCPU()
	for range b.N {
		all = append(all, run()...)
	}
	if settle != nil {
		settle()
	}
	b.StopTimer()
	cpu.report(b, liveLatencyMsgs*b.N)
	slices.Sort(all)
	reportLatency(b, all)
}

// measureRawReference is the raw SDK's live path, raw[0] → raw[1] in dlg: from
// SendMessage to the receiving connection's message event.
func measureRawReference(b *testing.B, h *harness, raw [2]account, dlg *cube.Dialog) {
	annChat, _, stopAnn := connectRaw(b, h, raw[0], 16)
	defer stopAnn()
	_, bobGot, stopBob := connectRaw(b, h, raw[1], liveLatencyMsgs*(b.N+1))
	defer stopBob()
	measureLive(b, func() []time.Duration {
		sent := pacedSend(b, func(i int) (string, error) {
			return rawSend(h.ctx, annChat, dlg, raw[1].ID, fmt.Sprint("raw ", i))
		})
		return latencies(sent, waitRaw(b, bobGot, sent))
	}, nil)
}

// BenchmarkLiveLatency sends 1000 messages at 50 per second and reports the p50 and
// p99 delay from the send call to the receiver seeing the message. Reference: the
// raw SDK, from SendMessage to the receiving connection's message event. Engine:
// from engine A's Send to the message's id in B's cache change feed (what the UI
// reacts to).
func BenchmarkLiveLatency(b *testing.B) {
	h := newHarness(b)
	raw, eng, rawDlg, engDlg := livePairs(b, h)
	b.Run("reference-raw-sdk", func(b *testing.B) { measureRawReference(b, h, raw, rawDlg) })

	b.Run("engine", func(b *testing.B) {
		a, c := h.newPeer(eng[0]), h.newPeer(eng[1])
		defer c.close()
		defer a.close()
		a.waitSynced()
		c.waitSynced()
		watch := watchFeed(c.db, engDlg.ID)
		defer watch.close(b)
		measureLive(b, func() []time.Duration {
			sent := pacedSend(b, func(i int) (string, error) {
				return a.e.Send(h.ctx, engDlg.ID, fmt.Sprint("engine ", i))
			})
			return latencies(sent, watch.waitAll(b, sent))
		}, a.waitOutboxEmpty)
	})
}

// BenchmarkLiveTakingTurns is BenchmarkLiveLatency's two paths in one run, taking
// turns every 10 ms (each still at 50 messages a second), and reports both and
// their ratio. They share the same background load, so the ratio moves far less
// from run to run than that of BenchmarkLiveLatency's two runs, made 20 s apart
// under whatever load each met; but each path keeps the other's code warm, so both
// are faster than alone (docs/benchmarks.md, "Issue 10, live path, round 2").
func BenchmarkLiveTakingTurns(b *testing.B) {
	h := newHarness(b)
	raw, eng, rawDlg, engDlg := livePairs(b, h)
	b.Run("raw-and-engine", func(b *testing.B) {
		annChat, _, stopAnn := connectRaw(b, h, raw[0], 16)
		defer stopAnn()
		_, bobGot, stopBob := connectRaw(b, h, raw[1], liveLatencyMsgs*(b.N+1))
		defer stopBob()
		a, c := h.newPeer(eng[0]), h.newPeer(eng[1])
		defer c.close()
		defer a.close()
		a.waitSynced()
		c.waitSynced()
		watch := watchFeed(c.db, engDlg.ID)
		defer watch.close(b)
		var rawAll, engAll []time.Duration
		b.ResetTimer()
		cpu := startCPU() // both paths: they share the process
		for range b.N {
			rawSent := make(map[string]time.Time, liveLatencyMsgs)
			engSent := make(map[string]time.Time, liveLatencyMsgs)
			tick := time.NewTicker(time.Second / (2 * liveLatencyRate))
			for i := range 2 * liveLatencyMsgs {
				<-tick.C
				t0 := time.Now()
				if i%2 == 0 {
					id, err := rawSend(h.ctx, annChat, rawDlg, raw[1].ID, fmt.Sprint("raw ", i))
					if err != nil {
						b.Fatal(err)
					}
					rawSent[id] = t0
					continue
				}
				id, err := a.e.Send(h.ctx, engDlg.ID, fmt.Sprint("engine ", i))
				if err != nil {
					b.Fatal(err)
				}
				engSent[id] = t0
			}
			tick.Stop()
			rawAll = append(rawAll, latencies(rawSent, waitRaw(b, bobGot, rawSent))...)
			engAll = append(engAll, latencies(engSent, watch.waitAll(b, engSent))...)
		}
		a.waitOutboxEmpty()
		b.StopTimer()
		cpu.report(b, 2*liveLatencyMsgs*b.N)
		slices.Sort(rawAll)
		slices.Sort(engAll)
		for _, p := range []int{50, 99} {
			r, e := percentile(rawAll, p), percentile(engAll, p)
			b.ReportMetric(r, fmt.Sprintf("raw-p%d-ms", p))
			b.ReportMetric(e, fmt.Sprintf("engine-p%d-ms", p))
			if r > 0 {
				b.ReportMetric(e/r, fmt.Sprintf("p%d-ratio", p))
			}
		}
	})
}

// BenchmarkLiveSustained sends 3000 messages back to back and reports the rate at
// which they arrive with nothing lost. Reference: the raw SDK, done when the
// receiving connection has had a message event for every one. Engine: engine A's
// Send for each, done when B's cache holds every one and A's outbox is empty; then
// every message must be confirmed on A (none failed) and stored on B.
func BenchmarkLiveSustained(b *testing.B) {
	h := newHarness(b)
	raw, eng, rawDlg, engDlg := livePairs(b, h)

	b.Run("reference-raw-sdk", func(b *testing.B) {
		annChat, _, stopAnn := connectRaw(b, h, raw[0], 16)
		defer stopAnn()
		_, bobGot, stopBob := connectRaw(b, h, raw[1], liveSustainedMsgs*(b.N+1))
		defer stopBob()
		b.ResetTimer()
		cpu := startCPU()
		for range b.N {
			sent := make(map[string]time.Time, liveSustainedMsgs)
			for i := range liveSustainedMsgs {
				id, err := rawSend(h.ctx, annChat, rawDlg, raw[1].ID, fmt.Sprint("raw ", i))
				if err != nil {
					b.Fatal(err)
				}
				sent[id] = time.Time{}
			}
			waitRaw(b, bobGot, sent)
		}
		cpu.report(b, liveSustainedMsgs*b.N)
		b.ReportMetric(float64(liveSustainedMsgs*b.N)/b.Elapsed().Seconds(), "msgs/s")
	})

	b.Run("engine", func(b *testing.B) {
		a, c := h.newPeer(eng[0]), h.newPeer(eng[1])
		defer c.close()
		defer a.close()
		a.waitSynced()
		c.waitSynced()
		watch := watchFeed(c.db, engDlg.ID)
		defer watch.close(b)
		var ids []string
		b.ResetTimer()
		cpu := startCPU()
		for range b.N {
			sent := make(map[string]time.Time, liveSustainedMsgs)
			for i := range liveSustainedMsgs {
				id, err := a.e.Send(h.ctx, engDlg.ID, fmt.Sprint("engine ", i))
				if err != nil {
					b.Fatal(err)
				}
				sent[id] = time.Time{}
			}
			watch.waitAll(b, sent)
			a.waitOutboxEmpty()
			ids = slices.AppendSeq(ids, maps.Keys(sent))
		}
		b.StopTimer()
		cpu.report(b, liveSustainedMsgs*b.N)
		b.ReportMetric(float64(liveSustainedMsgs*b.N)/b.Elapsed().Seconds(), "msgs/s")
		checkDelivered(b, a, c, ids)
	})
}

// checkDelivered fails unless every id is confirmed in the sender's cache and
// stored in the receiver's.
func checkDelivered(b *testing.B, sender, receiver *peer, ids []string) {
	b.Helper()
	mine, err := sender.db.MessagesByID(sender.h.ctx, ids)
	if err != nil {
		b.Fatal(err)
	}
	theirs, err := receiver.db.MessagesByID(receiver.h.ctx, ids)
	if err != nil {
		b.Fatal(err)
	}
	for _, id := range ids {
		if m := mine[id]; m == nil || !m.State.Confirmed() {
			b.Fatalf("message %s is not confirmed on the sender: %+v", id, m)
		}
		if theirs[id] == nil {
			b.Fatalf("message %s is not stored on the receiver", id)
		}
	}
}
