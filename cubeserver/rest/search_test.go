package rest

import (
	"context"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cubechat/cubechat/cube"
	"github.com/cubechat/cubechat/cubeserver/store"
)

// searchEnv: a and b share a group "Weekly Report"; b and c share one a cannot read.
type searchEnv struct {
	e              *env
	tokenA, tokenC string
	mine, theirs   *cube.Dialog
}

// searchDay is the day of the fixture's messages: 2023-11-14T22:13:20Z + i hours.
const searchDay = 1_700_000_000

func newSearchEnv(t *testing.T) *searchEnv {
	e := newEnv(t)
	s := &searchEnv{e: e}
	a, tokenA := e.user("a")
	b, _ := e.user("b")
	c, tokenC := e.user("c")
	s.tokenA, s.tokenC = tokenA, tokenC
	ctx := context.Background()
	mk := func(owner, peer int64, name string) *cube.Dialog {
		d, _, err := e.st.CreateDialog(ctx, store.NewDialog{Type: cube.DialogGroup, OwnerID: owner, Name: name, OccupantIDs: []int64{peer}})
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	s.mine, s.theirs = mk(a.ID, b.ID, "Weekly Report"), mk(b.ID, c.ID, "report archive")
	for i, m := range []struct {
		d    *cube.Dialog
		text string
	}{
		{s.mine, "draft of the report"},   // +0h
		{s.mine, "Report sent to boss"},   // +1h
		{s.theirs, "secret report notes"}, // +2h
		{s.mine, "final report, v2"},      // +3h
		{s.mine, "привет, отчёт готов"},   // +4h
	} {
		msg := cube.Message{ID: cube.NewObjectID(), ChatDialogID: m.d.ID, SenderID: b.ID, Message: m.text,
			DateSent: searchDay + int64(i)*3600}
		if _, err := e.st.StoreChatMessage(ctx, msg); err != nil {
			t.Fatal(err)
		}
	}
	return s
}

type searchBody struct {
	Results struct {
		Dialogs  []cube.Dialog
		Messages []cube.Message
		Users    []cube.User
	}
}

func iso(hours float64) string {
	return time.Unix(searchDay, 0).Add(time.Duration(hours * float64(time.Hour))).UTC().Format("2006-01-02T15:04:05.000Z")
}

func TestSearchEndpoint(t *testing.T) {
	s := newSearchEnv(t)
	tests := []struct {
		name     string
		token    string
		query    string
		messages []string
		dialogs  []string
	}{
		{"newest first, readable dialogs only", s.tokenA, "search_text=report",
			[]string{"final report, v2", "draft of the report"}, []string{}},
		{"case-sensitive", s.tokenA, "search_text=Report",
			[]string{"Report sent to boss"}, []string{"Weekly Report"}},
		{"the other user's view", s.tokenC, "search_text=report",
			[]string{"secret report notes"}, []string{"report archive"}},
		{"unicode text", s.tokenA, "search_text=" + url.QueryEscape("отчёт"),
			[]string{"привет, отчёт готов"}, []string{}},
		{"dialog ids, comma form", s.tokenA, "search_text=report&chat_dialog_ids=" + s.mine.ID + "%2C" + s.theirs.ID,
			[]string{"final report, v2", "draft of the report"}, []string{}},
		{"dialog ids, array form", s.tokenC, "search_text=report&chat_dialog_ids[]=" + s.mine.ID,
			[]string{}, []string{}},
		{"date window with milliseconds (JS SDK)", s.tokenA,
			"search_text=report&start_date=" + iso(2.9) + "&end_date=" + iso(-0.5),
			[]string{"draft of the report"}, []string{}},
		{"date window bounds are inclusive, without milliseconds (Dart)", s.tokenA,
			"search_text=report&start_date=" + strings.Replace(iso(3), ".000", "", 1) + "&end_date=" + strings.Replace(iso(0), ".000", "", 1),
			[]string{"final report, v2", "draft of the report"}, []string{}},
		{"a bound inside a second excludes that second", s.tokenA,
			"search_text=report&start_date=" + iso(5) + "&end_date=" + strings.Replace(iso(0), ".000", ".500", 1),
			[]string{"final report, v2"}, []string{}},
		{"limit", s.tokenA, "search_text=report&limit=1", []string{"final report, v2"}, []string{}},
		{"limit over 100 is clamped", s.tokenA, "search_text=report&limit=1000",
			[]string{"final report, v2", "draft of the report"}, []string{}},
		{"% is no wildcard", s.tokenA, "search_text=%25%25%25%25%25", []string{}, []string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := s.e.do("GET", "/chat/search.json?"+tt.query, tt.token, nil)
			expect(t, r, 200, "")
			var body searchBody
			r.decode(t, &body)
			var texts, names []string
			for _, m := range body.Results.Messages {
				texts = append(texts, m.Message)
			}
			for _, d := range body.Results.Dialogs {
				names = append(names, d.Name)
			}
			if !slices.Equal(texts, tt.messages) && !(len(texts) == 0 && len(tt.messages) == 0) {
				t.Errorf("messages = %q, want %q", texts, tt.messages)
			}
			if !slices.Equal(names, tt.dialogs) && !(len(names) == 0 && len(tt.dialogs) == 0) {
				t.Errorf("dialogs = %q, want %q", names, tt.dialogs)
			}
			if !strings.Contains(string(r.body), `"users":[]`) {
				t.Errorf("envelope = %s", r.body)
			}
		})
	}
}

func TestSearchEnvelopeHasEmptyLists(t *testing.T) {
	s := newSearchEnv(t)
	expect(t, s.e.do("GET", "/chat/search?search_text=nothing+matches", s.tokenA, nil), 200,
		`{"results":{"dialogs":[],"messages":[],"users":[]}}`)
}

func TestSearchRefusals(t *testing.T) {
	s := newSearchEnv(t)
	var eleven []string
	for range 11 {
		eleven = append(eleven, cube.NewObjectID())
	}
	tests := []struct {
		name, token, query string
		status             int
	}{
		{"no text", s.tokenA, "", 422},
		{"four characters", s.tokenA, "search_text=repo", 422},
		{"four unicode characters", s.tokenA, "search_text=" + url.QueryEscape("отчё"), 422},
		{"eleven dialog ids", s.tokenA, "search_text=report&chat_dialog_ids=" + strings.Join(eleven, ","), 422},
		{"start without end", s.tokenA, "search_text=report&start_date=" + iso(1), 422},
		{"end after start", s.tokenA, "search_text=report&start_date=" + iso(1) + "&end_date=" + iso(2), 422},
		{"more than 3 months", s.tokenA, "search_text=report&start_date=2024-05-02T00:00:00Z&end_date=2024-02-01T00:00:00Z", 422},
		{"bad date", s.tokenA, "search_text=report&start_date=yesterday&end_date=" + iso(0), 422},
		{"bad limit", s.tokenA, "search_text=report&limit=-3", 422},
		{"no session", "", "search_text=report", 401},
		{"exactly 3 months", s.tokenA, "search_text=report&start_date=2024-05-01T00:00:00Z&end_date=2024-02-01T00:00:00Z", 200},
		{"five characters", s.tokenA, "search_text=repor", 200},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			expect(t, s.e.do("GET", "/chat/search?"+tt.query, tt.token, nil), tt.status, "")
		})
	}
}
