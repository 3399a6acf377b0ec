package cache_test

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/cubechat/cubechat/cache"
	"github.com/cubechat/cubechat/internal/bigcache"
)

// The 1M benchmarks run on issue 10's fixture: 1,000,000 messages in 10,000
// dialogs, 100,000 in one of them (internal/bigcache). It is built once into the
// temp directory (tens of seconds) and reused by later runs.

func scaleFixture(b *testing.B) string {
	b.Helper()
	start := time.Now()
	path, err := bigcache.Path(context.Background(), bigcache.Default)
	if err != nil {
		b.Fatal(err)
	}
	if d := time.Since(start); d > time.Second {
		b.Logf("built the 1M fixture in %v: %s", d.Round(time.Millisecond), path)
	}
	return path
}

func openScale(b *testing.B, path string) *cache.DB {
	b.Helper()
	db, err := cache.Open(path)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	// The integrity check of a clean start runs in the background; measuring
	// beside it would measure the two cores it shares.
	if err := db.CheckIntegrity(context.Background()); err != nil {
		b.Fatal(err)
	}
	return db
}

// BenchmarkScaleOpen is the cold start of the cache: Open, then what the dialog
// list needs before it paints (the list rows, the unread total). The reference,
// in the same run, is an empty cache.
func BenchmarkScaleOpen(b *testing.B) {
	path := scaleFixture(b)
	ctx := context.Background()
	for _, c := range []struct{ name, path string }{
		{"reference-empty-cache", filepath.Join(b.TempDir(), "empty.db")},
		{"1M-messages", path},
	} {
		b.Run(c.name, func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				db, err := cache.Open(c.path)
				if err != nil {
					b.Fatal(err)
				}
				if _, err := db.VisibleDialogs(ctx); err != nil {
					b.Fatal(err)
				}
				if _, err := db.UnreadTotal(ctx); err != nil {
					b.Fatal(err)
				}
				b.StopTimer()
				if err := db.Close(); err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
			}
		})
	}
}

// BenchmarkScaleListData is the dialog list's data on an open 1M cache: every
// visible dialog (what the list holds and filters) and the unread badge.
func BenchmarkScaleListData(b *testing.B) {
	db := openScale(b, scaleFixture(b))
	ctx := context.Background()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		list, err := db.VisibleDialogs(ctx)
		if err != nil || len(list) != bigcache.Default.Dialogs {
			b.Fatalf("%d dialogs, %v", len(list), err)
		}
		if _, err := db.UnreadTotal(ctx); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkScaleNewestPage opens the biggest dialog: its newest 50 of 100k.
func BenchmarkScaleNewestPage(b *testing.B) {
	db := openScale(b, scaleFixture(b))
	ctx := context.Background()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		page, err := db.Messages(ctx, bigcache.BigDialog, time.Time{}, "", 50)
		if err != nil || len(page) != 50 {
			b.Fatalf("page of %d, %v", len(page), err)
		}
	}
}

// BenchmarkScaleSearch runs Search for 50 results over 1M messages and reports
// the 95th percentile. The reference, in the same run, is a raw FTS5 match of
// the rare word on a connection of its own (what any search costs at the least).
func BenchmarkScaleSearch(b *testing.B) {
	path := scaleFixture(b)
	db := openScale(b, path)
	ctx := context.Background()
	raw, err := sql.Open("sqlite", path+"?_pragma=query_only(1)")
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { raw.Close() })
	b.Run("reference-raw-fts-rare", func(b *testing.B) { cache.BenchRawFTS(b, raw, bigcache.RareWord) })
	for _, q := range []string{bigcache.RareWord, "t", "th", "the", "i", "coffee", "meeting", "the meeting", "see you", "kalo"} {
		b.Run(fmt.Sprintf("%q", q), func(b *testing.B) {
			durs := make([]time.Duration, 0, b.N)
			for i := 0; i < b.N; i++ {
				start := time.Now()
				found, err := db.Search(ctx, q, 50)
				if err != nil {
					b.Fatal(err)
				}
				durs = append(durs, time.Since(start))
				if i == 0 && len(found) == 0 && q != "see you" && q != "kalo" {
					b.Fatalf("%q found nothing", q)
				}
			}
			cache.ReportP95(b, durs)
		})
	}
}
