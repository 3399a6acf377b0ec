package cache

import (
	"context"
	"math/rand/v2"
	"slices"
	"testing"
)

func TestMergeListedFollowsTheListingAndKeepsTheRest(t *testing.T) {
	for _, c := range []struct {
		name                 string
		cached, listed, want []string
	}{
		{"listing reverses the cache", []string{"c", "d", "a", "b"}, []string{"a", "b", "c", "d"}, []string{"a", "b", "c", "d"}},
		{"unlisted keep their places", []string{"u1", "x", "u2", "y"}, []string{"y", "x"}, []string{"u1", "y", "x", "u2"}},
		{"a new one goes before the listed one after it", []string{"u1", "x", "u2", "n"}, []string{"n", "x"}, []string{"u1", "n", "x", "u2"}},
		{"listed ids not held are ignored", []string{"a", "b"}, []string{"gone", "b", "a"}, []string{"b", "a"}},
		{"nothing listed", []string{"a", "b"}, nil, []string{"a", "b"}},
	} {
		if got := mergeListed(c.cached, c.listed); !slices.Equal(got, c.want) {
			t.Errorf("%s: mergeListed(%v, %v) = %v, want %v", c.name, c.cached, c.listed, got, c.want)
		}
	}
}

// TestListingRanksASecondAcrossPages: twelve messages of one second with random
// ids reach the cache in one order (live, say); the server's listing, newest first
// over two pages that split the second, names another. History, the newest message
// and the dialog's last message follow the listing, and a message the listing does
// not name stays between the same neighbours.
func TestListingRanksASecondAcrossPages(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	if err := db.UpsertDialogs(ctx, []Dialog{{ID: "d1", Type: 2, Name: "burst"}}); err != nil {
		t.Fatal(err)
	}
	var msgs []Message
	for _, n := range rand.Perm(12) {
		msgs = append(msgs, newMsg("d1", 100+n, 0, "same second"))
	}
	for _, m := range msgs {
		upsert(t, db, m) // one by one, as live messages come
	}
	if got := ids(history(t, db)); !slices.Equal(got, ids(msgs)) {
		t.Fatalf("live arrival order:\n got %v\nwant %v", got, ids(msgs))
	}

	// The server stored them in another order; one of them (unlisted) is not named.
	server := slices.Clone(msgs)
	rand.Shuffle(len(server), func(i, j int) { server[i], server[j] = server[j], server[i] })
	unlisted := server[5]
	listed := slices.Delete(slices.Clone(server), 5, 6)
	newestFirst := slices.Clone(listed)
	slices.Reverse(newestFirst)
	var named []string // what the listing named of the second so far, in its order
	for _, page := range [][]Message{newestFirst[:6], newestFirst[6:]} {
		named = append(ids(reversed(page)), named...)
		if _, _, err := db.UpsertListed(ctx, page, []Listed{{DialogID: "d1", SentAt: base, IDs: named}}); err != nil {
			t.Fatal(err)
		}
	}
	got := ids(history(t, db))
	want := ids(listed)
	if gotListed := slices.DeleteFunc(slices.Clone(got), func(id string) bool { return id == unlisted.ID }); !slices.Equal(gotListed, want) {
		t.Fatalf("after the listing:\n got %v\nwant %v (and %s somewhere)", got, want, unlisted.ID)
	}
	last := listed[len(listed)-1].ID
	if got[len(got)-1] == unlisted.ID {
		last = unlisted.ID
	}
	d, err := db.Dialog(ctx, "d1")
	if err != nil || d.LastMessageID != last {
		t.Fatalf("last message %q (%v), want %s; history %v", d.LastMessageID, err, last, got)
	}
	if n, err := db.NewestMessage(ctx, "d1"); err != nil || n.ID != last {
		t.Fatalf("newest %+v (%v), want %s", n, err, last)
	}

	// Paging from the middle of the second reads the rest in the same order.
	mid := slices.Index(got, want[6])
	older, err := db.Messages(ctx, "d1", base, got[mid], 0)
	if err != nil || !slices.Equal(ids(older), got[:mid]) {
		t.Fatalf("older than %s: %v (%v), want %v", got[mid], ids(older), err, got[:mid])
	}

	// A server copy of the dialog naming an earlier message of that second as its
	// last (listed before the newest live one) does not move the last message back.
	d.LastMessageID, d.LastMessage = want[0], "stale"
	if err := db.UpsertDialogs(ctx, []Dialog{*d}); err != nil {
		t.Fatal(err)
	}
	if d, err := db.Dialog(ctx, "d1"); err != nil || d.LastMessageID != last {
		t.Fatalf("a stale server copy made %q the last message (%v), want %s", d.LastMessageID, err, last)
	}
}

func history(t *testing.T, db *DB) []Message {
	t.Helper()
	page, err := db.Messages(context.Background(), "d1", base.Add(1e9), "", 0)
	if err != nil {
		t.Fatal(err)
	}
	return page
}

func reversed(msgs []Message) []Message {
	out := slices.Clone(msgs)
	slices.Reverse(out)
	return out
}

// TestListingReportsTheSecondsItLeavesAGuess: a page that names x, new to the cache,
// while the cache holds y of the same second that the page does not name, cannot
// tell whether y belongs before or after x: the second is reported unsure. A listing
// that names the whole second settles it and reports nothing, and so does a batch
// whose later page names the second in full.
func TestListingReportsTheSecondsItLeavesAGuess(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	if err := db.UpsertDialogs(ctx, []Dialog{{ID: "d1", Type: 2, Name: "guess"}}); err != nil {
		t.Fatal(err)
	}
	x, y, z := newMsg("d1", 1, 0, "x"), newMsg("d1", 2, 0, "y"), newMsg("d1", 3, 0, "z")
	upsert(t, db, y) // live
	second := Second{DialogID: "d1", SentAt: base}

	_, unsure, err := db.UpsertListed(ctx, []Message{x}, []Listed{{DialogID: "d1", SentAt: base, IDs: []string{x.ID}}})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(unsure, []Second{second}) {
		t.Fatalf("unsure seconds %v, want %v (x placed after y, which the page does not name)", unsure, []Second{second})
	}
	_, unsure, err = db.UpsertListed(ctx, nil, []Listed{{DialogID: "d1", SentAt: base, IDs: []string{x.ID, y.ID}}})
	if err != nil || len(unsure) != 0 {
		t.Fatalf("the whole second listed: unsure %v (%v), want none", unsure, err)
	}
	if got := ids(history(t, db)); !slices.Equal(got, []string{x.ID, y.ID}) {
		t.Fatalf("history %v, want x then y", got)
	}

	// z is new; the batch's first page names only z, its second the whole second.
	_, unsure, err = db.UpsertListed(ctx, []Message{z}, []Listed{
		{DialogID: "d1", SentAt: base, IDs: []string{z.ID}},
		{DialogID: "d1", SentAt: base, IDs: []string{x.ID, y.ID, z.ID}},
	})
	if err != nil || len(unsure) != 0 {
		t.Fatalf("a second named in full by the batch's last page: unsure %v (%v), want none", unsure, err)
	}
	// A known message listed alone is no guess: nothing new was placed.
	_, unsure, err = db.UpsertListed(ctx, nil, []Listed{{DialogID: "d1", SentAt: base, IDs: []string{z.ID}}})
	if err != nil || len(unsure) != 0 {
		t.Fatalf("a known message listed alone: unsure %v (%v), want none", unsure, err)
	}
}
