package instance

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cubechat/cubechat/internal/testwait"
)

// helperEnv makes the test binary a helper process that holds the profile named by
// the variable's value (TestMain).
const helperEnv = "CUBECHAT_INSTANCE_HELPER"

func TestMain(m *testing.M) {
	if dir := os.Getenv(helperEnv); dir != "" {
		runHelper(dir)
		return
	}
	os.Exit(m.Run())
}

// runHelper holds the profile, says "ready", then "shown" for every show request,
// until it is killed.
func runHelper(dir string) {
	in, err := Acquire(dir)
	if err != nil {
		fmt.Println("error:", err)
		os.Exit(1)
	}
	in.OnShow(func() { fmt.Println("shown") })
	fmt.Println("ready")
	select {}
}

// startHelper starts a helper process holding dir and returns its output lines.
func startHelper(t *testing.T, dir string) (*exec.Cmd, <-chan string) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), helperEnv+"="+dir)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	lines := make(chan string, 16)
	go func() {
		defer close(lines)
		s := bufio.NewScanner(out)
		for s.Scan() {
			lines <- s.Text()
		}
	}()
	if l, _ := testwait.Recv(t, "the helper to hold the profile", 10*time.Second, lines); l != "ready" {
		t.Fatalf("helper said %q", l)
	}
	return cmd, lines
}

func acquire(t *testing.T, dir string) *Instance {
	t.Helper()
	in, err := Acquire(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { in.Close() })
	return in
}

func TestASecondStartShowsTheFirst(t *testing.T) {
	dir := t.TempDir()
	first := acquire(t, dir)
	shown := make(chan struct{}, 4)
	first.OnShow(func() { shown <- struct{}{} })

	second, err := Acquire(dir)
	if !errors.Is(err, ErrRunning) || second != nil {
		t.Fatalf("a second start got %v, %v; want ErrRunning", second, err)
	}
	testwait.Recv(t, "the first instance to be asked to show", 5*time.Second, shown)
}

func TestAShowRequestBeforeTheWindowExistsIsKept(t *testing.T) {
	dir := t.TempDir()
	first := acquire(t, dir)
	if _, err := Acquire(dir); !errors.Is(err, ErrRunning) {
		t.Fatalf("second start: %v", err)
	}
	shown := make(chan struct{}, 4)
	first.OnShow(func() { shown <- struct{}{} }) // the UI is ready only now
	testwait.Recv(t, "the request made before OnShow", time.Second, shown)
}

func TestCloseReleasesTheProfile(t *testing.T) {
	dir := t.TempDir()
	first, err := Acquire(dir)
	if err != nil {
		t.Fatal(err)
	}
	if err := first.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, socketName)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the socket outlived Close: %v", err)
	}
	acquire(t, dir)
}

func TestAnotherProcessIsAskedToShow(t *testing.T) {
	dir := t.TempDir()
	_, lines := startHelper(t, dir)
	if _, err := Acquire(dir); !errors.Is(err, ErrRunning) {
		t.Fatalf("with another process holding the profile: %v", err)
	}
	if l, _ := testwait.Recv(t, "the other process to show", 5*time.Second, lines); l != "shown" {
		t.Fatalf("helper said %q", l)
	}
}

func TestACrashedInstanceLeavesNothingInTheWay(t *testing.T) {
	dir := t.TempDir()
	cmd, _ := startHelper(t, dir)
	if err := cmd.Process.Kill(); err != nil { // no Close: the socket file stays
		t.Fatal(err)
	}
	cmd.Wait()
	if _, err := os.Stat(filepath.Join(dir, socketName)); err != nil {
		t.Fatalf("the crash should have left its socket file: %v", err)
	}
	in := acquire(t, dir)
	shown := make(chan struct{}, 4)
	in.OnShow(func() { shown <- struct{}{} })
	if _, err := Acquire(dir); !errors.Is(err, ErrRunning) {
		t.Fatalf("after taking over the stale socket, a second start: %v", err)
	}
	testwait.Recv(t, "the new instance to be asked to show", 5*time.Second, shown)
}

func TestADeepProfileGetsAShortSocketPath(t *testing.T) {
	deep := filepath.Join(t.TempDir(), strings.Repeat("d", 60), strings.Repeat("e", 60))
	if p := socketPath(deep); len(p) > maxSocketPath || !strings.HasPrefix(p, os.TempDir()) {
		t.Fatalf("socket path %q", p)
	}
	in := acquire(t, deep)
	shown := make(chan struct{}, 1)
	in.OnShow(func() { shown <- struct{}{} })
	if _, err := Acquire(deep); !errors.Is(err, ErrRunning) {
		t.Fatal(err)
	}
	testwait.Recv(t, "the show request", 5*time.Second, shown)
}

func TestAnInstanceThatDoesNotAnswerIsReported(t *testing.T) {
	dir := t.TempDir()
	// Hold the lock as a hung (or still starting) instance would, without listening.
	f, err := os.OpenFile(filepath.Join(dir, lockName), os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if held, err := tryLock(f); !held || err != nil {
		t.Fatalf("lock: %v %v", held, err)
	}
	defer func(old time.Duration) { startupWait = old }(startupWait)
	startupWait = 300 * time.Millisecond
	_, err = Acquire(dir)
	if !errors.Is(err, ErrNotAnswering) || errors.Is(err, ErrRunning) {
		t.Fatalf("got %v, want ErrNotAnswering", err)
	}
}
