package sync

import (
	"fmt"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/cubechat/cubechat/cache"
	"github.com/cubechat/cubechat/cube"
	"github.com/cubechat/cubechat/cubeserver/store"
	"golang.org/x/sync/errgroup"
)

// seedGroups creates n group dialogs owned by owner with member in them, each with
// one message, straight in the server's store (parallel writers share its group
// commits). It returns their ids.
func seedGroups(h *harness, owner, member account, n int) []string {
	h.t.Helper()
	st := h.srv.Store()
	ids := make([]string, n)
	seedInParallel(h, "dialogs", n, func(i int) error {
		d, _, err := st.CreateDialog(h.ctx, store.NewDialog{Type: cube.DialogGroup, OwnerID: owner.ID,
			Name: fmt.Sprint("group ", i), OccupantIDs: []int64{member.ID}})
		if err != nil {
			return err
		}
		ids[i] = d.ID
		_, err = st.StoreChatMessage(h.ctx, cube.Message{ID: cube.NewObjectID(), ChatDialogID: d.ID,
			Message: fmt.Sprint("hello ", i), SenderID: owner.ID})
		return err
	})
	return ids
}

// waitCatchUp waits, on a status subscription taken before the connection dropped,
// for the next Ready and then for its catch-up to end; it returns how long the
// catch-up took from Ready.
func waitCatchUp(tb testing.TB, statuses <-chan Status) time.Duration {
	tb.Helper()
	deadline := time.After(waitLimit)
	var ready time.Time
	sawDrop := false
	for {
		select {
		case s := <-statuses:
			switch {
			case s.State != StateReady:
				sawDrop = true
			case sawDrop && ready.IsZero() && s.Syncing:
				ready = time.Now()
			case !ready.IsZero() && !s.Syncing:
				if s.Err != nil {
					tb.Fatalf("catch-up failed: %v", s.Err)
				}
				return time.Since(ready)
			}
		case <-deadline:
			tb.Fatalf("no Ready and caught up within %s", waitLimit)
		}
	}
}

// waitSyncedWithin waits until the engine is Ready and caught up, for longer than
// waitLimit: a first sync of thousands of dialogs, in a benchmark's setup.
func waitSyncedWithin(tb testing.TB, statuses <-chan Status, limit time.Duration) {
	tb.Helper()
	deadline := time.After(limit)
	for {
		select {
		case s := <-statuses:
			if s.State == StateReady && !s.Syncing && s.Err == nil {
				return
			}
		case <-deadline:
			tb.Fatalf("not Ready and caught up within %s", limit)
		}
	}
}

// BenchmarkReconnect10k measures a reconnect with nothing new: bob has 10,000 group
// dialogs, all cached and caught up by the engine's own first sync, and his chat
// connection drops and comes back. One op is one reconnect; "ms/catch-up" is the time
// from the engine being Ready to its catch-up done, "requests/op" the REST requests
// it made (through a counting proxy). The newest second of activity holds one
// dialog, as when activity is spread over time: the dialog cursor re-lists its own
// second (updated_at[gte]), see catchup.go.
func BenchmarkReconnect10k(b *testing.B) { benchReconnect(b, true) }

// BenchmarkReconnect10kCrowdedSecond is BenchmarkReconnect10k without the spread:
// the dialogs were created as fast as the store takes them, so the newest second of
// activity holds hundreds of them. Within closedAfter of that second each of them is
// asked for its messages again on every reconnect; the benchmark waits that long
// first (a reconnect a minute or more after the last activity), when the dialog
// cursor has moved past the second (nextDialogCursor).
func BenchmarkReconnect10kCrowdedSecond(b *testing.B) { benchReconnect(b, false) }

func benchReconnect(b *testing.B, spread bool) {
	const dialogs = 10_000
	h := newHarness(b)
	ann, bob := h.user("ann"), h.user("bob")
	start := time.Now()
	ids := seedGroups(h, ann, bob, dialogs)
	want := 1
	if spread {
		time.Sleep(1100 * time.Millisecond)
		if _, err := h.srv.Store().StoreChatMessage(h.ctx, cube.Message{ID: cube.NewObjectID(), ChatDialogID: ids[0],
			Message: "the newest", SenderID: ann.ID}); err != nil {
			b.Fatal(err)
		}
		want = 2
	} else {
		time.Sleep(closedAfter + time.Second)
	}
	b.Logf("seeded %d dialogs on the server in %s", dialogs, time.Since(start).Round(time.Millisecond))

	counter, proxyURL := newRequestCounter(h)
	p := &peer{h: h, acc: bob, path: filepath.Join(b.TempDir(), "bob.db")}
	db, err := cache.Open(p.path)
	if err != nil {
		b.Fatal(err)
	}
	prof := h.profile()
	prof.APIURL = proxyURL
	p.db, p.e = db, New(db, prof, testLogger("bob"))
	b.Cleanup(p.close)
	if err := p.e.Login(h.ctx, bob.Login, bob.password); err != nil {
		b.Fatal(err)
	}
	start = time.Now()
	statuses, unsubscribe := p.e.SubscribeStatus()
	p.e.Start(h.ctx)
	waitSyncedWithin(b, statuses, 3*time.Minute) // the first sync asks every dialog's page
	unsubscribe()
	p.waitMessages(ids[0], want, nil)
	b.Logf("first sync of %d dialogs: %s, %d REST requests", dialogs, time.Since(start).Round(time.Millisecond), counter.n.Load())
	if got, err := p.db.Dialogs(h.ctx); err != nil || len(got) != dialogs {
		b.Fatalf("%d dialogs cached (%v)", len(got), err)
	}

	var took []time.Duration
	requests := int64(0)
	counter.take()
	b.ResetTimer()
	for range b.N {
		statuses, unsubscribe := p.e.SubscribeStatus()
		before := counter.n.Load()
		_ = p.e.connChat().Disconnect()
		took = append(took, waitCatchUp(b, statuses))
		unsubscribe()
		requests += counter.n.Load() - before
		b.Logf("reconnect: %s, %d requests %v", took[len(took)-1].Round(time.Millisecond), counter.n.Load()-before, counter.take())
	}
	b.StopTimer()
	slices.Sort(took)
	b.ReportMetric(float64(took[0].Microseconds())/1000, "min-ms/catch-up")
	b.ReportMetric(float64(took[len(took)/2].Microseconds())/1000, "median-ms/catch-up")
	b.ReportMetric(float64(requests)/float64(b.N), "requests/op")
}

// seedInParallel runs do for 0…n-1 on 8 workers (the server's store merges their
// writes into group commits) and fails the benchmark on the first error.
func seedInParallel(h *harness, what string, n int, do func(i int) error) {
	h.t.Helper()
	var g errgroup.Group
	g.SetLimit(8)
	for i := range n {
		g.Go(func() error { return do(i) })
	}
	if err := g.Wait(); err != nil {
		h.t.Fatalf("seeding %s: %v", what, err)
	}
}
