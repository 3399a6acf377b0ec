package rest

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/cubechat/cubechat/cube"
	"github.com/cubechat/cubechat/cubeserver/store"
)

// fuzzEnv is a handler over a real store with two users, a group and a private dialog
// holding a few messages, so that fuzzed filters reach real rows. Requests go straight
// to ServeHTTP: the raw query and body are exactly the fuzzer's bytes.
type fuzzEnv struct {
	h       http.Handler
	token   string
	dialogs []string
}

func newFuzzEnv(f *testing.F) *fuzzEnv {
	f.Helper()
	ctx := context.Background()
	st := openTestStore(f)
	var ids []int64
	var token string
	for _, login := range []string{"ann", "bob"} {
		u, err := st.CreateUser(ctx, cube.User{Login: login}, login+"-pw")
		if err != nil {
			f.Fatal(err)
		}
		ids = append(ids, u.ID)
		if token == "" {
			sess, err := st.CreateSession(ctx, store.NewSession{AppID: testAppID, UserID: u.ID})
			if err != nil {
				f.Fatal(err)
			}
			token = sess.Token
		}
	}
	e := &fuzzEnv{h: New(testConfig(), st, nil), token: token}
	for _, nd := range []store.NewDialog{
		{Type: cube.DialogGroup, OwnerID: ids[0], Name: "crew", OccupantIDs: ids[1:], Extensions: map[string]string{"floor": "3"}},
		{Type: cube.DialogPrivate, OwnerID: ids[0], OccupantIDs: ids[1:]},
	} {
		d, _, err := st.CreateDialog(ctx, nd)
		if err != nil {
			f.Fatal(err)
		}
		e.dialogs = append(e.dialogs, d.ID)
		for i := range 3 {
			m := cube.Message{ID: cube.NewObjectID(), ChatDialogID: d.ID, SenderID: ids[i%2], Message: fmt.Sprintf("hello %d", i),
				DateSent: 1700000000 + int64(i)}
			if _, err := st.StoreChatMessage(ctx, m); err != nil {
				f.Fatal(err)
			}
		}
	}
	return e
}

// serve runs one request and fails on a 5xx or on a body that is not JSON.
func (e *fuzzEnv) serve(t *testing.T, method, path, rawQuery, body string) {
	t.Helper()
	req := httptest.NewRequest(method, "/", strings.NewReader(body))
	req.URL.Path, req.URL.RawQuery = path, rawQuery
	req.Header.Set("CB-Token", e.token)
	req.Header.Set("Content-Type", "application/json")
	rec := httptest.NewRecorder()
	e.h.ServeHTTP(rec, req)
	if rec.Code >= 500 {
		t.Fatalf("%s %s?%q %q: %d %s", method, path, rawQuery, body, rec.Code, rec.Body)
	}
	if rec.Body.Len() > 0 && !json.Valid(rec.Body.Bytes()) {
		t.Fatalf("%s %s?%q: answer is not JSON: %s", method, path, rawQuery, rec.Body)
	}
}

var dialogQuerySeeds = []string{
	"", "limit=50&skip=0&sort_desc=last_message_date_sent", "type[in]=2%2C3&updated_at[gt]=1700000000",
	"type[in]=2,3&updated_at[gt]=2018-12-05T11:58:02Z", "_id[in][]=a&_id[in][]=b&_id[nin]=c", "name[ctn]=cr&extensions[floor]=3",
	"extensions[floor][in]=1,3&extensions[x][ne]=", "last_message_date_sent[lte]=9999999999&count=1", "limit=-1",
	"skip=99999999999999999999", "updated_at[gt]=NaN", "created_at[lt]=1e300", "sort_asc=bogus", "type=x", "%zz=1",
	"name[ctn]=%25%5F%27%22", "updated_at[gt]=0001-01-01T00:00:00Z&updated_at[lt]=9999-12-31T23:59:59Z",
}

// FuzzDialogFilters: any query string on GET /chat/Dialog is answered without a 5xx.
func FuzzDialogFilters(f *testing.F) {
	for _, s := range dialogQuerySeeds {
		f.Add(s)
	}
	e := newFuzzEnv(f)
	f.Fuzz(func(t *testing.T, rawQuery string) {
		e.serve(t, "GET", "/chat/Dialog.json", rawQuery, "")
	})
}

// FuzzMessageFilters: any query string on GET /chat/Message (after a real dialog id,
// which the fuzzer may repeat or override) is answered without a 5xx.
func FuzzMessageFilters(f *testing.F) {
	for _, s := range []string{
		"", "date_sent[gte]=1700000000&limit=50&mark_as_read=0&skip=0&sort_desc=date_sent", "date_sent[lt]=1700000001&count=1",
		"_id[in]=a,b&sender_id[ne]=1", "sender_id=x", "updated_at[gt]=2023-11-14T22:13:20Z", "message[ctn]=hel",
		"attachments.type=image", "preview=1", "chat_dialog_id=nope", "date_sent[gt]=9223372036854775807",
		"date_sent[lt]=-9223372036854775808", "limit=100000&skip=-3", "sort_asc=_id", "mark_as_read=1&_id[nin][]=x",
	} {
		f.Add(s)
	}
	e := newFuzzEnv(f)
	f.Fuzz(func(t *testing.T, rawQuery string) {
		for _, d := range e.dialogs {
			e.serve(t, "GET", "/chat/Message.json", "chat_dialog_id="+d+"&"+rawQuery, "")
		}
	})
}

// FuzzCreateDialogBody: any body on POST /chat/Dialog is answered without a 5xx.
func FuzzCreateDialogBody(f *testing.F) {
	for _, s := range []string{
		`{"type":2,"name":"crew","occupants_ids":"2, 1","extensions":{"location":"Sun bar","floor":3}}`,
		`{"type":3,"occupants_ids":[2]}`, `{"type":"3","occupants_ids":["2"]}`, `{"type":1,"name":"news"}`,
		`{"type":4,"name":"pub","photo":null,"description":"` + strings.Repeat("d", 300) + `"}`,
		`{"type":2,"name":"x","occupants_ids":[1e400]}`, `{"type":2,"name":"x","occupants_ids":[{"a":1}]}`,
		`{"type":2,"name":"x","occupants_ids":"-1,0,9223372036854775808"}`, `{"type":[2]}`, `{"user[login]":"x"}`,
		`{"type":2,"name":"\u0000\ud800","extensions":{"a[b]":{"c":[1]}}}`, `[1,2]`, `null`, `{} {}`, `{"type":2`,
		`type=2&name=crew&occupants_ids[]=2`, "\xff\xfe",
	} {
		f.Add(s)
	}
	e := newFuzzEnv(f)
	f.Fuzz(func(t *testing.T, body string) {
		e.serve(t, "POST", "/chat/Dialog.json", "", body)
	})
}
