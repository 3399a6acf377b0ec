package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/cubechat/cubechat/cube"
	"github.com/cubechat/cubechat/cubeserver"
	"github.com/cubechat/cubechat/cubeserver/store"
	"github.com/cubechat/cubechat/sync"
)

// "cubeload live" measures the live path as users meet it: the server, the sender and
// the receiver each in a process of its own (this one is the server), so each has its
// own collector and scheduler, as on three machines, though they still share this
// machine's cores. It runs the raw SDK (SendMessage → the receiving connection's
// message event) and the engine (Send → the receiver's cache change feed) in turn,
// N rounds, and prints each run's p50 and p99 and their ratios (docs/benchmarks.md,
// issue 10, round 8). The in-process benchmark (sync's BenchmarkLiveLatency) puts all
// three in one process and one heap.

// liveWorld is what a peer process needs to reach the server and its dialog.
type liveWorld struct {
	Profile        sync.Profile        // the server, as an engine reaches it
	Pairs          map[string]livePair // "raw", "engine"
	Messages, Rate int
	Dir            string
}

// livePair is one sender → receiver pair and their private dialog.
type livePair struct {
	From, To liveAccount
	DialogID string
}

type liveAccount struct {
	ID              int64
	Login, Password string
}

type liveOptions struct {
	rounds, messages, rate int
}

func runLive(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("cubeload live", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var o liveOptions
	fs.IntVar(&o.rounds, "rounds", 3, "rounds, each a raw run then an engine run")
	fs.IntVar(&o.messages, "messages", 1000, "messages per run")
	fs.IntVar(&o.rate, "rate", 50, "messages per second")
	if err := fs.Parse(args); err != nil {
		return err
	}
	dir, err := os.MkdirTemp("", "cubeload-live-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	ctx, cancel := context.WithTimeout(context.Background(), time.Duration(o.rounds)*(2*time.Duration(o.messages/o.rate)*time.Second+2*time.Minute))
	defer cancel()
	srv, err := cubeserver.Start(ctx, cubeserver.Config{DataDir: filepath.Join(dir, "server"),
		HTTPAddr: "127.0.0.1:0", XMPPTLSAddr: "127.0.0.1:0", Logger: slog.New(slog.DiscardHandler),
		PasswordPolicy: new(store.CheapPasswordPolicy())})
	if err != nil {
		return err
	}
	defer srv.Close()
	w, err := seedLiveWorld(ctx, srv, dir, o)
	if err != nil {
		return err
	}
	worldFile := filepath.Join(dir, "world.json")
	b, err := json.Marshal(w)
	if err != nil {
		return err
	}
	if err := os.WriteFile(worldFile, b, 0o600); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "live path, %d messages at %d/s, server / sender / receiver in three processes\n", o.messages, o.rate)
	for r := 1; r <= o.rounds; r++ {
		var p50, p99 [2]float64
		for i, mode := range []string{"raw", "engine"} {
			lat, err := liveRun(ctx, worldFile, mode, r, o.messages)
			if err != nil {
				return fmt.Errorf("round %d, %s: %w", r, mode, err)
			}
			sum := summarize(lat)
			p50[i], p99[i] = sum.P50.Seconds()*1000, sum.P99.Seconds()*1000
			fmt.Fprintf(stdout, "round %d %-6s p50 %.3f ms  p99 %.3f ms\n", r, mode, p50[i], p99[i])
		}
		fmt.Fprintf(stdout, "round %d ratio  p50 %.2f  p99 %.2f\n", r, p50[1]/p50[0], p99[1]/p99[0])
	}
	return nil
}

// seedLiveWorld creates the two pairs of users and their dialogs.
func seedLiveWorld(ctx context.Context, srv *cubeserver.Server, dir string, o liveOptions) (liveWorld, error) {
	w := liveWorld{Profile: sync.Profile{Name: "live", APIURL: srv.HTTPURL(), ChatHost: srv.XMPPTLSAddr(),
		ChatDomain: srv.Domain(), ChatTLS: cube.ChatDirectTLS, AppID: srv.AppID(), AuthKey: srv.AuthKey(),
		AuthSecret: srv.AuthSecret(), CertPEM: srv.CertPEM()},
		Pairs: map[string]livePair{}, Messages: o.messages, Rate: o.rate, Dir: dir}
	cfg, err := liveCubeConfig(w)
	if err != nil {
		return liveWorld{}, err
	}
	for _, mode := range []string{"raw", "engine"} {
		var accs [2]liveAccount
		for i, who := range []string{"from", "to"} {
			a := liveAccount{Login: "live-" + mode + "-" + who, Password: "live-pw-" + mode + "-" + who}
			user, err := srv.Store().CreateUser(ctx, cube.User{Login: a.Login, FullName: a.Login}, a.Password)
			if err != nil {
				return liveWorld{}, err
			}
			a.ID = user.ID
			accs[i] = a
		}
		cl := cube.NewClient(cfg)
		if _, err := cl.CreateSession(ctx, accs[0].Login, accs[0].Password); err != nil {
			return liveWorld{}, err
		}
		d, err := cl.CreateDialog(ctx, cube.NewDialog{Type: cube.DialogPrivate, OccupantsIDs: []int64{accs[1].ID}})
		if err != nil {
			return liveWorld{}, err
		}
		w.Pairs[mode] = livePair{From: accs[0], To: accs[1], DialogID: d.ID}
	}
	return w, nil
}

// liveRun starts the receiver, then the sender, of one mode, and returns each
// message's delay from the send call to the receiver seeing it.
func liveRun(ctx context.Context, worldFile, mode string, round, messages int) ([]time.Duration, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, err
	}
	start := func(role string) (*exec.Cmd, *bufio.Scanner, io.WriteCloser, error) {
		cmd := exec.CommandContext(ctx, exe, "live-peer", "-world", worldFile, "-mode", mode, "-role", role,
			"-round", strconv.Itoa(round))
		cmd.Stderr = os.Stderr
		out, err := cmd.StdoutPipe()
		if err != nil {
			return nil, nil, nil, err
		}
		in, err := cmd.StdinPipe()
		if err != nil {
			return nil, nil, nil, err
		}
		if err := cmd.Start(); err != nil {
			return nil, nil, nil, err
		}
		sc := bufio.NewScanner(out)
		if !sc.Scan() || sc.Text() != "ready" {
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
			return nil, nil, nil, fmt.Errorf("the %s did not get ready: %q %v", role, sc.Text(), sc.Err())
		}
		return cmd, sc, in, nil
	}
	recv, recvOut, recvIn, err := start("receive")
	if err != nil {
		return nil, err
	}
	defer func() { _ = recvIn.Close(); _ = recv.Wait() }()
	send, sendOut, sendIn, err := start("send")
	if err != nil {
		return nil, err
	}
	defer func() { _ = sendIn.Close(); _ = send.Wait() }()
	if _, err := io.WriteString(sendIn, "go\n"); err != nil {
		return nil, err
	}
	sent, err := readStamps(sendOut, messages)
	if err != nil {
		return nil, fmt.Errorf("sender: %w", err)
	}
	got, err := readStamps(recvOut, messages)
	if err != nil {
		return nil, fmt.Errorf("receiver: %w", err)
	}
	lat := make([]time.Duration, 0, len(sent))
	for id, t0 := range sent {
		t1, ok := got[id]
		if !ok {
			return nil, fmt.Errorf("message %s was not received", id)
		}
		lat = append(lat, time.Duration(t1-t0))
	}
	return lat, nil
}

// readStamps reads n "<id> <unix ns>" lines.
func readStamps(sc *bufio.Scanner, n int) (map[string]int64, error) {
	out := make(map[string]int64, n)
	for len(out) < n && sc.Scan() {
		id, ns, ok := strings.Cut(sc.Text(), " ")
		if !ok {
			return nil, fmt.Errorf("bad line %q", sc.Text())
		}
		v, err := strconv.ParseInt(ns, 10, 64)
		if err != nil {
			return nil, err
		}
		out[id] = v
	}
	if len(out) < n {
		return nil, errors.Join(fmt.Errorf("%d of %d lines", len(out), n), sc.Err())
	}
	return out, nil
}
