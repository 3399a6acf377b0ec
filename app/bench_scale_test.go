package app

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"strconv"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/cubechat/cubechat/cache"
	"github.com/cubechat/cubechat/internal/bigcache"
	csync "github.com/cubechat/cubechat/sync"
)

// The app at issue 10's scale: a cache of 1,000,000 messages in 10,000 dialogs
// (internal/bigcache), signed in offline (the server's address is closed), as a
// returning user without network starts. Each benchmark runs its reference in
// the same run: the same start on a cache holding only the account.

// scaleCopy copies the 1M fixture into a temp dir for a run that writes to it
// (opening a dialog marks it read).
func scaleCopy(b *testing.B) string {
	b.Helper()
	dst := filepath.Join(b.TempDir(), "cache.db")
	if err := bigcache.Copy(context.Background(), bigcache.Default, dst); err != nil {
		b.Fatal(err)
	}
	return dst
}

// accountOnlyCache is the reference: a cache holding the fixture's account and
// nothing else, so the same offline sign-in reaches the main screen.
func accountOnlyCache(tb testing.TB, dir string) string {
	tb.Helper()
	path := filepath.Join(dir, "cache.db")
	db, err := cache.Open(path)
	if err != nil {
		tb.Fatal(err)
	}
	defer db.Close()
	if err := db.SaveAccount(context.Background(), cache.Account{UserID: bigcache.Me, Login: "me", FullName: "Me Myself"}); err != nil {
		tb.Fatal(err)
	}
	return path
}

// startOffline builds the UI on the cache at path and signs in offline as the
// fixture's user. The caller closes the UI, then the cache.
func startOffline(tb testing.TB, a fyne.App, db *cache.DB, addr string) *UI {
	tb.Helper()
	profile := csync.Profile{Name: "down", APIURL: "http://" + addr, ChatHost: addr, ChatDomain: "localhost",
		ChatTLS: "tls", AppID: 1, AuthKey: "k"}
	u, err := New(a, Deps{
		Cache:     db,
		NewEngine: func(p csync.Profile) *csync.Engine { return csync.New(db, p, nil) },
		Demo:      &DemoLogin{Profile: profile, Login: "me", Password: "pw"},
	})
	if err != nil {
		tb.Fatal(err)
	}
	onUI(func() { u.Window().Resize(fyne.NewSize(1000, 700)) })
	return u
}

// pollUI re-checks cond (run as on the UI goroutine) every 200 µs, so that the
// time measured is the app's and not the poll's.
func pollUI(tb testing.TB, what string, timeout time.Duration, cond func() bool) {
	tb.Helper()
	deadline := time.Now().Add(timeout)
	for {
		var ok bool
		onUI(func() { ok = cond() })
		if ok {
			return
		}
		if time.Now().After(deadline) {
			tb.Fatalf("timed out after %v waiting for %s", timeout, what)
		}
		time.Sleep(200 * time.Microsecond)
	}
}

// listHas is true once the dialog list shows at least want rows (the empty label
// when want is 0).
func listHas(u *UI, want int) bool {
	m := u.main
	if m == nil {
		return false
	}
	if want == 0 {
		return len(m.shown) == 0 && m.empty.Visible()
	}
	return len(m.shown) >= want && m.list.Length() == len(m.shown)
}

// BenchmarkScaleColdStart measures a start on the 1M cache: cache.Open, the
// window, the offline sign-in and the dialog list, reporting when the list first
// shows rows (painted-ms: a window's worth and more, the list's head) and when it
// holds all 10,000 dialogs (full-ms). The reference is the same start on a cache
// with only the account ("No chats yet").
func BenchmarkScaleColdStart(b *testing.B) {
	addr := closedAddrTB(b)
	for _, c := range []struct {
		name, path string
		dialogs    int
	}{
		{"reference-account-only", accountOnlyCache(b, b.TempDir()), 0},
		{"1M-messages", scaleCopy(b), bigcache.Default.Dialogs},
	} {
		b.Run(c.name, func(b *testing.B) {
			var painted, full time.Duration
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				a := test.NewTempApp(b)
				b.StartTimer()
				start := time.Now()
				db, err := cache.Open(c.path)
				if err != nil {
					b.Fatal(err)
				}
				u := startOffline(b, a, db, addr)
				pollUI(b, "the first rows", time.Minute, func() bool { return listHas(u, min(c.dialogs, listHead)) })
				painted += time.Since(start)
				pollUI(b, "the whole list", time.Minute, func() bool { return listHas(u, c.dialogs) })
				full += time.Since(start)
				b.StopTimer()
				u.Close()
				if err := db.Close(); err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
			}
			b.ReportMetric(float64(painted.Microseconds())/1000/float64(b.N), "painted-ms")
			b.ReportMetric(float64(full.Microseconds())/1000/float64(b.N), "full-ms")
		})
	}
}

// BenchmarkScaleReloadDialogs is what a change costs the list on the 1M cache:
// reading the whole list again (a change of users, or of more than patchMax
// dialogs) and patching in the one dialog a change names (a message, a read),
// beside the reference of the same on a cache with one dialog.
func BenchmarkScaleReloadDialogs(b *testing.B) {
	addr := closedAddrTB(b)
	ctx := context.Background()
	for _, c := range []struct {
		name, path string
		dialogs    int
	}{
		{"reference-one-dialog", accountOnlyCache(b, b.TempDir()), 1},
		{"1M-messages", scaleCopy(b), bigcache.Default.Dialogs},
	} {
		b.Run(c.name, func(b *testing.B) {
			db, err := cache.Open(c.path)
			if err != nil {
				b.Fatal(err)
			}
			defer db.Close()
			if c.dialogs == 1 {
				if err := db.UpsertDialogs(ctx, []cache.Dialog{{ID: "d1", Type: dialogPrivate, OccupantIDs: []int64{1, 2}}}); err != nil {
					b.Fatal(err)
				}
			}
			if err := db.CheckIntegrity(ctx); err != nil {
				b.Fatal(err)
			}
			u := startOffline(b, test.NewTempApp(b), db, addr)
			defer u.Close()
			pollUI(b, "the dialog list", time.Minute, func() bool { return listHas(u, c.dialogs) })
			m := u.main
			b.Run("whole-list", func(b *testing.B) {
				for i := 0; i < b.N; i++ {
					m.reloadDialogs()
				}
			})
			b.Run("patch-one-dialog", func(b *testing.B) {
				var id string
				onUI(func() { id = m.shown[len(m.shown)/2].ID })
				for i := 0; i < b.N; i++ {
					m.patchDialogs([]string{id}, nil)
				}
			})
		})
	}
}

// rssChildEnv names the cache a child process of BenchmarkScaleRSS starts on.
const rssChildEnv = "CUBECHAT_SCALE_RSS_CACHE"

// BenchmarkScaleRSS measures the resident memory of a process that starts the
// app on the 1M cache and opens 20 dialogs, one after the other, each until its
// newest page shows, and the CPU time that process used. The references are a
// process at the login screen of an empty cache, and the 1M process with the Go
// runtime's memory soft-limited to 100 MiB (GOMEMLIMIT: what a limit would buy,
// and cost in CPU). Each is a child process (this test binary, TestScaleRSSChild),
// so the benchmark's own memory does not count.
func BenchmarkScaleRSS(b *testing.B) {
	empty := filepath.Join(b.TempDir(), "empty.db")
	for _, c := range []struct{ name, mode, env string }{
		{"reference-login-screen", "login", ""},
		{"1M-messages-20-dialogs-opened", "open20", ""},
		{"1M-messages-20-dialogs-opened-GOMEMLIMIT-100MiB", "open20", "GOMEMLIMIT=100MiB"},
	} {
		b.Run(c.name, func(b *testing.B) {
			var peak float64
			var cpu time.Duration
			for i := 0; i < b.N; i++ {
				path := empty
				if c.mode == "open20" {
					b.StopTimer()
					path = scaleCopy(b) // a fresh copy: opening dialogs writes
					b.StartTimer()
				}
				rss, used := runRSSChild(b, path, c.mode, c.env)
				peak, cpu = max(peak, rss), cpu+used
			}
			b.ReportMetric(peak, "RSS-MiB")
			b.ReportMetric(cpu.Seconds()/float64(b.N), "CPU-s")
		})
	}
}

func runRSSChild(b *testing.B, path, mode, env string) (rssMiB float64, cpu time.Duration) {
	b.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestScaleRSSChild$", "-test.v", "-test.count=1")
	cmd.Env = append(os.Environ(), rssChildEnv+"="+mode+":"+path)
	if env != "" {
		cmd.Env = append(cmd.Env, env)
	}
	out, err := cmd.CombinedOutput()
	if err != nil {
		b.Fatalf("child: %v\n%s", err, out)
	}
	cpu = cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
	sc := bufio.NewScanner(strings.NewReader(string(out)))
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(strings.TrimSpace(sc.Text()), "rss-kib "); ok {
			kib, err := strconv.ParseFloat(rest, 64)
			if err != nil {
				b.Fatal(err)
			}
			return kib / 1024, cpu
		}
	}
	b.Fatalf("child printed no rss line:\n%s", out)
	return 0, 0
}

// TestScaleRSSChild is BenchmarkScaleRSS's child process; run alone it skips.
func TestScaleRSSChild(t *testing.T) {
	spec := os.Getenv(rssChildEnv)
	if spec == "" {
		t.Skip("run by BenchmarkScaleRSS")
	}
	mode, path, _ := strings.Cut(spec, ":")
	db, err := cache.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	diag(t, "open")
	a := test.NewTempApp(t)
	switch mode {
	case "login":
		u := newTestUIOn(t, a, Deps{Cache: db, NewEngine: func(p csync.Profile) *csync.Engine { return csync.New(db, p, nil) }})
		pollUI(t, "the login screen", time.Minute, func() bool { return u.login != nil })
	case "open20":
		u := startOffline(t, a, db, closedAddr(t))
		defer u.Close()
		pollUI(t, "the dialog list", time.Minute, func() bool { return u.main != nil && len(u.main.shown) > 20 })
		diag(t, "list")
		for i := range 20 {
			var id string
			onUI(func() { id = u.main.shown[i].ID; u.main.selectDialog(id) })
			pollUI(t, "dialog "+id, time.Minute, func() bool {
				h := u.main.chat.history
				return len(h.msgs) > 0 && h.msgs[len(h.msgs)-1].DialogID == id
			})
			diag(t, "opened "+id)
		}
	default:
		t.Fatalf("unknown mode %q", mode)
	}
	fmt.Printf("rss-kib %d\n", vmRSSKiB(t))
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	fmt.Fprintf(os.Stderr, "diag live heap after a GC: %d MiB\n", ms.HeapAlloc>>20)
	if f := os.Getenv("CUBECHAT_SCALE_HEAP"); f != "" {
		out, _ := os.Create(f)
		pprof.WriteHeapProfile(out)
		out.Close()
	}
}

// vmRSSKiB reads this process's resident set size.
func vmRSSKiB(t *testing.T) int64 {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		t.Fatal(err)
	}
	for line := range strings.Lines(string(data)) {
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kib, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			if err != nil {
				t.Fatal(err)
			}
			return kib
		}
	}
	t.Fatal("no VmRSS in /proc/self/status")
	return 0
}

// closedAddrTB is closedAddr for benchmarks.
func closedAddrTB(tb testing.TB) string {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// diag prints the child's memory at a stage of its run (on stderr, beside the
// benchmark's line), to see where it grows; CUBECHAT_SCALE_HEAP=file also writes
// a heap profile at the end.
func diag(t *testing.T, what string) {
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	fmt.Fprintf(os.Stderr, "diag %-22s %s rss=%dKiB heapInuse=%dMiB heapSys=%dMiB sys=%dMiB\n", what, time.Now().Format("05.000"), vmRSSKiB(t), ms.HeapInuse>>20, ms.HeapSys>>20, ms.Sys>>20)
}
