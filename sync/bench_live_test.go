package sync

import (
	"fmt"
	"testing"
	"time"

	"github.com/cubechat/cubechat/cube"
)

// liveBurst is how many messages one op of BenchmarkLiveBurst sends.
const liveBurst = 200

// BenchmarkLiveBurst sends a burst of 200 private messages from ann to bob over the
// live path and waits until all have arrived. Reference, same run: the raw SDK
// (two cube.Chat connections, ann sends, bob counts the message events). Engine: ann's
// engine.Send for each message until bob's engine has stored them all and ann's
// outbox is empty (every message confirmed and marked sent).
func BenchmarkLiveBurst(b *testing.B) {
	h := newHarness(b)
	ann, bob := h.user("ann"), h.user("bob")
	dlg, err := h.client(ann).CreateDialog(h.ctx, cube.NewDialog{Type: cube.DialogPrivate, OccupantsIDs: []int64{bob.ID}})
	if err != nil {
		b.Fatal(err)
	}

	b.Run("reference-raw-sdk", func(b *testing.B) {
		room := liveBurst * (b.N + 1)
		annChat, _, stopAnn := connectRaw(b, h, ann, room)
		defer stopAnn()
		_, bobGot, stopBob := connectRaw(b, h, bob, room)
		defer stopBob()
		b.ResetTimer()
		for range b.N {
			for i := range liveBurst {
				out := cube.OutgoingMessage{DialogID: dlg.ID, DialogType: cube.DialogPrivate, RecipientID: bob.ID,
					Body: fmt.Sprint("raw ", i), SaveToHistory: true}
				if _, err := annChat.SendMessage(h.ctx, out); err != nil {
					b.Fatal(err)
				}
			}
			for range liveBurst {
				select {
				case <-bobGot:
				case <-time.After(waitLimit):
					b.Fatal("bob did not receive the burst")
				}
			}
		}
		b.ReportMetric(float64(liveBurst*b.N)/b.Elapsed().Seconds(), "msgs/s")
	})

	b.Run("engine", func(b *testing.B) {
		a, c := h.newPeer(ann), h.newPeer(bob)
		a.waitSynced()
		c.waitSynced()
		already := len(c.messages(dlg.ID))
		b.ResetTimer()
		for n := range b.N {
			for i := range liveBurst {
				if _, err := a.e.Send(h.ctx, dlg.ID, fmt.Sprint("engine ", i)); err != nil {
					b.Fatal(err)
				}
			}
			c.waitMessages(dlg.ID, already+liveBurst*(n+1), nil)
			a.waitOutboxEmpty()
		}
		b.StopTimer()
		b.ReportMetric(float64(liveBurst*b.N)/b.Elapsed().Seconds(), "msgs/s")
		a.close()
		c.close()
	})
}
