// Package instance keeps one cubechat running per profile. The first process to start
// with a profile holds a lock file in the profile's directory and listens on a unix
// socket there (Windows 10 and later have them too); a second start finds the lock
// held, asks the first over the socket to bring its window forward, and exits.
//
// A crash leaves the socket file behind but not the lock (the OS drops a dead process's
// locks), so the next start takes the lock and replaces the stale socket. The lock, not
// the socket, decides who runs: two processes starting at once cannot both win.
package instance

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

// ErrRunning is returned by Acquire when another process holds the profile and has
// been asked to show its window; ErrNotAnswering when it holds the profile but did not
// answer (it hangs, or is still starting after startupWait).
var (
	ErrRunning      = errors.New("cubechat is already running with this profile")
	ErrNotAnswering = errors.New("cubechat is already running with this profile but does not answer")
)

const (
	lockName   = "instance.lock"
	socketName = "instance.sock"
	// maxSocketPath keeps the socket's path under the OS limit (108 bytes on Linux,
	// 104 on macOS, with room for the terminator).
	maxSocketPath = 100
	// answerTimeout bounds one exchange on the socket.
	answerTimeout = 3 * time.Second
	showRequest   = "show"
)

// startupWait is how long a second start waits for the first one, which may hold the
// lock but not yet listen, to answer (a variable for tests).
var startupWait = 5 * time.Second

// Instance is this process's hold on a profile. Close releases it.
type Instance struct {
	lock *os.File
	ln   net.Listener
	wg   sync.WaitGroup // the accept loop and its connections

	mu      sync.Mutex
	onShow  func()
	pending bool // a show request came before OnShow
}

// Acquire makes this process the one that runs with the profile in dir (created if
// needed). When another process holds it, Acquire asks that process to show its window
// and returns ErrRunning, or an error wrapping ErrNotAnswering when it did not answer.
func Acquire(dir string) (*Instance, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("create the profile directory: %w", err)
	}
	f, err := os.OpenFile(filepath.Join(dir, lockName), os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, fmt.Errorf("open the instance lock: %w", err)
	}
	held, err := tryLock(f)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("lock the profile: %w", err)
	}
	sock := socketPath(dir)
	if !held {
		f.Close()
		if err := askToShow(sock); err != nil {
			return nil, fmt.Errorf("%w: %v", ErrNotAnswering, err)
		}
		return nil, ErrRunning
	}
	// The lock is ours: a socket file left here belongs to a process that died.
	if err := os.Remove(sock); err != nil && !errors.Is(err, os.ErrNotExist) {
		f.Close()
		return nil, fmt.Errorf("remove the stale instance socket: %w", err)
	}
	ln, err := net.Listen("unix", sock)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("listen for other starts: %w", err)
	}
	in := &Instance{lock: f, ln: ln}
	in.wg.Add(1)
	go in.serve()
	return in, nil
}

// socketPath is the profile's socket; a directory too deep for a socket path gets one
// in the temp directory, named after the profile's directory.
func socketPath(dir string) string {
	p := filepath.Join(dir, socketName)
	if len(p) <= maxSocketPath {
		return p
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		abs = dir
	}
	sum := sha256.Sum256([]byte(abs))
	return filepath.Join(os.TempDir(), "cubechat-"+hex.EncodeToString(sum[:8])+".sock")
}

// askToShow asks the running instance to show its window, waiting for it to listen
// if it is still starting.
func askToShow(sock string) error {
	deadline := time.Now().Add(startupWait)
	for {
		err := exchange(sock)
		if err == nil || time.Now().After(deadline) {
			return err
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func exchange(sock string) error {
	c, err := net.DialTimeout("unix", sock, answerTimeout)
	if err != nil {
		return err
	}
	defer c.Close()
	if err := c.SetDeadline(time.Now().Add(answerTimeout)); err != nil {
		return err
	}
	if _, err := fmt.Fprintln(c, showRequest); err != nil {
		return err
	}
	answer, err := bufio.NewReader(c).ReadString('\n')
	if err != nil {
		return err
	}
	if strings.TrimSpace(answer) != "ok" {
		return fmt.Errorf("unexpected answer %q", strings.TrimSpace(answer))
	}
	return nil
}

// OnShow sets what a second start's request runs (on the instance's goroutine); a
// request that came before runs now.
func (in *Instance) OnShow(f func()) {
	in.mu.Lock()
	in.onShow = f
	pending := in.pending
	in.pending = false
	in.mu.Unlock()
	if pending && f != nil {
		f()
	}
}

func (in *Instance) serve() {
	defer in.wg.Done()
	for {
		c, err := in.ln.Accept()
		if err != nil {
			return // closed
		}
		in.wg.Add(1)
		go func() {
			defer in.wg.Done()
			in.answer(c)
		}()
	}
}

func (in *Instance) answer(c net.Conn) {
	defer c.Close()
	if err := c.SetDeadline(time.Now().Add(answerTimeout)); err != nil {
		return
	}
	line, err := bufio.NewReader(c).ReadString('\n')
	if err != nil {
		return
	}
	if strings.TrimSpace(line) != showRequest {
		fmt.Fprintln(c, "unknown request")
		return
	}
	in.mu.Lock()
	f := in.onShow
	if f == nil {
		in.pending = true
	}
	in.mu.Unlock()
	if f != nil {
		f()
	}
	fmt.Fprintln(c, "ok")
}

// Close stops answering, removes the socket and releases the profile; it returns once
// the goroutines answering other starts have ended.
func (in *Instance) Close() error {
	err := in.ln.Close() // removes the socket file
	in.wg.Wait()
	if uerr := unlock(in.lock); err == nil {
		err = uerr
	}
	if cerr := in.lock.Close(); err == nil {
		err = cerr
	}
	return err
}
