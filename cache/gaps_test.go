package cache

import (
	"context"
	"path/filepath"
	"slices"
	"testing"
	"time"
)

func TestIntervalArithmetic(t *testing.T) {
	type iv = interval
	tests := []struct {
		name     string
		gs       []iv
		add, sub *iv
		want     []iv
	}{
		{"add to empty", nil, &iv{10, 20}, nil, []iv{{10, 20}}},
		{"add disjoint keeps order", []iv{{30, 40}}, &iv{10, 20}, nil, []iv{{10, 20}, {30, 40}}},
		{"add overlapping merges", []iv{{10, 20}, {30, 40}}, &iv{15, 35}, nil, []iv{{10, 40}}},
		{"add touching merges", []iv{{10, 20}}, &iv{20, 25}, nil, []iv{{10, 25}}},
		{"add inside is absorbed", []iv{{10, 40}}, &iv{15, 20}, nil, []iv{{10, 40}}},
		{"remove all", []iv{{10, 20}}, nil, &iv{5, 25}, nil},
		{"remove exact", []iv{{10, 20}}, nil, &iv{10, 20}, nil},
		{"remove middle splits", []iv{{10, 40}}, nil, &iv{20, 30}, []iv{{10, 20}, {30, 40}}},
		{"remove newer part", []iv{{10, 40}}, nil, &iv{25, 50}, []iv{{10, 25}}},
		{"remove older part", []iv{{10, 40}}, nil, &iv{0, 25}, []iv{{25, 40}}},
		{"remove across two", []iv{{10, 20}, {30, 40}}, nil, &iv{15, 35}, []iv{{10, 15}, {35, 40}}},
		{"remove elsewhere", []iv{{10, 20}}, nil, &iv{30, 40}, []iv{{10, 20}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var got []iv
			if tc.add != nil {
				got = addInterval(tc.gs, *tc.add)
			} else {
				got = subtractInterval(tc.gs, *tc.sub)
			}
			if !slices.Equal(got, tc.want) {
				t.Fatalf("got %v, want %v", got, tc.want)
			}
		})
	}
}

func TestGapsPersist(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "cache.db")
	db, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	changes, cancel := db.Subscribe()
	at := func(sec int) time.Time { return base.Add(time.Duration(sec) * time.Second) }
	if err := db.AddGap(ctx, "d1", at(0), at(100)); err != nil {
		t.Fatal(err)
	}
	if c := drain(t, changes); !slices.Equal(c.Dialogs, []string{"d1"}) {
		t.Fatalf("change %+v", c)
	}
	if err := db.AddGap(ctx, "d2", at(5), at(6)); err != nil {
		t.Fatal(err)
	}
	if err := db.RemoveGap(ctx, "d1", at(60), at(100)); err != nil { // back-filled the newest part
		t.Fatal(err)
	}
	if err := db.AddGap(ctx, "d1", at(10), at(5)); err == nil {
		t.Fatal("reversed gap accepted")
	}
	if err := db.AddGap(ctx, "", at(1), at(5)); err == nil {
		t.Fatal("gap without dialog accepted")
	}
	cancel()
	db.Close()

	db, err = Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	gs, err := db.Gaps(ctx, "d1")
	if err != nil {
		t.Fatal(err)
	}
	want := []Gap{{DialogID: "d1", From: at(0), To: at(60)}}
	if len(gs) != 1 || gs[0].DialogID != want[0].DialogID || !gs[0].From.Equal(want[0].From) || !gs[0].To.Equal(want[0].To) {
		t.Fatalf("gaps after reopen = %+v, want %+v", gs, want)
	}
	if gs, _ := db.Gaps(ctx, "none"); len(gs) != 0 {
		t.Fatalf("gaps of unknown dialog: %+v", gs)
	}
}
