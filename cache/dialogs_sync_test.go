package cache

import (
	"context"
	"maps"
	"testing"
	"time"
)

func TestUnreadCountsAreReadAndSetInBulk(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	if err := db.UpsertDialogs(ctx, []Dialog{
		{ID: "a", Type: 2, Name: "a", UnreadCount: 1},
		{ID: "b", Type: 2, Name: "b", UnreadCount: 0},
		{ID: "c", Type: 2, Name: "c", UnreadCount: 4},
	}); err != nil {
		t.Fatal(err)
	}
	all, err := db.UnreadCounts(ctx, nil)
	if err != nil || !maps.Equal(all, map[string]int{"a": 1, "b": 0, "c": 4}) {
		t.Fatalf("UnreadCounts(nil) = %v, %v", all, err)
	}
	some, err := db.UnreadCounts(ctx, []string{"c", "unknown"})
	if err != nil || !maps.Equal(some, map[string]int{"c": 4}) {
		t.Fatalf("UnreadCounts(c, unknown) = %v, %v", some, err)
	}

	changes, unsubscribe := db.Subscribe()
	defer unsubscribe()
	if err := db.SetUnreadCounts(ctx, map[string]int{"a": 1, "b": 2, "unknown": 3}); err != nil {
		t.Fatal(err)
	}
	select {
	case ch := <-changes:
		if len(ch.Dialogs) != 1 || ch.Dialogs[0] != "b" {
			t.Fatalf("change names dialogs %v, want only b (a kept its count, unknown is not cached)", ch.Dialogs)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("no change published")
	}
	if all, _ := db.UnreadCounts(ctx, nil); !maps.Equal(all, map[string]int{"a": 1, "b": 2, "c": 4}) {
		t.Fatalf("after SetUnreadCounts: %v", all)
	}
	if err := db.SetUnreadCounts(ctx, map[string]int{"a": -1}); err == nil {
		t.Fatal("a negative count was accepted")
	}
}

func TestCountServerListedLeavesOutHiddenAndLeftPublicDialogs(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	const public = 4
	if err := db.UpsertDialogs(ctx, []Dialog{
		{ID: "group", Type: 2, Name: "g"},
		{ID: "hidden", Type: 2, Name: "h"},
		{ID: "joined", Type: public, Name: "p", Subscribed: true},
		{ID: "left", Type: public, Name: "q"},
	}); err != nil {
		t.Fatal(err)
	}
	if err := db.SetHidden(ctx, "hidden", true); err != nil {
		t.Fatal(err)
	}
	if n, err := db.CountServerListed(ctx, public); err != nil || n != 2 {
		t.Fatalf("CountServerListed = %d, %v; want 2 (group, joined)", n, err)
	}
}

func TestPrefixedCursorsNameCachedDialogsOnly(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	if err := db.UpsertDialogs(ctx, []Dialog{{ID: "a", Type: 2, Name: "a"}, {ID: "b", Type: 2, Name: "b"}}); err != nil {
		t.Fatal(err)
	}
	for k, v := range map[string]string{"m:a": "10", "m:b": "20", "m:gone": "30", "other:a": "40", "m": "50"} {
		if err := db.SetCursor(ctx, k, v); err != nil {
			t.Fatal(err)
		}
	}
	got, err := db.PrefixedCursors(ctx, "m:")
	if err != nil || !maps.Equal(got, map[string]string{"a": "10", "b": "20"}) {
		t.Fatalf("PrefixedCursors(m:) = %v, %v; want a and b only", got, err)
	}
	if _, err := db.PrefixedCursors(ctx, ""); err == nil {
		t.Fatal("an empty prefix was accepted")
	}
}
