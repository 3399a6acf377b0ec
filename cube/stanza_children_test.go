package cube

import (
	"encoding/xml"
	"strings"
	"testing"
)

// TestUnmodelledChildrenRoundTrip: children the dialect does not model are kept with
// their namespaces, attributes, text and order, and written back so that they read
// the same; namespaces are declared only where they change.
func TestUnmodelledChildrenRoundTrip(t *testing.T) {
	raw := `<message xmlns='jabber:client' xml:lang='de' type='chat' id='m1'><body>b</body><thread parent='p'>t</thread>` +
		`<request xmlns='urn:xmpp:receipts'/><x xmlns='jabber:x:oob'><url>https://x/?a=1&amp;b=2</url></x>` +
		`<s xmlns='urn:p' xml:lang='en'>a<q:in xmlns:q='urn:q' q:f='1'>mid<![CDATA[<c>]]></q:in>z<same/><none xmlns=''>n</none></s></message>`
	var m MessageStanza
	if err := xml.Unmarshal([]byte(raw), &m); err != nil {
		t.Fatal(err)
	}
	if m.Lang != "de" || len(m.Other) != 4 || m.Other[0].Name != (xml.Name{Space: NSClient, Local: "thread"}) {
		t.Fatalf("read %+v", m)
	}
	s := m.Other[3]
	in := s.Nodes[1].Elem
	if s.Nodes[0].Text != "a" || in.Name.Space != "urn:q" || in.Attrs[0].Name.Space != "urn:q" || in.Nodes[0].Text != "mid<c>" ||
		s.Nodes[2].Text != "z" || s.Nodes[3].Elem.Name.Space != "urn:p" || s.Nodes[4].Elem.Name.Space != "" {
		t.Fatalf("private child read as %+v", s)
	}
	b, err := xml.Marshal(&m)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Count(string(b), `xmlns="urn:p"`) != 1 {
		t.Fatalf("namespace declared more than where it changes: %s", b)
	}
	assertRoundTrip(t, &m)
}
