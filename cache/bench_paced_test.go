package cache

import (
	"context"
	"slices"
	"testing"
	"time"
)

// pacedWrites is how many writes each sub-benchmark of BenchmarkPacedWrite times.
const pacedWrites = 200

// BenchmarkPacedWrite times single writes back to back and at the live benchmark's
// pace (one every 20 ms, as at 50 messages a second), reporting p50 and p90 in µs.
// Reference, same run: a raw prepared one-row INSERT in its own transaction on a
// plain SQLite file with the cache's pragmas. On a shared machine a write that
// follows 20 ms of other work costs several times what it costs in a tight loop,
// the raw insert included (docs/benchmarks.md, "Issue 10, live path, round 2"): the
// live path's writes are paid at the paced price. mark-sent is the outbox's
// confirmation of one message (MarkSentAll of one, at the server's second, as the
// engine sends it), queued untimed before the pause.
func BenchmarkPacedWrite(b *testing.B) {
	ctx := context.Background()
	for _, pace := range []struct {
		name string
		gap  time.Duration
	}{{"back-to-back", 0}, {"every-20ms", 20 * time.Millisecond}} {
		b.Run("reference-raw-insert/"+pace.name, func(b *testing.B) {
			pacedTimes(b, pace.gap, rawSingleInsert(b, "on my way"))
		})
		b.Run("enqueue-written/"+pace.name, func(b *testing.B) {
			db := hotFixture(b)
			pacedTimes(b, pace.gap, func(i int) error {
				return db.EnqueueWritten(ctx, Message{ID: msgID(2_000_000 + i), DialogID: "dialog-00",
					SenderID: 1, RecipientID: 99, Body: "on my way"})
			})
		})
		b.Run("store-live/"+pace.name, func(b *testing.B) {
			db := hotFixture(b)
			pacedTimes(b, pace.gap, func(i int) error {
				m := Message{ID: msgID(3_000_000 + i), DialogID: "dialog-01", SenderID: 99, RecipientID: 1,
					Body: "on my way", SentAt: time.Now().Truncate(time.Second)}
				_, err := db.StoreLive(ctx, []Message{m}, func(Message) bool { return true })
				return err
			})
		})
		b.Run("mark-sent/"+pace.name, func(b *testing.B) {
			db := hotFixture(b)
			queue := func(i int) error {
				return db.EnqueueWritten(ctx, Message{ID: msgID(4_000_000 + i), DialogID: "dialog-02",
					SenderID: 1, RecipientID: 99, Body: "on my way"})
			}
			pacedTimesAfter(b, pace.gap, queue, func(i int) error {
				return db.MarkSentAll(ctx, []SentMark{{ID: msgID(4_000_000 + i),
					SentAt: time.Now().UTC().Truncate(time.Second)}})
			})
		})
	}
}

// pacedTimes runs write pacedWrites times (b.N rounds), gap apart, and reports the
// p50 and p90 of one write in µs.
func pacedTimes(b *testing.B, gap time.Duration, write func(i int) error) {
	b.Helper()
	pacedTimesAfter(b, gap, nil, write)
}

// pacedTimesAfter is pacedTimes with an untimed prepare(i) (when not nil) before
// the pause that precedes write i.
func pacedTimesAfter(b *testing.B, gap time.Duration, prepare, write func(i int) error) {
	b.Helper()
	var took []time.Duration
	b.ResetTimer()
	for n := range b.N {
		for i := range pacedWrites {
			if prepare != nil {
				b.StopTimer()
				if err := prepare(n*pacedWrites + i); err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
			}
			time.Sleep(gap)
			t0 := time.Now()
			if err := write(n*pacedWrites + i); err != nil {
				b.Fatal(err)
			}
			took = append(took, time.Since(t0))
		}
	}
	b.StopTimer()
	slices.Sort(took)
	b.ReportMetric(float64(took[len(took)/2].Microseconds()), "p50-µs")
	b.ReportMetric(float64(took[len(took)*9/10].Microseconds()), "p90-µs")
}
