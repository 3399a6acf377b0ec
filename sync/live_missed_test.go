package sync

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/cubechat/cubechat/cache"
)

// TestDiskFullLiveMessagesComeBack: with the receiver's cache full, live messages
// cannot be stored; the status says the disk is full, and once space is freed every
// one of them ends in the cache — no restart, no reconnect.
func TestDiskFullLiveMessagesComeBack(t *testing.T) {
	const n = 100
	pr := newPair(t)
	ctx, a, b := pr.h.ctx, pr.a, pr.b
	pr.exchange(a, b, "before the disk filled")

	if err := b.db.LimitSize(ctx, 0); err != nil {
		t.Fatal(err)
	}
	var sent []string
	for i := range n {
		id, err := a.e.Send(ctx, pr.dialog, fmt.Sprintf("arrives on a full disk %d %s", i, strings.Repeat("x", 500)))
		if err != nil {
			t.Fatal(err)
		}
		sent = append(sent, id)
	}
	a.waitOutboxEmpty()
	b.waitFor("the status saying the disk is full", func() (bool, string) {
		s := b.e.Status()
		return errors.Is(s.StoreErr, cache.ErrDiskFull), fmt.Sprintf("%+v", s)
	})
	stored := 0
	for _, id := range sent {
		if _, err := b.db.Message(ctx, id); err == nil {
			stored++
		}
	}
	if stored == n {
		t.Fatalf("all %d messages were stored on a full disk: the test filled nothing", n)
	}
	t.Logf("%d of %d live messages stored while the disk was full", stored, n)

	if err := b.db.LimitSize(ctx, -1); err != nil { // space freed
		t.Fatal(err)
	}
	b.waitMessages(pr.dialog, n, func(m cache.Message) bool { return strings.HasPrefix(m.Body, "arrives on a full disk") })
	b.waitFor("the disk-full status cleared", func() (bool, string) {
		s := b.e.Status()
		return s.StoreErr == nil && s.State == StateReady, fmt.Sprintf("%+v", s)
	})
	for _, id := range sent {
		if _, err := b.db.Message(ctx, id); err != nil {
			t.Fatalf("message %s: %v", id, err)
		}
	}
}
