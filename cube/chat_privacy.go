package cube

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// Privacy actions.
const (
	PrivacyAllow = "allow"
	PrivacyDeny  = "deny"
)

// PrivacyEntry is one user on a privacy list, as the SDKs present it. A one-way deny
// blocks what the user sends us; MutualBlock also stops us from writing to them.
// (PrivacyItem is the XEP-0016 item on the wire; each entry becomes two of them.)
type PrivacyEntry struct {
	UserID      int64
	Action      string // PrivacyAllow or PrivacyDeny
	MutualBlock bool
}

// PrivacyList is a named list of entries.
type PrivacyList struct {
	Name  string
	Items []PrivacyEntry
}

// PrivacyListNames is the answer to "which lists are there".
type PrivacyListNames struct {
	Active, Default string
	Names           []string
}

// Short local names for the jabber:iq:privacy XML, which lives in privacy.go because
// cubeserver writes the same shape.
type (
	privacyQuery    = PrivacyQuery
	privacyNameElem = PrivacyNameElem
	privacyListElem = PrivacyListElem
	privacyItemElem = PrivacyItemElem
)

// WireItems renders the entries as the SDKs do (docs/protocol.md §8.12): per user a jid
// item for the user and one for "muc.{domain}/{uid}" (their messages in any room), in
// consecutive order from 1; the four stanza kinds except on a mutual deny.
func (l PrivacyList) WireItems(appID int64, domain string) ([]PrivacyItem, error) {
	if strings.TrimSpace(l.Name) == "" {
		return nil, errors.New("cube: a privacy list needs a name")
	}
	seen := map[int64]bool{}
	var out []PrivacyItem
	for _, e := range l.Items {
		if e.UserID <= 0 {
			return nil, fmt.Errorf("cube: privacy entry with user id %d", e.UserID)
		}
		if e.Action != PrivacyAllow && e.Action != PrivacyDeny {
			return nil, fmt.Errorf("cube: privacy action %q (want %q or %q)", e.Action, PrivacyAllow, PrivacyDeny)
		}
		if seen[e.UserID] {
			return nil, fmt.Errorf("cube: user %d is on the list twice", e.UserID)
		}
		seen[e.UserID] = true
		kinds := []string{PrivacyMessage, PrivacyPresenceIn, PrivacyPresenceOut, PrivacyIQ}
		if e.Action == PrivacyDeny && e.MutualBlock {
			kinds = nil // no kinds = every stanza, both ways
		}
		for _, value := range []string{UserJID(e.UserID, appID, domain), "muc." + domain + "/" + strconv.FormatInt(e.UserID, 10)} {
			out = append(out, PrivacyItem{Type: "jid", Value: value, Action: e.Action, Order: len(out) + 1, Kinds: kinds})
		}
	}
	return out, nil
}

// EntriesFromItems reads wire items back into entries by their JIDs (not by position,
// as SDK 6 does), so lists written by other clients read correctly too. Items that
// name no user are skipped; MutualBlock is a deny without stanza kinds.
func EntriesFromItems(items []PrivacyItem) []PrivacyEntry {
	sorted := append([]PrivacyItem(nil), items...)
	sort.SliceStable(sorted, func(i, j int) bool { return sorted[i].Order < sorted[j].Order })
	index := map[int64]int{}
	var out []PrivacyEntry
	for _, it := range sorted {
		if it.Type != "jid" {
			continue
		}
		uid, ok := privacyUserID(it.Value)
		if !ok {
			continue
		}
		if _, dup := index[uid]; dup {
			continue // the user's second (room) item
		}
		index[uid] = len(out)
		out = append(out, PrivacyEntry{UserID: uid, Action: it.Action, MutualBlock: it.Action == PrivacyDeny && len(it.Kinds) == 0})
	}
	return out
}

// privacyUserID reads {uid}-{app}@domain or muc.domain/{uid}.
func privacyUserID(value string) (int64, bool) {
	if IsRoomJID(value) || strings.HasPrefix(value, "muc.") {
		return SenderIDFromRoomJID(value)
	}
	return UserIDFromJID(value)
}

func toItemElems(items []PrivacyItem) []privacyItemElem {
	out := make([]privacyItemElem, len(items))
	for i, it := range items {
		out[i] = it.Elem()
	}
	return out
}

func fromItemElems(elems []privacyItemElem) []PrivacyItem {
	out := make([]PrivacyItem, len(elems))
	for i, e := range elems {
		out[i] = e.Item()
	}
	return out
}

// CreatePrivacyList creates or replaces a list. To edit the default list, the SDK
// docs decline the default first (SetDefaultPrivacyList "") and set it again after.
func (c *Chat) CreatePrivacyList(ctx context.Context, l PrivacyList) error {
	items, err := l.WireItems(c.cfg.AppID, c.cfg.ChatDomain)
	if err != nil {
		return err
	}
	q := privacyQuery{Lists: []privacyListElem{{Name: l.Name, Items: toItemElems(items)}}}
	_, err = c.requestIQ(ctx, "set", "", q)
	return err
}

// PrivacyListNames returns the names of the user's lists and which is active/default.
func (c *Chat) PrivacyListNames(ctx context.Context) (PrivacyListNames, error) {
	iq, err := c.requestIQ(ctx, "get", "", privacyQuery{})
	if err != nil {
		return PrivacyListNames{}, err
	}
	var q privacyQuery
	if err := decodeIQPayload(iq, &q); err != nil {
		return PrivacyListNames{}, err
	}
	var out PrivacyListNames
	if q.Active != nil {
		out.Active = q.Active.Name
	}
	if q.Default != nil {
		out.Default = q.Default.Name
	}
	for _, l := range q.Lists {
		out.Names = append(out.Names, l.Name)
	}
	return out, nil
}

// GetPrivacyList fetches one list; an unknown name is an *IQError (item-not-found).
func (c *Chat) GetPrivacyList(ctx context.Context, name string) (*PrivacyList, error) {
	if name == "" {
		return nil, errors.New("cube: a privacy list name is required")
	}
	iq, err := c.requestIQ(ctx, "get", "", privacyQuery{Lists: []privacyListElem{{Name: name}}})
	if err != nil {
		return nil, err
	}
	var q privacyQuery
	if err := decodeIQPayload(iq, &q); err != nil {
		return nil, err
	}
	for _, l := range q.Lists {
		if l.Name == name {
			return &PrivacyList{Name: name, Items: EntriesFromItems(fromItemElems(l.Items))}, nil
		}
	}
	return nil, fmt.Errorf("cube: privacy list %q missing from the answer", name)
}

// SetDefaultPrivacyList makes a list the default, which the server enforces ("" =
// decline the default, so no list applies).
func (c *Chat) SetDefaultPrivacyList(ctx context.Context, name string) error {
	_, err := c.requestIQ(ctx, "set", "", privacyQuery{Default: &privacyNameElem{Name: name}})
	return err
}

// DeletePrivacyList removes a list (a list element without items).
func (c *Chat) DeletePrivacyList(ctx context.Context, name string) error {
	if name == "" {
		return errors.New("cube: a privacy list name is required")
	}
	_, err := c.requestIQ(ctx, "set", "", privacyQuery{Lists: []privacyListElem{{Name: name}}})
	return err
}
