package main

import (
	"bufio"
	"context"
	"crypto/x509"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	gosync "sync"
	"time"

	"github.com/cubechat/cubechat/cache"
	"github.com/cubechat/cubechat/cube"
	"github.com/cubechat/cubechat/sync"
)

// "cubeload live-peer" is one side of a "cubeload live" run, in a process of its own:
// it prints "ready" once connected (and, for the engine, caught up), then one
// "<message id> <unix ns>" line per message, sent (when the send call started) or
// received (when the receiver saw it), and ends when its standard input closes.

// peerReadyBudget bounds the sign-in, connection and first catch-up.
const peerReadyBudget = time.Minute

func runLivePeer(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("cubeload live-peer", flag.ContinueOnError)
	fs.SetOutput(stderr)
	worldFile := fs.String("world", "", "the world file the live run wrote")
	mode := fs.String("mode", "raw", "raw or engine")
	role := fs.String("role", "receive", "send or receive")
	round := fs.Int("round", 1, "the round, which names the engine's cache file")
	if err := fs.Parse(args); err != nil {
		return err
	}
	b, err := os.ReadFile(*worldFile)
	if err != nil {
		return err
	}
	var w liveWorld
	if err := json.Unmarshal(b, &w); err != nil {
		return fmt.Errorf("world file: %w", err)
	}
	pair, ok := w.Pairs[*mode]
	if !ok {
		return fmt.Errorf("no %q pair in the world file", *mode)
	}
	acc := pair.To
	if *role == "send" {
		acc = pair.From
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	in := bufio.NewScanner(os.Stdin)
	out := &stampWriter{w: bufio.NewWriterSize(stdout, 1<<17), flushAt: w.Messages}
	stamp := out.stamp
	ready := func() error { return out.line("ready") }
	var send func(i int) (string, error)
	switch *mode {
	case "raw":
		cfg, err := liveCubeConfig(w)
		if err != nil {
			return err
		}
		chat := cube.NewChat(cfg, cube.ChatOptions{UserID: acc.ID, Password: acc.Password})
		go func() { // drains the events; a receiver stamps its messages
			for ev := range chat.Events() {
				if me, ok := ev.(cube.MessageEvent); ok && *role == "receive" {
					stamp(me.Message.ID, time.Now())
				}
			}
		}()
		readyCtx, done := context.WithTimeout(ctx, peerReadyBudget)
		err = chat.Connect(readyCtx)
		done()
		if err != nil {
			return err
		}
		defer chat.Disconnect()
		send = func(i int) (string, error) {
			id := cube.NewObjectID()
			_, err := chat.SendMessage(ctx, cube.OutgoingMessage{ID: id, DialogID: pair.DialogID,
				DialogType: cube.DialogPrivate, RecipientID: pair.To.ID, Body: fmt.Sprint("raw ", i), SaveToHistory: true})
			return id, err
		}
	case "engine":
		db, err := cache.Open(filepath.Join(w.Dir, fmt.Sprintf("%s-%s-%d.db", *mode, *role, *round)))
		if err != nil {
			return err
		}
		defer db.Close()
		e := sync.New(db, w.Profile, slog.New(slog.DiscardHandler))
		if err := e.Login(ctx, acc.Login, acc.Password); err != nil {
			return err
		}
		e.Start(ctx)
		defer e.Stop()
		if err := awaitSynced(ctx, e); err != nil {
			return err
		}
		if *role == "receive" {
			changes, unsubscribe := db.Subscribe()
			defer unsubscribe()
			go func() {
				seen := map[string]bool{}
				for ch := range changes {
					now := time.Now()
					for _, id := range ch.Messages[pair.DialogID] {
						if !seen[id] {
							seen[id] = true
							stamp(id, now)
						}
					}
				}
			}()
		}
		send = func(i int) (string, error) {
			return e.Send(ctx, pair.DialogID, fmt.Sprint("engine ", i))
		}
	default:
		return fmt.Errorf("mode %q: want raw or engine", *mode)
	}
	if err := ready(); err != nil {
		return err
	}
	if *role == "send" {
		if !in.Scan() {
			return errors.New("no go from the live run")
		}
		if err := sendPaced(w, send, stamp); err != nil {
			return err
		}
	}
	for in.Scan() { // until the live run closes our input
	}
	return nil
}

// sendPaced sends w.Messages at w.Rate per second, stamping each send's start.
func sendPaced(w liveWorld, send func(i int) (string, error), stamp func(string, time.Time)) error {
	tick := time.NewTicker(time.Second / time.Duration(w.Rate))
	defer tick.Stop()
	for i := range w.Messages {
		<-tick.C
		t0 := time.Now()
		id, err := send(i)
		if err != nil {
			return err
		}
		stamp(id, t0)
	}
	return nil
}

// stampWriter keeps the stamps in memory and writes them out once flushAt of them
// are kept (a write per message would be a system call beside each message).
type stampWriter struct {
	mu      gosync.Mutex
	w       *bufio.Writer
	n       int
	flushAt int
}

func (s *stampWriter) stamp(id string, at time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	fmt.Fprintf(s.w, "%s %d\n", id, at.UnixNano())
	if s.n++; s.n == s.flushAt {
		_ = s.w.Flush()
	}
}

func (s *stampWriter) line(text string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, err := s.w.WriteString(text + "\n"); err != nil {
		return err
	}
	return s.w.Flush()
}

// awaitSynced waits until the engine is connected and caught up.
func awaitSynced(ctx context.Context, e *sync.Engine) error {
	deadline := time.Now().Add(peerReadyBudget)
	for time.Now().Before(deadline) {
		s := e.Status()
		if s.State == sync.StateReady && !s.Syncing {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(20 * time.Millisecond):
		}
	}
	return fmt.Errorf("the engine was not caught up within %v: %+v", peerReadyBudget, e.Status())
}

// liveCubeConfig is the SDK configuration of the world's server, its certificate
// pinned, as the engine builds it from the same profile.
func liveCubeConfig(w liveWorld) (cube.Config, error) {
	p := w.Profile
	roots := x509.NewCertPool()
	if !roots.AppendCertsFromPEM(p.CertPEM) {
		return cube.Config{}, errors.New("the world's certificate is not valid PEM")
	}
	return cube.Config{AppID: p.AppID, AuthKey: p.AuthKey, AuthSecret: p.AuthSecret, APIURL: p.APIURL,
		ChatHost: p.ChatHost, ChatDomain: p.ChatDomain, ChatTLS: p.ChatTLS, RootCAs: roots,
		Logger: slog.New(slog.DiscardHandler)}, nil
}
