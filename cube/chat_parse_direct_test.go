package cube

import (
	"reflect"
	"testing"
)

// directSeeds are the stanzas of a live conversation, which stanzaFromChatDirect
// reads, and shapes next to them that it must leave to rebuildStanza.
var directSeeds = []string{
	`<message xmlns="jabber:client" from="8-1@localhost/r" to="7-1@localhost" type="chat" id="m1"><body>hi &amp; &lt;you&gt;</body><extraParams xmlns="jabber:client"><save_to_history>1</save_to_history><dialog_id>d1</dialog_id><date_sent>1700000000</date_sent></extraParams><markable xmlns="urn:xmpp:chat-markers:0"/></message>`,
	`<message xmlns="jabber:client" from="8-1@localhost" type="chat" id="k1"><received xmlns="urn:xmpp:chat-markers:0" id="m1"/><extraParams xmlns="jabber:client"><dialog_id>d1</dialog_id></extraParams></message>`,
	`<message xmlns="jabber:client" from="8-1@localhost" type="chat" id="k2"><displayed xmlns="urn:xmpp:chat-markers:0" id="m1"></displayed></message>`,
	`<message xmlns="jabber:client" from="8-1@localhost" type="chat"><composing xmlns="http://jabber.org/protocol/chatstates"/><extraParams><dialog_id>d1</dialog_id></extraParams></message>`,
	`<message xmlns="jabber:client" from="8-1@localhost" type="chat"><paused xmlns="http://jabber.org/protocol/chatstates"/></message>`,
	`<message xmlns="jabber:client" from="8-1@localhost" type="chat" id="e1"><body>fixed</body><replace xmlns="urn:xmpp:message-correct:0" id="m2" last="true"/></message>`,
	`<message xmlns="jabber:client" from="8-1@localhost" type="chat" id="r1"><remove xmlns="urn:xmpp:message-delete:0" id="m2"/></message>`,
	`<message xmlns="jabber:client" from="1_d1@muc.localhost/5" type="groupchat" id="g1"><body>tab	and&#xD;cr</body><extraParams xmlns="jabber:client"><geo><lat>1</lat></geo><attachment type="image" uid="u1" size="7"/><x>  </x></extraParams><delay xmlns="urn:xmpp:delay" stamp="2023-11-14T22:13:20Z"/></message>`,
	// Left to rebuildStanza: repeated, namespaced, unknown or non-empty children.
	`<message xmlns="jabber:client" from="8-1@localhost" type="chat"><received xmlns="urn:xmpp:chat-markers:0" id="a"/><received xmlns="urn:xmpp:chat-markers:0" id="b"/></message>`,
	`<message xmlns="jabber:client" from="8-1@localhost" type="chat"><received xmlns="urn:xmpp:carbons:2"/></message>`,
	`<message xmlns="jabber:client" from="8-1@localhost" type="chat"><received xmlns="urn:xmpp:chat-markers:0" id="a"><x/></received></message>`,
	`<message xmlns="jabber:client" from="8-1@localhost" type="chat"><extraParams xmlns:p="urn:p"><p:a>1</p:a></extraParams></message>`,
	`<message xmlns="jabber:client" from="8-1@localhost" type="chat"><extraParams><a>1</a></extraParams><extraParams><b>2</b></extraParams></message>`,
	`<message xmlns="jabber:client" from="8-1@localhost" type="chat"><body>one</body><body xmlns="urn:other">two</body></message>`,
	`<message xmlns="jabber:client" from="8-1@localhost" type="chat"><unknown xmlns="urn:u" a="1"/></message>`,
	`<message xmlns="jabber:client" from="8-1@localhost" type="chat"><displayed xmlns="urn:xmpp:chat-markers:0" p:id="x" xmlns:p="urn:p" id="y"/></message>`,
}

// checkDirect fails unless stanzaFromChatDirect, when it takes a stanza, gives what
// rebuildStanza gives; it reports whether it took it.
func checkDirect(t *testing.T, raw []byte) bool {
	t.Helper()
	ch, err := chatFromBytes(raw)
	if err != nil {
		return false
	}
	direct, ok := stanzaFromChatDirect(ch)
	if !ok {
		return false
	}
	rebuilt, err := rebuildStanza(ch)
	if err != nil {
		t.Fatalf("direct read %q, the rebuild fails: %v", raw, err)
	}
	if !reflect.DeepEqual(direct, rebuilt) {
		t.Fatalf("%s\ndirect  %#v\nrebuilt %#v", raw, direct, rebuilt)
	}
	return true
}

func TestStanzaFromChatDirectMatchesRebuild(t *testing.T) {
	taken := 0
	for _, s := range append(append([]string{}, directSeeds...), stanzaSeeds...) {
		if checkDirect(t, []byte(s)) {
			taken++
		}
	}
	// The eight conversation shapes at the top are all read directly.
	if taken < 8 {
		t.Fatalf("only %d stanzas read directly", taken)
	}
	for _, s := range directSeeds[:8] {
		ch, err := chatFromBytes([]byte(s))
		if err != nil {
			t.Fatal(err)
		}
		if _, ok := stanzaFromChatDirect(ch); !ok {
			t.Fatalf("not read directly: %s", s)
		}
	}
}

func FuzzStanzaFromChatDirect(f *testing.F) {
	for _, s := range append(append([]string{}, directSeeds...), stanzaSeeds...) {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		checkDirect(t, raw)
	})
}

// BenchmarkStanzaFromChat reads a live message and a delivered marker as go-xmpp
// hands them over, beside rebuildStanza (write the stanza out, parse it again) as
// the reference (docs/benchmarks.md, issue 10, round 4).
func BenchmarkStanzaFromChat(b *testing.B) {
	for _, c := range []struct{ name, raw string }{{"message", directSeeds[0]}, {"marker", directSeeds[1]}} {
		ch, err := chatFromBytes([]byte(c.raw))
		if err != nil {
			b.Fatal(err)
		}
		b.Run(c.name+"/reference-rebuild", func(b *testing.B) {
			for b.Loop() {
				if _, err := rebuildStanza(ch); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(c.name+"/stanzaFromChat", func(b *testing.B) {
			for b.Loop() {
				if _, err := stanzaFromChat(ch); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
