package cache

import (
	"context"
	"slices"
	"strings"
	"testing"
)

func TestSearchIn(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	upsert(t, db,
		newMsg("d1", 1, 1, "budget for march"),
		newMsg("d2", 2, 2, "budget for april"),
		newMsg("d1", 3, 3, "the budget is final"),
	)
	tests := []struct {
		dialog, query string
		want          []int
	}{
		{"d1", "budget", []int{3, 1}},
		{"d2", "budget", []int{2}},
		{"", "budget", []int{3, 2, 1}},
		{"d3", "budget", nil},
		{"d1", "april", nil},
		{"d1", `"`, nil},
	}
	for _, tc := range tests {
		got, err := db.SearchIn(ctx, tc.dialog, tc.query, 0)
		if err != nil {
			t.Fatalf("SearchIn(%q, %q): %v", tc.dialog, tc.query, err)
		}
		var want []string
		for _, n := range tc.want {
			want = append(want, msgID(n))
		}
		if !slices.Equal(ids(got), want) {
			t.Errorf("SearchIn(%q, %q) = %v, want %v", tc.dialog, tc.query, ids(got), want)
		}
	}
}

func TestSearchSnippetsHighlight(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	long := strings.Repeat("filler ", 60) + "the Café opens at nine " + strings.Repeat("padding ", 60)
	upsert(t, db,
		newMsg("d1", 1, 1, "Meet at the café, then café again"),
		newMsg("d1", 2, 2, long),
		newMsg("d1", 3, 3, "weird \uFDD0 marks café"),
	)
	hits, err := db.SearchSnippets(ctx, "d1", "cafe", 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(hits) != 3 {
		t.Fatalf("%d hits", len(hits))
	}
	byID := map[string]SearchHit{}
	for _, h := range hits {
		byID[h.Message.ID] = h
		for _, r := range h.Matches {
			if r.Start < 0 || r.End > len(h.Snippet) || r.Start >= r.End {
				t.Fatalf("range %v outside snippet %q", r, h.Snippet)
			}
		}
	}
	short := byID[msgID(1)]
	if short.Snippet != "Meet at the café, then café again" {
		t.Fatalf("short snippet %q", short.Snippet)
	}
	var words []string
	for _, r := range short.Matches {
		words = append(words, short.Snippet[r.Start:r.End])
	}
	if !slices.Equal(words, []string{"café", "café"}) {
		t.Fatalf("highlighted %q", words)
	}

	cut := byID[msgID(2)]
	if len(cut.Snippet) >= len(long) || !strings.Contains(cut.Snippet, "…") || len(cut.Matches) != 1 ||
		cut.Snippet[cut.Matches[0].Start:cut.Matches[0].End] != "Café" {
		t.Fatalf("long snippet %q %v", cut.Snippet, cut.Matches)
	}
	// A body with the mark characters themselves is shown whole, unmarked.
	if odd := byID[msgID(3)]; odd.Snippet != "weird \uFDD0 marks café" || odd.Matches != nil {
		t.Fatalf("odd snippet %q %v", odd.Snippet, odd.Matches)
	}
	if hits, err := db.SearchSnippets(ctx, "", "nothingmatches", 0); err != nil || hits != nil {
		t.Fatalf("no match: %v, %v", hits, err)
	}
}

func TestParseMarked(t *testing.T) {
	tests := []struct {
		in, want string
		ranges   []TextRange
	}{
		{"plain", "plain", nil},
		{matchOpen + "ab" + matchClose + " c " + matchOpen + "d" + matchClose, "ab c d", []TextRange{{0, 2}, {5, 6}}},
		{"…x " + matchOpen + "é" + matchClose, "…x é", []TextRange{{5, 7}}},
		{matchOpen + matchClose + "empty", "empty", nil},
	}
	for _, tc := range tests {
		got, ranges := parseMarked(tc.in)
		if got != tc.want || !slices.Equal(ranges, tc.ranges) {
			t.Errorf("parseMarked(%q) = %q %v, want %q %v", tc.in, got, ranges, tc.want, tc.ranges)
		}
	}
}
