package main

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/cubechat/cubechat/cache"
	"github.com/cubechat/cubechat/cube"
)

// comparer holds every cache to the server's view of its user, and the server to the
// ledger of what the users asked for. Each divergence is counted once where it shows.
type comparer struct {
	rep       *SoakReport
	book      *ledger
	names     map[int64]string        // user id → "user N", for examples
	server    map[string]cube.Message // every message any user's view holds, by id
	reactions *reactionBook
	// pendingAt: message ids that a sender's cache still holds as pending or failed,
	// so the ledger check does not count them as lost too.
	pendingAt map[string]bool
	// cachedState: the sender's cached state of its own messages the server lacks
	// (the ledger check reports them, with this state).
	cachedState map[string]cache.MessageState
}

func (c *comparer) name(id int64) string {
	if n, ok := c.names[id]; ok {
		return n
	}
	return fmt.Sprintf("user id %d", id)
}

// compareClient compares one cache with its user's server view.
func (c *comparer) compareClient(ctx context.Context, sc *soakClient, v *serverView) error {
	me := sc.user.ID
	who := c.name(me)
	if err := c.compareDialogs(ctx, sc, v); err != nil {
		return err
	}
	for _, d := range v.dialogs {
		cached, err := sc.db.Messages(ctx, d.ID, time.Time{}, "", 10_000_000)
		if err != nil {
			return err
		}
		gaps, err := sc.db.Gaps(ctx, d.ID)
		if err != nil {
			return err
		}
		if err := c.compareMessages(ctx, who, me, d.ID, v.messages[d.ID], cached, gaps); err != nil {
			return err
		}
	}
	return c.comparePending(ctx, sc)
}

// compareDialogs: the same dialogs, names, last messages (the row's preview) and
// unread counts. Among messages sent in the same second the server's dialog names the
// one stored last while its message list (and the cache) orders by _id: either
// counts as the last message.
func (c *comparer) compareDialogs(ctx context.Context, sc *soakClient, v *serverView) error {
	who := c.name(sc.user.ID)
	cached, err := sc.db.Dialogs(ctx)
	if err != nil {
		return err
	}
	byID := map[string]cache.Dialog{}
	for _, d := range cached {
		byID[d.ID] = d
	}
	for _, s := range v.dialogs {
		d, ok := byID[s.ID]
		delete(byID, s.ID)
		if !ok {
			c.rep.add(kindDialogs, "dialog missing from a cache", "%s lacks dialog %s (%q)", who, s.ID, s.Name)
			continue
		}
		if s.Type != cube.DialogPrivate && d.Name != s.Name {
			c.rep.add(kindDialogs, "group name", "%s shows dialog %s as %q, the server names it %q", who, s.ID, d.Name, s.Name)
		}
		if want, alt := deref(s.LastMessageID), lastListed(v.messages[s.ID]); d.LastMessageID != want && d.LastMessageID != alt {
			c.rep.add(kindDialogs, "last message", "%s shows %s as the last message of %s, the server %s (last listed %s)",
				who, d.LastMessageID, s.ID, want, alt)
		}
		if want := deref(s.UnreadMessagesCount); d.UnreadCount != want {
			c.rep.add(kindUnread, higherLower(d.UnreadCount, want), "%s shows %d unread in %s, the server counts %d", who, d.UnreadCount, s.ID, want)
		}
	}
	for id, d := range byID {
		if !d.Hidden {
			c.rep.add(kindDialogs, "dialog the server does not list", "%s shows dialog %s (%q) that the server does not list", who, id, d.Name)
		}
	}
	return nil
}

// compareMessages compares one dialog of one cache with the server's messages.
func (c *comparer) compareMessages(ctx context.Context, who string, me int64, dialogID string,
	server []cube.Message, cached []cache.Message, gaps []cache.Gap) error {
	byID := make(map[string]cube.Message, len(server))
	for _, s := range server {
		byID[s.ID] = s
	}
	cachedByID := make(map[string]cache.Message, len(cached))
	for _, m := range cached {
		cachedByID[m.ID] = m
	}
	for _, s := range server {
		m, ok := cachedByID[s.ID]
		if !ok {
			switch {
			case s.Deleted:
				// Never seen and deleted since: nothing to show.
			case s.SenderID == me && c.book.isDeleted(s.ID):
				// Its sender deleted it and the cache dropped it: the ledger check
				// reports it once if the server still has it.
			case inGap(gaps, s.DateSent):
				c.rep.InGaps++
			default:
				c.rep.add(kindLost, "server message missing from a cache", "%s lacks %s %q from %s in dialog %s (date_sent %s, stored %s)", who, s.ID,
					messageKey(s.Message), c.name(s.SenderID), dialogID, clock(s.DateSent), s.CreatedAt.Format("15:04:05"))
			}
			continue
		}
		c.rep.ComparedCopies++
		if err := c.compareMessage(ctx, who, me, s, m); err != nil {
			return err
		}
	}
	// Duplicates and order, in the cache's order, among the copies of messages the
	// server has; then the copies it does not have: another copy of a message shown
	// already (a resend under a new id) is a duplicate, anything else is lost.
	keys := map[string]string{}
	var newest int64
	var newestID string
	var unknown []cache.Message
	for _, m := range cached {
		s, onServer := byID[m.ID]
		if !onServer {
			unknown = append(unknown, m)
			continue
		}
		if !m.Deleted {
			key := messageKey(m.Body)
			if other, dup := keys[key]; dup {
				c.rep.add(kindDuplicated, "two server ids for one message", "%s shows %q twice in dialog %s: %s and %s", who, key, dialogID, other, m.ID)
			} else {
				keys[key] = m.ID
			}
		}
		if s.DateSent < newest {
			c.rep.add(kindOrder, ownOrOthers(m.SenderID == me), "%s shows %s (server date_sent %s) after %s (date_sent %s) in dialog %s",
				who, m.ID, clock(s.DateSent), newestID, clock(newest), dialogID)
		} else {
			newest, newestID = s.DateSent, m.ID
		}
	}
	for _, m := range unknown {
		if other, dup := keys[messageKey(m.Body)]; dup && !m.Deleted {
			c.rep.add(kindDuplicated, "a copy unknown to the server", "%s shows %q twice in dialog %s: %s and %s (%s, unknown to the server)",
				who, messageKey(m.Body), dialogID, other, m.ID, m.State)
			continue
		}
		if m.SenderID == me && (m.State == cache.StatePending || m.State == cache.StateFailed) {
			continue // counted as stuck pending
		}
		if m.SenderID == me && c.book.has(m.ID) {
			c.cachedState[m.ID] = m.State
			continue // the ledger check counts it, once
		}
		c.rep.add(kindLost, "cache copy unknown to the server", "%s holds %s %q (%s, from %s) in dialog %s that the server does not have",
			who, m.ID, messageKey(m.Body), m.State, c.name(m.SenderID), dialogID)
	}
	return nil
}

// compareMessage compares one cached copy with the server's message.
func (c *comparer) compareMessage(ctx context.Context, who string, me int64, s cube.Message, m cache.Message) error {
	if s.Deleted != m.Deleted {
		c.rep.add(kindDeletions, deletionCause(m.Deleted), "%s shows %s deleted=%v, the server deleted=%v (from %s)", who, s.ID, m.Deleted, s.Deleted, c.name(s.SenderID))
		return nil
	}
	if s.Deleted {
		return nil
	}
	if m.Body != s.Message || m.EditPending {
		c.rep.add(kindBodies, bodyCause(m.EditPending), "%s shows %s as %q (edit pending %v), the server has %q", who, s.ID, m.Body, m.EditPending, s.Message)
	}
	c.compareMarkers(who, me, s, m)
	full, err := c.reactions.of(ctx, s)
	if err != nil {
		return err
	}
	if want, got := normalReactions(full), normalReactions(m.Reactions); !maps.EqualFunc(want, got, slices.Equal[[]int64]) {
		c.rep.add(kindReactions, "a cache differs from the server", "%s shows reactions %v on %s, the server has %v", who, got, s.ID, want)
	}
	return nil
}

// compareMarkers compares what the user's screen shows of markers. On one's own
// message: who received and who read it, and the tick (state) that follows from
// that. On anyone else's: whether the user has read it (what unread counts and read
// markers rest on). Who else read someone else's message is not shown and is not
// sent to third parties live, so it is not compared.
func (c *comparer) compareMarkers(who string, me int64, s cube.Message, m cache.Message) {
	if s.SenderID != me {
		if sr, mr := slices.Contains(s.ReadIDs, me), slices.Contains(m.ReadIDs, me); sr != mr {
			c.rep.add(kindMarkers, "own read state of others' messages", "%s has %s from %s read by itself=%v, the server says %v", who, s.ID, c.name(s.SenderID), mr, sr)
		}
		return
	}
	sRead, sDelivered := markerSets(s.SenderID, s.ReadIDs, s.DeliveredIDs)
	mRead, mDelivered := markerSets(s.SenderID, m.ReadIDs, m.DeliveredIDs)
	want := ownStateOf(sRead, sDelivered)
	if !slices.Equal(sRead, mRead) || !slices.Equal(sDelivered, mDelivered) || m.State != want {
		c.rep.add(kindMarkers, markerCause(sRead, sDelivered, mRead, mDelivered), "%s's own %s: read by %v, delivered to %v, tick %s; the server: read by %v, delivered to %v (tick %s)",
			who, s.ID, c.userNames(mRead), c.userNames(mDelivered), m.State, c.userNames(sRead), c.userNames(sDelivered), want)
	}
}

// userNames renders user ids as "user N" names.
func (c *comparer) userNames(ids []int64) []string {
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = c.name(id)
	}
	return out
}

// comparePending counts what an engine still has not delivered at quiescence:
// pending or failed messages and queued actions.
func (c *comparer) comparePending(ctx context.Context, sc *soakClient) error {
	who := c.name(sc.user.ID)
	dialogs, err := sc.db.Dialogs(ctx)
	if err != nil {
		return err
	}
	for _, d := range dialogs {
		msgs, err := sc.db.Messages(ctx, d.ID, time.Time{}, "", 10_000_000)
		if err != nil {
			return err
		}
		for _, m := range msgs {
			if m.SenderID == sc.user.ID && (m.State == cache.StatePending || m.State == cache.StateFailed) {
				c.pendingAt[m.ID] = true
				_, onServer := c.server[m.ID]
				c.rep.add(kindPending, "message", "%s still holds %s %q as %s (on the server: %v; last error %q)",
					who, m.ID, messageKey(m.Body), m.State, onServer, m.LastError)
			}
		}
	}
	actions, err := sc.db.Actions(ctx)
	if err != nil {
		return err
	}
	for _, a := range actions {
		c.rep.add(kindPending, "queued action", "%s still queues a %s of %s%s", who, a.Kind, a.MessageID, a.DialogID)
	}
	return nil
}

// compareLedger holds the server to what the users asked for and the engines
// accepted: every sent message stored, the last edit's text, deletions, reactions.
func (c *comparer) compareLedger(ctx context.Context) error {
	c.book.mu.Lock()
	defer c.book.mu.Unlock()
	ids := slices.Sorted(maps.Keys(c.book.messages))
	for _, id := range ids {
		want := c.book.messages[id]
		s, ok := c.server[id]
		if !ok {
			// Deleted while still pending, it need never reach the server; still
			// pending, it is counted as stuck.
			if !want.deleted && !c.pendingAt[id] {
				state, held := c.cachedState[id]
				where := "not in the sender's cache either"
				if held {
					where = fmt.Sprintf("the sender's cache shows it %s", state)
				}
				c.rep.add(kindLost, "accepted by the engine, never stored", "%s sent %s %q to dialog %s; the engine took it, the server never stored it (%s)",
					c.name(want.sender), id, messageKey(want.body), want.dialogID, where)
			}
			continue
		}
		switch {
		case want.deleted && !s.Deleted:
			c.rep.add(kindDeletions, "the sender's delete never reached the server", "%s deleted %s %q for everyone; the server still has it as %q",
				c.name(want.sender), id, messageKey(want.body), s.Message)
		case !want.deleted && s.Deleted:
			c.rep.add(kindDeletions, "deleted on the server unasked", "the server deleted %s %q, which its sender %s never deleted", id, messageKey(want.body), c.name(want.sender))
		case !s.Deleted && s.Message != want.body:
			c.rep.add(kindBodies, "the sender's edit never reached the server", "%s last asked for %s to read %q; the server has %q", c.name(want.sender), id, want.body, s.Message)
		}
	}
	reacted := slices.Sorted(maps.Keys(c.book.reactions))
	for _, id := range reacted {
		s, ok := c.server[id]
		if !ok || s.Deleted {
			continue // its message was lost (counted) or deleted: reactions go with it
		}
		full, err := c.reactions.of(ctx, s)
		if err != nil {
			return err
		}
		for user, want := range c.book.reactions[id] {
			got := ""
			for emoji, users := range full {
				if slices.Contains(users, user) {
					got = emoji
				}
			}
			if got != want {
				c.rep.add(kindReactions, "the user's reaction never reached the server", "%s last asked for reaction %q on %s; the server has %q", c.name(user), want, id, got)
			}
		}
	}
	return nil
}

// serverDuplicates counts messages the server stored twice under different ids.
func (c *comparer) serverDuplicates() {
	byDialog := map[string]map[string]string{}
	ids := slices.Sorted(maps.Keys(c.server))
	for _, id := range ids {
		s := c.server[id]
		if s.Deleted {
			continue
		}
		keys := byDialog[s.ChatDialogID]
		if keys == nil {
			keys = map[string]string{}
			byDialog[s.ChatDialogID] = keys
		}
		key := messageKey(s.Message)
		if other, dup := keys[key]; dup {
			c.rep.add(kindDuplicated, "stored twice by the server", "the server stored %q twice in dialog %s: %s and %s", key, s.ChatDialogID, other, id)
		} else {
			keys[key] = id
		}
	}
}

// markerSets are the users other than the sender who read and who received a
// message, sorted; a read counts as received, on either side.
func markerSets(sender int64, read, delivered []int64) (r, d []int64) {
	for _, id := range read {
		if id != sender && !slices.Contains(r, id) {
			r = append(r, id)
		}
	}
	d = slices.Clone(r)
	for _, id := range delivered {
		if id != sender && !slices.Contains(d, id) {
			d = append(d, id)
		}
	}
	slices.Sort(r)
	slices.Sort(d)
	return r, d
}

// ownStateOf is the tick one's own message should show given the others' markers.
func ownStateOf(read, delivered []int64) cache.MessageState {
	switch {
	case len(read) > 0:
		return cache.StateRead
	case len(delivered) > 0:
		return cache.StateDelivered
	}
	return cache.StateSent
}

// normalReactions drops empty lists and sorts the user ids.
func normalReactions(in map[string][]int64) map[string][]int64 {
	out := map[string][]int64{}
	for emoji, users := range in {
		if len(users) == 0 {
			continue
		}
		u := slices.Clone(users)
		slices.Sort(u)
		out[emoji] = slices.Compact(u)
	}
	return out
}

func inGap(gaps []cache.Gap, dateSent int64) bool {
	t := cube.UnixAny(dateSent)
	for _, g := range gaps {
		if !t.Before(g.From.Truncate(time.Second)) && !t.After(g.To) {
			return true
		}
	}
	return false
}

func clock(dateSent int64) string { return cube.UnixAny(dateSent).Format("15:04:05") }

func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}

// The causes that split a kind's count in the report.

func higherLower(cached, server int) string {
	if cached > server {
		return "cache counts more"
	}
	return "cache counts fewer"
}

func ownOrOthers(own bool) string {
	if own {
		return "one's own message"
	}
	return "someone else's message"
}

func deletionCause(cachedDeleted bool) string {
	if cachedDeleted {
		return "deleted in a cache only"
	}
	return "a cache missed a deletion"
}

func bodyCause(editPending bool) string {
	if editPending {
		return "an edit still pending in a cache"
	}
	return "a cache missed an edit"
}

func markerCause(sRead, sDelivered, mRead, mDelivered []int64) string {
	switch {
	case len(mRead) < len(sRead):
		return "read markers missing in the sender's cache"
	case len(mDelivered) < len(sDelivered):
		return "delivered markers missing in the sender's cache"
	case !slices.Equal(sRead, mRead) || !slices.Equal(sDelivered, mDelivered):
		return "markers the server does not have"
	}
	return "tick does not follow the markers"
}

// lastListed is the id of the last message not deleted in the server's order.
func lastListed(msgs []cube.Message) string {
	for i := len(msgs) - 1; i >= 0; i-- {
		if !msgs[i].Deleted {
			return msgs[i].ID
		}
	}
	return ""
}
