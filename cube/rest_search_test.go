package cube

import (
	"context"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestSearchQueryValidation(t *testing.T) {
	now := time.Unix(1700000000, 0)
	cases := []struct {
		name string
		q    SearchQuery
		ok   bool
	}{
		{"five characters", SearchQuery{Text: "hello"}, true},
		{"four characters", SearchQuery{Text: "hell"}, false},
		{"four runes of multibyte text", SearchQuery{Text: "éééé"}, false},
		{"five runes of multibyte text", SearchQuery{Text: "ééééé"}, true},
		{"spaces do not count", SearchQuery{Text: "  abc  "}, false},
		{"ten dialogs", SearchQuery{Text: "hello", DialogIDs: make([]string, 10)}, true},
		{"eleven dialogs", SearchQuery{Text: "hello", DialogIDs: make([]string, 11)}, false},
		{"limit too big", SearchQuery{Text: "hello", Limit: 101}, false},
		{"start without end", SearchQuery{Text: "hello", StartDate: now}, false},
		{"dates a month apart", SearchQuery{Text: "hello", StartDate: now, EndDate: now.AddDate(0, -1, 0)}, true},
		{"dates half a year apart", SearchQuery{Text: "hello", StartDate: now, EndDate: now.AddDate(0, -6, 0)}, false},
		{"end alone", SearchQuery{Text: "hello", EndDate: now}, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if err := tc.q.validate(); (err == nil) != tc.ok {
				t.Fatalf("validate: %v, want ok=%v", err, tc.ok)
			}
		})
	}
}

func TestGlobalSearchReadsBothAnswerForms(t *testing.T) {
	for name, answer := range map[string]string{
		"results wrapper": `{"results":{"dialogs":[{"_id":"d1","name":"hello team"}],"messages":[{"_id":"m1","message":"hello there"}],"users":[{"id":4}]}}`,
		"top level":       `{"dialogs":[{"_id":"d1","name":"hello team"}],"messages":[{"_id":"m1","message":"hello there"}],"users":[{"id":4}]}`,
	} {
		t.Run(name, func(t *testing.T) {
			c, requests := recorder(t, func(*http.Request) string { return answer })
			start := time.Date(2023, 11, 14, 22, 13, 20, 0, time.UTC)
			res, err := c.GlobalSearch(context.Background(), SearchQuery{Text: "hello", DialogIDs: []string{"d1", "d2"},
				StartDate: start, EndDate: start.AddDate(0, -1, 0), Limit: 20})
			if err != nil || len(res.Dialogs) != 1 || res.Dialogs[0].ID != "d1" || len(res.Messages) != 1 || res.Messages[0].Message != "hello there" || len(res.Users) != 1 {
				t.Fatalf("result %+v %v", res, err)
			}
			r := requests()[0]
			want := url.Values{"search_text": {"hello"}, "chat_dialog_ids": {"d1,d2"}, "start_date": {"2023-11-14T22:13:20Z"},
				"end_date": {"2023-10-14T22:13:20Z"}, "limit": {"20"}}
			if r.Path != "/chat/search" || !reflect.DeepEqual(r.Query, want) {
				t.Fatalf("request %s %v", r.Path, r.Query)
			}
		})
	}
	c, requests := recorder(t, func(*http.Request) string { return "{}" })
	if _, err := c.GlobalSearch(context.Background(), SearchQuery{Text: "hey"}); err == nil || !strings.Contains(err.Error(), "longer than 4") {
		t.Fatalf("short text: %v", err)
	}
	if len(requests()) != 0 {
		t.Fatal("an invalid search reached the server")
	}
}
