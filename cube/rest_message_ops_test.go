package cube

import (
	"context"
	"net/http"
	"net/url"
	"reflect"
	"testing"
	"time"
)

func TestNewMessageBody(t *testing.T) {
	cases := []struct {
		name string
		m    NewMessage
		want map[string]any
		ok   bool
	}{
		{"dialog text", NewMessage{DialogID: "d1", Message: "hi", SendToChat: true, Markable: true, Custom: map[string]any{"country": "NZ"}},
			map[string]any{"chat_dialog_id": "d1", "message": "hi", "send_to_chat": 1, "markable": 1, "country": "NZ"}, true},
		{"recipient with attachments by index", NewMessage{RecipientID: 8, Attachments: []Attachment{{Type: "image", UID: "u1"}, {Type: "file", ID: "7"}}},
			map[string]any{"recipient_id": int64(8), "attachments": map[string]Attachment{"0": {Type: "image", UID: "u1"}, "1": {Type: "file", ID: "7"}}}, true},
		{"no target", NewMessage{Message: "hi"}, nil, false},
		{"no content", NewMessage{DialogID: "d1"}, nil, false},
		{"reserved custom key", NewMessage{DialogID: "d1", Message: "x", Custom: map[string]any{"sender_id": 1}}, nil, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := tc.m.body()
			if (err == nil) != tc.ok || (tc.ok && !reflect.DeepEqual(got, tc.want)) {
				t.Fatalf("body %#v (%v), want %#v", got, err, tc.want)
			}
		})
	}
}

func TestMessageFilterNewFields(t *testing.T) {
	q := MessageFilter{DialogID: "d1", IDIn: []string{"m1", "m2"}, SenderID: 5, UpdatedAtGT: time.Unix(1700000000, 0), UpdatedAtGTE: time.Unix(1700000001, 0)}.query()
	want := url.Values{"chat_dialog_id": {"d1"}, "mark_as_read": {"0"}, "_id[in]": {"m1,m2"}, "sender_id": {"5"},
		"updated_at[gt]": {"1700000000"}, "updated_at[gte]": {"1700000001"}}
	if !reflect.DeepEqual(q, want) {
		t.Fatalf("query %v, want %v", q, want)
	}
}

func TestMessageOperations(t *testing.T) {
	c, requests := recorder(t, func(r *http.Request) string {
		switch r.Method + " " + r.URL.Path {
		case "POST /chat/Message":
			return `{"_id":"m9","chat_dialog_id":"d1","message":"hi","sender_id":1,"country":"NZ"}`
		case "DELETE /chat/Message/m1,m2":
			return `{"SuccessfullyDeleted":{"ids":["m1","m2"]},"NotFound":{"ids":[]},"WrongPermissions":{"ids":[]}}`
		case "GET /chat/Message/unread":
			return `{"total":5,"d1":3,"d2":"2"}`
		case "GET /chat/Message":
			return `{"items":{"count":42}}`
		case "POST /chat/Message/system":
			return `{"messageId":"s1","recipientId":8,"extensionParams":{"kind":"ping"}}`
		case "GET /chat/Message/m1/reactions":
			return `{"👍":[1,2],"🚀":[3]}`
		}
		return ""
	})
	ctx := context.Background()
	m, err := c.CreateMessage(ctx, NewMessage{DialogID: "d1", Message: "hi", Custom: map[string]any{"country": "NZ"}})
	if err != nil || m.ID != "m9" || m.Custom["country"] != "NZ" {
		t.Fatalf("create: %+v %v", m, err)
	}
	if res, err := c.DeleteMessages(ctx, []string{"m1", "m2"}, true); err != nil || len(res.SuccessfullyDeleted.IDs) != 2 {
		t.Fatalf("delete: %+v %v", res, err)
	}
	if res, err := c.DeleteMessages(ctx, []string{"m3"}, false); err != nil || !reflect.DeepEqual(res.SuccessfullyDeleted.IDs, []string{"m3"}) {
		t.Fatalf("delete with empty answer: %+v %v", res, err)
	}
	total, per, err := c.UnreadCount(ctx, []string{"d1", "d2"})
	if err != nil || total != 5 || !reflect.DeepEqual(per, map[string]int{"d1": 3, "d2": 2}) {
		t.Fatalf("unread: %d %v %v", total, per, err)
	}
	if n, err := c.CountMessages(ctx, MessageFilter{DialogID: "d1", MarkAsRead: true, Limit: 3}); err != nil || n != 42 {
		t.Fatalf("count: %d %v", n, err)
	}
	sys, err := c.SendSystemMessage(ctx, 8, map[string]any{"kind": "ping", "nested": map[string]any{"a": "1"}})
	if err != nil || sys.MessageID != "s1" || sys.RecipientID != 8 || sys.ExtensionParams["kind"] != "ping" {
		t.Fatalf("system: %+v %v", sys, err)
	}
	if err := c.AddReaction(ctx, "m1", "👍"); err != nil {
		t.Fatal(err)
	}
	if err := c.RemoveReaction(ctx, "m1", "👎"); err != nil {
		t.Fatal(err)
	}
	if err := c.UpdateReaction(ctx, "m1", "🔥", "👍"); err != nil {
		t.Fatal(err)
	}
	who, err := c.ListReactions(ctx, "m1")
	if err != nil || !reflect.DeepEqual(who, map[string][]int64{"👍": {1, 2}, "🚀": {3}}) {
		t.Fatalf("reactions: %v %v", who, err)
	}

	want := []wantRequest{
		{"POST", "/chat/Message", url.Values{}, map[string]any{"chat_dialog_id": "d1", "message": "hi", "country": "NZ"}},
		{"DELETE", "/chat/Message/m1,m2", url.Values{"force": {"1"}}, nil},
		{"DELETE", "/chat/Message/m3", url.Values{}, nil},
		{"GET", "/chat/Message/unread", url.Values{"chat_dialog_ids": {"d1,d2"}}, nil},
		{"GET", "/chat/Message", url.Values{"chat_dialog_id": {"d1"}, "count": {"1"}, "mark_as_read": {"0"}}, nil},
		{"POST", "/chat/Message/system", url.Values{}, map[string]any{"recipientId": float64(8), "kind": "ping", "nested": map[string]any{"a": "1"}}},
		{"PUT", "/chat/Message/m1/reactions", url.Values{}, map[string]any{"add": "👍"}},
		{"PUT", "/chat/Message/m1/reactions", url.Values{}, map[string]any{"remove": "👎"}},
		{"PUT", "/chat/Message/m1/reactions", url.Values{}, map[string]any{"add": "🔥", "remove": "👍"}},
		{"GET", "/chat/Message/m1/reactions", url.Values{}, nil},
	}
	checkRequests(t, requests(), want)
}

func TestMessageOperationsRefuseBadInput(t *testing.T) {
	c, requests := recorder(t, func(*http.Request) string { return "{}" })
	ctx := context.Background()
	errs := map[string]error{}
	_, errs["create empty"] = c.CreateMessage(ctx, NewMessage{DialogID: "d1"})
	_, errs["delete none"] = c.DeleteMessages(ctx, nil, true)
	_, errs["count without dialog"] = c.CountMessages(ctx, MessageFilter{})
	_, errs["system without recipient"] = c.SendSystemMessage(ctx, 0, nil)
	_, errs["system reserved key"] = c.SendSystemMessage(ctx, 3, map[string]any{"recipientId": 4})
	errs["reaction without message"] = c.AddReaction(ctx, "", "👍")
	errs["reaction without emoji"] = c.UpdateReaction(ctx, "m1", "", "")
	_, errs["list reactions without message"] = c.ListReactions(ctx, "")
	for name, err := range errs {
		if err == nil {
			t.Errorf("%s: no error", name)
		}
	}
	if n := len(requests()); n != 0 {
		t.Fatalf("%d requests reached the server", n)
	}
}
