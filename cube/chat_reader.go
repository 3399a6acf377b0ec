package cube

import (
	"encoding/xml"
	"fmt"

	"github.com/xmppo/go-xmpp"
)

// readLoop is the only caller of Recv on cc. After Recv fails, or once cc is declared
// dead by a missed ping, it stops: go-xmpp's client is unusable after an error.
// Server pings are answered inside go-xmpp's Recv and never reach us.
func (c *Chat) readLoop(cc *chatConn) {
	for {
		v, err := cc.client.Recv()
		if err != nil {
			c.connLost(cc, err)
			return
		}
		if cc.isDead() {
			return
		}
		switch s := v.(type) {
		case xmpp.Chat:
			c.handleMessage(cc, s)
		case xmpp.IQ:
			c.handleIQ(cc, s)
		case xmpp.Presence:
			c.log.Debug("chat presence ignored", "from", s.From, "type", s.Type)
		default:
			c.log.Debug("chat stanza ignored", "kind", fmt.Sprintf("%T", v))
		}
	}
}

// handleMessage rebuilds the full stanza, maps content messages to MessageEvent and
// drops the rest (typing, markers, edits… arrive with issue 3's events).
func (c *Chat) handleMessage(cc *chatConn, ch xmpp.Chat) {
	st, err := stanzaFromChat(ch)
	if err != nil {
		c.log.Warn("chat message unreadable", "from", ch.Remote, "id", ch.ID, "err", err)
		return
	}
	ev, ok := messageEvent(st, c.opts.UserID, timeNow())
	if !ok {
		c.log.Debug("chat message not chat content", "from", st.From, "id", st.ID, "type", st.Type)
		return
	}
	cc.emit(c.events, ev)
}

// handleIQ delivers answers to their waiters and refuses requests we do not serve,
// as RFC 6120 requires an answer to every get/set.
func (c *Chat) handleIQ(cc *chatConn, iq xmpp.IQ) {
	switch iq.Type {
	case "result", "error":
		if !cc.iqs.resolve(iq) {
			c.log.Debug("chat iq answer without request", "id", iq.ID, "from", iq.From)
		}
	case "get", "set":
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
