package cache_test

import (
	"context"
	"database/sql"
	"testing"
	"time"

	"github.com/cubechat/cubechat/internal/bigcache"
)

func TestScratchFTS(t *testing.T) {
	path, _ := bigcache.Path(context.Background(), bigcache.Default)
	raw, _ := sql.Open("sqlite", path+"?_pragma=query_only(1)")
	defer raw.Close()
	ctx := context.Background()
	var segs string
	raw.QueryRowContext(ctx, `SELECT count(*) FROM messages_fts_data`).Scan(&segs)
	t.Logf("fts data rows %s", segs)
	rows, _ := raw.QueryContext(ctx, `EXPLAIN QUERY PLAN SELECT m.id FROM (
				SELECT rowid AS pk FROM messages_fts WHERE messages_fts MATCH ? ORDER BY rowid DESC LIMIT ?
			) f JOIN messages m ON m.pk = f.pk
			ORDER BY m.sent_at DESC, m.arrival DESC, m.id DESC LIMIT ?`, "coffee", 500, 50)
	for rows.Next() {
		var a, b, c int
		var d string
		rows.Scan(&a, &b, &c, &d)
		t.Logf("plan: %d %d %s", a, b, d)
	}
	rows.Close()
	for _, q := range []string{`"coffee"*`, `"kalo"*`, `"the"*`, `"t"*`, `"the" "meeting"*`} {
		for _, sqlq := range []string{
			`SELECT rowid FROM messages_fts WHERE messages_fts MATCH ? ORDER BY rowid DESC LIMIT 500`,
			`SELECT rowid FROM messages_fts WHERE messages_fts MATCH ? AND rowid > 980000 ORDER BY rowid DESC LIMIT 500`,
			`SELECT rowid FROM messages_fts WHERE messages_fts MATCH ? AND rowid > 980000`,
			`SELECT rowid FROM messages_fts WHERE messages_fts MATCH ? AND rowid > 800000`,
		} {
			best := time.Hour
			n := 0
			for range 5 {
				start := time.Now()
				rows, err := raw.QueryContext(ctx, sqlq, q)
				if err != nil {
					t.Fatal(err)
				}
				n = 0
				for rows.Next() {
					n++
				}
				rows.Close()
				best = min(best, time.Since(start))
			}
			t.Logf("%-20s %-6d %8v  %s", q, n, best, sqlq[60:])
		}
	}
}
