package xmppd

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/cubechat/cubechat/cube"
)

// routeMessage dispatches a message from a bound session (docs/protocol.md §8.4–§8.9, §9).
// It runs on the sender's reader goroutine, so one sender's messages keep their order.
func (c *conn) routeMessage(s *session, m *cube.MessageStanza) {
	m.From = s.jid // the authenticated JID; a forged from is ignored
	m.Delay = nil  // only the server stamps delays
	m.Sent = nil   // only the server wraps carbons
	m.CarbonReceived = nil
	m.Other = c.srv.withoutServerOnly(m.Other) // the rest is relayed untouched (children.go)
	if len(m.Other) > 0 {
		if err := c.srv.checkChildren(m.Other); err != nil {
			if m.Type != cube.ErrorType { // never answer an error with an error
				c.drain() // after what the pipeline still holds (pipeline.go)
				c.bounce(s, m, err)
			}
			return
		}
	}
	if err := c.routeByType(s, m); err != nil {
		c.drain()
		c.bounce(s, m, err)
	}
}

// pipelinable tells whether m may be routed while earlier stored messages of the
// connection are still being completed: a 1-1 or group content message to be stored,
// or a 1-1 marker, which routeChat, routeGroup or routeChatSignal then hand to the
// pipeline. Any other stanza waits for them first.
func pipelinable(m *cube.MessageStanza) bool {
	return (m.Type == cube.ChatType || m.Type == cube.GroupChatType) && isContent(m) && saveToHistory(m) ||
		m.Type == cube.ChatType && pureMarker(m)
}

// routeByType routes a message by its type; a refusal is returned for bouncing.
func (c *conn) routeByType(s *session, m *cube.MessageStanza) (err *stanzaErr) {
	switch m.Type {
	case cube.ChatType:
		err = c.routeChat(s, m)
	case cube.GroupChatType:
		err = c.routeGroup(s, m)
	case cube.HeadlineType, "normal", "":
		err = c.relayDirect(s, m)
	case cube.ErrorType:
		_ = c.relayDirect(s, m) // never answer an error with an error
	default:
		err = errBadType
	}
	return err
}

// bounce returns the message to its sender as type="error" from the recipient's bare
// JID, with the legacy code the SDK reads (onMessageErrorListener).
func (c *conn) bounce(s *session, m *cube.MessageStanza, e *stanzaErr) {
	c.log.Info("xmpp message rejected", "jid", s.jid, "to", m.To, "id", m.ID, "type", m.Type, "condition", e.cond, "why", e.text)
	back := cube.MessageStanza{From: cube.BareJID(m.To), To: s.jid, Type: cube.ErrorType, ID: m.ID, Body: m.Body, Extra: m.Extra,
		Error: cube.NewStanzaError(e.typ, e.code, e.cond, e.text)}
	s.sendStanza(&back)
}

// recipient reads a user JID of this app and domain.
func (s *Server) recipient(jid string) (int64, bool) {
	bare := cube.BareJID(jid)
	if cube.JIDDomain(bare) != s.cfg.Domain {
		return 0, false
	}
	local := cube.JIDLocal(bare)
	_, app, ok := strings.Cut(local, "-")
	if !ok || app != strconv.FormatInt(s.cfg.AppID, 10) {
		return 0, false
	}
	return cube.UserIDFromJID(bare)
}

// addressee reads the user a message is for: another domain is not served here
// (item-not-found); on this domain, a JID that cannot be an account of this app is
// an unknown user (service-unavailable, RFC 6121 §8.5.1).
func (s *Server) addressee(jid string) (int64, *stanzaErr) {
	if d := cube.JIDDomain(jid); d != s.cfg.Domain {
		return 0, errRecipientNotFound
	}
	rid, ok := s.recipient(jid)
	if !ok {
		return 0, errNoSuchUser
	}
	return rid, nil
}

// existingOffline checks, for a user with no session online, that the account
// exists (a user with a session does); nil when it does.
func (c *conn) existingOffline(rid int64) *stanzaErr {
	if c.srv.Online(rid) {
		return nil
	}
	ctx, cancel := c.backendCtx()
	defer cancel()
	ok, err := c.srv.backend.UserExists(ctx, rid)
	if err != nil {
		c.log.Error("xmpp user exists", "user", rid, "err", err)
		return errInternal
	}
	if !ok {
		return errNoSuchUser
	}
	return nil
}

// routeChat handles type="chat": 1-1 content with privacy, storage, offline queue,
// carbons and alerts; signals (typing, markers, edits, deletes, reactions) in signals.go.
func (c *conn) routeChat(s *session, m *cube.MessageStanza) *stanzaErr {
	rid, serr := c.srv.addressee(m.To)
	if serr != nil {
		return serr
	}
	if !isContent(m) {
		return c.routeChatSignal(s, rid, m)
	}
	ctx, cancel := c.backendCtx()
	defer cancel()
	if c.srv.blocked1to1(ctx, s.userID, s, s.jid, rid, cube.PrivacyMessage) {
		return errBlocked // refused before anything is stored
	}
	d, err := c.privateDialog(s.userID, rid, m.Extra.Get("dialog_id"))
	if err != nil {
		return err
	}
	now := time.Now()
	complete(m, d.ID, now)
	if saveToHistory(m) && c.storeDeferred(s, m, d, rid, now, func(ctx context.Context, stored cube.Message) {
		c.srv.deliverChat(ctx, s, rid, m, true, now)
		c.srv.sendCarbons(s, s.userID, m)
		c.srv.recordAlerts(ctx, d, stored, isSilent(m))
	}) {
		return nil // delivered by the pipeline once stored (pipeline.go)
	}
	var stored *cube.Message
	if saveToHistory(m) {
		sm, err := c.store(m, d.ID, s.userID, rid, now)
		if err != nil {
			return err
		}
		if sm == nil {
			return nil // a re-sent id: stored and relayed the first time
		}
		stored = sm
	}
	c.srv.deliverChat(ctx, s, rid, m, true, now)
	c.srv.sendCarbons(s, s.userID, m)
	if stored != nil {
		c.srv.recordAlerts(ctx, d, *stored, isSilent(m))
	}
	return nil
}

// store saves a completed content message and returns the stored row; nil for an id
// that was stored before.
func (c *conn) store(m *cube.MessageStanza, dialogID string, sender, recipient int64, now time.Time) (*cube.Message, *stanzaErr) {
	ctx, cancel := c.backendCtx()
	defer cancel()
	row := storedMessage(m, dialogID, sender, recipient, now)
	inserted, err := c.srv.backend.StoreChatMessage(ctx, row)
	if err != nil {
		c.log.Error("xmpp store message", "id", m.ID, "dialog", dialogID, "err", err)
		return nil, backendErr(err, errDialogNotFound)
	}
	if !inserted {
		c.log.Info("xmpp duplicate message id not relayed again", "id", m.ID, "dialog", dialogID)
		return nil, nil
	}
	return &row, nil
}

// privateDialog is the dialog named by extraParams dialog_id (which must be the
// private dialog of this pair) or the pair's private dialog, created if needed.
func (c *conn) privateDialog(sender, recipient int64, given string) (*cube.Dialog, *stanzaErr) {
	ctx, cancel := c.backendCtx()
	defer cancel()
	if given != "" {
		d, err := c.srv.backend.DialogMembers(ctx, given)
		if err != nil {
			return nil, backendErr(err, errDialogNotFound)
		}
		if d == nil {
			return nil, errDialogNotFound
		}
		pair := []int64{sender, recipient}
		if d.Type != cube.DialogPrivate || !slices.Contains(d.OccupantsIDs, sender) || !slices.Contains(d.OccupantsIDs, recipient) || !onlyOccupants(d.OccupantsIDs, pair) {
			return nil, errWrongDialog
		}
		return d, nil
	}
	d, err := c.srv.backend.FindOrCreatePrivateDialog(ctx, sender, recipient)
	if err != nil {
		c.log.Info("xmpp private dialog", "sender", sender, "recipient", recipient, "err", err)
		return nil, backendErr(err, errNoSuchUser)
	}
	if d == nil {
		return nil, errNoSuchUser
	}
	return d, nil
}

func onlyOccupants(occupants, allowed []int64) bool {
	for _, o := range occupants {
		if !slices.Contains(allowed, o) {
			return false
		}
	}
	return true
}

// deliverChat relays a 1-1 stanza to every resource of the recipient whose privacy
// list accepts it (or, when it names an online resource, to that one, with carbons to
// the others), except origin (the sending session, nil for server-generated
// stanzas). With queue set (content messages) and no resource online, it is queued
// with a <delay/> stamp; the user lock makes the online check and the queueing atomic
// with respect to a login's offline flush.
func (s *Server) deliverChat(ctx context.Context, origin *session, rid int64, m *cube.MessageStanza, queue bool, now time.Time) {
	if queue {
		unlock := s.reg.lockUser(rid)
		defer unlock()
	}
	sessions := s.reg.sessions(rid)
	addressed := addressedSession(sessions, m.To)
	if addressed != nil {
		// Sent to one resource: only it gets the message, the others a <received/>
		// carbon (RFC 6121 §8.5.3.1, XEP-0280).
		sessions = []*session{addressed}
	}
	delivered, refused := 0, 0
	for _, t := range sessions {
		if t == origin {
			continue
		}
		if !s.mayReceive(ctx, rid, t, cube.PrivacyMessage, m.From) {
			refused++
			continue
		}
		if t.deliverCopy(*m) {
			delivered++
		}
	}
	if addressed != nil && delivered > 0 {
		s.sendReceivedCarbons(ctx, origin, rid, addressed, m)
	}
	if !queue || delivered > 0 || refused > 0 {
		return
	}
	queued := *m
	queued.To = s.userJID(rid)
	queued.Delay = &cube.DelayElem{From: s.cfg.Domain, Stamp: now.UTC().Format(time.RFC3339)}
	b, err := marshal(&queued)
	if err == nil {
		err = s.backend.QueueOffline(ctx, rid, b)
	}
	if err != nil {
		s.log.Error("xmpp queue offline", "recipient", rid, "id", m.ID, "err", err)
	}
}

// sendCarbons copies a sent 1-1 message to the sender's resources other than origin
// that enabled carbons (XEP-0280 <sent/>).
func (s *Server) sendCarbons(origin *session, senderID int64, m *cube.MessageStanza) {
	if isPrivate(m) {
		return
	}
	for _, t := range s.reg.sessions(senderID) {
		if t == origin || !t.carbons.Load() {
			continue
		}
		inner := *m
		wrap := cube.MessageStanza{From: s.userJID(senderID), To: t.jid, Type: m.Type, Sent: &cube.CarbonElem{}}
		wrap.Sent.Forwarded.Message = &inner
		t.sendStanza(&wrap)
	}
}

// relayDirect passes headlines (system messages) and other plain messages from user
// to user, privacy permitting, never stored. A normal message with a body is queued
// for an offline recipient (RFC 6121 §8.5.2.1.1, XEP-0160); a headline is not.
func (c *conn) relayDirect(s *session, m *cube.MessageStanza) *stanzaErr {
	rid, serr := c.srv.addressee(m.To)
	if serr == nil {
		serr = c.existingOffline(rid)
	}
	if serr != nil {
		if m.Type == cube.ErrorType || m.Type == cube.HeadlineType {
			return nil // never answer an error; headlines are dropped (RFC 6121 §8.5.1)
		}
		return serr
	}
	ctx, cancel := c.backendCtx()
	defer cancel()
	if c.srv.blocked1to1(ctx, s.userID, s, s.jid, rid, cube.PrivacyMessage) {
		if m.Type == cube.ErrorType {
			return nil
		}
		return errBlocked
	}
	queue := (m.Type == "" || m.Type == "normal") && m.BodyText() != ""
	c.srv.deliverChat(ctx, s, rid, m, queue, time.Now())
	return nil
}
