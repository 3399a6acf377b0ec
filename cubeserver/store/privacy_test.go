package store

import (
	"context"
	"errors"
	"reflect"
	"testing"

	"github.com/cubechat/cubechat/cube"
)

func TestPrivacyListsLifecycle(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	items := []cube.PrivacyItem{
		{Type: "jid", Value: "48-1@localhost", Action: "deny", Order: 5},
		{Type: "jid", Value: "34-1@localhost", Action: "deny", Order: 3, Kinds: []string{"message", "iq"}},
		{Action: "allow", Order: 9},
	}
	if err := s.SetPrivacyList(ctx, 7, "block", items); err != nil {
		t.Fatal(err)
	}
	if err := s.SetPrivacyList(ctx, 7, "other", items[:1]); err != nil {
		t.Fatal(err)
	}
	lists, def, err := s.PrivacyLists(ctx, 7)
	if err != nil || def != "" || len(lists) != 2 {
		t.Fatalf("lists %v default %q err %v", lists, def, err)
	}
	want := []cube.PrivacyItem{items[1], items[0], items[2]} // sorted by order
	if !reflect.DeepEqual(lists["block"], want) {
		t.Fatalf("block list = %+v", lists["block"])
	}

	// Default: set, switch, decline; unknown names change nothing.
	if err := s.SetDefaultPrivacyList(ctx, 7, "block"); err != nil {
		t.Fatal(err)
	}
	if err := s.SetDefaultPrivacyList(ctx, 7, "nope"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("unknown default: %v", err)
	}
	if _, def, _ := s.PrivacyLists(ctx, 7); def != "block" {
		t.Fatalf("default = %q after a refused switch", def)
	}
	// Replacing the default list keeps it default.
	if err := s.SetPrivacyList(ctx, 7, "block", items[2:]); err != nil {
		t.Fatal(err)
	}
	lists, def, _ = s.PrivacyLists(ctx, 7)
	if def != "block" || len(lists["block"]) != 1 {
		t.Fatalf("after replace: default %q items %+v", def, lists["block"])
	}
	if err := s.SetDefaultPrivacyList(ctx, 7, ""); err != nil {
		t.Fatal(err)
	}
	if _, def, _ := s.PrivacyLists(ctx, 7); def != "" {
		t.Fatalf("declined default is still %q", def)
	}

	// Delete; other users are untouched.
	if err := s.DeletePrivacyList(ctx, 7, "other"); err != nil {
		t.Fatal(err)
	}
	if err := s.DeletePrivacyList(ctx, 7, "other"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("second delete: %v", err)
	}
	if lists, _, _ := s.PrivacyLists(ctx, 8); len(lists) != 0 {
		t.Fatalf("user 8 has lists %v", lists)
	}
}

func TestValidatePrivacyItems(t *testing.T) {
	cases := []struct {
		name  string
		items []cube.PrivacyItem
		ok    bool
	}{
		{"jid deny", []cube.PrivacyItem{{Type: "jid", Value: "5-1@x", Action: "deny", Order: 1}}, true},
		{"fall-through", []cube.PrivacyItem{{Action: "allow", Order: 0}}, true},
		{"subscription none", []cube.PrivacyItem{{Type: "subscription", Value: "none", Action: "deny", Order: 1}}, true},
		{"bad action", []cube.PrivacyItem{{Type: "jid", Value: "a@x", Action: "block", Order: 1}}, false},
		{"duplicate order", []cube.PrivacyItem{{Type: "jid", Value: "a@x", Action: "deny", Order: 1}, {Type: "jid", Value: "b@x", Action: "deny", Order: 1}}, false},
		{"negative order", []cube.PrivacyItem{{Type: "jid", Value: "a@x", Action: "deny", Order: -1}}, false},
		{"jid without value", []cube.PrivacyItem{{Type: "jid", Action: "deny", Order: 1}}, false},
		{"bad subscription", []cube.PrivacyItem{{Type: "subscription", Value: "some", Action: "deny", Order: 1}}, false},
		{"unknown type", []cube.PrivacyItem{{Type: "email", Value: "a", Action: "deny", Order: 1}}, false},
		{"unknown kind", []cube.PrivacyItem{{Type: "jid", Value: "a@x", Action: "deny", Order: 1, Kinds: []string{"mail"}}}, false},
	}
	for _, tc := range cases {
		err := ValidatePrivacyItems(tc.items)
		if (err == nil) != tc.ok || (err != nil && !errors.Is(err, ErrInvalidInput)) {
			t.Errorf("%s: err = %v", tc.name, err)
		}
	}
}
