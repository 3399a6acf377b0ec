package sync

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/cubechat/cubechat/cache"
	"github.com/cubechat/cubechat/cube"
)

// A live message is acknowledged as delivered once the receiver has stored it: one
// its full cache refused gets no delivered marker (its copy fetched later is not a
// live arrival), while a stored one does.
func TestDeliveredMarkerOnlyForAStoredMessage(t *testing.T) {
	pr := newPair(t)
	ctx, a, b := pr.h.ctx, pr.a, pr.b
	stored := pr.exchange(a, b, "stored at once")
	a.waitMessage(stored, "the stored message delivered", func(m cache.Message) bool { return m.State == cache.StateDelivered })

	if err := b.db.LimitSize(ctx, 0); err != nil {
		t.Fatal(err)
	}
	refused, err := a.e.Send(ctx, pr.dialog, "refused by a full cache "+strings.Repeat("x", 20000)) // overflow pages: more than a fresh cache's free list holds
	if err != nil {
		t.Fatal(err)
	}
	a.waitOutboxEmpty()
	b.waitFor("the status saying the disk is full", func() (bool, string) {
		s := b.e.Status()
		return errors.Is(s.StoreErr, cache.ErrDiskFull), fmt.Sprintf("%+v", s)
	})
	if err := b.db.LimitSize(ctx, -1); err != nil {
		t.Fatal(err)
	}
	b.waitMessages(pr.dialog, 1, func(m cache.Message) bool { return m.ID == refused })
	// Bob's stream is processed in order: once his next message has reached ann, a
	// marker he wrote before it would have been stored by the server.
	pr.exchange(b, a, "after the space was freed")
	list, err := pr.h.client(a.acc).ListMessages(ctx, cube.MessageFilter{DialogID: pr.dialog, IDIn: []string{stored, refused}, Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	delivered := map[string][]int64{}
	for _, m := range list.Items {
		delivered[m.ID] = m.DeliveredIDs
	}
	if !slices.Contains(delivered[stored], b.acc.ID) {
		t.Fatalf("the stored message's delivered ids %v lack bob %d", delivered[stored], b.acc.ID)
	}
	if slices.Contains(delivered[refused], b.acc.ID) {
		t.Fatalf("bob acknowledged a message his cache refused: delivered ids %v", delivered[refused])
	}
}
