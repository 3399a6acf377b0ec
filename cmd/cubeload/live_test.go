package main

import (
	"bytes"
	"regexp"
	"strconv"
	"testing"
)

// "cubeload live" runs each path with the server, the sender and the receiver in
// processes of their own (the peers are this test binary, see TestMain), receives
// every message, and prints each run's percentiles and their ratios.
func TestLiveRunsBothPathsInProcessesOfTheirOwn(t *testing.T) {
	var out, errs bytes.Buffer
	if err := runLive([]string{"-rounds", "1", "-messages", "30", "-rate", "100"}, &out, &errs); err != nil {
		t.Fatalf("live: %v\n%s%s", err, out.String(), errs.String())
	}
	for _, mode := range []string{"raw", "engine"} {
		m := regexp.MustCompile(`round 1 ` + mode + ` +p50 ([0-9.]+) ms  p99 ([0-9.]+) ms`).FindStringSubmatch(out.String())
		if m == nil {
			t.Fatalf("no %s line in\n%s", mode, out.String())
		}
		p50, _ := strconv.ParseFloat(m[1], 64)
		p99, _ := strconv.ParseFloat(m[2], 64)
		if p50 <= 0 || p99 < p50 {
			t.Fatalf("%s: p50 %v ms, p99 %v ms", mode, p50, p99)
		}
	}
	if !regexp.MustCompile(`round 1 ratio  p50 [0-9.]+  p99 [0-9.]+`).MatchString(out.String()) {
		t.Fatalf("no ratio line in\n%s", out.String())
	}
}
