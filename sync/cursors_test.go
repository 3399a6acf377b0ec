package sync

import (
	"maps"
	"testing"
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

func TestCursorLiveDuringCatchUpDoesNotMove(t *testing.T) {
	b, saved := recordedCursors(map[string]int64{"a": 100})
	gen := b.begin(map[string]int64{"a": 100})

	// Live messages before the plan is known, and while "a" is being caught up.
	b.live("a", 500)
	b.plan(gen, []string{"a"})
	b.live("a", 600)
	if saved["a"] != 100 || b.current("a") != 100 {
		t.Fatalf("live messages during catch-up moved the cursor: saved %d, current %d", saved["a"], b.current("a"))
	}

	// The connection drops before "a" completes: the cursor must stay where it was.
	b.end()
	b.complete(gen, "a", 300)
	if saved["a"] != 100 {
		t.Fatalf("a cut-short catch-up moved the cursor to %d", saved["a"])
	}

	// Next connection: catch-up completes, then live messages advance it.
	gen = b.begin(saved)
	b.plan(gen, []string{"a"})
	b.live("a", 650)
	b.complete(gen, "a", 640)
	if saved["a"] != 650 {
		t.Fatalf("after completion cursor = %d, want 650 (newest of fetched and live)", saved["a"])
	}
	b.live("a", 700)
	if saved["a"] != 700 {
		t.Fatalf("live after completion: cursor = %d, want 700", saved["a"])
	}
	b.live("a", 690) // an older live copy never moves it back
	if saved["a"] != 700 {
		t.Fatalf("cursor moved back to %d", saved["a"])
	}
}

func TestCursorRules(t *testing.T) {
	cases := []struct {
		name string
		run  func(b *cursorBook)
		want map[string]int64
	}{
		{"dialog outside the plan advances once planned", func(b *cursorBook) {
			gen := b.begin(nil)
			b.live("x", 50) // before the plan: held
			b.plan(gen, []string{"y"})
			b.live("x", 60)
		}, map[string]int64{"x": 60}},
		{"not connected: live moves nothing", func(b *cursorBook) {
			b.live("x", 50)
			gen := b.begin(nil)
			b.end()
			b.plan(gen, nil)
			b.live("x", 70)
		}, map[string]int64{}},
		{"stale generation is ignored", func(b *cursorBook) {
			old := b.begin(nil)
			b.end()
			gen := b.begin(nil)
			b.plan(old, nil)
			b.complete(old, "x", 80)
			b.plan(gen, []string{"x"})
			b.live("x", 90)
		}, map[string]int64{}},
		{"completion keeps the newest", func(b *cursorBook) {
			gen := b.begin(map[string]int64{"x": 100})
			b.plan(gen, []string{"x"})
			b.complete(gen, "x", 90) // fetched nothing newer than the cursor
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
