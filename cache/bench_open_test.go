package cache

import (
	"context"
	"path/filepath"
	"testing"
)

// BenchmarkColdOpen opens the 200k-message search fixture (about 50 MB) and reads
// the dialog list, as the app does before painting; the reference, in the same
// run, does the same with an empty cache.
func BenchmarkColdOpen(b *testing.B) {
	ctx := context.Background()
	searchFixture(b).Close() // built, and closed cleanly
	for _, c := range []struct{ name, path string }{
		{"reference-empty-cache", filepath.Join(b.TempDir(), "empty.db")},
		{"200k-messages", filepath.Join(searchFixtureDir, "cache.db")},
	} {
		b.Run(c.name, func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				db, err := Open(c.path)
				if err != nil {
					b.Fatal(err)
				}
				if _, err := db.VisibleDialogs(ctx); err != nil {
					b.Fatal(err)
				}
				b.StopTimer()
				db.Close()
				b.StartTimer()
			}
		})
	}
}
