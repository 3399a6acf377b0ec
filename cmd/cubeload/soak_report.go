package main

import (
	"fmt"
	"io"
	"strings"
	"time"
)

// The kinds of divergence the soak counts, in the order they are printed.
const (
	kindLost       = "lost"
	kindDuplicated = "duplicated"
	kindOrder      = "out of order"
	kindPending    = "stuck pending"
	kindBodies     = "mismatched bodies"
	kindDeletions  = "mismatched deletions"
	kindReactions  = "mismatched reactions"
	kindMarkers    = "mismatched markers"
	kindUnread     = "mismatched unread counts"
	kindDialogs    = "mismatched dialogs"
)

var soakKinds = []string{kindLost, kindDuplicated, kindOrder, kindPending, kindBodies, kindDeletions,
	kindReactions, kindMarkers, kindUnread, kindDialogs}

// finding is one kind's count and its first examples, split by cause.
type finding struct {
	Count    int
	Examples []string // every kept example, all causes
	causes   map[string]*cause
	order    []string // causes in the order first seen
}

type cause struct {
	count    int
	examples []string
}

// SoakReport is the outcome of a soak run.
type SoakReport struct {
	Options  SoakOptions
	Findings map[string]*finding
	examples int

	// What ran.
	Sent, Edits, Deletes, Reactions, Reads, OnPending int
	ActionErrors                                      int
	ActionErrorExamples                               []string
	Cuts, CutConns, Stalls, StalledConns              int64
	Restarts, RestartErrors                           int64
	// Quiescence: how long it took, and whether it came at all.
	Quiet      bool
	QuietAfter time.Duration
	NotQuiet   []string // which engines were not Ready / had work left at the deadline
	// What was compared.
	ServerMessages, ServerTombstones, ComparedCopies int
	InGaps                                           int // server messages a cache lacks inside a recorded gap (scroll back-fills them)
	Elapsed                                          time.Duration
}

func newSoakReport(o SoakOptions) *SoakReport {
	r := &SoakReport{Options: o, Findings: map[string]*finding{}, examples: o.Examples}
	for _, k := range soakKinds {
		r.Findings[k] = &finding{}
	}
	return r
}

// add counts one divergence of a kind and cause, keeping the first examples of each
// cause.
func (r *SoakReport) add(kind, why, format string, args ...any) {
	f := r.Findings[kind]
	f.Count++
	c := f.causes[why]
	if c == nil {
		if f.causes == nil {
			f.causes = map[string]*cause{}
		}
		c = &cause{}
		f.causes[why] = c
		f.order = append(f.order, why)
	}
	c.count++
	if len(c.examples) < r.examples {
		e := fmt.Sprintf(format, args...)
		c.examples = append(c.examples, e)
		f.Examples = append(f.Examples, e)
	}
}

// Failures is the total count over every kind.
func (r *SoakReport) Failures() int {
	n := 0
	for _, f := range r.Findings {
		n += f.Count
	}
	return n
}

// OK tells whether the run passed: quiescence came, and no divergence.
func (r *SoakReport) OK() bool { return r.Quiet && r.Failures() == 0 }

// Counts is kind → count, for tests and summaries.
func (r *SoakReport) Counts() map[string]int {
	out := map[string]int{}
	for k, f := range r.Findings {
		out[k] = f.Count
	}
	return out
}

func (r *SoakReport) Print(w io.Writer) {
	o := r.Options
	fmt.Fprintf(w, "soak: %d engines, %s of faults, seed %d, rate %.3g actions/s, intensity %g, elapsed %s\n",
		o.Engines, o.Duration, o.Seed, o.Rate, o.Intensity, r.Elapsed.Round(time.Second))
	fmt.Fprintf(w, "workload: %d messages sent, %d edits, %d deletes, %d reactions, %d reads; %d of the edits/deletes/reactions on pending messages; %d actions refused by the engine\n",
		r.Sent, r.Edits, r.Deletes, r.Reactions, r.Reads, r.OnPending, r.ActionErrors)
	for _, e := range r.ActionErrorExamples {
		fmt.Fprintf(w, "    refused: %s\n", e)
	}
	fmt.Fprintf(w, "faults: %d cuts (%d connections), %d stalls (%d connections), %d server restarts (%d failed)\n",
		r.Cuts, r.CutConns, r.Stalls, r.StalledConns, r.Restarts, r.RestartErrors)
	if r.Quiet {
		fmt.Fprintf(w, "quiescence: after %s\n", r.QuietAfter.Round(100*time.Millisecond))
	} else {
		fmt.Fprintf(w, "quiescence: NOT reached within %s: %s\n", o.Settle, strings.Join(r.NotQuiet, "; "))
	}
	fmt.Fprintf(w, "compared: %d server messages (%d deleted) against %d cached copies; %d missing copies lie in recorded gaps (not counted)\n",
		r.ServerMessages, r.ServerTombstones, r.ComparedCopies, r.InGaps)
	for _, k := range soakKinds {
		fmt.Fprintf(w, "  %-26s %d\n", k, r.Findings[k].Count)
	}
	for _, k := range soakKinds {
		f := r.Findings[k]
		if f.Count == 0 {
			continue
		}
		fmt.Fprintf(w, "%s (%d):\n", k, f.Count)
		for _, why := range f.order {
			c := f.causes[why]
			fmt.Fprintf(w, "  %d: %s, e.g.\n", c.count, why)
			for _, e := range c.examples {
				fmt.Fprintf(w, "      %s\n", e)
			}
		}
	}
	switch n := r.Failures(); {
	case n == 0 && r.Quiet:
		fmt.Fprintln(w, "result: every cache equals the server")
	case n == 0:
		fmt.Fprintln(w, "result: the caches equal the server, but the engines never became quiescent")
	default:
		fmt.Fprintf(w, "result: %d divergences\n", n)
	}
}
