package main

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cubechat/cubechat/cube"
)

// fleet is every load user's chat connection, each with one goroutine that drains its
// event stream into the tracker (cube.Chat has exactly one consumer per stream).
type fleet struct {
	chats map[int64]*cube.Chat
	tr    *tracker
	log   *slog.Logger

	closing       atomic.Bool
	drops         atomic.Int64 // connections lost during the run (reconnects or final closes)
	messageErrors atomic.Int64 // messages bounced by the server
	quit          chan struct{}
	wg            sync.WaitGroup
}

// connectFleet logs every user into chat, parallel at a time, and returns once all
// are Ready. On error the connections made so far are closed.
func connectFleet(ctx context.Context, cfg cube.Config, users []*account, parallel int, markers bool,
	tr *tracker, log *slog.Logger) (*fleet, error) {
	f := &fleet{chats: make(map[int64]*cube.Chat, len(users)), tr: tr, log: log, quit: make(chan struct{})}
	for _, a := range users {
		ch := cube.NewChat(cfg, cube.ChatOptions{UserID: a.user.ID, Password: a.password,
			Reconnect: &cube.ReconnectPolicy{Attempts: cube.DefaultReconnectAttempts, Interval: time.Second}, HandshakeTimeout: 30 * time.Second, NoAutoDeliver: !markers})
		f.chats[a.user.ID] = ch
		f.wg.Add(1)
		go f.consume(a.user.ID, ch)
	}
	err := forEach(ctx, len(users), parallel, func(ctx context.Context, i int) error {
		if err := f.chats[users[i].user.ID].Connect(ctx); err != nil {
			return fmt.Errorf("chat login of %s: %w", users[i].user.Login, err)
		}
		return nil
	})
	if err != nil {
		f.close()
		return nil, err
	}
	return f, nil
}

// consume records every message that reaches self from someone else. Echoes of our
// own group messages and carbons are not deliveries.
func (f *fleet) consume(self int64, ch *cube.Chat) {
	defer f.wg.Done()
	for {
		select {
		case <-f.quit:
			return
		case ev := <-ch.Events():
			switch e := ev.(type) {
			case cube.MessageEvent:
				if e.Carbon || e.Message.SenderID == self {
					continue
				}
				f.tr.received(e.Message.ID, self, time.Now())
			case cube.MessageErrorEvent:
				f.messageErrors.Add(1)
				f.log.Warn("message bounced", "user", self, "id", e.ID, "condition", e.Condition, "text", e.Text)
			case cube.StateEvent:
				if f.closing.Load() {
					if e.State == cube.Closed {
						return
					}
					continue
				}
				if e.State == cube.Reconnecting || e.State == cube.Closed || e.State == cube.ForceClosed {
					f.drops.Add(1)
					f.log.Warn("chat connection lost", "user", self, "state", e.State.String(), "err", e.Err)
				}
			}
		}
	}
}

// close disconnects every user and stops the consumers (giving each a moment to see
// its Closed event, so no event pump is left blocked).
func (f *fleet) close() {
	f.closing.Store(true)
	for _, ch := range f.chats {
		_ = ch.Disconnect()
	}
	done := make(chan struct{})
	go func() { f.wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(3 * time.Second):
		close(f.quit)
		<-done
	}
}
