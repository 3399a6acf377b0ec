package cube

import (
	"encoding/xml"
	"fmt"
	"slices"
)

// PrivacyItem is one rule of an XEP-0016 privacy list (docs/protocol.md §8.12). The
// ConnectyCube SDKs write each blocked user as two jid items, "{uid}-{appId}@{chat}"
// and "muc.{chat}/{uid}", with the four kinds for a one-way block and no kinds for a
// mutual one.
type PrivacyItem struct {
	Type   string   // "jid", "group", "subscription", or "" for the fall-through item
	Value  string   // what Type matches; "" for the fall-through item
	Action string   // "allow" or "deny"
	Order  int      // unique within a list; items apply in ascending order
	Kinds  []string // "message", "presence-in", "presence-out", "iq"; empty = all stanzas
}

// Privacy item kinds (the child elements of <item/>).
const (
	PrivacyMessage     = "message"
	PrivacyPresenceIn  = "presence-in"
	PrivacyPresenceOut = "presence-out"
	PrivacyIQ          = "iq"
)

// ValidatePrivacyItems checks XEP-0016's rules for the items of one list: action
// allow or deny, orders non-negative and unique, a known type with a value (only the
// fall-through item has neither), subscription values none/to/from/both, known kinds.
func ValidatePrivacyItems(items []PrivacyItem) error {
	seen := map[int]bool{}
	for _, it := range items {
		bad := func(why string) error { return fmt.Errorf("privacy item order %d: %s", it.Order, why) }
		if it.Action != "allow" && it.Action != "deny" {
			return bad(`action must be "allow" or "deny"`)
		}
		if it.Order < 0 {
			return bad("order must not be negative")
		}
		if seen[it.Order] {
			return bad("order is used twice")
		}
		seen[it.Order] = true
		switch it.Type {
		case "":
			if it.Value != "" {
				return bad("a value needs a type")
			}
		case "jid", "group":
			if it.Value == "" {
				return bad("type " + it.Type + " needs a value")
			}
		case "subscription":
			if !slices.Contains([]string{"none", "to", "from", "both"}, it.Value) {
				return bad("subscription must be none, to, from or both")
			}
		default:
			return bad("unknown type " + it.Type)
		}
		for _, k := range it.Kinds {
			if !slices.Contains(privacyKinds, k) {
				return bad("unknown stanza kind " + k)
			}
		}
	}
	return nil
}

var privacyKinds = []string{PrivacyMessage, PrivacyPresenceIn, PrivacyPresenceOut, PrivacyIQ}

// PrivacyQuery is the <query xmlns="jabber:iq:privacy"/> payload, as the client sends
// it and the server answers it. Children of <query/> inherit its namespace.
type PrivacyQuery struct {
	XMLName xml.Name          `xml:"jabber:iq:privacy query"`
	Active  *PrivacyNameElem  `xml:"active"`
	Default *PrivacyNameElem  `xml:"default"`
	Lists   []PrivacyListElem `xml:"list"`
}

// PrivacyNameElem is <active/> or <default/>; no name declines it.
type PrivacyNameElem struct {
	Name string `xml:"name,attr,omitempty"`
}

// PrivacyListElem is one <list/>; without items it names the list (or deletes it on set).
type PrivacyListElem struct {
	Name  string            `xml:"name,attr"`
	Items []PrivacyItemElem `xml:"item"`
}

// PrivacyItemElem is an <item/> with its stanza kinds as empty child elements.
type PrivacyItemElem struct {
	Type        string `xml:"type,attr,omitempty"`
	Value       string `xml:"value,attr,omitempty"`
	Action      string `xml:"action,attr"`
	Order       int    `xml:"order,attr"`
	Message     *Empty `xml:"message"`
	PresenceIn  *Empty `xml:"presence-in"`
	PresenceOut *Empty `xml:"presence-out"`
	IQ          *Empty `xml:"iq"`
}

// Elem renders the item as XML; kinds other than the four known ones are dropped
// (ValidatePrivacyItems refuses them before anything is stored or sent).
func (it PrivacyItem) Elem() PrivacyItemElem {
	e := PrivacyItemElem{Type: it.Type, Value: it.Value, Action: it.Action, Order: it.Order}
	for _, k := range it.Kinds {
		switch k {
		case PrivacyMessage:
			e.Message = &Empty{}
		case PrivacyPresenceIn:
			e.PresenceIn = &Empty{}
		case PrivacyPresenceOut:
			e.PresenceOut = &Empty{}
		case PrivacyIQ:
			e.IQ = &Empty{}
		}
	}
	return e
}

// Item reads the element back; Kinds come out sorted, nil when the item has none.
func (e PrivacyItemElem) Item() PrivacyItem {
	it := PrivacyItem{Type: e.Type, Value: e.Value, Action: e.Action, Order: e.Order}
	for k, present := range map[string]bool{PrivacyMessage: e.Message != nil, PrivacyPresenceIn: e.PresenceIn != nil,
		PrivacyPresenceOut: e.PresenceOut != nil, PrivacyIQ: e.IQ != nil} {
		if present {
			it.Kinds = append(it.Kinds, k)
		}
	}
	slices.Sort(it.Kinds)
	return it
}
