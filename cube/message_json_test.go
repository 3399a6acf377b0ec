package cube

import (
	"encoding/json"
	"strings"
	"testing"
)

// unknownByMap is the slow truth: decode the object and look at its keys.
func unknownByMap(t testing.TB, b []byte) bool {
	var all map[string]json.RawMessage
	if err := json.Unmarshal(b, &all); err != nil {
		t.Fatalf("%s: %v", b, err)
	}
	for k := range all {
		if !messageKnownKeys[k] {
			return true
		}
	}
	return false
}

func checkUnknownKeyScan(t testing.TB, b []byte) {
	got, want := hasUnknownKey(b, messageKnownKeys), unknownByMap(t, b)
	if got == want {
		return
	}
	// Answering "unknown" for a key with an escape is allowed: the caller decodes it all.
	if got && strings.Contains(string(b), `\`) {
		return
	}
	t.Fatalf("hasUnknownKey(%s) = %v, want %v", b, got, want)
}

func TestUnknownKeyScanAgreesWithDecoding(t *testing.T) {
	for _, s := range []string{
		`{}`,
		` { "_id" : "a" , "message" : "x,}\"]{" } `,
		`{"_id":"a","read_ids":[1,2,3],"reactions":{"total":{"👍":2},"own":["👍"]},"updated_at":"2025-01-01T00:00:00Z"}`,
		`{"_id":"a","country":"NZ"}`,
		`{"attachments":[{"type":"image","id":"1","data":"{\"a\":[1,2]}"}],"zz":null}`,
		`{"message":"a\\","x":1}`,
		`{"date_sent":1700000000,"read":1,"views_count":0,"sender_id":5}`,
		`{"nested":{"_id":"not top level"}}`,
		`{"\u005fid":"escaped key"}`,
	} {
		checkUnknownKeyScan(t, []byte(s))
	}
}

func TestMessageCustomKeysSurviveTheFastPath(t *testing.T) {
	var m Message
	if err := json.Unmarshal([]byte(`{"_id":"a","message":"hi","country":"NZ","read_ids":[1]}`), &m); err != nil {
		t.Fatal(err)
	}
	if m.ID != "a" || m.Message != "hi" || m.Custom["country"] != "NZ" || len(m.ReadIDs) != 1 {
		t.Fatalf("decoded %+v", m)
	}
	m = Message{}
	if err := json.Unmarshal([]byte(`{"_id":"b","message":"plain"}`), &m); err != nil || m.Custom != nil || m.ID != "b" {
		t.Fatalf("decoded %+v, %v; want no custom fields", m, err)
	}
}

func FuzzUnknownKeyScan(f *testing.F) {
	f.Add([]byte(`{"_id":"a","country":"NZ"}`))
	f.Add([]byte(`{"message":"a\"b","read_ids":[1,{"x":"]"}]}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		var all map[string]json.RawMessage
		if json.Unmarshal(b, &all) != nil {
			return // only valid objects reach the scan
		}
		checkUnknownKeyScan(t, b)
	})
}
