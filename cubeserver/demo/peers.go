package demo

import (
	"context"
	"crypto/x509"
	"errors"
	"hash/fnv"
	"log/slog"
	"math/rand/v2"
	"strings"
	gosync "sync"
	"time"

	"github.com/cubechat/cubechat/cube"
	"github.com/cubechat/cubechat/cubeserver"
)

// replyDelay is how long a peer "thinks" before answering.
const (
	replyDelayMin = 1200 * time.Millisecond
	replyDelayMax = 3 * time.Second
)

// peers are the demo colleagues, each a real chat client of the embedded server, so what
// the user sees is exactly what a remote person would cause.
type peers struct {
	ws     *workspace
	srv    *cubeserver.Server
	log    *slog.Logger
	chats  map[int64]*cube.Chat
	rest   map[int64]*cube.Client // for reactions, which travel over REST
	cancel context.CancelFunc
	wg     gosync.WaitGroup
}

func startPeers(ctx context.Context, srv *cubeserver.Server, ws *workspace, log *slog.Logger) (*peers, error) {
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(srv.CertPEM()) {
		return nil, errors.New("the server certificate cannot be read")
	}
	cfg := cube.Config{AppID: srv.AppID(), AuthKey: srv.AuthKey(), APIURL: srv.HTTPURL(),
		ChatHost: srv.XMPPTLSAddr(), ChatDomain: srv.Domain(), ChatTLS: cube.ChatDirectTLS, RootCAs: pool, Logger: log}
	runCtx, cancel := context.WithCancel(context.Background())
	p := &peers{ws: ws, srv: srv, log: log, chats: map[int64]*cube.Chat{}, rest: map[int64]*cube.Client{}, cancel: cancel}
	for id, u := range ws.People {
		client := cube.NewClient(cfg)
		if _, err := client.CreateSession(ctx, u.Login, Password); err != nil {
			p.stop()
			return nil, err
		}
		p.rest[id] = client
		chat := cube.NewChat(cfg, cube.ChatOptions{UserID: id, Password: Password})
		if err := chat.Connect(ctx); err != nil {
			p.stop()
			return nil, err
		}
		p.chats[id] = chat
		p.wg.Add(1)
		go p.listen(runCtx, id, chat)
	}
	return p, nil
}

func (p *peers) stop() {
	p.cancel()
	for _, c := range p.chats {
		_ = c.Disconnect()
	}
	p.wg.Wait()
}

// listen reads the demo user's messages (a read marker from everyone who got one) and
// answers them. In a group only one colleague answers each message, chosen from the
// message id, so the group does not reply in chorus.
func (p *peers) listen(ctx context.Context, me int64, chat *cube.Chat) {
	defer p.wg.Done()
	for {
		select {
		case <-ctx.Done():
			return
		case ev, ok := <-chat.Events():
			if !ok {
				return
			}
			m, isMsg := ev.(cube.MessageEvent)
			if !isMsg || m.Delayed || m.Message.SenderID != p.ws.You.ID {
				continue
			}
			p.wg.Add(1)
			go p.answer(ctx, me, chat, m.Message, p.shouldAnswer(ctx, me, m.Message))
		}
	}
}

func (p *peers) shouldAnswer(ctx context.Context, me int64, m cube.Message) bool {
	d, err := p.srv.Store().Dialog(ctx, m.ChatDialogID)
	if err != nil || d == nil {
		return false
	}
	if d.Type == cube.DialogPrivate {
		return true
	}
	var candidates []int64
	for _, id := range d.OccupantsIDs {
		if _, isPeer := p.ws.People[id]; isPeer {
			candidates = append(candidates, id)
		}
	}
	if len(candidates) == 0 {
		return false
	}
	h := fnv.New32a()
	h.Write([]byte(m.ID))
	return candidates[int(h.Sum32())%len(candidates)] == me
}

// answer reads m after a moment; the chosen colleague then types, sometimes reacts with
// a thumbs-up, and replies.
func (p *peers) answer(ctx context.Context, me int64, chat *cube.Chat, m cube.Message, reply bool) {
	defer p.wg.Done()
	if !pause(ctx, 300*time.Millisecond+time.Duration(rand.Int64N(int64(700*time.Millisecond)))) {
		return
	}
	if err := chat.SendRead(ctx, m); err != nil {
		p.log.Debug("demo peer could not mark read", "peer", me, "err", err)
	}
	d, err := p.srv.Store().Dialog(ctx, m.ChatDialogID)
	if err != nil || d == nil || !reply {
		return
	}
	peer := cube.PeerOf(d, me)
	_ = chat.SendTyping(ctx, peer, true)
	if !pause(ctx, replyDelayMin+time.Duration(rand.Int64N(int64(replyDelayMax-replyDelayMin)))) {
		return
	}
	if rand.IntN(4) == 0 {
		if err := p.rest[me].AddReaction(ctx, m.ID, "👍"); err != nil {
			p.log.Debug("demo peer could not react", "peer", me, "err", err)
		}
	}
	_ = chat.SendTyping(ctx, peer, false)
	out := cube.OutgoingMessage{DialogID: d.ID, DialogType: d.Type, Body: replyTo(m.Message), SaveToHistory: true}
	if d.Type == cube.DialogPrivate {
		out.RecipientID = m.SenderID
	}
	if _, err := chat.SendMessage(ctx, out); err != nil && ctx.Err() == nil {
		p.log.Warn("demo peer could not answer", "peer", me, "err", err)
	}
}

// pause waits for d, or returns false when ctx ends first.
func pause(ctx context.Context, d time.Duration) bool {
	select {
	case <-ctx.Done():
		return false
	case <-time.After(d):
		return true
	}
}

// replyTo picks a reply that fits the message roughly: a greeting for a greeting, an
// answer for a question, friendly chatter otherwise.
func replyTo(text string) string {
	lower := strings.ToLower(strings.TrimSpace(text))
	switch {
	case startsWithAny(lower, "hi", "hello", "hey", "good morning", "morning"):
		return greetings[rand.IntN(len(greetings))]
	case strings.HasSuffix(lower, "?"):
		return answers[rand.IntN(len(answers))]
	default:
		return chatter[rand.IntN(len(chatter))]
	}
}

func startsWithAny(s string, prefixes ...string) bool {
	for _, p := range prefixes {
		if s == p || strings.HasPrefix(s, p+" ") || strings.HasPrefix(s, p+"!") || strings.HasPrefix(s, p+",") {
			return true
		}
	}
	return false
}
