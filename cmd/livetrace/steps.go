package main

import (
	"fmt"
	"io"
	"slices"
	"strings"

	"golang.org/x/exp/trace"

	"github.com/cubechat/cubechat/internal/livestage"
)

// step is the time between two consecutive marks of a message: key names it
// ("recv → take"), from and to are the marks' times.
type step struct {
	key      string
	from, to trace.Time
}

// stepsOf lists a message's steps in the order of livestage.Order, skipping the
// stages it has no mark for.
func stepsOf(m message) []step {
	var out []step
	prev := ""
	for _, s := range livestage.Order {
		if _, ok := m.marks[s]; !ok {
			continue
		}
		if prev != "" {
			out = append(out, step{prev + " → " + s, m.marks[prev].at, m.marks[s].at})
		}
		prev = s
	}
	return out
}

// stepTails prints, for each step of a path, the percentiles of its time over all
// msgs. A band's means show where a typical message spends its time; these show
// which step has the long tail, which is what a path's p99 is made of when no one
// step dominates its slowest messages.
func stepTails(w io.Writer, msgs []message) {
	times := map[string][]float64{}
	var order []string
	for _, m := range msgs {
		for _, st := range stepsOf(m) {
			if _, ok := times[st.key]; !ok {
				order = append(order, st.key)
			}
			times[st.key] = append(times[st.key], µs(st.to-st.from))
		}
	}
	// Every message passes the same steps in the same order, but a step missing from
	// the first messages would come late in order: sort by the order of the stages.
	rank := func(key string) int { return slices.Index(livestage.Order, strings.SplitN(key, " ", 2)[0]) }
	slices.SortStableFunc(order, func(a, b string) int { return rank(a) - rank(b) })
	fmt.Fprintf(w, "  each step over all %d messages (µs): p50 / p90 / p99 / max\n", len(msgs))
	for _, key := range order {
		v := times[key]
		slices.Sort(v)
		at := func(q int) float64 { return v[min(len(v)-1, len(v)*q/100)] }
		fmt.Fprintf(w, "    %-16s %6.0f / %6.0f / %6.0f / %6.0f\n", key, at(50), at(90), at(99), v[len(v)-1])
	}
}
