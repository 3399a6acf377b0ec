package cache

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// The benchmarks report ns/op for the three hot paths: a catch-up batch, opening
// a dialog (its newest page) and a search, the last two over 100k messages.

const (
	fixtureMessages = 100_000
	fixtureDialogs  = 20
)

var (
	fixtureOnce sync.Once
	fixtureDir  string
	fixtureErr  error
)

func TestMain(m *testing.M) {
	if path := os.Getenv(peekHelperEnv); path != "" {
		peekHelper(path) // a child process of TestAnotherProcessCannotOpenTheCache
		return
	}
	code := m.Run()
	for _, dir := range []string{fixtureDir, searchFixtureDir} {
		if dir != "" {
			os.RemoveAll(dir)
		}
	}
	os.Exit(code)
}

var words = strings.Fields(`the a to and of in is it you that for on are with be this have at not
	meeting tomorrow lunch coffee project release deploy review weekend photo call later thanks
	great sure maybe deadline budget invoice holiday train airport dinner movie music football`)

// fakeBody is a deterministic sentence of 4–12 common words.
func fakeBody(r *rand.Rand) string {
	n := 4 + r.IntN(9)
	parts := make([]string, n)
	for i := range parts {
		parts[i] = words[r.IntN(len(words))]
	}
	return strings.Join(parts, " ")
}

// fixtureBatch makes messages [from, from+n) spread over the fixture's dialogs,
// several per second.
func fixtureBatch(r *rand.Rand, from, n int) []Message {
	out := make([]Message, n)
	for i := range out {
		k := from + i
		out[i] = Message{
			ID: msgID(k + 1), DialogID: fmt.Sprintf("dialog-%02d", k%fixtureDialogs),
			SenderID: int64(1 + k%7), RecipientID: 99, Body: fakeBody(r),
			SentAt: base.Add(time.Duration(k/4) * time.Second), State: StateRead,
		}
	}
	if from == 0 {
		out[n/2].Body = "zanzibar itinerary attached" // a rare word for the search benchmark
	}
	return out
}

// benchFixture returns a cache with 100k messages, built once per test binary run.
func benchFixture(b *testing.B) *DB {
	b.Helper()
	fixtureOnce.Do(func() {
		fixtureDir, fixtureErr = os.MkdirTemp("", "cache-bench-")
		if fixtureErr != nil {
			return
		}
		db, err := Open(filepath.Join(fixtureDir, "cache.db"))
		if err != nil {
			fixtureErr = err
			return
		}
		defer db.Close()
		r := rand.New(rand.NewPCG(1, 2))
		for from := 0; from < fixtureMessages; from += 5000 {
			if _, err := db.UpsertMessages(context.Background(), fixtureBatch(r, from, 5000)); err != nil {
				fixtureErr = err
				return
			}
		}
	})
	if fixtureErr != nil {
		b.Fatal(fixtureErr)
	}
	db, err := Open(filepath.Join(fixtureDir, "cache.db"))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	return db
}

// BenchmarkUpsertMessages stores one catch-up batch of 500 new messages per op
// (one transaction, search index included).
func BenchmarkUpsertMessages(b *testing.B) {
	db := openTest(b)
	ctx := context.Background()
	r := rand.New(rand.NewPCG(3, 4))
	const batch = 500
	batches := make([][]Message, b.N)
	for i := range batches {
		batches[i] = fixtureBatch(r, 1+i*batch, batch)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if n, err := db.UpsertMessages(ctx, batches[i]); err != nil || n != batch {
			b.Fatalf("inserted %d, %v", n, err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*batch), "ns/msg")
}

// BenchmarkNewestPage reads the newest 50 messages of a dialog in a 100k cache.
func BenchmarkNewestPage(b *testing.B) {
	db := benchFixture(b)
	ctx := context.Background()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		page, err := db.Messages(ctx, fmt.Sprintf("dialog-%02d", i%fixtureDialogs), time.Time{}, "", 50)
		if err != nil || len(page) != 50 {
			b.Fatalf("page of %d, %v", len(page), err)
		}
	}
}

// BenchmarkSearch runs searches over a 100k cache: a rare word, a common word
// (limit 50, newest first) and a two-word prefix query.
func BenchmarkSearch(b *testing.B) {
	db := benchFixture(b)
	ctx := context.Background()
	for _, q := range []string{"zanzibar", "coffee", "dead bud"} {
		b.Run(q, func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				found, err := db.Search(ctx, q, 50)
				if err != nil || len(found) == 0 {
					b.Fatalf("found %d, %v", len(found), err)
				}
			}
		})
	}
}

// BenchmarkAddMarkers records a read marker from the peer on a 500-message
// batch of my messages (one transaction), as after a long offline stretch.
func BenchmarkAddMarkers(b *testing.B) {
	db := openTest(b)
	ctx := context.Background()
	if err := db.SaveAccount(ctx, Account{UserID: 1, Login: "me"}); err != nil {
		b.Fatal(err)
	}
	r := rand.New(rand.NewPCG(5, 6))
	const batch = 500
	var all [][]string
	for i := 0; i < b.N; i++ {
		msgs := fixtureBatch(r, 1+i*batch, batch)
		for j := range msgs {
			msgs[j].DialogID, msgs[j].SenderID, msgs[j].State = "d", 1, StateSent
		}
		if _, err := db.UpsertMessages(ctx, msgs); err != nil {
			b.Fatal(err)
		}
		all = append(all, ids(msgs))
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if n, err := db.AddMarkers(ctx, "d", all[i], 2, MarkerRead); err != nil || n != batch {
			b.Fatalf("changed %d, %v", n, err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*batch), "ns/marker")
}
