package main

import (
	"fmt"
	"io"
	"slices"
	"strings"

	"golang.org/x/exp/trace"

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
		first, last := window(m)
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
		fmt.Fprintf(w, "%29s steps: %s\n", "", steps(m))
	}
}

// steps lists the time between a message's consecutive marks.
func steps(m message) string {
	var parts []string
	for _, st := range stepsOf(m) {
		parts = append(parts, fmt.Sprintf("%s %.0f", st.key, µs(st.to-st.from)))
	}
	return strings.Join(parts, ", ")
}

// The system calls that stood out in the tail, told apart by their stacks.
const (
	sysLogRestart = "new-log fsync"    // a commit that started the WAL again syncs its header
	sysCheckpoint = "checkpoint fsync" // a checkpoint syncs the log and the file
	sysSocket     = "socket write"     // a TLS write to a connection
)

// sysKind names what a system call was for, "" when it is none of the above.
func sysKind(s trace.Stack) string {
	var fsync, walFrames, checkpoint, tlsWrite bool
	for f := range s.Frames() {
		switch fn := f.Func; {
		case strings.HasSuffix(fn, ".Xfsync"):
			fsync = true
		case strings.HasSuffix(fn, "._walFrames"):
			walFrames = true
		case strings.HasSuffix(fn, "._walCheckpoint"):
			checkpoint = true
		case strings.HasSuffix(fn, "tls.(*Conn).Write"):
			tlsWrite = true
		}
	}
	switch {
	case fsync && walFrames:
		return sysLogRestart
	case fsync && checkpoint:
		return sysCheckpoint
	case tlsWrite:
		return sysSocket
	}
	return ""
}

// slowCallFloor is the shortest system call counted against a message: shorter
// ones are the ordinary cost of a write or a send.
const slowCallFloor = trace.Time(100e3)

// slowCalls prints, for msgs, how many met each kind of slow system call and its
// time inside their windows per message.
func (p *parsed) slowCalls(w io.Writer, msgs []message) {
	met := map[string]int{}
	inside := map[string]float64{}
	for _, m := range msgs {
		first, last := window(m)
		hit := map[string]bool{}
		for _, c := range p.calls {
			if c.kind == "" || c.t1-c.t0 < slowCallFloor {
				continue
			}
			lo, hi := max(c.t0, first), min(c.t1, last)
			if hi <= lo {
				continue
			}
			inside[c.kind] += µs(hi - lo)
			if !hit[c.kind] {
				met[c.kind]++
				hit[c.kind] = true
			}
		}
	}
	var parts []string
	for _, k := range []string{sysLogRestart, sysCheckpoint, sysSocket} {
		parts = append(parts, fmt.Sprintf("%s %d (%.0f µs)", k, met[k], inside[k]/float64(len(msgs))))
	}
	fmt.Fprintf(w, "    slow system calls (≥ %.0f µs) met: %s\n", µs(slowCallFloor), strings.Join(parts, ", "))
}

// window is a message's first mark and its Seen.
func window(m message) (first, last trace.Time) {
	first = m.marks[livestage.Wire].at
	if s, ok := m.marks[livestage.Send]; ok {
		first = s.at
	}
	return first, m.marks[livestage.Seen].at
}
