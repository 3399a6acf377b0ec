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
	"syscall"
)

// runSoak is "cubeload soak": parse, run, print, and fail when anything diverged.
func runSoak(args []string, stdout, stderr io.Writer) error {
	o, err := parseSoakFlags(args, stderr)
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
	rep, err := Soak(ctx, o, log)
	if rep != nil {
		rep.Print(stdout)
	}
	if err != nil {
		return err
	}
	if !rep.OK() {
		return fmt.Errorf("soak: %d divergences between the caches and the server; quiescent: %v", rep.Failures(), rep.Quiet)
	}
	return nil
}
