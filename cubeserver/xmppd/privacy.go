package xmppd

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/cubechat/cubechat/cube"
)

// Privacy enforcement (XEP-0016 as ConnectyCube uses it, docs/protocol.md §8.12).
//
// A session is governed by its active list when it set one, else by the user's
// default list; an offline user by the default list. Incoming stanzas are checked
// against the recipient's list with the sender's JID as seen by the recipient
// ("{uid}-{app}@domain/res" for 1-1, "{room}/{uid}" in groups, which the SDK's
// "muc.{domain}/{uid}" item matches). Outgoing stanzas are checked against the
// sender's own list, but only items without stanza kinds count: that is how the SDK
// writes a mutual block, which must stop the blocker writing to the blocked user too.

// privacyState is one user's lists as loaded from the backend.
type privacyState struct {
	lists      map[string][]cube.PrivacyItem
	defaultSet string
}

// governing returns the items that apply: the named active list when it still
// exists, else the default list (nil when none).
func (p *privacyState) governing(active string) []cube.PrivacyItem {
	if active != "" {
		if items, ok := p.lists[active]; ok {
			return items
		}
	}
	return p.lists[p.defaultSet]
}

// privacyCache keeps each user's lists after first use; every change made through
// xmppd invalidates the user's entry. gen guards against a load that started before
// an invalidation storing stale lists after it.
type privacyCache struct {
	mu    sync.Mutex
	users map[int64]*privacyState
	gen   map[int64]uint64
}

// privacyOf returns the user's lists; a backend failure is logged and treated as
// "no lists", so a database hiccup never silently drops messages.
func (s *Server) privacyOf(ctx context.Context, userID int64) *privacyState {
	c := &s.privacy
	c.mu.Lock()
	if p, ok := c.users[userID]; ok {
		c.mu.Unlock()
		return p
	}
	gen := c.gen[userID]
	c.mu.Unlock()

	lists, def, err := s.backend.PrivacyLists(ctx, userID)
	if err != nil {
		s.log.Error("xmpp load privacy lists", "user", userID, "err", err)
		return &privacyState{}
	}
	for _, items := range lists {
		slices.SortFunc(items, func(a, b cube.PrivacyItem) int { return a.Order - b.Order })
	}
	p := &privacyState{lists: lists, defaultSet: def}
	c.mu.Lock()
	if c.gen[userID] == gen {
		c.users[userID] = p
	}
	c.mu.Unlock()
	return p
}

func (s *Server) invalidatePrivacy(userID int64) {
	c := &s.privacy
	c.mu.Lock()
	delete(c.users, userID)
	c.gen[userID]++
	c.mu.Unlock()
}

// mayReceive tells whether user uid accepts a stanza of the given kind from fromJID:
// through session t's governing list, or the default list when t is nil (offline).
func (s *Server) mayReceive(ctx context.Context, uid int64, t *session, kind, fromJID string) bool {
	active := ""
	if t != nil {
		active = t.activeList()
	}
	return allows(s.privacyOf(ctx, uid).governing(active), kind, fromJID, false)
}

// maySend tells whether the sender's own list (session sess, or the default when nil)
// lets a stanza reach toJID: only mutual (kind-less) items apply outgoing.
func (s *Server) maySend(ctx context.Context, senderID int64, sess *session, toJID string) bool {
	active := ""
	if sess != nil {
		active = sess.activeList()
	}
	return allows(s.privacyOf(ctx, senderID).governing(active), "", toJID, true)
}

// blocked1to1 tells whether a stanza from the sender (origin session sess, nil for
// server-generated ones) to user rid must be refused: the sender's list blocks rid,
// or no destination would accept it — the default list when rid is offline, every
// online session's list otherwise.
func (s *Server) blocked1to1(ctx context.Context, senderID int64, sess *session, fromJID string, rid int64, kind string) bool {
	if !s.maySend(ctx, senderID, sess, s.userJID(rid)) {
		return true
	}
	sessions := s.reg.sessions(rid)
	if len(sessions) == 0 {
		return !s.mayReceive(ctx, rid, nil, kind, fromJID)
	}
	for _, t := range sessions {
		if s.mayReceive(ctx, rid, t, kind, fromJID) {
			return false
		}
	}
	return true
}

// Blocks tells whether a 1-1 message from senderID to recipientID is refused by
// privacy lists, exactly as for a live message (blocked1to1): the REST API asks it
// before anything from senderID enters a history or a dialog list of recipientID.
func (s *Server) Blocks(ctx context.Context, senderID, recipientID int64) bool {
	return s.blocked1to1(ctx, senderID, nil, s.userJID(senderID), recipientID, cube.PrivacyMessage)
}

// allows evaluates a list (sorted by order): the first item that matches the peer
// and covers the stanza kind decides; no match allows. outgoing considers only items
// that cover all kinds.
func allows(items []cube.PrivacyItem, kind, peerJID string, outgoing bool) bool {
	for _, it := range items {
		if outgoing && len(it.Kinds) > 0 {
			continue
		}
		if !outgoing && len(it.Kinds) > 0 && !slices.Contains(it.Kinds, kind) {
			continue
		}
		if itemMatches(it, peerJID) {
			return it.Action == "allow"
		}
	}
	return true
}

// itemMatches applies one item to a JID. Users here have no roster, so every peer
// has subscription "none" and belongs to no group.
func itemMatches(it cube.PrivacyItem, peer string) bool {
	switch it.Type {
	case "":
		return true
	case "jid":
		return jidMatches(it.Value, peer)
	case "subscription":
		return it.Value == "none"
	}
	return false
}

// jidMatches implements XEP-0016's JID rules: "user@domain/resource" matches exactly,
// "user@domain" any resource, "domain/resource" any user with that resource (the SDK's
// "muc.{domain}/{uid}" is a user in any room), "domain" anything on the domain.
func jidMatches(value, peer string) bool {
	vLocal, vDomain, vRes := splitJID(value)
	pLocal, pDomain, pRes := splitJID(peer)
	if !strings.EqualFold(vDomain, pDomain) {
		return false
	}
	if vLocal != "" && !strings.EqualFold(vLocal, pLocal) {
		return false
	}
	return vRes == "" || vRes == pRes
}

func splitJID(j string) (local, domain, resource string) {
	resource = cube.JIDResource(j)
	bare := cube.BareJID(j)
	if i := strings.IndexByte(bare, '@'); i >= 0 {
		return bare[:i], bare[i+1:], resource
	}
	return "", bare, resource
}

// occupantJID is how a group message sender appears to the other occupants.
func (s *Server) occupantJID(dialogID string, userID int64) string {
	return s.roomJID(dialogID) + "/" + strconv.FormatInt(userID, 10)
}
