package sync

import (
	"fmt"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/cubechat/cubechat/cube"
)

// BenchmarkCatchUp measures a returning user's catch-up: 2000 messages missed across
// 10 dialogs, fetched over REST from cubeserver into a fresh cache per iteration.
func BenchmarkCatchUp(b *testing.B) {
	const dialogs, perDialog = 10, 200
	h := newHarness(b)
	ann, bob := h.user("ann"), h.user("bob")
	st := h.srv.Store()
	var ids []string
	base := time.Now().Add(-time.Hour).Unix()
	for d := range dialogs {
		dlg, err := h.client(ann).CreateDialog(h.ctx, cube.NewDialog{Type: cube.DialogGroup, Name: fmt.Sprint("g", d), OccupantsIDs: []int64{bob.ID}})
		if err != nil {
			b.Fatal(err)
		}
		ids = append(ids, dlg.ID)
		for i := range perDialog {
			m := cube.Message{ID: cube.NewObjectID(), ChatDialogID: dlg.ID, Message: fmt.Sprintf("message %d of %d", i, d),
				DateSent: base + int64(i/4), SenderID: ann.ID}
			if _, err := st.StoreChatMessage(h.ctx, m); err != nil {
				b.Fatal(err)
			}
		}
	}

	// The reference, in the same run: the same messages fetched by the SDK alone,
	// pages of 100, no cache.
	b.Run("reference-rest-fetch", func(b *testing.B) {
		c := h.client(bob)
		if _, err := c.Login(h.ctx, bob.Login, bob.password); err != nil {
			b.Fatal(err)
		}
		for range b.N {
			for _, id := range ids {
				got := 0
				for {
					page, err := c.ListMessages(h.ctx, cube.MessageFilter{DialogID: id, SortAsc: "date_sent", Limit: 100, Skip: got})
					if err != nil {
						b.Fatal(err)
					}
					got += len(page.Items)
					if len(page.Items) < 100 {
						break
					}
				}
				if got != perDialog {
					b.Fatalf("fetched %d of %d", got, perDialog)
				}
			}
		}
		b.ReportMetric(float64(dialogs*perDialog*b.N)/b.Elapsed().Seconds(), "msgs/s")
	})
	b.Run("engine", func(b *testing.B) {
		for i := range b.N {
			b.StopTimer()
			p := &peer{h: h, acc: bob, path: filepath.Join(b.TempDir(), strconv.Itoa(i)+".db")}
			p.open()
			// A returning user: the dialog cursor is set, the message cursors are not,
			// so every missed message is fetched (within the budget), not just a page.
			if err := p.db.SetCursor(h.ctx, dialogsCursorKey, "1"); err != nil {
				b.Fatal(err)
			}
			if err := p.e.Login(h.ctx, bob.Login, bob.password); err != nil {
				b.Fatal(err)
			}
			b.StartTimer()
			p.e.Start(h.ctx)
			for _, id := range ids {
				p.waitMessages(id, perDialog, nil)
			}
			b.StopTimer()
			p.close()
		}
		b.ReportMetric(float64(dialogs*perDialog*b.N)/b.Elapsed().Seconds(), "msgs/s")
	})
}
