package sync

import (
	"maps"
	"testing"
	"time"
)

// recordedCursors is a cursorBook whose persisted values are kept in a map.
func recordedCursors(initial map[string]int64) (*cursorBook, map[string]int64) {
	saved := maps.Clone(initial)
	if saved == nil {
		saved = map[string]int64{}
	}
	b := newCursorBook(func(id string, v int64) error { saved[id] = v; return nil })
	return b, saved
}

func TestCursorRules(t *testing.T) {
	cases := []struct {
		name string
		run  func(b *cursorBook)
		want map[string]int64
	}{
		{"a completed dialog persists its listed updated_at", func(b *cursorBook) {
			gen := b.begin(map[string]int64{"x": 100})
			b.complete(gen, "x", 150)
		}, map[string]int64{"x": 150}},
		{"a catch-up cut short by the drop moves nothing", func(b *cursorBook) {
			gen := b.begin(nil)
			b.end()
			b.complete(gen, "x", 70)
		}, map[string]int64{}},
		{"stale generation is ignored", func(b *cursorBook) {
			old := b.begin(nil)
			b.end()
			b.begin(nil)
			b.complete(old, "x", 80)
		}, map[string]int64{}},
		{"a cursor never moves back", func(b *cursorBook) {
			gen := b.begin(map[string]int64{"x": 100})
			b.complete(gen, "x", 90)
		}, map[string]int64{}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			b, saved := recordedCursors(nil)
			c.run(b)
			if !maps.Equal(saved, c.want) {
				t.Fatalf("persisted %v, want %v", saved, c.want)
			}
		})
	}
}

func TestDialogCursorPassesASecondOnlyLongAfterItEnded(t *testing.T) {
	const newest = 1_700_000_000
	end := time.Unix(newest+1, 0)
	cases := []struct {
		name        string
		listedAfter time.Time
		want        int64
	}{
		{"no server clock: the second is listed again", time.Time{}, newest},
		{"listed during the second", time.Unix(newest, 0), newest},
		{"listed soon after it", end.Add(closedAfter - time.Second), newest},
		{"listed long after it", end.Add(closedAfter), newest + 1},
	}
	for _, c := range cases {
		if got := nextDialogCursor(newest, c.listedAfter); got != c.want {
			t.Errorf("%s: cursor %d, want %d", c.name, got, c.want)
		}
	}
	if got := nextDialogCursor(0, end.Add(time.Hour)); got != 0 {
		t.Errorf("nothing listed on a first sync: cursor %d, want 0", got)
	}
}
