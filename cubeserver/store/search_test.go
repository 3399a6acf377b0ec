package store

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"testing"

	"github.com/cubechat/cubechat/cube"
)

// searchFixture: a and b share a group and a private chat; b and c share a group a
// cannot read; c owns a broadcast dialog, which everybody may read.
type searchFixture struct {
	s                             *Store
	a, b, c                       cube.User
	group, private, hidden, bcast *cube.Dialog
	byText                        map[string]string // message text → id
}

const t0 = 1_700_000_000

func newSearchFixture(t *testing.T) *searchFixture {
	t.Helper()
	s := openTest(t)
	ctx := context.Background()
	f := &searchFixture{s: s, a: mustUser(t, s, "a"), b: mustUser(t, s, "b"), c: mustUser(t, s, "c"), byText: map[string]string{}}
	mk := func(typ int, owner int64, name string, occupants ...int64) *cube.Dialog {
		d, _, err := s.CreateDialog(ctx, NewDialog{Type: typ, OwnerID: owner, Name: name, OccupantIDs: occupants})
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	f.group = mk(cube.DialogGroup, f.a.ID, "Lorem planning", f.b.ID)
	f.private = mk(cube.DialogPrivate, f.a.ID, "", f.b.ID)
	f.hidden = mk(cube.DialogGroup, f.b.ID, "lorem secrets", f.c.ID)
	f.bcast = mk(cube.DialogBroadcast, f.c.ID, "Lorem news")
	for _, m := range []struct {
		d      *cube.Dialog
		sender int64
		text   string
		at     int64
	}{
		{f.group, f.a.ID, "lorem ipsum one", t0},
		{f.group, f.b.ID, "Lorem ipsum two", t0 + 10},
		{f.private, f.b.ID, "private lorem three", t0 + 20},
		{f.hidden, f.c.ID, "hidden lorem four", t0 + 30},
		{f.bcast, f.c.ID, "broadcast lorem five", t0 + 40},
		{f.group, f.a.ID, "rate is 100%_x today", t0 + 50},
		{f.group, f.a.ID, "rate is 100ab_x today", t0 + 60},
	} {
		msg := cube.Message{ID: cube.NewObjectID(), ChatDialogID: m.d.ID, SenderID: m.sender, Message: m.text, DateSent: m.at}
		if _, err := s.StoreChatMessage(ctx, msg); err != nil {
			t.Fatal(err)
		}
		f.byText[m.text] = msg.ID
	}
	return f
}

func texts(ms []cube.Message) []string {
	out := []string{}
	for _, m := range ms {
		out = append(out, m.Message)
	}
	return out
}

func dialogNames(ds []cube.Dialog) []string {
	out := []string{}
	for _, d := range ds {
		out = append(out, d.Name)
	}
	return out
}

func i64(n int64) *int64 { return &n }

func TestSearchRules(t *testing.T) {
	f := newSearchFixture(t)
	tests := []struct {
		name     string
		q        SearchQuery
		messages []string
		dialogs  []string
	}{
		{"readable dialogs only, newest first, case-sensitive",
			SearchQuery{UserID: f.a.ID, Text: "lorem"},
			[]string{"broadcast lorem five", "private lorem three", "lorem ipsum one"}, []string{}},
		{"other case", SearchQuery{UserID: f.a.ID, Text: "Lorem"},
			[]string{"Lorem ipsum two"}, []string{"Lorem planning", "Lorem news"}},
		{"the other user sees their own dialogs", SearchQuery{UserID: f.c.ID, Text: "lorem"},
			[]string{"broadcast lorem five", "hidden lorem four"}, []string{"lorem secrets"}},
		{"dialog ids narrow", SearchQuery{UserID: f.a.ID, Text: "lorem", DialogIDs: []string{f.group.ID}},
			[]string{"lorem ipsum one"}, []string{}},
		{"dialog ids cannot widen access", SearchQuery{UserID: f.a.ID, Text: "lorem", DialogIDs: []string{f.hidden.ID}},
			[]string{}, []string{}},
		{"date window is inclusive at both ends", SearchQuery{UserID: f.a.ID, Text: "lorem",
			DateSent: Range{GTE: i64(t0), LTE: i64(t0 + 20)}},
			[]string{"private lorem three", "lorem ipsum one"}, []string{}},
		{"limit keeps the newest", SearchQuery{UserID: f.a.ID, Text: "lorem", Limit: 1},
			[]string{"broadcast lorem five"}, []string{}},
		{"% and _ are literal", SearchQuery{UserID: f.a.ID, Text: "100%_x"},
			[]string{"rate is 100%_x today"}, []string{}},
		{"no match", SearchQuery{UserID: f.a.ID, Text: "nothing here"}, []string{}, []string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := f.s.Search(context.Background(), tt.q)
			if err != nil {
				t.Fatal(err)
			}
			if got := texts(res.Messages); !slices.Equal(got, tt.messages) {
				t.Errorf("messages = %q, want %q", got, tt.messages)
			}
			if got := dialogNames(res.Dialogs); !slices.Equal(got, tt.dialogs) {
				t.Errorf("dialogs = %q, want %q", got, tt.dialogs)
			}
		})
	}
}

func TestSearchDialogDateWindowUsesCreation(t *testing.T) {
	f := newSearchFixture(t)
	created := f.group.CreatedAt.UnixMilli()
	before := SearchQuery{UserID: f.a.ID, Text: "Lorem", CreatedAt: Range{LT: i64(created - 1000)}}
	res, err := f.s.Search(context.Background(), before)
	if err != nil || len(res.Dialogs) != 0 {
		t.Fatalf("dialogs created before the window = %v, %v", dialogNames(res.Dialogs), err)
	}
}

func TestSearchReturnsViewerFields(t *testing.T) {
	f := newSearchFixture(t)
	res, err := f.s.Search(context.Background(), SearchQuery{UserID: f.b.ID, Text: "ipsum one"})
	if err != nil || len(res.Messages) != 1 {
		t.Fatalf("search = %+v, %v", res, err)
	}
	m := res.Messages[0]
	if m.ID != f.byText["lorem ipsum one"] || m.ChatDialogID != f.group.ID || m.SenderID != f.a.ID ||
		!slices.Equal(m.ReadIDs, []int64{f.a.ID}) || m.Read != 0 {
		t.Fatalf("message = %+v", m)
	}
}

func TestSearchNeedsUserAndText(t *testing.T) {
	s := openTest(t)
	for _, q := range []SearchQuery{{UserID: 1}, {Text: "hello"}} {
		if _, err := s.Search(context.Background(), q); err == nil {
			t.Fatalf("Search(%+v) accepted", q)
		}
	}
}

// BenchmarkSearch50k searches 50,000 messages in 50 dialogs the user occupies: a rare
// text (every message is compared), a common one (the newest 100 are kept), and a rare
// one within 3 named dialogs or a one-hour window.
func BenchmarkSearch50k(b *testing.B) {
	s, err := Open(filepath.Join(b.TempDir(), "bench.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	me, err := s.CreateUser(ctx, cube.User{Login: "me"}, "pw")
	if err != nil {
		b.Fatal(err)
	}
	peer, err := s.CreateUser(ctx, cube.User{Login: "peer"}, "pw")
	if err != nil {
		b.Fatal(err)
	}
	const dialogs, perDialog = 50, 1000
	var ids []string
	for i := range dialogs {
		d, _, err := s.CreateDialog(ctx, NewDialog{Type: cube.DialogGroup, OwnerID: me.ID,
			Name: fmt.Sprintf("team %d", i), OccupantIDs: []int64{peer.ID}})
		if err != nil {
			b.Fatal(err)
		}
		ids = append(ids, d.ID)
	}
	err = s.tx(ctx, func(tx *writeTx) error {
		stmt, err := tx.conn.PrepareContext(ctx, `INSERT INTO messages (id, dialog_id, sender_id, body, date_sent,
			created_at, updated_at) VALUES (?,?,?,?,?,?,?)`)
		if err != nil {
			return err
		}
		defer stmt.Close()
		for i := range dialogs * perDialog {
			body := fmt.Sprintf("status update number %d about the quarterly report", i)
			if i == 31_337 {
				body = "the Needle is here"
			}
			if _, err := stmt.ExecContext(ctx, cube.NewObjectID(), ids[i%dialogs], peer.ID, body,
				t0+int64(i), nowMS(), nowMS()); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	from, to := int64(t0+20_000), int64(t0+23_600) // an hour of the history
	for _, c := range []struct {
		name string
		q    SearchQuery
		want int
	}{
		{"rare", SearchQuery{Text: "Needle"}, 1},
		{"common", SearchQuery{Text: "quarterly"}, 100},
		{"rare-in-3-dialogs", SearchQuery{Text: "Needle", DialogIDs: ids[35:38]}, 1},
		{"rare-in-1h-window", SearchQuery{Text: "number 21234 ", DateSent: Range{GTE: &from, LTE: &to}}, 1},
	} {
		c.q.UserID, c.q.Limit = me.ID, 100
		b.Run(c.name, func(b *testing.B) {
			cpu := processCPU()
			for b.Loop() {
				res, err := s.Search(ctx, c.q)
				if err != nil || len(res.Messages) != c.want {
					b.Fatalf("search %+v = %d messages, %v", c.q, len(res.Messages), err)
				}
			}
			// CPU time is steadier than wall time on a machine shared with other work.
			b.ReportMetric(float64(processCPU()-cpu)/float64(b.N), "cpu-ns/op")
		})
	}
}
