package cube

import (
	"context"
	"net/http"
	"net/url"
	"reflect"
	"testing"
)

func TestDialogUpdateBody(t *testing.T) {
	name := "new name"
	cases := []struct {
		name string
		u    DialogUpdate
		want map[string]any
	}{
		{"scalars", DialogUpdate{Name: &name, Photo: Str("")}, map[string]any{"name": "new name", "photo": ""}},
		{"lists", DialogUpdate{PushOccupants: []int64{4}, PullOccupants: []int64{5}, PushAdmins: []int64{6}, PushPinned: []string{"m1"}, PullPinned: []string{"m0"}},
			map[string]any{"push_all": map[string]any{"occupants_ids": []int64{4}, "admins_ids": []int64{6}, "pinned_messages_ids": []string{"m1"}},
				"pull_all": map[string]any{"occupants_ids": []int64{5}, "pinned_messages_ids": []string{"m0"}}}},
		{"extensions", DialogUpdate{Extensions: map[string]string{"location": "Sun bar"}}, map[string]any{"extensions": map[string]string{"location": "Sun bar"}}},
		{"reset extensions", DialogUpdate{ResetExtensions: true, Extensions: map[string]string{"x": "y"}}, map[string]any{"extensions": nil}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := tc.u.body()
			if !ok || !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("body %#v, want %#v", got, tc.want)
			}
		})
	}
	if _, ok := (DialogUpdate{}).body(); ok {
		t.Fatal("an empty update must report nothing to do")
	}
}

func TestDialogOperations(t *testing.T) {
	c, requests := recorder(t, func(r *http.Request) string {
		switch r.Method + " " + r.URL.Path {
		case "PUT /chat/Dialog/d1", "POST /chat/Dialog/d1/subscribe", "PUT /chat/Dialog/d1/admins":
			return `{"_id":"d1","type":2,"name":"n","admins_ids":[3]}`
		case "DELETE /chat/Dialog/d1,d2":
			return `{"SuccessfullyDeleted":{"ids":["d1"]},"NotFound":{"ids":["d2"]},"WrongPermissions":{"ids":[]}}`
		case "GET /chat/Dialog/d1/notifications":
			return `{"notifications":{"enabled":"0"}}`
		case "PUT /chat/Dialog/d1/notifications":
			return `{"notifications":{"enabled":1}}`
		case "GET /chat/Dialog/d1/occupants":
			return `{"items":[{"id":5,"login":"flat"},{"user":{"id":6,"login":"wrapped"}}]}`
		case "GET /chat/Dialog":
			return `{"items":{"count":7}}`
		}
		return ""
	})
	ctx := context.Background()
	if d, err := c.UpdateDialog(ctx, "d1", DialogUpdate{Description: Str("about")}); err != nil || d.ID != "d1" {
		t.Fatalf("update: %+v %v", d, err)
	}
	res, err := c.DeleteDialogs(ctx, []string{"d1", "d2"}, true)
	if err != nil || !reflect.DeepEqual(res.SuccessfullyDeleted.IDs, []string{"d1"}) || !reflect.DeepEqual(res.NotFound.IDs, []string{"d2"}) {
		t.Fatalf("bulk delete: %+v %v", res, err)
	}
	// A single-dialog delete may answer with an empty body.
	if res, err := c.DeleteDialogs(ctx, []string{"d3"}, false); err != nil || !reflect.DeepEqual(res.SuccessfullyDeleted.IDs, []string{"d3"}) {
		t.Fatalf("single delete: %+v %v", res, err)
	}
	if err := c.ClearHistory(ctx, "d1", true); err != nil {
		t.Fatal(err)
	}
	if _, err := c.SubscribePublicDialog(ctx, "d1"); err != nil {
		t.Fatal(err)
	}
	if err := c.UnsubscribePublicDialog(ctx, "d1"); err != nil {
		t.Fatal(err)
	}
	if _, err := c.AddAdmins(ctx, "d1", []int64{3}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.RemoveAdmins(ctx, "d1", []int64{3}); err != nil {
		t.Fatal(err)
	}
	if on, err := c.DialogNotifications(ctx, "d1"); err != nil || on {
		t.Fatalf("notifications: %v %v", on, err)
	}
	if err := c.SetDialogNotifications(ctx, "d1", true); err != nil {
		t.Fatal(err)
	}
	users, err := c.PublicDialogOccupants(ctx, "d1", 10, 20)
	if err != nil || len(users) != 2 || users[0].Login != "flat" || users[1].ID != 6 {
		t.Fatalf("occupants: %+v %v", users, err)
	}
	n, err := c.CountDialogs(ctx, DialogFilter{IDIn: []string{"d1", "d2"}, Extensions: map[string]string{"location": "Sun bar"}, Limit: 5})
	if err != nil || n != 7 {
		t.Fatalf("count: %d %v", n, err)
	}

	want := []wantRequest{
		{"PUT", "/chat/Dialog/d1", url.Values{}, map[string]any{"description": "about"}},
		{"DELETE", "/chat/Dialog/d1,d2", url.Values{"force": {"1"}}, nil},
		{"DELETE", "/chat/Dialog/d3", url.Values{}, nil},
		{"DELETE", "/chat/Dialog/clearHistory/d1", url.Values{"force": {"1"}}, nil},
		{"POST", "/chat/Dialog/d1/subscribe", url.Values{}, nil},
		{"DELETE", "/chat/Dialog/d1/subscribe", url.Values{}, nil},
		{"PUT", "/chat/Dialog/d1/admins", url.Values{}, map[string]any{"push_all": map[string]any{"admins_ids": []any{float64(3)}}}},
		{"PUT", "/chat/Dialog/d1/admins", url.Values{}, map[string]any{"pull_all": map[string]any{"admins_ids": []any{float64(3)}}}},
		{"GET", "/chat/Dialog/d1/notifications", url.Values{}, nil},
		{"PUT", "/chat/Dialog/d1/notifications", url.Values{}, map[string]any{"enabled": float64(1)}},
		{"GET", "/chat/Dialog/d1/occupants", url.Values{"limit": {"10"}, "skip": {"20"}}, nil},
		{"GET", "/chat/Dialog", url.Values{"count": {"1"}, "_id[in]": {"d1,d2"}, "extensions[location]": {"Sun bar"}}, nil},
	}
	checkRequests(t, requests(), want)
}

func TestDialogOperationsRefuseBadInput(t *testing.T) {
	c, requests := recorder(t, func(*http.Request) string { return "{}" })
	ctx := context.Background()
	calls := map[string]error{}
	_, calls["update without id"] = c.UpdateDialog(ctx, "", DialogUpdate{Name: Str("x")})
	_, calls["update without change"] = c.UpdateDialog(ctx, "d1", DialogUpdate{})
	_, calls["delete nothing"] = c.DeleteDialogs(ctx, nil, false)
	_, calls["delete empty id"] = c.DeleteDialogs(ctx, []string{"d1", ""}, false)
	calls["clear without id"] = c.ClearHistory(ctx, "", false)
	_, calls["admins without users"] = c.AddAdmins(ctx, "d1", nil)
	for name, err := range calls {
		if err == nil {
			t.Errorf("%s: no error", name)
		}
	}
	if n := len(requests()); n != 0 {
		t.Fatalf("%d requests reached the server", n)
	}
}

func TestReadCount(t *testing.T) {
	cases := []struct {
		body string
		want int
		ok   bool
	}{
		{`{"items":{"count":12}}`, 12, true},
		{`{"items":{"count":0}}`, 0, true},
		{`{"count":3}`, 3, true},
		{`{"count":"4"}`, 4, true},
		{`{"items":[]}`, 0, false},
		{`{}`, 0, false},
		{`nope`, 0, false},
	}
	for _, tc := range cases {
		n, err := readCount([]byte(tc.body))
		if (err == nil) != tc.ok || n != tc.want {
			t.Errorf("%s: %d %v", tc.body, n, err)
		}
	}
}
