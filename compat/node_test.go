package compat

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// minNodeMajor is the Node version the suite needs (node:test todo, --test-concurrency,
// --test-timeout, and the SDK's own engines).
const minNodeMajor = 20

type nodeTools struct{ node, npm string }

// requireNode finds node and npm. Without them the suite is skipped on a developer's
// machine, but under CI=true it fails: CI must never pass without the SDK suite.
func requireNode(t *testing.T) nodeTools {
	t.Helper()
	node, errNode := exec.LookPath("node")
	npm, errNpm := exec.LookPath("npm")
	if errNode != nil || errNpm != nil {
		const missing = "node and npm are not installed: the ConnectyCube JS SDK compatibility suite needs Node >= 20 " +
			"(apt-get install nodejs npm)"
		if os.Getenv("CI") == "true" {
			t.Fatal(missing + "; CI=true, so this fails instead of skipping")
		}
		t.Skip("SKIPPED, NOT RUN: " + missing)
	}
	out, err := exec.Command(node, "--version").Output()
	if err != nil {
		t.Fatalf("node --version: %v", err)
	}
	v := strings.TrimPrefix(strings.TrimSpace(string(out)), "v")
	major, _ := strconv.Atoi(strings.SplitN(v, ".", 2)[0])
	if major < minNodeMajor {
		t.Fatalf("node %s is too old for the JS SDK suite: need >= %d", v, minNodeMajor)
	}
	return nodeTools{node: node, npm: npm}
}

// ensureNodeModules installs the pinned SDK from package-lock.json when it is missing.
func ensureNodeModules(t *testing.T, tools nodeTools) {
	t.Helper()
	if _, err := os.Stat(filepath.Join("node_modules", "connectycube", "package.json")); err == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, tools.npm, "ci", "--no-audit", "--no-fund")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("npm ci in compat/ (installs connectycube 6.1.2 from package-lock.json): %v\n%s", err, out)
	}
}

// result is one `node --test` run.
type result struct {
	err    error  // non-nil when the run failed (a JS test failed, or node could not run)
	output string // the spec reporter's output
	tap    []byte // the TAP report, for the summary
}

// runTests runs node's test runner on files with env added to ours.
func (tools nodeTools) runTests(t *testing.T, env, files []string) result {
	t.Helper()
	tapFile := filepath.Join(t.TempDir(), "report.tap")
	args := []string{"--test",
		"--test-concurrency=3",
		"--test-timeout=30000",
		"--test-reporter=spec", "--test-reporter-destination=stdout",
		"--test-reporter=tap", "--test-reporter-destination=" + tapFile,
	}
	ctx, cancel := context.WithTimeout(context.Background(), suiteTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, tools.node, append(args, files...)...)
	cmd.Env = append(os.Environ(), env...)
	cmd.WaitDelay = 5 * time.Second
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	if ctx.Err() != nil {
		err = fmt.Errorf("node --test did not finish within %s", suiteTimeout)
	}
	tap, _ := os.ReadFile(tapFile)
	return result{err: err, output: out.String(), tap: tap}
}

var (
	tapCount = regexp.MustCompile(`^# (tests|pass|fail|todo|skipped|cancelled) (\d+)$`)
	tapTest  = regexp.MustCompile(`^\s*(ok|not ok) \d+ - (.*?) # TODO (.*)$`)
)

// summary is the runner's totals plus every todo test, split into those still failing
// (the server feature is missing; with the first line of their error) and those that
// now pass (drop their todo mark).
func (r result) summary() string {
	var totals, waiting, passing []string
	lines := strings.Split(string(r.tap), "\n")
	for i, line := range lines {
		if m := tapCount.FindStringSubmatch(line); m != nil {
			totals = append(totals, m[1]+" "+m[2])
			continue
		}
		m := tapTest.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		item := fmt.Sprintf("%s (%s)", m[2], m[3])
		if m[1] == "ok" {
			passing = append(passing, item)
			continue
		}
		if why := tapError(lines[i+1:]); why != "" {
			item += "\n      → " + why
		}
		waiting = append(waiting, item)
	}
	var b strings.Builder
	b.WriteString(strings.Join(totals, ", "))
	for _, w := range waiting {
		b.WriteString("\n  todo, still failing: " + w)
	}
	for _, p := range passing {
		b.WriteString("\n  todo, now PASSING (remove the todo mark): " + p)
	}
	return b.String()
}

// tapError is the first line of the error in the YAML block that follows a failed
// test's line in node's TAP report ("" when there is none).
func tapError(rest []string) string {
	const maxLen = 300
	for i, line := range rest {
		trimmed := strings.TrimSpace(line)
		if trimmed == "..." || tapTest.MatchString(line) || strings.HasPrefix(trimmed, "ok ") || strings.HasPrefix(trimmed, "not ok ") {
			return ""
		}
		v, ok := strings.CutPrefix(trimmed, "error: ")
		if !ok {
			continue
		}
		if (v == "|-" || v == ">-" || v == "|" || v == ">") && i+1 < len(rest) {
			v = strings.TrimSpace(rest[i+1])
		}
		v = strings.Trim(v, `'"`)
		if len(v) > maxLen {
			v = v[:maxLen] + "…"
		}
		return v
	}
	return ""
}
