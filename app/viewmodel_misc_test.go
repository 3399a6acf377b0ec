package app

import (
	"errors"
	"testing"
	"time"

	"github.com/cubechat/cubechat/cache"
	csync "github.com/cubechat/cubechat/sync"
)

func TestBannerActionFor(t *testing.T) {
	cases := map[csync.ConnState]bannerAction{
		csync.StateReady: bannerNone, csync.StateReconnecting: bannerNone, csync.StateIdle: bannerNone,
		csync.StateOffline: bannerRetry, csync.StateClosed: bannerRetry, csync.StateForceClosed: bannerRetry,
		csync.StateAuthenticationFailure: bannerNone, // passing: the engine renews or reports NeedsSignIn
	}
	for state, want := range cases {
		if got := bannerActionFor(csync.Status{State: state}); got != want {
			t.Errorf("%s: %v, want %v", state, got, want)
		}
		// A session that ended for good asks for the password whatever the state.
		if got := bannerActionFor(csync.Status{State: state, NeedsSignIn: true}); got != bannerSignIn {
			t.Errorf("%s with NeedsSignIn: %v, want bannerSignIn", state, got)
		}
	}
}

func TestHeaderSubtitle(t *testing.T) {
	now := time.Date(2025, 3, 12, 15, 0, 0, 0, time.UTC)
	users := map[int64]cache.User{
		2: {ID: 2, Login: "bob", LastSeen: now.Add(-10 * time.Minute)},
		3: {ID: 3, Login: "carol"},
	}
	cases := []struct {
		d    cache.Dialog
		want string
	}{
		{cache.Dialog{Type: dialogPrivate, OccupantIDs: []int64{1, 2}}, "last seen 10 min ago"},
		{cache.Dialog{Type: dialogPrivate, OccupantIDs: []int64{1, 3}}, "@carol"}, // nothing known yet
		{cache.Dialog{Type: dialogGroup, OccupantIDs: []int64{1, 2, 3}}, "3 members"},
		{cache.Dialog{Type: dialogPublic, OccupantsCount: 1}, "1 member"},
	}
	for _, c := range cases {
		if got := headerSubtitle(c.d, 1, users, now, time.UTC); got != c.want {
			t.Errorf("%+v: %q, want %q", c.d, got, c.want)
		}
	}
}

func TestSmallTexts(t *testing.T) {
	users := map[int64]cache.User{2: {ID: 2, FullName: "Alice"}}
	notices := []struct {
		s    cache.SystemMessage
		want string
	}{
		{cache.SystemMessage{SenderID: 2, Body: "dialog/ADDED_TO_DIALOG"}, "Alice: dialog/ADDED_TO_DIALOG"},
		{cache.SystemMessage{SenderID: 9, Params: map[string]any{"notification_type": "call"}}, "User 9: call"},
		{cache.SystemMessage{SenderID: 2}, "Alice: system message"},
	}
	for _, c := range notices {
		if got := systemNoticeText(c.s, users); got != c.want {
			t.Errorf("systemNoticeText = %q, want %q", got, c.want)
		}
	}
	groups := []struct {
		name    string
		members int
		want    string
	}{{"", 2, "Give the group a name."}, {"Team", 0, "Add at least one member."}, {" Team ", 1, ""}}
	for _, c := range groups {
		if got := newGroupProblem(c.name, c.members); got != c.want {
			t.Errorf("newGroupProblem(%q, %d) = %q", c.name, c.members, got)
		}
	}
	if got := publicDialogInfo(cache.Dialog{OccupantsCount: 12, Description: "All about\nGo"}); got != "12 members · All about Go" {
		t.Errorf("publicDialogInfo = %q", got)
	}
	if got := actionErrorText(csync.ErrOffline); got != "you are offline; try again when connected" {
		t.Errorf("offline text %q", got)
	}
	if got := userError("Could not block Bob", errors.New("boom")).Error(); got != "Could not block Bob: boom." {
		t.Errorf("userError = %q", got)
	}
}
