package app

import (
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	csync "github.com/cubechat/cubechat/sync"
)

// chooseFile answers the picker's file dialog with the file at path, as the dialog does.
func chooseFile(t *testing.T, p *certPicker, path string) {
	t.Helper()
	r, err := storage.Reader(storage.NewFileURI(path))
	if err != nil {
		t.Fatal(err)
	}
	p.chosen(r, nil)
}

// formOnlyDeps is for tests of the login form alone: building an engine fails them.
func formOnlyDeps(t *testing.T) Deps {
	db := openCache(t)
	return Deps{Cache: db, NewEngine: func(p csync.Profile) *csync.Engine {
		t.Error("this test must not sign in")
		return csync.New(db, p, nil)
	}}
}

func writeFile(t *testing.T, name string, data []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestCertPickerChooseRefuseClear drives the Server certificate row of the login
// screen: a valid file is pinned and described, an invalid one is refused without
// losing the pin, Clear unpins, and the sign-in profile follows each step.
func TestCertPickerChooseRefuseClear(t *testing.T) {
	u := newTestUI(t, formOnlyDeps(t))
	s := u.login
	p := s.cert
	p.now = func() time.Time { return time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC) }
	cert := makeTestCert(t, "localhost", []string{"localhost"}, time.Date(2036, 11, 25, 0, 0, 0, 0, time.UTC))
	good := writeFile(t, "server.pem", cert.pem)
	bad := writeFile(t, "notes.crt", []byte("just some notes\n"))

	s.kind.SetSelected(kindCustom)
	s.apiURL.SetText("https://chat.example.com")
	s.chatHost.SetText("chat.example.com:5223")
	s.appID.SetText("1")
	s.authKey.SetText("key")
	if !p.fileName.Disabled() || p.clearBtn.Visible() || p.info.Text != noCertHint() {
		t.Fatal("at first nothing is pinned: read-only empty name, no Clear, the hint")
	}

	steps := []struct {
		name      string
		act       func()
		wantFile  string
		wantInfo  string // "" = the hint that nothing is pinned
		wantLevel widget.Importance
		wantPEM   []byte
	}{
		{"choose a valid file", func() { chooseFile(t, p, good) },
			"server.pem", "localhost, valid until 2036-11-25", widget.MediumImportance, cert.pem},
		{"choose an invalid file", func() { chooseFile(t, p, bad) },
			"server.pem", "notes.crt: Not a PEM certificate file. Still using server.pem.", widget.DangerImportance, cert.pem},
		{"cancel the dialog", func() { p.chosen(nil, nil) },
			"server.pem", "notes.crt: Not a PEM certificate file. Still using server.pem.", widget.DangerImportance, cert.pem},
		{"clear", func() { test.Tap(p.clearBtn) }, "", "", 0, nil},
		{"invalid with nothing pinned", func() { chooseFile(t, p, bad) },
			"", "notes.crt: Not a PEM certificate file.", widget.DangerImportance, nil},
		{"valid again", func() { chooseFile(t, p, good) },
			"server.pem", "localhost, valid until 2036-11-25", widget.MediumImportance, cert.pem},
	}
	for _, st := range steps {
		st.act()
		if p.fileName.Text != st.wantFile {
			t.Errorf("%s: file %q, want %q", st.name, p.fileName.Text, st.wantFile)
		}
		// The info line keeps its place in every state (no jump under the pointer).
		if !p.info.Visible() || !p.infoRow.Visible() {
			t.Errorf("%s: the info line is hidden", st.name)
		}
		info := p.info.Text
		if info == noCertHint() {
			info = ""
		}
		if info != st.wantInfo || (info != "" && p.info.Importance != st.wantLevel) {
			t.Errorf("%s: info %q (importance %v), want %q (%v)", st.name, info, p.info.Importance, st.wantInfo, st.wantLevel)
		}
		if p.clearBtn.Visible() != (st.wantPEM != nil) {
			t.Errorf("%s: Clear shown=%v with pin %v", st.name, p.clearBtn.Visible(), st.wantPEM != nil)
		}
		prof, err := s.profileFor(s.form())
		if err != nil {
			t.Fatalf("%s: %v", st.name, err)
		}
		if !bytes.Equal(prof.CertPEM, st.wantPEM) {
			t.Errorf("%s: the sign-in profile pins %d bytes, want %d", st.name, len(prof.CertPEM), len(st.wantPEM))
		}
	}
}

// TestCertPickerOpensAFileDialog: "Choose…" shows a file dialog over the window.
func TestCertPickerOpensAFileDialog(t *testing.T) {
	u := newTestUI(t, formOnlyDeps(t))
	u.login.kind.SetSelected(kindCustom)
	test.Tap(u.login.cert.chooseBtn)
	if u.Window().Canvas().Overlays().Top() == nil {
		t.Fatal("Choose… opens the file dialog")
	}
}

// TestPinnedCertRemembered: the pin travels with the saved form, only custom servers
// pin, and a tampered saved pin is refused with a clear error instead of disabling it.
func TestPinnedCertRemembered(t *testing.T) {
	cert := makeTestCert(t, "localhost", nil, time.Now().AddDate(1, 0, 0))
	f := loginForm{Kind: kindCustom, APIURL: "https://h", ChatHost: "h:5223", AppID: "2", AuthKey: "k",
		Login: "ann", CertName: "cert.pem", CertPEM: string(cert.pem)}
	prefs := test.NewTempApp(t).Preferences()
	saveForm(prefs, f)
	got := loadForm(prefs)
	if got != f {
		t.Fatalf("loaded %+v, want %+v", got, f)
	}
	p, err := got.profile()
	if err != nil || !bytes.Equal(p.CertPEM, cert.pem) {
		t.Fatalf("the remembered profile pins %d bytes (err %v)", len(p.CertPEM), err)
	}

	cloud := with(f, func(f *loginForm) { f.Kind = kindCloud })
	if p, err := cloud.profile(); err != nil || p.CertPEM != nil {
		t.Errorf("the cloud never pins a custom certificate: %d bytes, err %v", len(p.CertPEM), err)
	}
	tampered := with(f, func(f *loginForm) { f.CertPEM = "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n" })
	if _, err := tampered.profile(); err == nil || !strings.Contains(err.Error(), "certificate is not valid") {
		t.Errorf("a broken saved pin: err %v", err)
	}

	// The login screen shows the remembered pin at the next start.
	a := test.NewTempApp(t)
	saveForm(a.Preferences(), f)
	u, err := New(a, formOnlyDeps(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(u.Close)
	if c := u.login.cert; c.fileName.Text != "cert.pem" || !strings.HasPrefix(c.info.Text, "localhost, valid until ") {
		t.Errorf("the form shows %q / %q", c.fileName.Text, c.info.Text)
	}
}

// TestCustomServerSignInWithPinnedCert signs in through the Custom server form to an
// in-process cubeserver whose self-signed certificate is trusted only because it was
// chosen in the form, and reaches the main screen with the chat Ready.
func TestCustomServerSignInWithPinnedCert(t *testing.T) {
	r := startRemember(t) // Alice and Bob on a fresh server, a fresh device
	certFile := writeFile(t, "cert.pem", r.srv.CertPEM())
	var profiles []csync.Profile
	u, err := New(r.app, Deps{Cache: r.db, NewEngine: func(p csync.Profile) *csync.Engine {
		profiles = append(profiles, p)
		return csync.New(r.db, p, nil)
	}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(u.Close)
	s := u.login
	onUI(func() {
		u.Window().Resize(fyne.NewSize(1000, 700))
		s.kind.SetSelected(kindCustom)
		test.Type(s.apiURL, r.srv.HTTPURL())
		test.Type(s.chatHost, r.srv.XMPPTLSAddr())
		test.Type(s.chatDomain, r.srv.Domain())
		s.chatTLS.SetSelected(tlsDirectLabel())
		test.Type(s.appID, strconv.FormatInt(r.srv.AppID(), 10))
		test.Type(s.authKey, r.srv.AuthKey())
		test.Type(s.authSecret, r.srv.AuthSecret())
		chooseFile(t, s.cert, certFile)
		if s.cert.fileName.Text != "cert.pem" || !strings.Contains(s.cert.info.Text, "valid until") {
			t.Errorf("the chosen certificate shows %q / %q", s.cert.fileName.Text, s.cert.info.Text)
		}
		test.Type(s.login, "alice")
		test.Type(s.password, "alice-pass")
		test.Tap(s.signInBtn)
	})
	waitMain(t, u, "the sign-in")
	waitReady(t, u.Engine())
	if len(profiles) != 1 || !bytes.Equal(profiles[0].CertPEM, r.srv.CertPEM()) {
		t.Fatalf("the engine was built with %d profiles, the first pinning the server's certificate: %v",
			len(profiles), len(profiles) == 1 && profiles[0].CertPEM != nil)
	}
	if saved := loadForm(r.app.Preferences()); saved.CertPEM != string(r.srv.CertPEM()) || saved.CertName != "cert.pem" {
		t.Error("the pinned certificate is remembered with the profile")
	}
}
