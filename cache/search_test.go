package cache

import (
	"context"
	"slices"
	"strings"
	"testing"
)

func TestSearch(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	upsert(t, db,
		newMsg("d1", 1, 1, "Let's meet at the café tomorrow"),
		newMsg("d2", 2, 2, "the cafe was closed"),
		newMsg("d1", 3, 3, "привет, как дела?"),
		newMsg("d2", 4, 4, `she said "NEAR(" and * twice`),
		newMsg("d1", 5, 5, "party 🎉 tonight"),
		newMsg("d2", 6, 6, "a OR b AND NOT c"),
		newMsg("d1", 7, 7, "nothing to see"),
		newMsg("d1", 8, 8, ""), // an attachment-only message
	)
	tests := []struct {
		query string
		want  []int // message numbers, newest first
	}{
		{"cafe", []int{2, 1}},       // diacritics folded both ways
		{"CAFÉ", []int{2, 1}},       // and case
		{"caf", []int{2, 1}},        // prefix, for search as you type
		{"meet tomorrow", []int{1}}, // every word must match
		{"привет", []int{3}},        // non-Latin scripts
		{"Привет дела", []int{3}},   //
		{"tonight 🎉", []int{5}},     // emoji is not a word: ignored
		{`"`, nil},                  // hostile syntax is searched literally or ignored
		{`*`, nil},                  //
		{`NEAR(`, []int{4}},         // the word "near", not the operator
		{`NEAR(a b)`, nil},          //
		{`"NEAR("`, []int{4}},       //
		{`a OR b`, []int{6}},        // OR is a word here, not an operator
		{`NOT`, []int{7, 6}},        // a word, and a prefix of "nothing"
		{`body:cafe`, nil},          // no column filters
		{`^the`, []int{2, 1}},       // no initial-token operator
		{`{body} : cafe`, nil},      // "body" is just a word here
		{`'); DROP TABLE messages; --`, nil},
		{"", nil},
		{"   ", nil},
	}
	for _, tc := range tests {
		got, err := db.Search(ctx, tc.query, 0)
		if err != nil {
			t.Errorf("Search(%q): %v", tc.query, err)
			continue
		}
		var want []string
		for _, n := range tc.want {
			want = append(want, msgID(n))
		}
		if !slices.Equal(ids(got), want) {
			t.Errorf("Search(%q) = %v, want %v", tc.query, ids(got), want)
		}
	}
	found, _ := db.Search(ctx, "cafe", 1)
	if len(found) != 1 || found[0].DialogID != "d2" {
		t.Fatalf("limit 1: %+v", found)
	}
	checkFTS(t, db)
}

func TestSearchFollowsEditsAndDeletes(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	m := newMsg("d1", 1, 0, "original wording")
	upsert(t, db, m)
	m.Body, m.EditedAt = "revised wording", base.Add(60e9)
	upsert(t, db, m)
	if got, _ := db.Search(ctx, "original", 0); len(got) != 0 {
		t.Fatalf("old text still found: %v", ids(got))
	}
	if got, _ := db.Search(ctx, "revised", 0); len(got) != 1 {
		t.Fatalf("new text not found: %v", ids(got))
	}
	m.Deleted = true
	upsert(t, db, m)
	if got, _ := db.Search(ctx, "wording", 0); len(got) != 0 {
		t.Fatalf("deleted message found: %v", ids(got))
	}
	checkFTS(t, db)
}

// checkFTS fails unless the external-content index agrees with its table.
func checkFTS(t *testing.T, db *DB) {
	t.Helper()
	// Entries left pending (search_pending.go) are written first, as a search would.
	if err := db.indexPending(context.Background()); err != nil {
		t.Fatalf("write pending search entries: %v", err)
	}
	if _, err := db.w.Exec(`INSERT INTO messages_fts (messages_fts, rank) VALUES ('integrity-check', 1)`); err != nil {
		t.Fatalf("fts integrity: %v", err)
	}
}

func TestFTSQuery(t *testing.T) {
	tests := map[string]string{
		"hello world": `"hello" "world"*`,
		`say "hi"`:    `"say" """hi"""*`,
		"wor":         `"wor"*`,
		`* " ( )`:     ``,
		`NEAR(`:       `"NEAR("*`,
	}
	for in, want := range tests {
		if got := ftsQuery(in); got != want {
			t.Errorf("ftsQuery(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestSearchOrdersByTimeNotStorage(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	// Live messages first, then an older page back-filled: storage order and
	// time order disagree.
	upsert(t, db, newMsg("d1", 10, 100, "budget draft"), newMsg("d1", 11, 200, "budget final"))
	upsert(t, db, newMsg("d1", 1, 10, "budget idea"), newMsg("d2", 2, 150, "budget talk"))
	got, err := db.Search(ctx, "budget", 0)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{msgID(11), msgID(2), msgID(10), msgID(1)}
	if !slices.Equal(ids(got), want) {
		t.Fatalf("order %v, want %v", ids(got), want)
	}
	if got[1].DialogID != "d2" {
		t.Fatalf("dialog id lost: %+v", got[1])
	}
}

func TestSearchOnlyLastWordIsAPrefix(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	upsert(t, db, newMsg("d1", 1, 1, "deadline budget"), newMsg("d1", 2, 2, "dead budgie"))
	for q, want := range map[string][]string{
		"dead bud":     {msgID(2)},           // "dead" is a whole word: not "deadline"
		"deadline bud": {msgID(1)},           // the word being typed is a prefix
		"bu":           {msgID(2), msgID(1)}, // a short prefix finds both
		"d":            {msgID(2), msgID(1)}, // down to one character
	} {
		got, err := db.Search(ctx, q, 0)
		if err != nil || !slices.Equal(ids(got), want) {
			t.Errorf("Search(%q) = %v, %v; want %v", q, ids(got), err, want)
		}
	}
}

func TestSearchIndexHasPrefixes(t *testing.T) {
	db := openTest(t)
	var ddl string
	if err := db.r.QueryRow(`SELECT sql FROM sqlite_master WHERE name = 'messages_fts'`).Scan(&ddl); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(ddl, "prefix = '1 2 3'") {
		t.Fatalf("search index without prefix index: %s", ddl)
	}
}
