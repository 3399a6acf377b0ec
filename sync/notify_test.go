package sync

import (
	"testing"
	"time"
)

func TestNotificationPolicy(t *testing.T) {
	start := time.Date(2025, 1, 2, 3, 4, 5, 600_000_000, time.UTC)
	later := start.Add(time.Minute)
	base := notifyCase{live: true, isNew: true, sentAt: later, sessionStart: start, focused: false}
	cases := []struct {
		name string
		edit func(*notifyCase)
		want bool
	}{
		{"live message, window unfocused", func(c *notifyCase) {}, true},
		{"focused on another dialog", func(c *notifyCase) { c.focused, c.onScreen = true, false }, true},
		{"focused on this dialog", func(c *notifyCase) { c.focused, c.onScreen = true, true }, false},
		{"open dialog but window unfocused", func(c *notifyCase) { c.focused, c.onScreen = false, true }, true},
		{"muted dialog", func(c *notifyCase) { c.muted = true }, false},
		{"my own message (another device)", func(c *notifyCase) { c.mine = true }, false},
		{"catch-up (not live)", func(c *notifyCase) { c.live = false }, false},
		{"back-fill copy already cached", func(c *notifyCase) { c.isNew = false }, false},
		{"older than the session (offline delivery)", func(c *notifyCase) { c.sentAt = start.Add(-time.Hour) }, false},
		{"same second as the session start", func(c *notifyCase) { c.sentAt = start.Truncate(time.Second) }, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			in := base
			c.edit(&in)
			if got := shouldNotify(in); got != c.want {
				t.Fatalf("shouldNotify(%+v) = %v, want %v", in, got, c.want)
			}
		})
	}
}
