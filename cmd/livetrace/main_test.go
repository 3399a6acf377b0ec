package main

import (
	"bytes"
	"database/sql"
	"path/filepath"
	"runtime/trace"
	"strings"
	"testing"
	"time"

	_ "modernc.org/sqlite"

	"github.com/cubechat/cubechat/internal/livestage"
)

// A trace with one engine message and one raw one, each step 1 ms after the last
// and a goroutine busy in the engine's "recv → take": the report gives each path
// its delay, its steps in order, and names the busy goroutine in its step.
func TestReportReadsTheMarksOfATrace(t *testing.T) {
	var buf bytes.Buffer
	if err := trace.Start(&buf); err != nil {
		t.Fatal(err)
	}
	for _, step := range []string{livestage.Send, livestage.Wire, livestage.Wired, livestage.Recv} {
		livestage.Mark(step, "engine-1")
		time.Sleep(time.Millisecond)
	}
	done := make(chan struct{})
	go busyFor(time.Millisecond, done)
	<-done
	for _, step := range []string{livestage.Take, livestage.Store, livestage.Stored, livestage.Seen} {
		livestage.Mark(step, "engine-1")
		time.Sleep(time.Millisecond)
	}
	for _, step := range []string{livestage.Wire, livestage.Wired, livestage.Recv, livestage.Seen} {
		livestage.Mark(step, "raw-1")
		time.Sleep(time.Millisecond)
	}
	trace.Stop()

	p, err := read(&buf)
	if err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	report(&out, p, 6, 1)
	got := out.String()
	t.Log("\n" + got)
	for _, want := range []string{
		"== raw SDK (SendMessage → receiver's event): 1 messages",
		"== engine (Send → receiver's change feed): 1 messages",
		"send → wire", "recv → take", "stored → seen", "recv → seen",
		"livetrace.busyFor",
		"each step over all 1 messages",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("report lacks %q", want)
		}
	}
	if strings.Index(got, "send → wire") > strings.Index(got, "stored → seen") {
		t.Error("steps out of order")
	}
	if d := p.marks["engine-1"][livestage.Seen].at - p.marks["engine-1"][livestage.Send].at; d < 7e6 {
		t.Errorf("engine message took %v in the trace, want at least the 7 ms slept", time.Duration(d))
	}
}

// busyFor keeps a processor busy for d, so that the trace shows a goroutine
// running, then closes done.
func busyFor(d time.Duration, done chan<- struct{}) {
	for start := time.Now(); time.Since(start) < d; {
	}
	close(done)
}

// A system call is named by what its stack says it was for: a SQLite checkpoint's
// fsync, traced for real, is a checkpoint fsync, and a new log's first commit syncs
// its header.
func TestSystemCallsAreToldApart(t *testing.T) {
	db, err := sql.Open("sqlite", filepath.Join(t.TempDir(), "w.db")+"?_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(`CREATE TABLE t (x)`); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := trace.Start(&buf); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{`INSERT INTO t VALUES (1)`, `PRAGMA wal_checkpoint(PASSIVE)`, `INSERT INTO t VALUES (2)`} {
		if _, err := db.Exec(q); err != nil {
			trace.Stop()
			t.Fatal(err)
		}
	}
	trace.Stop()
	p, err := read(&buf)
	if err != nil {
		t.Fatal(err)
	}
	kinds := map[string]int{}
	for _, c := range p.calls {
		kinds[c.kind]++
	}
	if kinds[sysCheckpoint] == 0 || kinds[sysLogRestart] == 0 {
		t.Fatalf("system calls by kind %v, want the checkpoint's fsync and the new log's header fsync", kinds)
	}
}
