package cube

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"
)

// recorded is one request as the test server saw it.
type recorded struct {
	Method, Path string
	Query        url.Values
	Header       http.Header
	Body         map[string]any
}

// recorder is an httptest server that records requests and answers with reply(r).
func recorder(t *testing.T, reply func(r *http.Request) string) (*Client, func() []recorded) {
	t.Helper()
	var mu sync.Mutex
	var got []recorded
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := recorded{Method: r.Method, Path: r.URL.Path, Query: r.URL.Query(), Header: r.Header.Clone()}
		if b, _ := io.ReadAll(r.Body); len(b) > 0 {
			if err := json.Unmarshal(b, &rec.Body); err != nil {
				t.Errorf("body is not a JSON object: %s", b)
			}
		}
		mu.Lock()
		got = append(got, rec)
		mu.Unlock()
		fmt.Fprint(w, reply(r))
	}))
	t.Cleanup(srv.Close)
	return NewClient(Config{AppID: 1, AuthKey: "AK", APIURL: srv.URL}), func() []recorded {
		mu.Lock()
		defer mu.Unlock()
		return append([]recorded(nil), got...)
	}
}

// wantRequest is a REST call a test expects the client to make.
type wantRequest struct {
	method, path string
	query        url.Values
	body         map[string]any
}

// checkRequests compares the calls the recorder saw with want, in order.
func checkRequests(t *testing.T, got []recorded, want []wantRequest) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%d requests, want %d", len(got), len(want))
	}
	for i, w := range want {
		r := got[i]
		if r.Method != w.method || r.Path != w.path || !reflect.DeepEqual(r.Query, w.query) || !reflect.DeepEqual(r.Body, w.body) {
			t.Errorf("request %d: %s %s %v %v, want %+v", i, r.Method, r.Path, r.Query, r.Body, w)
		}
	}
}

func TestFilterQueries(t *testing.T) {
	ts := time.Unix(1700000000, 0)
	cases := []struct {
		name string
		got  url.Values
		want url.Values
	}{
		{"messages default never marks read", MessageFilter{DialogID: "d1"}.query(),
			url.Values{"chat_dialog_id": {"d1"}, "mark_as_read": {"0"}}},
		{"messages catch-up", MessageFilter{DialogID: "d1", DateSentGTE: 1700000000, SortAsc: "date_sent", Limit: 100, Skip: 200}.query(),
			url.Values{"chat_dialog_id": {"d1"}, "date_sent[gte]": {"1700000000"}, "sort_asc": {"date_sent"}, "limit": {"100"}, "skip": {"200"}, "mark_as_read": {"0"}}},
		{"messages open dialog", MessageFilter{DialogID: "d1", DateSentLT: 5, DateSentLTE: 6, DateSentGT: 1, SortDesc: "date_sent", MarkAsRead: true}.query(),
			url.Values{"chat_dialog_id": {"d1"}, "date_sent[lt]": {"5"}, "date_sent[lte]": {"6"}, "date_sent[gt]": {"1"}, "sort_desc": {"date_sent"}, "mark_as_read": {"1"}}},
		{"dialogs empty", DialogFilter{}.query(), url.Values{}},
		{"dialogs all filters", DialogFilter{UpdatedAtGT: ts, UpdatedAtGTE: ts.Add(time.Second), UpdatedAtLT: ts.Add(2 * time.Second), TypeIn: []int{2, 3}, Limit: 50, SortDesc: "updated_at"}.query(),
			url.Values{"updated_at[gt]": {"1700000000"}, "updated_at[gte]": {"1700000001"}, "updated_at[lt]": {"1700000002"}, "type[in]": {"2,3"}, "limit": {"50"}, "sort_desc": {"updated_at"}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if !reflect.DeepEqual(tc.got, tc.want) {
				t.Fatalf("query %v, want %v", tc.got, tc.want)
			}
		})
	}
}

func TestUsersByIDsPagesOf100(t *testing.T) {
	c, requests := recorder(t, func(r *http.Request) string {
		var items []string
		for _, id := range r.URL.Query()["id[in][]"] {
			items = append(items, fmt.Sprintf(`{"id":%s,"login":"u%s"}`, id, id))
		}
		return fmt.Sprintf(`{"limit":100,"skip":0,"total_entries":%d,"items":[%s]}`, len(items), strings.Join(items, ","))
	})
	ids := make([]int64, 250)
	for i := range ids {
		ids[i] = int64(i + 1)
	}
	users, err := c.UsersByIDs(context.Background(), ids)
	if err != nil {
		t.Fatal(err)
	}
	if len(users) != 250 || users[249].ID != 250 || users[249].Login != "u250" {
		t.Fatalf("got %d users, last %+v", len(users), users[len(users)-1])
	}
	reqs := requests()
	if len(reqs) != 3 || len(reqs[0].Query["id[in][]"]) != 100 || len(reqs[2].Query["id[in][]"]) != 50 || reqs[0].Path != "/users/v2" {
		t.Fatalf("requests: %d, first %v", len(reqs), reqs[0])
	}
	if none, err := c.UsersByIDs(context.Background(), nil); err != nil || len(none) != 0 || len(requests()) != 3 {
		t.Fatal("no ids must not call the server")
	}
}

func TestSignUpUsesAuthKeyOnlyWithoutToken(t *testing.T) {
	c, requests := recorder(t, func(*http.Request) string { return `{"user":{"id":5,"login":"ann"}}` })
	u, err := c.SignUp(context.Background(), User{Login: "ann", Password: "secret12"})
	if err != nil || u.ID != 5 {
		t.Fatalf("sign up: %+v %v", u, err)
	}
	c.SetToken("tok")
	if _, err := c.SignUp(context.Background(), User{Login: "bob", Password: "secret12"}); err != nil {
		t.Fatal(err)
	}
	reqs := requests()
	if reqs[0].Header.Get("CB-AuthKey") != "AK" || reqs[0].Header.Get("CB-Token") != "" {
		t.Fatalf("first sign-up headers: %v", reqs[0].Header)
	}
	if reqs[1].Header.Get("CB-AuthKey") != "" || reqs[1].Header.Get("CB-Token") != "tok" {
		t.Fatalf("second sign-up headers: %v", reqs[1].Header)
	}
	user := reqs[0].Body["user"].(map[string]any)
	if user["login"] != "ann" || user["password"] != "secret12" {
		t.Fatalf("sign-up body: %v", reqs[0].Body)
	}
}

func TestDialogAndMessageCalls(t *testing.T) {
	c, requests := recorder(t, func(r *http.Request) string {
		switch r.Method + " " + r.URL.Path {
		case "POST /chat/Dialog":
			return `{"_id":"d1","type":2,"name":"team","occupants_ids":[1,2,3]}`
		case "GET /chat/Dialog":
			return `{"total_entries":1,"skip":0,"limit":100,"items":[{"_id":"d1","type":2}]}`
		case "GET /chat/Message":
			return `{"skip":0,"limit":100,"items":[{"_id":"m1","chat_dialog_id":"d1","message":"hi","date_sent":1700000000,"country":"NZ"}]}`
		case "POST /login":
			return `{"user":{"id":9,"login":"zed"}}`
		}
		return ``
	})
	ctx := context.Background()
	d, err := c.CreateDialog(ctx, NewDialog{Type: DialogGroup, Name: "team", OccupantsIDs: []int64{2, 3}})
	if err != nil || d.ID != "d1" {
		t.Fatalf("create dialog: %+v %v", d, err)
	}
	list, err := c.ListDialogs(ctx, DialogFilter{TypeIn: []int{2}})
	if err != nil || list.TotalEntries != 1 || list.Items[0].ID != "d1" {
		t.Fatalf("list dialogs: %+v %v", list, err)
	}
	msgs, err := c.ListMessages(ctx, MessageFilter{DialogID: "d1"})
	if err != nil || len(msgs.Items) != 1 || msgs.Items[0].Custom["country"] != "NZ" {
		t.Fatalf("list messages: %+v %v", msgs, err)
	}
	if err := c.UpdateMessages(ctx, "d1", []string{"m1", "m2"}, MessageUpdate{Read: true}); err != nil {
		t.Fatal(err)
	}
	if err := c.UpdateMessages(ctx, "d1", nil, MessageUpdate{Delivered: true}); err != nil {
		t.Fatal(err)
	}
	if u, err := c.Login(ctx, "zed", "pw"); err != nil || u.ID != 9 {
		t.Fatalf("login: %+v %v", u, err)
	}
	if _, err := c.ListMessages(ctx, MessageFilter{}); err == nil {
		t.Fatal("a message list without a dialog must fail before the network")
	}
	if err := c.UpdateMessages(ctx, "d1", nil, MessageUpdate{}); err == nil {
		t.Fatal("an empty update must fail before the network")
	}

	reqs := requests()
	if len(reqs) != 6 {
		t.Fatalf("%d requests", len(reqs))
	}
	if occ, ok := reqs[0].Body["occupants_ids"].([]any); !ok || len(occ) != 2 || occ[0] != float64(2) || reqs[0].Body["name"] != "team" {
		t.Fatalf("create body: %v", reqs[0].Body)
	}
	if reqs[2].Query.Get("mark_as_read") != "0" {
		t.Fatalf("message list query: %v", reqs[2].Query)
	}
	if reqs[3].Method != "PUT" || reqs[3].Path != "/chat/Message/m1,m2" || reqs[3].Body["read"] != float64(1) || reqs[3].Body["chat_dialog_id"] != "d1" {
		t.Fatalf("update: %+v", reqs[3])
	}
	if reqs[4].Path != "/chat/Message" || reqs[4].Body["delivered"] != float64(1) {
		t.Fatalf("update all: %+v", reqs[4])
	}
	if reqs[5].Body["login"] != "zed" || reqs[5].Body["password"] != "pw" {
		t.Fatalf("login body: %v", reqs[5].Body)
	}
}
