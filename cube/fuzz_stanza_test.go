package cube

import (
	"encoding/xml"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/xmppo/go-xmpp"
)

// goXMPPMessage mirrors the fields of go-xmpp's (unexported) clientMessage that
// consume children, so that decoding with it hands the reader the same xmpp.Chat that
// go-xmpp's Recv would: <subject>, <thread>, <origin-id>, <stanza-id>, <event> and any
// <x> are taken out of OtherElem, and only a UTC delay stamp survives.
type goXMPPMessage struct {
	XMLName  xml.Name          `xml:"jabber:client message"`
	From     string            `xml:"from,attr"`
	ID       string            `xml:"id,attr"`
	To       string            `xml:"to,attr"`
	Type     string            `xml:"type,attr"`
	Lang     string            `xml:"lang,attr"`
	Subject  string            `xml:"subject"`
	Body     string            `xml:"body"`
	Thread   string            `xml:"thread"`
	OriginID struct{}          `xml:"origin-id"`
	StanzaID xmpp.StanzaID     `xml:"stanza-id"`
	Event    struct{}          `xml:"event"`
	Oob      xmpp.Oob          `xml:"x"`
	Other    []xmpp.XMLElement `xml:",any"`
	Delay    xmpp.Delay        `xml:"delay"`
}

// chatFromBytes decodes raw the way go-xmpp's Recv does; an error is what go-xmpp
// would report (and the connection would be replaced).
func chatFromBytes(raw []byte) (xmpp.Chat, error) {
	var m goXMPPMessage
	if err := xml.Unmarshal(raw, &m); err != nil {
		return xmpp.Chat{}, err
	}
	stamp, _ := time.Parse("2006-01-02T15:04:05Z", m.Delay.Stamp)
	return xmpp.Chat{Remote: m.From, Type: m.Type, Text: m.Body, Subject: m.Subject, Thread: m.Thread,
		ID: m.ID, OtherElem: m.Other, Stamp: stamp, Lang: m.Lang}, nil
}

// stanzaSeeds are stanzas the SDKs and the server send, plus hostile shapes.
var stanzaSeeds = []string{
	`<message xmlns="jabber:client" from="1_d1@muc.localhost/5" type="groupchat" id="m1"><body>hi all</body><extraParams xmlns="jabber:client"><save_to_history>1</save_to_history><date_sent>1700000000123</date_sent></extraParams></message>`,
	`<message xmlns="jabber:client" from="8-1@localhost/res" type="chat" id="m2"><body>&lt;/body&gt; &amp; "x"</body><extraParams xmlns="jabber:client"><dialog_id>d2</dialog_id><geo><lat>1</lat></geo><attachment type="image" uid="u1" size="7"/></extraParams></message>`,
	`<message xmlns="jabber:client" from="8-1@localhost" type="chat" id="m3"><body>late</body><delay xmlns="urn:xmpp:delay" stamp="2023-11-14T22:13:20Z"/></message>`,
	`<message xmlns="jabber:client" from="8-1@localhost" type="chat"><composing xmlns="http://jabber.org/protocol/chatstates"/></message>`,
	`<message xmlns="jabber:client" from="8-1@localhost" type="chat" id="e1"><body>fixed</body><replace xmlns="urn:xmpp:message-correct:0" id="m2" last="true"/></message>`,
	`<message xmlns="jabber:client" from="8-1@localhost" type="chat" id="r1"><remove xmlns="urn:xmpp:message-delete:0" id="m2"/></message>`,
	`<message xmlns="jabber:client" from="8-1@localhost" type="chat" id="k1"><displayed xmlns="urn:xmpp:chat-markers:0" id="m2"/></message>`,
	`<message xmlns="jabber:client" from="8-1@localhost" type="chat" id="x1"><reactions message_id="m2" user_id="8"><reaction type="👍" add="true"/><reaction type="x" remove="true"/></reactions></message>`,
	`<message xmlns="jabber:client" from="7-1@localhost" type="chat"><sent xmlns="urn:xmpp:carbons:2"><forwarded xmlns="urn:xmpp:forward:0"><message xmlns="jabber:client" from="7-1@localhost/a" to="8-1@localhost" type="chat" id="c1"><body>from my phone</body></message></forwarded></sent></message>`,
	`<message xmlns="jabber:client" from="8-1@localhost" type="error" id="m9"><error type="cancel" code="503"><service-unavailable xmlns="urn:ietf:params:xml:ns:xmpp-stanzas"/><text xmlns="urn:ietf:params:xml:ns:xmpp-stanzas">gone</text></error></message>`,
	`<message xmlns="jabber:client" from="localhost" type="headline" id="s1"><body>sys</body><extraParams xmlns="jabber:client"><moduleIdentifier>SystemNotifications</moduleIdentifier><k>v</k></extraParams></message>`,
	`<message xmlns="jabber:client" type="chat" id="h"><x xmlns="jabber:x:conference"/><body>x</body><extraParams xmlns="jabber:client"><a xmlns:p="urn:p"><p:b>1</p:b></a><café>1</café></extraParams></message>`,
	`<message xmlns="jabber:client"><extraParams><attachment size="-1" width="x"/></extraParams></message>`,
	`<message xmlns="jabber:client"><body>` + strings.Repeat("<", 1) + `</body></message>`,
	"<message xmlns=\"jabber:client\"><body>nul \x00 and \xff</body></message>",
}

// FuzzParseMessageStanza feeds stanza bytes through the reader's path (go-xmpp's
// decoding, stanzaFromChat, classify): nothing may panic, and every stanza the SDK
// accepts must survive marshal → unmarshal unchanged, so what it keeps or forwards is
// what it read.
func FuzzParseMessageStanza(f *testing.F) {
	for _, s := range stanzaSeeds {
		f.Add([]byte(s))
	}
	now := time.Unix(1800000000, 0)
	f.Fuzz(func(t *testing.T, raw []byte) {
		ch, err := chatFromBytes(raw)
		if err != nil {
			return // go-xmpp's Recv fails; the connection is replaced (chat_test.go)
		}
		st, err := stanzaFromChat(ch)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "cube: cannot read message") {
				t.Fatalf("unclear error: %v", err)
			}
			return
		}
		_ = classify(st, 7, now)
		assertRoundTrip(t, st)
	})
}

// assertRoundTrip: st marshals (or is refused with a clear error) and reads back equal.
func assertRoundTrip(t *testing.T, st *MessageStanza) {
	t.Helper()
	b, err := xml.Marshal(st)
	if err != nil {
		if strings.Contains(err.Error(), "is not a valid XML name") {
			return // an incoming key our encoder refuses to write; see stanza.go validXMLName
		}
		t.Fatalf("accepted stanza does not marshal: %v\n%+v", err, st)
	}
	var back MessageStanza
	if err := xml.Unmarshal(b, &back); err != nil {
		t.Fatalf("marshalled stanza does not parse: %v\n%s", err, b)
	}
	if !reflect.DeepEqual(st, &back) {
		t.Fatalf("round trip changed the stanza:\n before %#v\n after  %#v\n xml %s", st, &back, b)
	}
}

// FuzzExtraParams: whatever <extraParams/> the SDK reads, unmarshal → marshal →
// unmarshal gives the same parameters and attachments.
func FuzzExtraParams(f *testing.F) {
	for _, s := range []string{
		`<extraParams xmlns="jabber:client"><save_to_history>1</save_to_history><dialog_id>d1</dialog_id></extraParams>`,
		`<extraParams><geo><lat>1.5</lat><lng>-2</lng></geo><empty/><attachment type="image" uid="u" size="12" width="3" height="4" duration="5" content-type="image/png" url="http://x/?a=1&amp;b=2" name="a &quot;b&quot;"/></extraParams>`,
		`<extraParams><a>x<b>y</b>z</a></extraParams>`,
		`<extraParams><t>  spaced  </t><n>&#x1F600;</n></extraParams>`,
		`<extraParams><xmlish>1</xmlish><ns:key xmlns:ns="urn:x">v</ns:key></extraParams>`,
		`<extraParams><attachment size="99999999999999999999"/></extraParams>`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		var first ExtraParams
		if err := xml.Unmarshal(raw, &first); err != nil {
			return
		}
		b, err := xml.Marshal(first)
		if err != nil {
			if strings.Contains(err.Error(), "is not a valid XML name") {
				return
			}
			t.Fatalf("marshal: %v\n%+v", err, first)
		}
		var second ExtraParams
		if err := xml.Unmarshal(b, &second); err != nil {
			t.Fatalf("re-read: %v\n%s", err, b)
		}
		if !reflect.DeepEqual(first, second) {
			t.Fatalf("round trip changed the params:\n before %#v\n after  %#v\n xml %s", first, second, b)
		}
		_ = first.Map()
	})
}

// FuzzParseTime: ParseTime never panics, and every time it accepts is one that
// ConnectyCube's JSON form (cube.Time) can write and read back to the same second.
func FuzzParseTime(f *testing.F) {
	for _, s := range []string{"1700000000", "1700000000123", " 1700000000 ", "1.7e9", "2018-12-05T11:58:02Z",
		"2018-12-05T11:58:02.123+13:00", "2018-12-05T11:58:02+0100", "2018-12-05 11:58:02 UTC", "2018-12-05",
		"NaN", "Inf", "-1e300", "1e300", "9223372036854775807", "-9223372036854775808", "0x1p40", "", "yesterday"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := ParseTime(s)
		if err != nil {
			return
		}
		b, err := Time{got}.MarshalJSON()
		if err != nil {
			t.Fatalf("ParseTime(%q) = %v, which does not marshal: %v", s, got, err)
		}
		var back Time
		if err := back.UnmarshalJSON(b); err != nil {
			t.Fatalf("ParseTime(%q) = %v, written as %s, does not read back: %v", s, got, b, err)
		}
		if back.Unix() != got.Unix() {
			t.Fatalf("ParseTime(%q) = %v, read back as %v", s, got, back.Time)
		}
	})
}
