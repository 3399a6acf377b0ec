package cube

import (
	"encoding/xml"
	"reflect"
	"testing"
)

// flatSeeds are extraParams contents: the flat lists flatExtraParams must read, then
// shapes it must leave to encoding/xml.
var flatSeeds = []struct {
	inner string
	flat  bool
}{
	{`<save_to_history>1</save_to_history><dialog_id>d1</dialog_id><date_sent>1700000000</date_sent>`, true},
	{"\n  <dialog_id>d1</dialog_id>\n\t<x.y-z_1>ünïcödé > ok</x.y-z_1>\n", true},
	{`<empty></empty><closed/><dup>1</dup><dup>2</dup>`, true},
	{``, true},
	{`<a>&amp;</a>`, false},
	{`<a>&#x41;</a>`, false},
	{"<a>cr\r</a>", false},
	{`<a>x]]>y</a>`, false},
	{"<a>\x01</a>", false},
	{"<a>\xff</a>", false},
	{`<a b="1">x</a>`, false},
	{`<a >x</a>`, false},
	{`<a>x</a >`, false},
	{`<a>x</ab>`, false},
	{`<a>x</b>`, false},
	{`<p:a xmlns:p="urn:p">x</p:a>`, false},
	{`<p:a>x</p:a>`, false},
	{`<geo><lat>1</lat></geo>`, false},
	{`<attachment type="image" uid="u1"/>`, false},
	{`<attachment/>`, false},
	{`<attachments><attachment id="1"/></attachments>`, false},
	{`text<a>1</a>`, false},
	{`<!-- c --><a>1</a>`, false},
	{`<?pi x?><a>1</a>`, false},
	{`<a><![CDATA[x]]></a>`, false},
	{`<1a>x</1a>`, false},
	{`<a>x`, false},
	{`<a>x</a`, false},
	{"\r\n<a>x</a>", false},
}

// checkFlat fails unless flatExtraParams, when it reads inner, gives what encoding/xml
// gives; it reports whether it read it.
func checkFlat(t *testing.T, inner string) bool {
	t.Helper()
	got, ok := flatExtraParams(inner)
	if !ok {
		return false
	}
	var want ExtraParams
	if err := xml.Unmarshal([]byte("<extraParams>"+inner+"</extraParams>"), &want); err != nil {
		t.Fatalf("flat read %q, encoding/xml fails: %v", inner, err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("%q\nflat        %#v\nencoding/xml %#v", inner, got, want)
	}
	return true
}

func TestFlatExtraParamsMatchesEncodingXML(t *testing.T) {
	for _, s := range flatSeeds {
		if got := checkFlat(t, s.inner); got != s.flat {
			t.Errorf("%q: read flat %v, want %v", s.inner, got, s.flat)
		}
	}
}

func FuzzFlatExtraParams(f *testing.F) {
	for _, s := range flatSeeds {
		f.Add(s.inner)
	}
	f.Fuzz(func(t *testing.T, inner string) {
		checkFlat(t, inner)
	})
}
