// Command livetrace reads a Go runtime trace of a live benchmark and tells where a
// message's time went: the percentiles of each step internal/livestage marks over all
// messages; for the messages around the median and for the slowest, the mean time
// between the steps, which goroutines ran on the processors meanwhile, and for how
// long more than one goroutine ran at once; with -each, the slowest one by one.
//
//	go test -c -o /tmp/sync.test ./sync
//	cd sync && /tmp/sync.test -test.run '^$' -test.bench LiveTakingTurns -test.benchtime 1x -test.trace /tmp/live.trace
//	go run ./cmd/livetrace /tmp/live.trace
//
// A message marked Send is the engine's (from Send to the receiver's change feed);
// one whose first mark is Wire is the raw SDK's (from SendMessage to the receiving
// connection's event). docs/benchmarks.md, "Issue 10, live path, round 6", shows
// what it found.
package main

import (
	"cmp"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"sort"
	"strings"

	"golang.org/x/exp/trace"

	"github.com/cubechat/cubechat/internal/livestage"
)

func main() {
	top := flag.Int("top", 6, "goroutines listed per step")
	each := flag.Int("each", 0, "also list this many of the slowest messages of each path one by one")
	flag.Usage = func() {
		fmt.Fprintln(flag.CommandLine.Output(), "usage: livetrace [-top n] [-each n] trace-file")
		flag.PrintDefaults()
	}
	flag.Parse()
	if flag.NArg() != 1 {
		flag.Usage()
		os.Exit(2)
	}
	f, err := os.Open(flag.Arg(0))
	if err != nil {
		fmt.Fprintln(os.Stderr, "livetrace:", err)
		os.Exit(1)
	}
	defer f.Close()
	t, err := read(f)
	if err != nil {
		fmt.Fprintln(os.Stderr, "livetrace:", err)
		os.Exit(1)
	}
	report(os.Stdout, t, *top, *each)
}

// span is a goroutine running (or, in gcs, a collection) from t0 to t1.
type span struct {
	g      trace.GoID
	t0, t1 trace.Time
}

// syscall is a goroutine in a system call, and what the call was for (sysKind).
type syscall struct {
	span
	kind string
}

// mark is one livestage mark of a message.
type mark struct {
	at trace.Time
	g  trace.GoID
}

// parsed is what the report needs from a trace.
type parsed struct {
	label map[trace.GoID]string      // a goroutine's start function
	runs  []span                     // every stretch a goroutine ran, by start
	sys   []span                     // every stretch a goroutine spent in a system call, by start
	calls []syscall                  // the same, with what each was for
	gcs   []span                     // garbage collections
	marks map[string]map[string]mark // message id → step → mark
}

func read(r io.Reader) (*parsed, error) {
	tr, err := trace.NewReader(r)
	if err != nil {
		return nil, err
	}
	p := &parsed{label: map[trace.GoID]string{}, marks: map[string]map[string]mark{}}
	running := map[trace.GoID]trace.Time{}
	inSyscall := map[trace.GoID]syscall{}
	var gcStart trace.Time
	for {
		ev, err := tr.ReadEvent()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, err
		}
		switch ev.Kind() {
		case trace.EventStateTransition:
			st := ev.StateTransition()
			if st.Resource.Kind != trace.ResourceGoroutine {
				continue
			}
			g := st.Resource.Goroutine()
			from, to := st.Goroutine()
			if fn := startFunc(st.Stack); fn != "" && (p.label[g] == "" || from == trace.GoNotExist) {
				p.label[g] = fn
			}
			if to == trace.GoRunning {
				running[g] = ev.Time()
			}
			if from == trace.GoRunning {
				if t0, ok := running[g]; ok {
					p.runs = append(p.runs, span{g, t0, ev.Time()})
					delete(running, g)
				}
			}
			if to == trace.GoSyscall {
				inSyscall[g] = syscall{span{g, ev.Time(), 0}, sysKind(st.Stack)}
			}
			if from == trace.GoSyscall {
				if c, ok := inSyscall[g]; ok {
					c.t1 = ev.Time()
					p.sys = append(p.sys, c.span)
					p.calls = append(p.calls, c)
					delete(inSyscall, g)
				}
			}
		case trace.EventLog:
			l := ev.Log()
			if p.marks[l.Message] == nil {
				p.marks[l.Message] = map[string]mark{}
			}
			p.marks[l.Message][l.Category] = mark{ev.Time(), ev.Goroutine()}
		case trace.EventRangeBegin:
			if strings.Contains(ev.Range().Name, "GC") {
				gcStart = ev.Time()
			}
		case trace.EventRangeEnd:
			if strings.Contains(ev.Range().Name, "GC") && gcStart != 0 {
				p.gcs = append(p.gcs, span{0, gcStart, ev.Time()})
			}
		}
	}
	sort.Slice(p.runs, func(i, j int) bool { return p.runs[i].t0 < p.runs[j].t0 })
	sort.Slice(p.sys, func(i, j int) bool { return p.sys[i].t0 < p.sys[j].t0 })
	return p, nil
}

// startFunc is the outermost frame of a stack: the function its goroutine began in.
func startFunc(s trace.Stack) string {
	fn := ""
	for f := range s.Frames() {
		fn = f.Func
	}
	if i := strings.LastIndex(fn, "/"); i >= 0 {
		fn = fn[i+1:]
	}
	return fn
}

// maxRun bounds how long ago a goroutine may have started running and still overlap a
// window (a goroutine that runs longer is cut at this bound).
const maxRun = trace.Time(50e6)

// busy adds to acc, per goroutine label, the running time inside [a, b], and returns
// the time within it when more than one goroutine ran at once.
func (p *parsed) busy(a, b trace.Time, acc map[string]float64) (parallel float64) {
	parallel, _ = p.overlap(p.runs, a, b, acc)
	return parallel
}

// overlap adds to acc, per goroutine label, the time spans spent inside [a, b], and
// returns the time within it covered by two or more spans and by at least one.
func (p *parsed) overlap(spans []span, a, b trace.Time, acc map[string]float64) (parallel, covered float64) {
	type edge struct {
		at trace.Time
		d  int
	}
	var edges []edge
	for i := sort.Search(len(spans), func(i int) bool { return spans[i].t0 >= a-maxRun }); i < len(spans) && spans[i].t0 < b; i++ {
		r := spans[i]
		lo, hi := max(r.t0, a), min(r.t1, b)
		if hi <= lo {
			continue
		}
		acc[p.label[r.g]] += µs(hi - lo)
		edges = append(edges, edge{lo, 1}, edge{hi, -1})
	}
	sort.Slice(edges, func(i, j int) bool { return edges[i].at < edges[j].at })
	n, prev := 0, trace.Time(0)
	for _, e := range edges {
		if n >= 2 {
			parallel += µs(e.at - prev)
		}
		if n >= 1 {
			covered += µs(e.at - prev)
		}
		n, prev = n+e.d, e.at
	}
	return parallel, covered
}

func µs(d trace.Time) float64 { return float64(d) / 1e3 }

// message is one message's marks and its delay from its first mark to Seen.
type message struct {
	marks map[string]mark
	delay float64
}

func report(w io.Writer, p *parsed, top, each int) {
	var raw, engine []message
	for _, m := range p.marks {
		seen, ok := m[livestage.Seen]
		if !ok {
			continue
		}
		if s, ok := m[livestage.Send]; ok {
			engine = append(engine, message{m, µs(seen.at - s.at)})
		} else if s, ok := m[livestage.Wire]; ok {
			raw = append(raw, message{m, µs(seen.at - s.at)})
		}
	}
	for _, path := range []struct {
		name string
		msgs []message
	}{{"raw SDK (SendMessage → receiver's event)", raw}, {"engine (Send → receiver's change feed)", engine}} {
		if len(path.msgs) == 0 {
			continue
		}
		msgs := path.msgs
		slices.SortFunc(msgs, func(a, b message) int { return cmp.Compare(a.delay, b.delay) })
		at := func(q int) float64 { return msgs[min(len(msgs)-1, len(msgs)*q/100)].delay }
		fmt.Fprintf(w, "== %s: %d messages, p50 %.0f µs, p90 %.0f, p99 %.0f\n", path.name, len(msgs), at(50), at(90), at(99))
		stepTails(w, msgs)
		for _, band := range [][2]int{{40, 60}, {97, 100}} {
			p.band(w, msgs[len(msgs)*band[0]/100:len(msgs)*band[1]/100], band, top)
		}
		p.slowest(w, msgs[max(0, len(msgs)-each):], top)
	}
}

// band prints the means over msgs (those between two percentiles of delay).
func (p *parsed) band(w io.Writer, msgs []message, band [2]int, top int) {
	if len(msgs) == 0 {
		return
	}
	n := float64(len(msgs))
	steps := map[string]float64{}
	who := map[string]map[string]float64{}
	var order []string
	all := map[string]float64{}
	var parallel float64
	gcHit := 0
	for _, m := range msgs {
		for _, st := range stepsOf(m) {
			if who[st.key] == nil {
				order = append(order, st.key)
				who[st.key] = map[string]float64{}
			}
			steps[st.key] += µs(st.to - st.from)
			p.busy(st.from, st.to, who[st.key])
		}
		first, last := window(m)
		parallel += p.busy(first, last, all)
		for _, gc := range p.gcs {
			if gc.t1 > first && gc.t0 < last {
				gcHit++
				break
			}
		}
	}
	total := 0.0
	for _, v := range all {
		total += v
	}
	fmt.Fprintf(w, "  p%d–p%d (%d messages; %d met a collection): running %.0f µs per message, of which %.0f µs with two or more goroutines at once\n",
		band[0], band[1], len(msgs), gcHit, total/n, parallel/n)
	for _, key := range order {
		fmt.Fprintf(w, "    %-16s %6.0f µs  %s\n", key, steps[key]/n, topOf(who[key], n, top))
	}
	p.slowCalls(w, msgs)
}

// topOf lists the goroutines that ran longest, per message.
func topOf(acc map[string]float64, n float64, top int) string {
	type entry struct {
		fn string
		us float64
	}
	var es []entry
	for fn, v := range acc {
		if v/n >= 3 {
			es = append(es, entry{fn, v / n})
		}
	}
	slices.SortFunc(es, func(a, b entry) int { return cmp.Compare(b.us, a.us) })
	var parts []string
	for i, e := range es {
		if i == top {
			break
		}
		parts = append(parts, fmt.Sprintf("%s %.0f", e.fn, e.us))
	}
	return strings.Join(parts, ", ")
}
