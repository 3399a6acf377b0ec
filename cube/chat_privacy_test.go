package cube

import (
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"testing"
)

func TestPrivacyWireItemsMatchTheSDK(t *testing.T) {
	l := PrivacyList{Name: "myList", Items: []PrivacyEntry{
		{UserID: 18, Action: PrivacyAllow}, {UserID: 34, Action: PrivacyDeny}, {UserID: 48, Action: PrivacyDeny, MutualBlock: true}}}
	items, err := l.WireItems(1, "localhost")
	if err != nil {
		t.Fatal(err)
	}
	b, err := xml.Marshal(privacyQuery{Lists: []privacyListElem{{Name: l.Name, Items: toItemElems(items)}}})
	if err != nil {
		t.Fatal(err)
	}
	// The captured SDK 6 stanza of docs/protocol.md §8.12, in encoding/xml's spelling.
	four := `<message></message><presence-in></presence-in><presence-out></presence-out><iq></iq>`
	want := `<query xmlns="jabber:iq:privacy"><list name="myList">` +
		`<item type="jid" value="18-1@localhost" action="allow" order="1">` + four + `</item>` +
		`<item type="jid" value="muc.localhost/18" action="allow" order="2">` + four + `</item>` +
		`<item type="jid" value="34-1@localhost" action="deny" order="3">` + four + `</item>` +
		`<item type="jid" value="muc.localhost/34" action="deny" order="4">` + four + `</item>` +
		`<item type="jid" value="48-1@localhost" action="deny" order="5"></item>` +
		`<item type="jid" value="muc.localhost/48" action="deny" order="6"></item></list></query>`
	if string(b) != want {
		t.Fatalf("wire:\n%s\nwant\n%s", b, want)
	}
	if err := ValidatePrivacyItems(items); err != nil {
		t.Fatalf("the server's validation refuses our items: %v", err)
	}
	if back := EntriesFromItems(fromItemElems(toItemElems(items))); !reflect.DeepEqual(back, l.Items) {
		t.Fatalf("round trip %+v", back)
	}
}

func TestPrivacyListValidation(t *testing.T) {
	cases := map[string]PrivacyList{
		"no name":    {Items: []PrivacyEntry{{UserID: 1, Action: PrivacyDeny}}},
		"bad action": {Name: "l", Items: []PrivacyEntry{{UserID: 1, Action: "block"}}},
		"no user":    {Name: "l", Items: []PrivacyEntry{{Action: PrivacyDeny}}},
		"user twice": {Name: "l", Items: []PrivacyEntry{{UserID: 1, Action: PrivacyDeny}, {UserID: 1, Action: PrivacyAllow}}},
	}
	for name, l := range cases {
		if _, err := l.WireItems(1, "localhost"); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

func TestEntriesFromForeignItems(t *testing.T) {
	// Out of order, a fall-through item, a non-jid item and a user with only a room item.
	items := []PrivacyItem{
		{Type: "jid", Value: "muc.localhost/5", Action: "deny", Order: 4},
		{Action: "allow", Order: 9},
		{Type: "jid", Value: "5-1@localhost", Action: "deny", Order: 3},
		{Type: "group", Value: "friends", Action: "allow", Order: 1},
		{Type: "jid", Value: "muc.localhost/6", Action: "deny", Order: 5, Kinds: []string{PrivacyMessage}},
	}
	want := []PrivacyEntry{{UserID: 5, Action: "deny", MutualBlock: true}, {UserID: 6, Action: "deny"}}
	if got := EntriesFromItems(items); !reflect.DeepEqual(got, want) {
		t.Fatalf("entries %+v, want %+v", got, want)
	}
}

// privacyServer keeps lists for the fake XMPP server and answers jabber:iq:privacy.
type privacyServer struct {
	mu    sync.Mutex
	lists map[string][]privacyItemElem
	order []string
	deflt string
}

func (p *privacyServer) answer(iq fakeElem) string {
	if !strings.Contains(iq.Inner, NSPrivacy) {
		return ""
	}
	var q privacyQuery
	if err := xml.Unmarshal([]byte(iq.Inner), &q); err != nil {
		return fmt.Sprintf(`<iq type='error' id='%s'><error type='modify'><bad-request xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></iq>`, iq.attr("id"))
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	result := func(payload any) string {
		b, _ := xml.Marshal(payload)
		return fmt.Sprintf(`<iq type='result' id='%s'>%s</iq>`, iq.attr("id"), b)
	}
	notFound := fmt.Sprintf(`<iq type='error' id='%s'><error type='cancel'><item-not-found xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></iq>`, iq.attr("id"))
	switch {
	case iq.attr("type") == "get" && len(q.Lists) == 0:
		out := privacyQuery{Active: &privacyNameElem{}, Default: &privacyNameElem{Name: p.deflt}}
		for _, n := range p.order {
			out.Lists = append(out.Lists, privacyListElem{Name: n})
		}
		return result(out)
	case iq.attr("type") == "get":
		items, ok := p.lists[q.Lists[0].Name]
		if !ok {
			return notFound
		}
		return result(privacyQuery{Lists: []privacyListElem{{Name: q.Lists[0].Name, Items: items}}})
	case q.Default != nil:
		if _, ok := p.lists[q.Default.Name]; !ok && q.Default.Name != "" {
			return notFound
		}
		p.deflt = q.Default.Name
	case len(q.Lists) == 1 && len(q.Lists[0].Items) == 0:
		delete(p.lists, q.Lists[0].Name)
		p.order = []string{}
		for n := range p.lists {
			p.order = append(p.order, n)
		}
	case len(q.Lists) == 1:
		if _, ok := p.lists[q.Lists[0].Name]; !ok {
			p.order = append(p.order, q.Lists[0].Name)
		}
		p.lists[q.Lists[0].Name] = q.Lists[0].Items
	}
	return fmt.Sprintf(`<iq type='result' id='%s'/>`, iq.attr("id"))
}

func TestChatPrivacyLists(t *testing.T) {
	srv, c := connected(t, fastOpts())
	ps := &privacyServer{lists: map[string][]privacyItemElem{}}
	srv.setAnswer(ps.answer)
	ctx := context.Background()
	list := PrivacyList{Name: "blocked", Items: []PrivacyEntry{{UserID: 8, Action: PrivacyDeny, MutualBlock: true}, {UserID: 9, Action: PrivacyDeny}}}
	if err := c.CreatePrivacyList(ctx, list); err != nil {
		t.Fatal(err)
	}
	if err := c.SetDefaultPrivacyList(ctx, "blocked"); err != nil {
		t.Fatal(err)
	}
	names, err := c.PrivacyListNames(ctx)
	if err != nil || names.Default != "blocked" || names.Active != "" || !reflect.DeepEqual(names.Names, []string{"blocked"}) {
		t.Fatalf("names %+v %v", names, err)
	}
	got, err := c.GetPrivacyList(ctx, "blocked")
	if err != nil || !reflect.DeepEqual(*got, list) {
		t.Fatalf("list %+v %v", got, err)
	}
	var iqErr *IQError
	if _, err := c.GetPrivacyList(ctx, "nope"); !errors.As(err, &iqErr) || iqErr.Condition != "item-not-found" {
		t.Fatalf("unknown list: %v", err)
	}
	if err := c.SetDefaultPrivacyList(ctx, ""); err != nil {
		t.Fatal(err)
	}
	if err := c.DeletePrivacyList(ctx, "blocked"); err != nil {
		t.Fatal(err)
	}
	if names, err := c.PrivacyListNames(ctx); err != nil || names.Default != "" || len(names.Names) != 0 {
		t.Fatalf("names after delete %+v %v", names, err)
	}
	if err := c.CreatePrivacyList(ctx, PrivacyList{Name: "x", Items: []PrivacyEntry{{UserID: 1, Action: "nope"}}}); err == nil {
		t.Fatal("a bad list was sent")
	}
}
