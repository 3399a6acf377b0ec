package xmppd

import (
	"fmt"
	"slices"
	"strconv"

	"github.com/cubechat/cubechat/cube"
)

// handlePrivacy answers jabber:iq:privacy (XEP-0016 §2, docs/protocol.md §8.12): get the
// names, get one list, set the active or default list, and replace or delete a list.
// Deviation: changing or declining the default while another resource uses it is
// allowed (XEP-0016 says conflict), because the SDKs' block flow declines and sets
// the default around every edit and would fail for a user with two devices online.
// Lists are not pushed to other resources on change: SDK 6 would read such an IQ
// push (from + <query>) as a last-activity event.
func (c *conn) handlePrivacy(s *session, iq *iqStanza, q *node) {
	var children []*node
	for i := range q.Children {
		children = append(children, &q.Children[i])
	}
	if iq.Type == "get" {
		switch {
		case len(children) == 0:
			c.privacyNames(s, iq)
		case len(children) == 1 && children[0].XMLName.Local == "list" && children[0].attr("name") != "":
			c.privacyGetList(s, iq, children[0].attr("name"))
		default:
			c.rejectIQ(s, iq, "modify", "400", "bad-request", "get the names or exactly one list")
		}
		return
	}
	if len(children) != 1 {
		c.rejectIQ(s, iq, "modify", "400", "bad-request", "set exactly one of active, default or list")
		return
	}
	ch := children[0]
	name := ch.attr("name")
	switch ch.XMLName.Local {
	case "active":
		c.privacySetActive(s, iq, name)
	case "default":
		c.privacyBackendCall(s, iq, "set default", func() error {
			ctx, cancel := c.backendCtx()
			defer cancel()
			return c.srv.backend.SetDefaultPrivacyList(ctx, s.userID, name)
		})
	case "list":
		if name == "" {
			c.rejectIQ(s, iq, "modify", "400", "bad-request", "a list needs a name")
			return
		}
		if len(ch.Children) == 0 {
			c.privacyDelete(s, iq, name)
			return
		}
		items, err := parsePrivacyItems(ch)
		if err == nil {
			err = cube.ValidatePrivacyItems(items)
		}
		if err != nil {
			c.rejectIQ(s, iq, "modify", "400", "bad-request", err.Error())
			return
		}
		c.privacyBackendCall(s, iq, "set list", func() error {
			ctx, cancel := c.backendCtx()
			defer cancel()
			return c.srv.backend.SetPrivacyList(ctx, s.userID, name, items)
		})
	default:
		c.rejectIQ(s, iq, "modify", "400", "bad-request", "unknown privacy element "+ch.XMLName.Local)
	}
}

// privacyBackendCall runs a change, answers it, and drops the user's cached lists.
func (c *conn) privacyBackendCall(s *session, iq *iqStanza, what string, call func() error) {
	err := call()
	c.srv.invalidatePrivacy(s.userID)
	switch {
	case err == nil:
		s.sendStanza(iqReply{Type: "result", ID: iq.ID})
	case isNotFound(err):
		c.rejectIQ(s, iq, "cancel", "404", "item-not-found", "no such privacy list")
	default:
		c.log.Error("xmpp privacy "+what, "user", s.userID, "err", err)
		c.rejectIQ(s, iq, "wait", "500", "internal-server-error", "")
	}
}

func (c *conn) privacyNames(s *session, iq *iqStanza) {
	ctx, cancel := c.backendCtx()
	defer cancel()
	lists, def, err := c.srv.backend.PrivacyLists(ctx, s.userID)
	if err != nil {
		c.log.Error("xmpp privacy names", "user", s.userID, "err", err)
		c.rejectIQ(s, iq, "wait", "500", "internal-server-error", "")
		return
	}
	q := cube.PrivacyQuery{}
	if a := s.activeList(); a != "" {
		if _, ok := lists[a]; ok {
			q.Active = &cube.PrivacyNameElem{Name: a}
		}
	}
	if def != "" {
		q.Default = &cube.PrivacyNameElem{Name: def}
	}
	names := make([]string, 0, len(lists))
	for n := range lists {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, n := range names {
		q.Lists = append(q.Lists, cube.PrivacyListElem{Name: n})
	}
	s.sendStanza(iqReply{Type: "result", ID: iq.ID, Payload: q})
}

func (c *conn) privacyGetList(s *session, iq *iqStanza, name string) {
	ctx, cancel := c.backendCtx()
	defer cancel()
	lists, _, err := c.srv.backend.PrivacyLists(ctx, s.userID)
	if err != nil {
		c.log.Error("xmpp privacy get list", "user", s.userID, "err", err)
		c.rejectIQ(s, iq, "wait", "500", "internal-server-error", "")
		return
	}
	items, ok := lists[name]
	if !ok {
		c.rejectIQ(s, iq, "cancel", "404", "item-not-found", "no such privacy list")
		return
	}
	// The SDK reads every even-indexed item as a user entry: order matters.
	items = slices.Clone(items)
	slices.SortFunc(items, func(a, b cube.PrivacyItem) int { return a.Order - b.Order })
	out := cube.PrivacyListElem{Name: name}
	for _, it := range items {
		out.Items = append(out.Items, it.Elem())
	}
	s.sendStanza(iqReply{Type: "result", ID: iq.ID, Payload: cube.PrivacyQuery{Lists: []cube.PrivacyListElem{out}}})
}

func (c *conn) privacySetActive(s *session, iq *iqStanza, name string) {
	if name != "" {
		ctx, cancel := c.backendCtx()
		lists, _, err := c.srv.backend.PrivacyLists(ctx, s.userID)
		cancel()
		if err != nil {
			c.log.Error("xmpp privacy set active", "user", s.userID, "err", err)
			c.rejectIQ(s, iq, "wait", "500", "internal-server-error", "")
			return
		}
		if _, ok := lists[name]; !ok {
			c.rejectIQ(s, iq, "cancel", "404", "item-not-found", "no such privacy list")
			return
		}
	}
	s.setActiveList(name)
	s.sendStanza(iqReply{Type: "result", ID: iq.ID})
}

// privacyDelete removes a list unless it governs another connected resource of the
// user (as its active list, or as the default of a resource without one): XEP-0016
// requires conflict then.
func (c *conn) privacyDelete(s *session, iq *iqStanza, name string) {
	ctx, cancel := c.backendCtx()
	_, def, err := c.srv.backend.PrivacyLists(ctx, s.userID)
	cancel()
	if err != nil {
		c.log.Error("xmpp privacy delete", "user", s.userID, "err", err)
		c.rejectIQ(s, iq, "wait", "500", "internal-server-error", "")
		return
	}
	for _, t := range c.srv.reg.sessions(s.userID) {
		if t == s {
			continue
		}
		if a := t.activeList(); a == name || (a == "" && def == name) {
			c.rejectIQ(s, iq, "cancel", "409", "conflict", "the list is in use by another resource")
			return
		}
	}
	if s.activeList() == name {
		s.setActiveList("")
	}
	c.privacyBackendCall(s, iq, "delete list", func() error {
		ctx, cancel := c.backendCtx()
		defer cancel()
		return c.srv.backend.DeletePrivacyList(ctx, s.userID, name)
	})
}

// parsePrivacyItems reads the <item/> children of a <list/>.
func parsePrivacyItems(list *node) ([]cube.PrivacyItem, error) {
	var items []cube.PrivacyItem
	for _, n := range list.Children {
		if n.XMLName.Local != "item" {
			return nil, fmt.Errorf("unexpected <%s/> in a privacy list", n.XMLName.Local)
		}
		order, err := strconv.Atoi(n.attr("order"))
		if err != nil {
			return nil, fmt.Errorf("item order %q is not a number", n.attr("order"))
		}
		it := cube.PrivacyItem{Type: n.attr("type"), Value: n.attr("value"), Action: n.attr("action"), Order: order}
		for _, k := range n.Children {
			if !slices.Contains(it.Kinds, k.XMLName.Local) {
				it.Kinds = append(it.Kinds, k.XMLName.Local)
			}
		}
		items = append(items, it)
	}
	return items, nil
}
