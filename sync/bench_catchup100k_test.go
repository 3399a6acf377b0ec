package sync

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime/pprof"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/cubechat/cubechat/cache"
	"github.com/cubechat/cubechat/cube"
)

// seedHistory stores perDialog messages from sender in each dialog, straight in the
// server's store (parallel writers share its group commits); several messages share
// each date_sent second.
func seedHistory(h *harness, sender account, dialogs []string, perDialog int) {
	h.t.Helper()
	st := h.srv.Store()
	base := time.Now().Add(-24 * time.Hour).Unix()
	seedInParallel(h, "messages", len(dialogs)*perDialog, func(k int) error {
		d, i := dialogs[k%len(dialogs)], k/len(dialogs)
		_, err := st.StoreChatMessage(h.ctx, cube.Message{ID: cube.NewObjectID(), ChatDialogID: d,
			Message: fmt.Sprintf("message %d: see you at the meeting tomorrow", i), DateSent: base + int64(i/4),
			SenderID: sender.ID})
		return err
	})
}

// listAll pages through every message of a dialog with the SDK alone, as the
// engine's catch-up asks (newest date_sent first, pages of 100, nothing marked read).
func listAll(b *testing.B, c *cube.Client, h *harness, dialogID string) []cube.Message {
	var out []cube.Message
	for {
		page, err := c.ListMessages(h.ctx, cube.MessageFilter{DialogID: dialogID, SortDesc: "date_sent",
			Limit: pageSize, Skip: len(out), MarkAsRead: false})
		if err != nil {
			b.Fatal(err)
		}
		out = append(out, page.Items...)
		if len(page.Items) < pageSize {
			return out
		}
	}
}

// reportRates reports msgs/s of the fastest and the median of the runs, and the CPU
// time this process spent per message over all of them (server included: it runs
// here), which other load on the machine disturbs less than the wall clock.
func reportRates(b *testing.B, msgs int, took []time.Duration, cpu time.Duration) {
	slices.Sort(took)
	b.ReportMetric(float64(msgs)/took[0].Seconds(), "best-msgs/s")
	b.ReportMetric(float64(msgs)/took[len(took)/2].Seconds(), "median-msgs/s")
	b.ReportMetric(float64(cpu.Microseconds())/float64(msgs*len(took)), "cpu-µs/msg")
}

// profileEngineRun writes a CPU profile of the engine's first run alone (not the
// seeding or the references) to $CATCHUP_CPUPROFILE when that is set; the returned
// func stops it.
func profileEngineRun(b *testing.B, run int) func() {
	path := os.Getenv("CATCHUP_CPUPROFILE")
	if path == "" || run > 0 {
		return func() {}
	}
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		b.Fatal(err)
	}
	return func() {
		pprof.StopCPUProfile()
		_ = f.Close()
	}
}

// BenchmarkCatchUp100k measures the catch-up of 100,000 messages in 100 dialogs into
// an empty cache, beside its references in the same run: the SDK listing the same
// pages alone (one dialog after another), the same rows inserted with plain SQL in
// bulk (rawBulkInsert: the floor), and cache.UpsertMessages alone storing the same
// messages a page at a time. The engine's user is a returning one (the dialog
// cursor set, no message cursor): a first login fetches only a first page per dialog
// and leaves the rest to back-fill, while a returning user's catch-up fetches up to
// catchUpBudget (1,000) messages of each dialog — the path that stores all 100,000.
// One op is one whole catch-up; the engine is timed from Start to its catch-up done,
// and every message must then be in the cache; "searchable" times it on to the end
// of a first search, which writes the search entries still pending.
func BenchmarkCatchUp100k(b *testing.B) {
	const dialogs, perDialog = 100, catchUpBudget
	const total = dialogs * perDialog
	h := newHarness(b)
	ann, bob := h.user("ann"), h.user("bob")
	ids := seedGroups(h, ann, bob, dialogs)
	start := time.Now()
	seedHistory(h, ann, ids, perDialog-1) // seedGroups left one message in each
	b.Logf("seeded %d messages in %d dialogs on the server in %s", total, dialogs, time.Since(start).Round(time.Millisecond))
	c := h.client(bob)

	b.Run("reference-rest-fetch", func(b *testing.B) {
		var took []time.Duration
		cpu := processCPU()
		for range b.N {
			start := time.Now()
			got := 0
			for _, id := range ids {
				got += len(listAll(b, c, h, id))
			}
			took = append(took, time.Since(start))
			if got != total {
				b.Fatalf("fetched %d of %d", got, total)
			}
		}
		reportRates(b, total, took, processCPU()-cpu)
	})

	var pages [][]cache.Message // the same messages as cache rows, a page at a time
	for _, id := range ids {
		all := listAll(b, c, h, id)
		for p := range slices.Chunk(all, pageSize) {
			page := make([]cache.Message, len(p))
			for i, w := range p {
				page[i] = messageFromWire(w, bob.ID)
			}
			pages = append(pages, page)
		}
	}

	b.Run("reference-raw-sqlite-bulk", func(b *testing.B) {
		var took []time.Duration
		var cpu time.Duration
		for i := range b.N {
			path := filepath.Join(b.TempDir(), strconv.Itoa(i)+".db")
			db, err := cache.Open(path) // the schema
			if err != nil {
				b.Fatal(err)
			}
			_ = db.Close()
			start, cpuStart := time.Now(), processCPU()
			rawBulkInsert(b, path, pages)
			took = append(took, time.Since(start))
			cpu += processCPU() - cpuStart
		}
		reportRates(b, total, took, cpu)
	})

	b.Run("reference-cache-upsert", func(b *testing.B) {
		var took []time.Duration
		var cpu time.Duration
		for i := range b.N {
			db, err := cache.Open(filepath.Join(b.TempDir(), strconv.Itoa(i)+".db"))
			if err != nil {
				b.Fatal(err)
			}
			start, cpuStart := time.Now(), processCPU()
			stored := 0
			for _, page := range pages {
				n, err := db.UpsertMessages(h.ctx, page)
				if err != nil {
					b.Fatal(err)
				}
				stored += n
			}
			took = append(took, time.Since(start))
			cpu += processCPU() - cpuStart
			_ = db.Close()
			if stored != total {
				b.Fatalf("stored %d of %d", stored, total)
			}
		}
		reportRates(b, total, took, cpu)
	})

	b.Run("engine", func(b *testing.B) {
		var took, searchable []time.Duration
		var cpu time.Duration
		for i := range b.N {
			p := &peer{h: h, acc: bob, path: filepath.Join(b.TempDir(), strconv.Itoa(i)+".db")}
			p.open()
			// A returning user: the dialog cursor is set, the message cursors are not.
			if err := p.db.SetCursor(h.ctx, dialogsCursorKey, "1"); err != nil {
				b.Fatal(err)
			}
			if err := p.e.Login(h.ctx, bob.Login, bob.password); err != nil {
				b.Fatal(err)
			}
			statuses, unsubscribe := p.e.SubscribeStatus()
			stopProfile := profileEngineRun(b, i)
			start, cpuStart := time.Now(), processCPU()
			p.e.Start(h.ctx)
			waitSyncedWithin(b, statuses, 5*time.Minute)
			took = append(took, time.Since(start))
			cpu += processCPU() - cpuStart
			stopProfile()
			runCPU := processCPU() - cpuStart
			unsubscribe()
			// Search entries left for after the catch-up are written by the first
			// search: until then a search waits for them.
			if found, err := p.db.Search(h.ctx, "meeting", 10); err != nil || len(found) != 10 {
				b.Fatalf("search after the catch-up: %d found, %v", len(found), err)
			}
			searchable = append(searchable, time.Since(start))
			b.Logf("run %d: %s, cpu %s; searchable after %s more", i, took[len(took)-1].Round(time.Millisecond),
				runCPU.Round(time.Millisecond), (searchable[len(searchable)-1] - took[len(took)-1]).Round(time.Millisecond))
			stored := 0
			for _, id := range ids {
				stored += len(p.messages(id))
			}
			if stored != total {
				b.Fatalf("the cache holds %d of %d messages after the catch-up", stored, total)
			}
			p.close()
		}
		reportRates(b, total, took, cpu)
		slices.Sort(searchable)
		b.ReportMetric(float64(total)/searchable[len(searchable)/2].Seconds(), "median-searchable-msgs/s")
	})
}
