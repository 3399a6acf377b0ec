package cube

import (
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/xmppo/go-xmpp"
)

// IQError is an <iq type="error"/> answer.
type IQError struct {
	Condition string // e.g. "service-unavailable"
	Type      string // e.g. "cancel"
	Text      string
}

func (e *IQError) Error() string {
	s := "cube: iq error: " + e.Condition
	if e.Text != "" {
		s += " (" + e.Text + ")"
	}
	return s
}

// iqStanza is an outgoing <iq/>; Payload is a struct with its own XMLName.
type iqStanza struct {
	XMLName xml.Name `xml:"jabber:client iq"`
	ID      string   `xml:"id,attr"`
	Type    string   `xml:"type,attr"`
	To      string   `xml:"to,attr,omitempty"`
	Payload any
}

type pingElem struct {
	XMLName xml.Name `xml:"urn:xmpp:ping ping"`
}

type carbonsEnableElem struct {
	XMLName xml.Name `xml:"urn:xmpp:carbons:2 enable"`
}

// mobileElem is Tigase's mobile v2 switch: enable="true" means inactive (send pushes).
type mobileElem struct {
	XMLName xml.Name `xml:"http://tigase.org/protocol/mobile#v2 mobile"`
	Enable  string   `xml:"enable,attr"`
}

// iqTable matches IQ answers to requests by id; go-xmpp has no such matching.
type iqTable struct {
	mu      sync.Mutex
	pending map[string]chan iqAnswer
	closed  error
}

type iqAnswer struct {
	iq  xmpp.IQ
	err error
}

func newIQTable() *iqTable { return &iqTable{pending: map[string]chan iqAnswer{}} }

func (t *iqTable) add(id string) (chan iqAnswer, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.closed != nil {
		return nil, t.closed
	}
	ch := make(chan iqAnswer, 1)
	t.pending[id] = ch
	return ch, nil
}

func (t *iqTable) remove(id string) {
	t.mu.Lock()
	delete(t.pending, id)
	t.mu.Unlock()
}

// resolve hands an answer to its waiter; false means nobody asked (unsolicited).
func (t *iqTable) resolve(iq xmpp.IQ) bool {
	t.mu.Lock()
	ch, ok := t.pending[iq.ID]
	delete(t.pending, iq.ID)
	t.mu.Unlock()
	if ok {
		ch <- iqAnswer{iq: iq}
	}
	return ok
}

// failAll ends every pending request with err and refuses new ones.
func (t *iqTable) failAll(err error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.closed = err
	for id, ch := range t.pending {
		ch <- iqAnswer{err: err}
		delete(t.pending, id)
	}
}

// request sends an IQ and waits for its answer, until ctx ends or timeout passes.
func (cc *chatConn) request(ctx context.Context, typ, to string, payload any, timeout time.Duration) (xmpp.IQ, error) {
	id := NewObjectID()
	ch, err := cc.iqs.add(id)
	if err != nil {
		return xmpp.IQ{}, err
	}
	defer cc.iqs.remove(id)
	if err := cc.sendXML(iqStanza{ID: id, Type: typ, To: to, Payload: payload}); err != nil {
		return xmpp.IQ{}, err
	}
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	select {
	case a := <-ch:
		if a.err != nil {
			return xmpp.IQ{}, a.err
		}
		if a.iq.Type == "error" {
			return a.iq, &IQError{Condition: a.iq.Error.Condition, Type: a.iq.Error.Type, Text: a.iq.Error.Text}
		}
		return a.iq, nil
	case <-timer.C:
		return xmpp.IQ{}, fmt.Errorf("cube: no answer to iq %s within %s: %w", id, timeout, context.DeadlineExceeded)
	case <-ctx.Done():
		return xmpp.IQ{}, ctx.Err()
	}
}

// request runs an IQ on the current connection.
func (c *Chat) request(ctx context.Context, typ, to string, payload any) error {
	cc := c.current()
	if cc == nil {
		return ErrNotConnected
	}
	_, err := cc.request(ctx, typ, to, payload, c.opts.PingTimeout)
	return err
}

// Ping sends an XMPP ping to the chat domain and waits for the answer.
func (c *Chat) Ping(ctx context.Context) error {
	return c.request(ctx, "get", c.cfg.ChatDomain, pingElem{})
}

// MarkActive tells the server the user is looking at the app (no chat pushes).
func (c *Chat) MarkActive(ctx context.Context) error {
	return c.request(ctx, "set", "", mobileElem{Enable: "false"})
}

// MarkInactive tells the server the app is in the background (chat pushes on).
func (c *Chat) MarkInactive(ctx context.Context) error {
	return c.request(ctx, "set", "", mobileElem{Enable: "true"})
}

// pingLoop watches for silence: once no byte has arrived for PingInterval it pings,
// and when still nothing at all (neither the answer nor anything else) has arrived
// PingTimeout later, the connection is dead. Traffic of any kind postpones the ping,
// so a busy connection is never pinged; an error answer still proves the server is
// there.
func (c *Chat) pingLoop(cc *chatConn) {
	timer := time.NewTimer(c.opts.PingInterval)
	defer timer.Stop()
	for {
		select {
		case <-cc.dead:
			return
		case <-timer.C:
		}
		if idle := time.Since(cc.wire.lastReadAt()); idle < c.opts.PingInterval {
			timer.Reset(c.opts.PingInterval - idle)
			continue
		}
		sent := time.Now()
		_, err := cc.request(context.Background(), "get", c.cfg.ChatDomain, pingElem{}, c.opts.PingTimeout)
		var answered *IQError
		if err != nil && !errors.As(err, &answered) && !cc.wire.lastReadAt().After(sent) {
			cc.unanswered.Store(true) // stalled: shutdown closes the socket at once
			c.connLost(cc, fmt.Errorf("cube: ping failed: %w", err))
			return
		}
		timer.Reset(c.opts.PingInterval)
	}
}
