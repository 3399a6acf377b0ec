package xmppd

import (
	"encoding/base64"
	"testing"
	"time"

	"github.com/cubechat/cubechat/cube"
)

func TestParsePlain(t *testing.T) {
	enc := func(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }
	cases := []struct {
		name    string
		data    string
		want    plainCreds
		wantErr bool
	}{
		{"sdk form", enc("\x005-1\x00pw"), plainCreds{authcid: "5-1", password: "pw"}, false},
		{"with authzid", enc("5-1@localhost\x005-1\x00tok"), plainCreds{authzid: "5-1@localhost", authcid: "5-1", password: "tok"}, false},
		{"password with NUL-free symbols", enc("\x005-1\x00p@ss w:rd"), plainCreds{authcid: "5-1", password: "p@ss w:rd"}, false},
		{"empty response", "=", plainCreds{}, true},
		{"not base64", "***", plainCreds{}, true},
		{"two parts", enc("5-1\x00pw"), plainCreds{}, true},
		{"empty password", enc("\x005-1\x00"), plainCreds{}, true},
		{"empty user", enc("\x00\x00pw"), plainCreds{}, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := parsePlain(tc.data)
			if (err != nil) != tc.wantErr || got != tc.want {
				t.Fatalf("parsePlain = %+v, %v; want %+v, err=%v", got, err, tc.want, tc.wantErr)
			}
		})
	}
}

func TestNormalizeDateSent(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	cases := []struct {
		in   string
		want int64
	}{
		{"1700000000", 1_700_000_000},
		{"1700000000123", 1_700_000_000}, // Dart sends milliseconds
		{"1700000000.9", 1_700_000_000},
		{"", now.Unix()},
		{"yesterday", now.Unix()},
		{"-5", now.Unix()},
	}
	for _, tc := range cases {
		if got := normalizeDateSent(tc.in, now); got != tc.want {
			t.Errorf("normalizeDateSent(%q) = %d, want %d", tc.in, got, tc.want)
		}
	}
}

func TestCompleteAndStoredMessage(t *testing.T) {
	now := time.Unix(1_700_000_000, 0)
	m := chat("6-1@localhost", "client-id", "body",
		saveParam, cube.Param{Name: "moduleIdentifier", Value: "x"}, cube.Param{Name: "silent", Value: "1"},
		cube.Param{Name: "nested", Children: []cube.Param{{Name: "a", Value: "1"}}})
	m.Extra.Attachments = []cube.Attachment{{Type: "image", UID: "u1", Size: 7}}
	complete(m, "d1", now)
	if !cube.IsObjectID(m.ID) {
		t.Fatalf("a stored message needs an ObjectId, got %q", m.ID)
	}
	if m.Extra.Get("dialog_id") != "d1" || m.Extra.Get("date_sent") != "1700000000" {
		t.Fatalf("completed %+v", m.Extra)
	}
	s := storedMessage(m, "d1", 5, 6, now)
	if s.ID != m.ID || s.DateSent != 1_700_000_000 || s.Message != "body" || len(s.Attachments) != 1 || s.Attachments[0].UID != "u1" {
		t.Fatalf("stored %+v", s)
	}
	if len(s.Custom) != 2 || s.Custom["silent"] != "1" || s.Custom["nested"].(map[string]any)["a"] != "1" {
		t.Fatalf("custom fields %+v", s.Custom)
	}

	// Without save_to_history a client id is kept as it is.
	eph := chat("6-1@localhost", "client-id", "x")
	complete(eph, "d1", now)
	if eph.ID != "client-id" {
		t.Fatalf("relay-only id rewritten to %q", eph.ID)
	}
}
