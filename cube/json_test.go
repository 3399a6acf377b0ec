package cube

import (
	"bytes"
	"encoding/json"
	"reflect"
	"testing"
	"time"
)

// TestFastJSONMatchesEncodingJSON: the REST answers are encoded and decoded with
// goccy/go-json (json.go); a page of messages with everything a message can carry
// (custom fields, attachments, reactions, markers, HTML and non-ASCII text, a
// tombstone) encodes to the same bytes as encoding/json writes, and decodes to the
// same values.
func TestFastJSONMatchesEncodingJSON(t *testing.T) {
	at := TimeOf(time.Unix(1700000000, 0))
	list := MessageList{Skip: 100, Limit: 100, Items: []Message{
		{ID: "65a1b2c3d4e5f60718293a4b", ChatDialogID: "65a1b2c3d4e5f60718290000",
			Message: `<b>"Fish" & chips</b> — ça va? 🐟`, DateSent: 1700000000, SenderID: 5, RecipientID: 6,
			ReadIDs: []int64{5, 6}, DeliveredIDs: []int64{5, 6, 7}, ViewsCount: 2, Read: 1,
			Attachments: []Attachment{{Type: "image", ID: "1234", UID: "9f1c", Name: "a&b.jpg", Size: 48211,
				Width: 800, Height: 600, ContentType: "image/jpeg"}},
			Reactions: &Reactions{Own: []string{"👍"}, Total: map[string]int{"👍": 2, "❤️": 1}},
			CreatedAt: at, UpdatedAt: at,
			Custom: map[string]any{"mood": "<happy>", "priority": float64(2), "nested": map[string]any{"b": true, "a": "x"}}},
		{ID: "65a1b2c3d4e5f60718293a4c", ChatDialogID: "65a1b2c3d4e5f60718290000", DateSent: 1700000001,
			SenderID: 6, CreatedAt: at, UpdatedAt: at, Deleted: true},
	}}
	fast, err := marshalJSON(list)
	if err != nil {
		t.Fatal(err)
	}
	std, err := json.Marshal(list)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(fast, std) {
		t.Fatalf("encodings differ:\n fast %s\n std  %s", fast, std)
	}
	for _, m := range list.Items { // MarshalJSON's own encoding of the known fields
		fast, err := marshalJSON(messageAlias(m))
		if err != nil {
			t.Fatal(err)
		}
		if std, err := json.Marshal(messageAlias(m)); err != nil || !bytes.Equal(fast, std) {
			t.Fatalf("encodings differ (%v):\n fast %s\n std  %s", err, fast, std)
		}
		var viaFast, viaStd messageAlias // UnmarshalJSON's own decoding
		if err := unmarshalJSON(fast, &viaFast); err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(fast, &viaStd); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(viaFast, viaStd) {
			t.Fatalf("decodings differ:\n fast %+v\n std  %+v", viaFast, viaStd)
		}
	}
	var viaFast, viaStd MessageList
	if err := unmarshalJSON(std, &viaFast); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(std, &viaStd); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(viaFast, viaStd) {
		t.Fatalf("decodings differ:\n fast %+v\n std  %+v", viaFast, viaStd)
	}
	if got := viaFast.Items[0]; got.Custom["mood"] != "<happy>" || got.Reactions.Total["❤️"] != 1 || got.Message != list.Items[0].Message {
		t.Fatalf("decoded %+v", got)
	}
	for _, bad := range []string{`{"items":[{"_id":1}]}`, `{"items":[{"date_sent":"x"}]}`, `{"items":[`} {
		var l MessageList
		if unmarshalJSON([]byte(bad), &l) == nil {
			t.Errorf("%s decoded without an error", bad)
		}
	}
}
