package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"
)

// SoakOptions is one soak run (cubeload soak). parseSoakFlags fills the defaults.
type SoakOptions struct {
	Engines   int           // sync engines, one user each
	Groups    int           // group dialogs with every user in them
	Duration  time.Duration // how long the users act under faults
	Rate      float64       // user actions per second, all engines together
	Seed      uint64        // drives the workload and the faults
	Intensity float64       // scales how often faults come: 2 = twice as often; 0 = none
	CutMin    time.Duration // gap between two faults, before Intensity
	CutMax    time.Duration
	StallMin  time.Duration // how long a stall holds bytes
	StallMax  time.Duration
	// StallShare is the share of faults that are stalls rather than cuts.
	StallShare float64
	Restarts   int           // server restarts, spread evenly over Duration
	Settle     time.Duration // how long quiescence may take after the faults stop
	DataDir    string        // "" = a temporary directory, removed afterwards
	Examples   int           // examples printed per failure kind
	Verbose    bool

	// beforeCompare, when set (tests only), runs after the engines stopped and
	// before the comparison: the comparison's own test plants divergences with it.
	beforeCompare func(ctx context.Context, c *cluster) error
}

func defaultSoakOptions() SoakOptions {
	return SoakOptions{Engines: 3, Groups: 2, Duration: 10 * time.Minute, Rate: 15, Seed: 1, Intensity: 1,
		CutMin: 500 * time.Millisecond, CutMax: 3 * time.Second, StallMin: time.Second, StallMax: 4 * time.Second,
		StallShare: 0.3, Restarts: 2, Settle: 2 * time.Minute, Examples: 5}
}

func parseSoakFlags(args []string, out io.Writer) (SoakOptions, error) {
	o := defaultSoakOptions()
	fs := flag.NewFlagSet("cubeload soak", flag.ContinueOnError)
	fs.SetOutput(out)
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), `Usage: cubeload soak [flags]

Soak test of the sync engine under network faults (docs/reliability.md). Starts
cubeserver in-process and -engines real sync engines, each with its own cache file,
connected through a fault-injecting TCP proxy for chat and one for REST: random cuts,
stalls that hold bytes, and -restarts server restarts on the same data and ports.
For -duration the users send 1-1 and group messages, edit, delete, react and read
(also on messages still pending). Then faults stop, the engines must become Ready
with empty outboxes within -settle, and every cache is compared with the server over
REST. Prints lost, duplicated, out-of-order, stuck-pending messages and mismatched
bodies, deletions, reactions, markers, unread counts and dialogs, with examples.
Exits non-zero when any count is not zero.

Flags:
`)
		fs.PrintDefaults()
	}
	fs.IntVar(&o.Engines, "engines", o.Engines, "number of sync engines (users), at least 3")
	fs.IntVar(&o.Groups, "groups", o.Groups, "group dialogs with every user (private dialogs join every pair)")
	fs.DurationVar(&o.Duration, "duration", o.Duration, "how long the users act under faults")
	rate := fs.String("rate", "15/s", `user actions per second, all engines together ("15/s", "15", "900/m"); about 2/3 are messages (10 min at 15/s: ~5,500)`)
	fs.Uint64Var(&o.Seed, "seed", o.Seed, "seed of the workload and the faults")
	fs.Float64Var(&o.Intensity, "intensity", o.Intensity, "fault intensity: divides the gaps between faults (0 = no cuts or stalls; restarts still happen)")
	cut := fs.String("cut-every", "0.5s-3s", "gap between two faults (a random value in the range, divided by -intensity)")
	stall := fs.String("stall-for", "1s-4s", "how long a stall holds bytes")
	fs.Float64Var(&o.StallShare, "stall-share", o.StallShare, "share of the faults that are stalls rather than cuts (0…1)")
	fs.IntVar(&o.Restarts, "restarts", o.Restarts, "server restarts during the run (stop, then start on the same data dir and ports)")
	fs.DurationVar(&o.Settle, "settle", o.Settle, "how long the engines may take to be Ready with empty outboxes after the faults stop")
	fs.StringVar(&o.DataDir, "data", "", "new or empty directory for the server's data and the caches, kept for a post-mortem (empty = a temporary one, removed afterwards)")
	fs.IntVar(&o.Examples, "examples", o.Examples, "examples printed per kind of failure")
	fs.BoolVar(&o.Verbose, "v", false, "log the engines' and server's warnings to stderr")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if fs.NArg() > 0 {
		return o, fmt.Errorf("unexpected arguments %q (see -h)", fs.Args())
	}
	var errs []error
	var err error
	if o.Rate, err = parseRate(*rate); err != nil {
		errs = append(errs, err)
	}
	if o.CutMin, o.CutMax, err = parseSpan(*cut); err != nil {
		errs = append(errs, fmt.Errorf("-cut-every: %w", err))
	}
	if o.StallMin, o.StallMax, err = parseSpan(*stall); err != nil {
		errs = append(errs, fmt.Errorf("-stall-for: %w", err))
	}
	errs = append(errs, o.validate())
	return o, errors.Join(errs...)
}

// parseSpan reads "0.5s-3s" (or one duration, "2s").
func parseSpan(s string) (lo, hi time.Duration, err error) {
	a, b, isRange := strings.Cut(strings.TrimSpace(s), "-")
	if lo, err = time.ParseDuration(strings.TrimSpace(a)); err != nil {
		return 0, 0, fmt.Errorf("%q: want a range like 0.5s-3s", s)
	}
	hi = lo
	if isRange {
		if hi, err = time.ParseDuration(strings.TrimSpace(b)); err != nil {
			return 0, 0, fmt.Errorf("%q: want a range like 0.5s-3s", s)
		}
	}
	if lo <= 0 || hi < lo {
		return 0, 0, fmt.Errorf("%q: want two positive durations, the smaller first", s)
	}
	return lo, hi, nil
}

func (o SoakOptions) validate() error {
	var errs []error
	check := func(ok bool, format string, args ...any) {
		if !ok {
			errs = append(errs, fmt.Errorf(format, args...))
		}
	}
	check(o.Engines >= 3, "-engines must be at least 3, got %d", o.Engines)
	check(o.Groups >= 1, "-groups must be at least 1, got %d", o.Groups)
	check(o.Duration > 0, "-duration must be positive")
	check(o.Rate > 0, "-rate must be positive")
	check(o.Intensity >= 0, "-intensity must not be negative")
	check(o.StallShare >= 0 && o.StallShare <= 1, "-stall-share must be between 0 and 1, got %g", o.StallShare)
	check(o.Restarts >= 0, "-restarts must not be negative")
	check(o.Settle > 0, "-settle must be positive")
	check(o.Examples >= 0, "-examples must not be negative")
	return errors.Join(errs...)
}
