package app

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"

	csync "github.com/cubechat/cubechat/sync"
)

func TestLoginFormProfile(t *testing.T) {
	custom := loginForm{Kind: kindCustom, APIURL: "http://127.0.0.1:8080/", ChatHost: "127.0.0.1:5222",
		ChatTLS: "starttls", AppID: "1", AuthKey: "k"}
	cases := []struct {
		name    string
		form    loginForm
		wantErr string
		check   func(csync.Profile) bool
	}{
		{"cloud", loginForm{Kind: kindCloud, AppID: " 385 ", AuthKey: "key"}, "",
			func(p csync.Profile) bool { return p.AppID == 385 && strings.Contains(p.APIURL, "connectycube.com") }},
		{"custom", custom, "",
			func(p csync.Profile) bool {
				return p.APIURL == "http://127.0.0.1:8080" && p.ChatDomain == "127.0.0.1" && p.ChatTLS == "starttls"
			}},
		{"bad app id", loginForm{Kind: kindCloud, AppID: "abc", AuthKey: "k"}, "App ID", nil},
		{"no auth key", loginForm{Kind: kindCloud, AppID: "1"}, "auth key", nil},
		{"bad url", with(custom, func(f *loginForm) { f.APIURL = "ftp://x" }), "API URL", nil},
		{"plain http to another machine", with(custom, func(f *loginForm) { f.APIURL = "http://chat.example.com:8080" }), "https://", nil},
		{"https to another machine", with(custom, func(f *loginForm) { f.APIURL = "https://chat.example.com:8080" }), "",
			func(p csync.Profile) bool { return p.APIURL == "https://chat.example.com:8080" }},
		{"bad chat host", with(custom, func(f *loginForm) { f.ChatHost = "example.com" }), "host:port", nil},
		{"bad port", with(custom, func(f *loginForm) { f.ChatHost = "example.com:http" }), "host:port", nil},
	}
	for _, c := range cases {
		p, err := c.form.profile()
		if c.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), c.wantErr) {
				t.Errorf("%s: err %v, want one mentioning %q", c.name, err, c.wantErr)
			}
			continue
		}
		if err != nil || !c.check(p) {
			t.Errorf("%s: profile %+v, err %v", c.name, p, err)
		}
	}
}

func with(f loginForm, edit func(*loginForm)) loginForm {
	edit(&f)
	return f
}

func TestLoginFormRemembered(t *testing.T) {
	a := test.NewTempApp(t)
	prefs := a.Preferences()
	if got := loadForm(prefs); got.Kind != kindCloud || got.Login != "" {
		t.Fatalf("first start: %+v", got)
	}
	f := loginForm{Kind: kindCustom, APIURL: "http://h", ChatHost: "h:1", AppID: "2", AuthKey: "k", Login: "ann"}
	saveForm(prefs, f)
	if got := loadForm(prefs); got != f {
		t.Fatalf("loaded %+v, want %+v", got, f)
	}
	for _, key := range []string{prefLoginForm} {
		if strings.Contains(prefs.String(key), "password") {
			t.Fatal("the saved form must never hold a password")
		}
	}
	prefs.SetString(prefLoginForm, "{not json")
	if got := loadForm(prefs); got.Kind != kindCloud {
		t.Fatalf("an unreadable saved form falls back to defaults, got %+v", got)
	}
}

func TestLoginErrorText(t *testing.T) {
	cases := []struct {
		err  error
		want string
	}{
		{fmt.Errorf("%w: 401", csync.ErrAuth), "Wrong login or password."},
		{errors.New("dial tcp: connection refused"), "Cannot reach the server"},
		{errors.New("x509: certificate signed by unknown authority"), "certificate"},
	}
	for _, c := range cases {
		if got := loginErrorText(c.err); !strings.Contains(got, c.want) {
			t.Errorf("loginErrorText(%v) = %q, want it to contain %q", c.err, got, c.want)
		}
	}
}

func TestBannerFor(t *testing.T) {
	cases := []struct {
		s    csync.Status
		want string
	}{
		{csync.Status{State: "Ready"}, ""},
		{csync.Status{State: "Ready", Syncing: true}, "Updating…"},
		{csync.Status{State: "Reconnecting"}, "Reconnecting…"},
		{csync.Status{State: "Idle"}, "Connecting…"},
		{csync.Status{State: "Offline"}, "Offline — showing cached messages"},
		{csync.Status{State: "Offline", NeedsSignIn: true}, "Your session has ended — showing cached messages"},
		{csync.Status{State: "AuthenticationFailure"}, "Signing in again…"},
		{csync.Status{State: "Closed", Err: errors.New("tls: failed to verify certificate: x509: certificate signed by unknown authority")},
			"The chat server's certificate is not trusted — showing cached messages"},
		{csync.Status{State: "Closed", Err: errors.New("dial tcp: connection refused")}, "Offline — showing cached messages"},
		{csync.Status{State: "Ready", StoreErr: errors.New("cache: disk is full")},
			"The disk is full — new messages cannot be saved. Free some space and they will be fetched."},
	}
	for _, c := range cases {
		if got, _ := bannerFor(c.s); got != c.want {
			t.Errorf("bannerFor(%+v) = %q, want %q", c.s, got, c.want)
		}
	}
}
