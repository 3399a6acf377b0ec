package app

import (
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/widget"
	csync "github.com/cubechat/cubechat/sync"
)

// speak switches the UI's language for one test, as a user's locale (or --lang) does,
// and back to the one before when the test ends.
func speak(t *testing.T, language string) {
	t.Helper()
	// Registered first, so it runs after t.Setenv has put the environment back.
	t.Cleanup(func() {
		if err := lang.AddTranslationsFS(translations, "translations"); err != nil {
			t.Error(err)
		}
	})
	t.Setenv("LC_ALL", language)
	t.Setenv("LANGUAGE", language)
	if err := lang.AddTranslationsFS(translations, "translations"); err != nil {
		t.Fatal(err)
	}
}

// formLabels lists the labels of the forms under the login card.
func formLabels(s *loginScreen) []string {
	var out []string
	for _, o := range s.card.Objects {
		if f, ok := o.(*widget.Form); ok {
			for _, it := range f.Items {
				out = append(out, it.Text)
			}
		}
	}
	return out
}

func TestTheLoginScreenSpeaksGerman(t *testing.T) {
	speak(t, "de")
	db := openCache(t)
	u := newTestUI(t, Deps{Cache: db, NewEngine: func(p csync.Profile) *csync.Engine { return csync.New(db, p, nil) }})
	s := u.login
	onUI(func() {
		if got := s.signInBtn.Text; got != "Anmelden" {
			t.Errorf("sign-in button %q, want Anmelden", got)
		}
		labels := strings.Join(formLabels(s), "|")
		for _, want := range []string{"Server", "App-ID", "Auth-Schlüssel", "Benutzername", "Passwort"} {
			if !strings.Contains(labels, want) {
				t.Errorf("form labels %q lack %q", labels, want)
			}
		}
		if s.kind.Selected != "ConnectyCube-Cloud" {
			t.Errorf("server kind shows %q", s.kind.Selected)
		}
		if got := s.form().Kind; got != kindCloud {
			t.Errorf("the German label saves kind %q, want %q (saved forms stay language-neutral)", got, kindCloud)
		}
		s.showError(lang.L("Enter your login and password."))
		if got := s.ErrorText(); got != "Gib deinen Benutzernamen und dein Passwort ein." {
			t.Errorf("error %q", got)
		}
	})
	// Plurals and dates follow the language too.
	if got := memberCount(1) + ", " + memberCount(3); got != "1 Mitglied, 3 Mitglieder" {
		t.Errorf("member counts %q", got)
	}
	day := time.Date(2026, time.March, 5, 10, 0, 0, 0, time.UTC)
	if got := dayHeader(day, day.AddDate(0, 0, 3), time.UTC); got != "Donnerstag, 5. März" {
		t.Errorf("day header %q", got)
	}
	if got := listTime(day, day.AddDate(0, 1, 0), time.UTC); got != "5. März" {
		t.Errorf("list time %q", got)
	}
}

func TestEnglishIsTheFallback(t *testing.T) {
	speak(t, "tlh") // a language without a catalogue
	if got := lang.L("Sign in"); got != "Sign in" {
		t.Errorf("an unknown language shows %q, want the English text", got)
	}
	if got := memberCount(1); got != "1 member" {
		t.Errorf("memberCount(1) = %q", got)
	}
	day := time.Date(2026, time.March, 5, 10, 0, 0, 0, time.UTC)
	if got := dayHeader(day, day.AddDate(0, 0, 3), time.UTC); got != "Thursday, 5 March" {
		t.Errorf("day header %q", got)
	}
}
