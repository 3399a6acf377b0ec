package app

import (
	"context"
	"testing"
	"time"
)

// The header's "last seen" follows the clock: "just now" becomes "3 min ago" with the
// next tick, though nothing else changed.
func TestLastSeenHeaderFollowsTheClock(t *testing.T) {
	_, m, db := offlineUI(t)
	left := time.Now()
	if err := db.SetLastActivity(context.Background(), 2, 1, left); err != nil {
		t.Fatal(err)
	}
	onUI(func() { m.selectDialog("d1") })
	waitFor(t, "last seen just now", 5*time.Second, func() bool {
		var s string
		onUI(func() { s = m.chat.header.subtitle.Text })
		return s == "last seen just now"
	})
	onUI(func() {
		m.chat.header.now = func() time.Time { return left.Add(3*time.Minute + 5*time.Second) }
		m.chat.header.tick()
		if s := m.chat.header.subtitle.Text; s != "last seen 3 min ago" {
			t.Errorf("after three minutes the header says %q", s)
		}
	})
}
