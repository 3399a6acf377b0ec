package sync

import (
	"fmt"
	"testing"
	"time"
)

// BenchmarkLiveLatencySides tells which side of the engine its live delay comes
// from, beside the raw reference in the same run: the raw SDK sending to an
// engine's change feed (the receiver's part: storing the message and publishing the
// change), and an engine's Send to a raw receiver (the sender's part: the queueing
// write, the confirmation and the markers it stores, all running in this one process
// beside the message on its way). In the field sender and receiver are different
// machines; here they share two cores and one collector (docs/benchmarks.md, issue
// 10, round 8).
func BenchmarkLiveLatencySides(b *testing.B) {
	h := newHarness(b)
	raw, eng, rawDlg, engDlg := livePairs(b, h)
	b.Run("reference-raw-sdk", func(b *testing.B) { measureRawReference(b, h, raw, rawDlg) })

	b.Run("raw-sender-engine-receiver", func(b *testing.B) {
		c := h.newPeer(eng[1])
		defer c.close()
		c.waitSynced()
		catChat, _, stopCat := connectRaw(b, h, eng[0], 16)
		defer stopCat()
		watch := watchFeed(c.db, engDlg.ID)
		defer watch.close(b)
		measureLive(b, func() []time.Duration {
			sent := pacedSend(b, func(i int) (string, error) {
				return rawSend(h.ctx, catChat, engDlg, eng[1].ID, fmt.Sprint("to the engine ", i))
			})
			return latencies(sent, watch.waitAll(b, sent))
		}, nil)
	})

	b.Run("engine-sender-raw-receiver", func(b *testing.B) {
		a := h.newPeer(eng[0])
		defer a.close()
		a.waitSynced()
		_, danGot, stopDan := connectRaw(b, h, eng[1], liveLatencyMsgs*(b.N+1))
		defer stopDan()
		measureLive(b, func() []time.Duration {
			sent := pacedSend(b, func(i int) (string, error) {
				return a.e.Send(h.ctx, engDlg.ID, fmt.Sprint("from the engine ", i))
			})
			return latencies(sent, waitRaw(b, danGot, sent))
		}, nil)
		a.waitOutboxEmpty()
	})
}
