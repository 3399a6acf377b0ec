package main

import (
	"fmt"
	"io"
	"slices"

	"github.com/cubechat/cubechat/internal/livestage"
)

// slowest prints msgs (the slowest of a path, fastest first) one by one: where a
// band's means blur the tail together, this tells a message that met a collection
// from one that met a system call or found no goroutine of ours running at all
// (the processor taken away, or everyone waiting).
func (p *parsed) slowest(w io.Writer, msgs []message, top int) {
	if len(msgs) == 0 {
		return
	}
	fmt.Fprintf(w, "  the %d slowest, one by one (µs): delay = our goroutines running + nothing of ours running\n", len(msgs))
	for _, m := range slices.Backward(msgs) {
		first := m.marks[livestage.Wire].at
		if s, ok := m.marks[livestage.Send]; ok {
			first = s.at
		}
		last := m.marks[livestage.Seen].at
		ran := map[string]float64{}
		_, covered := p.overlap(p.runs, first, last, ran)
		inSys := map[string]float64{}
		p.overlap(p.sys, first, last, inSys)
		gc := 0.0
		for _, c := range p.gcs {
			if lo, hi := max(c.t0, first), min(c.t1, last); hi > lo {
				gc += µs(hi - lo)
			}
		}
		fmt.Fprintf(w, "    %5.0f = %4.0f + %4.0f  collection %4.0f  ran: %s\n", m.delay, covered, m.delay-covered, gc, topOf(ran, 1, top))
		if len(inSys) > 0 {
			fmt.Fprintf(w, "%29s in system calls: %s\n", "", topOf(inSys, 1, top))
		}
	}
}
