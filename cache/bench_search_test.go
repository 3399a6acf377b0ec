package cache

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"
)

// searchFixtureMessages is the size of the search benchmark's cache: 200k
// messages build in well under a minute on a shared 2-core machine. The fixture's
// vocabulary is 48 words, so "the" is in about one message in six.
const searchFixtureMessages = 200_000

var (
	searchFixtureOnce sync.Once
	searchFixtureDir  string
	searchFixtureErr  error
)

func searchFixture(b *testing.B) *DB {
	b.Helper()
	searchFixtureOnce.Do(func() {
		searchFixtureDir, searchFixtureErr = os.MkdirTemp("", "cache-search-bench-")
		if searchFixtureErr != nil {
			return
		}
		db, err := Open(filepath.Join(searchFixtureDir, "cache.db"))
		if err != nil {
			searchFixtureErr = err
			return
		}
		defer db.Close()
		r := rand.New(rand.NewPCG(1, 2))
		for from := 0; from < searchFixtureMessages; from += 5000 {
			if _, err := db.UpsertMessages(context.Background(), fixtureBatch(r, from, 5000)); err != nil {
				searchFixtureErr = err
				return
			}
		}
	})
	if searchFixtureErr != nil {
		b.Fatal(searchFixtureErr)
	}
	db, err := Open(filepath.Join(searchFixtureDir, "cache.db"))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	return db
}

// BenchmarkSearch200k runs Search for 50 results over 200k messages and reports
// the 95th percentile beside the mean. The reference, in the same run, is a raw
// FTS5 match of the rare word (what any search costs at the least).
func BenchmarkSearch200k(b *testing.B) {
	db := searchFixture(b)
	ctx := context.Background()
	b.Run("reference-raw-fts-rare", func(b *testing.B) { BenchRawFTS(b, db.r.DB, "zanzibar") })
	for _, q := range []string{"zanzibar", "the", "th", "t", "coffee", "deadline bud", "the meeting"} {
		b.Run(fmt.Sprintf("%q", q), func(b *testing.B) {
			durs := make([]time.Duration, 0, b.N)
			for i := 0; i < b.N; i++ {
				start := time.Now()
				found, err := db.Search(ctx, q, 50)
				if err != nil || len(found) == 0 {
					b.Fatalf("found %d, %v", len(found), err)
				}
				durs = append(durs, time.Since(start))
			}
			ReportP95(b, durs)
		})
	}
}

// BenchRawFTS (exported for package cache_test) is the search benchmarks' reference: a raw FTS5 match of a rare word,
// 50 rows, on the same file (p95 reported).
func BenchRawFTS(b *testing.B, q *sql.DB, word string) {
	ctx := context.Background()
	durs := make([]time.Duration, 0, b.N)
	for i := 0; i < b.N; i++ {
		start := time.Now()
		rows, err := q.QueryContext(ctx, `SELECT rowid FROM messages_fts WHERE messages_fts MATCH ? LIMIT 50`, word)
		if err != nil {
			b.Fatal(err)
		}
		n := 0
		for rows.Next() {
			n++
		}
		rows.Close()
		if n == 0 {
			b.Fatal("rare word not found")
		}
		durs = append(durs, time.Since(start))
	}
	ReportP95(b, durs)
}

// ReportP95 reports the 95th percentile of durs in milliseconds (exported for the
// scale benchmarks of package cache_test).
func ReportP95(b *testing.B, durs []time.Duration) {
	slices.Sort(durs)
	p95 := durs[min(len(durs)-1, len(durs)*95/100)]
	b.ReportMetric(float64(p95.Microseconds())/1000, "p95-ms")
}
