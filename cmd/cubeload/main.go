// Command cubeload is a load test for cubeserver: it connects many Go SDK clients over
// real sockets, sends messages at a set rate and prints latency, throughput, the stored
// count, catch-up time and memory. Run "cubeload -h" for the flags.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"runtime/pprof"
	"syscall"
	"time"
)

func main() {
	if err := run(os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "cubeload:", err)
		os.Exit(1)
	}
}

// setupBudget bounds everything but sending and draining: user creation, logins,
// seeding the catch-up history, counting and the catch-up itself.
const setupBudget = 3 * time.Minute

func run(args []string, stdout, stderr io.Writer) error {
	if len(args) > 0 && args[0] == "soak" {
		return runSoak(args[1:], stdout, stderr)
	}
	if len(args) > 0 && args[0] == "live" {
		return runLive(args[1:], stdout, stderr)
	}
	if len(args) > 0 && args[0] == "live-peer" {
		return runLivePeer(args[1:], stdout, stderr)
	}
	if len(args) > 0 && args[0] == "ingest" {
		return runIngest(args[1:], stdout, stderr)
	}
	o, err := parseFlags(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return nil
	}
	if err != nil {
		return err
	}
	level := slog.LevelError
	if o.Verbose {
		level = slog.LevelWarn
	}
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level}))

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	ctx, cancel := context.WithTimeout(ctx, setupBudget+o.Duration+o.Drain)
	defer cancel()
	if o.CPUProfile != "" {
		f, err := os.Create(o.CPUProfile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	rep, err := Load(ctx, o, log)
	if rep != nil {
		rep.Print(stdout)
	}
	if err != nil {
		return err
	}
	if notStored, notDelivered := rep.Lost(); notStored != 0 || notDelivered != 0 {
		return fmt.Errorf("%d messages not stored and %d deliveries missing", notStored, notDelivered)
	}
	return nil
}
