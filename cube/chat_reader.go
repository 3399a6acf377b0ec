package cube

import (
	"encoding/xml"
	"fmt"

	"github.com/xmppo/go-xmpp"

	"github.com/cubechat/cubechat/internal/livestage"
)

// readLoop is the only caller of Recv on cc. After Recv fails, or once cc is declared
// dead by a missed ping, it stops: go-xmpp's client is unusable after an error.
// Server pings are answered inside go-xmpp's Recv and never reach us.
func (c *Chat) readLoop(cc *chatConn) {
	defer close(cc.readerDone)
	cc.wire.stanzaDone() // the handshake's bytes are not a stanza
	for {
		v, err := cc.client.Recv()
		if err != nil {
			if over := cc.wire.tooLarge(); over != nil {
				err = over // go-xmpp wraps it in parser text; keep ours
			} else if name, ok := smElement(err); ok && c.handleSM(cc, name) {
				cc.wire.stanzaDone() // chat_sm.go: go-xmpp reads on past it
				continue
			}
			c.connLost(cc, err)
			return
		}
		cc.wire.stanzaDone()
		if cc.isDead() {
			return
		}
		cc.sm.handled()
		switch s := v.(type) {
		case xmpp.Chat:
			c.handleMessage(cc, s)
		case xmpp.IQ:
			c.handleIQ(cc, s)
		case xmpp.DiscoItems:
			c.handleDiscoItems(cc, s) // go-xmpp parses disco#items results itself
		case xmpp.Presence:
			c.log.Debug("chat presence ignored", "from", s.From, "type", s.Type)
		default:
			c.log.Debug("chat stanza ignored", "kind", fmt.Sprintf("%T", v))
		}
	}
}

// handleMessage rebuilds the full stanza, classifies it and reports the event; a new
// message from someone else is acknowledged with a delivered marker (AutoDeliver).
func (c *Chat) handleMessage(cc *chatConn, ch xmpp.Chat) {
	st, err := stanzaFromChat(ch)
	if err != nil {
		c.log.Warn("chat message unreadable", "from", ch.Remote, "id", ch.ID, "err", err)
		return
	}
	ev := classify(st, c.opts.UserID, timeNow())
	if ev == nil {
		c.log.Debug("chat message ignored", "from", st.From, "id", st.ID, "type", st.Type)
		return
	}
	livestage.Mark(livestage.Recv, st.ID)
	cc.emit(c.events, ev)
	if me, ok := ev.(MessageEvent); ok && !c.opts.NoAutoDeliver && needsDeliveredAck(me, c.opts.UserID) {
		// From its own goroutine: the reader must never wait on a full socket buffer.
		go func() {
			if err := c.sendMarker(cc, me.Message, MarkerDelivered); err != nil {
				c.log.Debug("delivered marker not sent", "id", me.Message.ID, "err", err)
			}
		}()
	}
}

// WantsDelivered tells whether ev is a message AutoDeliver acknowledges with a
// delivered marker (needsDeliveredAck), for a client that turns AutoDeliver off
// to send the marker itself once it has stored the message.
func (ev MessageEvent) WantsDelivered(self int64) bool { return needsDeliveredAck(ev, self) }

// needsDeliveredAck follows SDK 6: every new message from someone else that names its
// dialog (or asks for markers) is acknowledged; carbons (the resource they were meant
// for acknowledges) and our own echoes are not.
func needsDeliveredAck(ev MessageEvent, self int64) bool {
	m := ev.Message
	if ev.Carbon || ev.ReceivedCarbon || m.SenderID <= 0 || m.SenderID == self || m.ID == "" {
		return false
	}
	markable := ev.Stanza != nil && ev.Stanza.Markable != nil
	return m.ChatDialogID != "" || markable
}

// handleIQ delivers answers to their waiters and refuses requests we do not serve,
// as RFC 6120 requires an answer to every get/set.
func (c *Chat) handleIQ(cc *chatConn, iq xmpp.IQ) {
	switch iq.Type {
	case "result", "error":
		if cc.iqs.resolve(iq) {
			return
		}
		// SDK 6 treats an unknown id with a from and a <query/> as a last-activity push
		// (a late error answer is not one: it carries no activity).
		if ev, ok := lastActivityPush(iq); ok && iq.Type == "result" {
			cc.emit(c.events, ev)
			return
		}
		c.log.Debug("chat iq answer without request", "id", iq.ID, "from", iq.From)
	case "get", "set":
		if ev, ok := lastActivityPush(iq); ok && iq.Type == "set" {
			cc.emit(c.events, ev)
			if err := cc.sendXML(iqStanza{ID: iq.ID, Type: "result", To: iq.From}); err != nil {
				c.log.Debug("chat iq result not sent", "err", err)
			}
			return
		}
		reply := iqErrorReply{ID: iq.ID, Type: "error", To: iq.From,
			Error: NewStanzaError("cancel", "503", "service-unavailable", "")}
		if err := cc.sendXML(reply); err != nil {
			c.log.Debug("chat iq refusal not sent", "err", err)
		}
	}
}

type iqErrorReply struct {
	XMLName xml.Name     `xml:"jabber:client iq"`
	ID      string       `xml:"id,attr"`
	Type    string       `xml:"type,attr"`
	To      string       `xml:"to,attr,omitempty"`
	Error   *StanzaError `xml:"error"`
}

// emit passes an event on, or holds it until the connection is announced Ready.
func (cc *chatConn) emit(q *eventQueue, e Event) {
	cc.readyMu.Lock()
	defer cc.readyMu.Unlock()
	if !cc.ready {
		cc.held = append(cc.held, e)
		return
	}
	q.push(e)
}

// release is called right after Ready is pushed: held events follow it in order.
func (cc *chatConn) release(q *eventQueue) {
	cc.readyMu.Lock()
	defer cc.readyMu.Unlock()
	for _, e := range cc.held {
		q.push(e)
	}
	cc.held = nil
	cc.ready = true
}
