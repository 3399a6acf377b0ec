package xmppd

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/cubechat/cubechat/cube"
)

// roomDialogID reads the dialog id of "{appId}_{dialogId}@muc.{domain}[/nick]".
func (s *Server) roomDialogID(jid string) (string, bool) {
	bare := cube.BareJID(jid)
	if cube.JIDDomain(bare) != "muc."+s.cfg.Domain {
		return "", false
	}
	app, dialogID, ok := strings.Cut(cube.JIDLocal(bare), "_")
	if !ok || app != strconv.FormatInt(s.cfg.AppID, 10) || dialogID == "" {
		return "", false
	}
	return dialogID, true
}

// occupiedDialog loads the dialog of a room JID and checks that the user is in it (for a
// broadcast dialog: an admin, or with readers set any user; see roomAdmits).
func (c *conn) occupiedDialog(roomJID string, userID int64, readers bool) (*cube.Dialog, *stanzaErr) {
	dialogID, ok := c.srv.roomDialogID(roomJID)
	if !ok {
		return nil, errDialogNotFound
	}
	ctx, cancel := c.backendCtx()
	d, err := c.srv.backend.DialogMembers(ctx, dialogID)
	cancel()
	if err != nil {
		if !isNotFound(err) {
			c.log.Error("xmpp load dialog", "dialog", dialogID, "err", err)
		}
		return nil, backendErr(err, errDialogNotFound)
	}
	if d == nil {
		return nil, errDialogNotFound
	}
	if !roomAdmits(d, userID, readers) {
		return nil, errNotOccupant
	}
	return d, nil
}

// routeGroup handles type="groupchat" to a room: no MUC join is needed; every online
// resource of every occupant gets it from {room}/{senderId}, the sender's own
// resources included (MUC echo) except for typing, privacy permitting. Offline
// occupants catch up over REST (and get a chat alert). In a broadcast dialog only the
// owner and admins may write; everyone else may only send markers.
func (c *conn) routeGroup(s *session, m *cube.MessageStanza) *stanzaErr {
	d, serr := c.occupiedDialog(m.To, s.userID, false)
	if serr != nil {
		return serr
	}
	if d.Type == cube.DialogBroadcast && !isMarker(m) && !isDialogAdmin(d, s.userID) {
		return errReadOnlyDialog
	}
	ctx, cancel := c.backendCtx()
	defer cancel()
	var stored *cube.Message
	switch {
	case isContent(m):
		now := time.Now()
		complete(m, d.ID, now)
		if saveToHistory(m) && c.storeDeferred(s, m, d, 0, now, func(ctx context.Context, stored cube.Message) {
			c.srv.fanOutGroup(ctx, d, s.userID, s, m)
			c.srv.recordAlerts(ctx, d, stored, isSilent(m))
		}) {
			return nil // fanned out by the pipeline once stored (pipeline.go)
		}
		if saveToHistory(m) {
			sm, err := c.store(m, d.ID, s.userID, 0, now)
			if err != nil {
				return err
			}
			if sm == nil {
				return nil
			}
			stored = sm
		}
	case m.Replace != nil || m.Remove != nil:
		if err := c.applyEditOrRemove(ctx, s, m, d, 0); err != nil {
			return err
		}
	case isMarker(m):
		if !c.markerRelayable(ctx, s, m) {
			return nil
		}
	case m.Reactions != nil:
		if err := c.checkReaction(ctx, s, m, d, 0); err != nil {
			return err
		}
	}
	c.srv.fanOutGroup(ctx, d, s.userID, s, m)
	if stored != nil {
		c.srv.recordAlerts(ctx, d, *stored, isSilent(m))
	}
	return nil
}

// fanOutGroup sends m from {room}/{senderID} to the online resources of every
// occupant (of a broadcast dialog: see groupRecipients): the sender's own resources get the echo (except typing) without privacy
// checks; others only when the sender's list does not mutually block them and their
// session's list accepts messages from the sender's occupant JID.
func (s *Server) fanOutGroup(ctx context.Context, d *cube.Dialog, senderID int64, origin *session, m *cube.MessageStanza) {
	m.From = s.occupantJID(d.ID, senderID)
	typing := isChatState(m)
	for _, uid := range s.groupRecipients(d, senderID) {
		if uid == senderID {
			if typing {
				continue
			}
			for _, t := range s.reg.sessions(uid) {
				t.deliverCopy(*m)
			}
			continue
		}
		sessions := s.reg.sessions(uid)
		if len(sessions) == 0 || !s.maySend(ctx, senderID, origin, s.userJID(uid)) {
			continue
		}
		for _, t := range sessions {
			if s.mayReceive(ctx, uid, t, cube.PrivacyMessage, m.From) {
				t.deliverCopy(*m)
			}
		}
	}
}

// handleMUCPresence answers a join (or leave) of a room with the self-presence
// (status 110) the SDKs look for; joining is optional for message delivery.
func (c *conn) handleMUCPresence(s *session, p *presenceStanza) {
	switch p.Type {
	case "", "unavailable":
	default:
		return
	}
	d, serr := c.occupiedDialog(p.To, s.userID, true)
	if serr != nil {
		c.log.Info("xmpp room presence rejected", "jid", s.jid, "room", cube.BareJID(p.To), "condition", serr.cond)
		s.sendStanza(presenceOut{ID: p.ID, Type: "error", From: p.To, To: s.jid, MUC: &mucX{},
			Error: cube.NewStanzaError(serr.typ, serr.code, serr.cond, serr.text)})
		return
	}
	nick := c.srv.roomJID(d.ID) + "/" + strconv.FormatInt(s.userID, 10)
	item := mucItem{Affiliation: "member", Role: "participant", JID: s.jid}
	switch {
	case d.UserID == s.userID:
		item.Affiliation = "owner"
	case slices.Contains(d.AdminsIDs, s.userID):
		item.Affiliation = "admin"
	case !slices.Contains(d.OccupantsIDs, s.userID):
		item.Affiliation, item.Role = "none", "visitor" // a reader of a broadcast dialog
	}
	if p.Type == "unavailable" {
		item.Role = "none"
	}
	s.sendStanza(presenceOut{ID: p.ID, Type: p.Type, From: nick, To: s.jid,
		MUCUser: &mucUserX{Item: item, Status: []mucStatus{{Code: "110"}}}})
}
