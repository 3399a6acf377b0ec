package sync

import (
	"fmt"
	"testing"

	"github.com/cubechat/cubechat/cube"
)

func TestFirstLoginFetchesNewestPageAndLoadOlderFillsTheGap(t *testing.T) {
	const total = 120
	h := newHarness(t)
	ann, bob := h.user("ann"), h.user("bob")
	a := h.newPeer(ann)
	a.waitSynced()
	// A group: the server queues private messages for offline users and hands them
	// over on connect, which would fill the history without any back-fill.
	dialog, err := a.e.CreateDialog(h.ctx, cube.DialogGroup, "history", []int64{bob.ID})
	if err != nil {
		t.Fatal(err)
	}
	for i := range total {
		if _, err := a.e.Send(h.ctx, dialog, fmt.Sprintf("n-%03d", i)); err != nil {
			t.Fatal(err)
		}
	}
	a.waitOutboxEmpty()

	b := h.newPeer(bob)
	b.waitMessages(dialog, firstSyncPage, nil)
	b.waitSynced()
	got := b.messages(dialog)
	if len(got) != firstSyncPage || got[len(got)-1].Body != fmt.Sprintf("n-%03d", total-1) {
		t.Fatalf("first sync holds %d messages ending %q, want the newest %d", len(got), got[len(got)-1].Body, firstSyncPage)
	}
	gaps, err := b.db.Gaps(h.ctx, dialog)
	if err != nil || len(gaps) != 1 {
		t.Fatalf("after first sync gaps = %+v, %v; want one gap below the newest page", gaps, err)
	}

	// Each scroll to the top back-fills a page of older messages (the cache already
	// holds some that share the oldest second) until the history is complete.
	for step := 0; len(b.messages(dialog)) < total; step++ {
		if step == 5 {
			t.Fatalf("history still incomplete after %d back-fills: %d held", step, len(b.messages(dialog)))
		}
		before := len(b.messages(dialog))
		n, err := b.e.LoadOlder(h.ctx, dialog, b.messages(dialog)[0].SentAt)
		if err != nil {
			t.Fatalf("step %d: LoadOlder: %v", step, err)
		}
		after := len(b.messages(dialog))
		if n != after-before || (after < total && n < olderPage) {
			t.Fatalf("step %d: LoadOlder reported %d new, held %d → %d", step, n, before, after)
		}
	}
	if gaps, err := b.db.Gaps(h.ctx, dialog); err != nil || len(gaps) != 0 {
		t.Fatalf("complete history still has gaps %+v, %v", gaps, err)
	}
	if n, err := b.e.LoadOlder(h.ctx, dialog, b.messages(dialog)[0].SentAt); err != nil || n != 0 {
		t.Fatalf("LoadOlder past the start: %d, %v; want 0", n, err)
	}
	for i, m := range b.messages(dialog) {
		if m.Body != fmt.Sprintf("n-%03d", i) {
			t.Fatalf("message %d is %q after back-fill", i, m.Body)
		}
	}
}
