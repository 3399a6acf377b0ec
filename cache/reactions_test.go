package cache

import (
	"context"
	"errors"
	"maps"
	"slices"
	"testing"
)

func TestApplyReaction(t *testing.T) {
	start := map[string][]int64{"👍": {7, 9}, "🔥": {8}}
	tests := []struct {
		name        string
		user        int64
		add, remove string
		want        map[string][]int64
	}{
		{"add new", 8, "👍", "", map[string][]int64{"👍": {7, 8, 9}, "🔥": {8}}},
		{"add twice is once", 7, "👍", "", start},
		{"remove", 8, "", "🔥", map[string][]int64{"👍": {7, 9}}},
		{"remove absent", 5, "", "🔥", start},
		{"switch", 9, "🎉", "👍", map[string][]int64{"👍": {7}, "🔥": {8}, "🎉": {9}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := applyReaction(start, tc.user, tc.add, tc.remove)
			if !maps.EqualFunc(got, tc.want, slices.Equal) {
				t.Fatalf("got %v, want %v", got, tc.want)
			}
		})
	}
	if !slices.Equal(start["👍"], []int64{7, 9}) {
		t.Fatal("applyReaction modified its argument")
	}
}

func TestReactionsStoredAndAnnounced(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	m := newMsg("d1", 1, 1, "nice")
	upsert(t, db, m)
	changes, cancel := db.Subscribe()
	defer cancel()

	if err := db.SetReactions(ctx, m.ID, map[string][]int64{"👍": {9, 7, 7}, "😢": {}}); err != nil {
		t.Fatal(err)
	}
	c := drain(t, changes)
	if !slices.Equal(c.Reactions["d1"], []string{m.ID}) || len(c.Messages) != 0 {
		t.Fatalf("change %+v: want only Reactions", c)
	}
	got := getMsg(t, db, m.ID)
	if !maps.EqualFunc(got.Reactions, map[string][]int64{"👍": {7, 9}}, slices.Equal) {
		t.Fatalf("reactions %v", got.Reactions)
	}
	if counts := got.ReactionCounts(); counts["👍"] != 2 || len(counts) != 1 {
		t.Fatalf("counts %v", counts)
	}
	if !slices.Equal(got.ReactionsOf(9), []string{"👍"}) || got.ReactionsOf(8) != nil {
		t.Fatal("ReactionsOf wrong")
	}

	if err := db.ApplyReaction(ctx, m.ID, 8, "🔥", ""); err != nil {
		t.Fatal(err)
	}
	drain(t, changes)
	if err := db.ApplyReaction(ctx, m.ID, 8, "🔥", ""); err != nil {
		t.Fatal(err)
	}
	assertQuiet(t, changes) // the same event twice is no change

	// A REST copy (no per-user reactions) keeps them; its content still updates.
	m.Body = "nice!"
	m.EditedAt = base.Add(1e10)
	upsert(t, db, m)
	if got := getMsg(t, db, m.ID); len(got.Reactions) != 2 || got.Body != "nice!" {
		t.Fatalf("after upsert: %+v", got)
	}

	for _, bad := range []error{
		db.ApplyReaction(ctx, "missing", 8, "🔥", ""),
		db.SetReactions(ctx, "missing", nil),
	} {
		if !errors.Is(bad, ErrNotFound) {
			t.Errorf("unknown message: %v, want ErrNotFound", bad)
		}
	}
	if err := db.ApplyReaction(ctx, m.ID, 8, "", ""); err == nil {
		t.Error("empty reaction accepted")
	}
	if err := db.ApplyReaction(ctx, m.ID, 0, "👍", ""); err == nil {
		t.Error("user 0 accepted")
	}
	if err := db.SetReactions(ctx, m.ID, map[string][]int64{"": {1}}); err == nil {
		t.Error("empty emoji accepted")
	}
}
