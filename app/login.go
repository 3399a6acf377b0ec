package app

import (
	"context"
	"errors"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	csync "github.com/cubechat/cubechat/sync"
)

// signInTimeout bounds one sign-in attempt, so a silent server cannot hang the screen.
const signInTimeout = 30 * time.Second

// loginScreen asks for the server profile, login and password. Nothing typed is cleared
// on failure; the error is shown above the Sign-in button.
type loginScreen struct {
	ui      *UI
	content fyne.CanvasObject

	kind       *widget.Select
	apiURL     *widget.Entry
	chatHost   *widget.Entry
	chatDomain *widget.Entry
	chatTLS    *widget.Select
	appID      *widget.Entry
	authKey    *widget.Entry
	authSecret *widget.Entry
	cert       *certPicker
	login      *widget.Entry
	password   *widget.Entry

	customBox *fyne.Container
	card      *fyne.Container
	demoBtn   *widget.Button // "Back to the demo"; only with Deps.Demo
	signInControls
}

func newLoginScreen(u *UI) *loginScreen {
	s := &loginScreen{ui: u}
	s.apiURL = entry("https://api.example.com")
	s.chatHost = entry("chat.example.com:5223")
	s.chatDomain = entry("chat.example.com")
	s.chatTLS = widget.NewSelect([]string{tlsDirectLabel(), tlsStartTLSLabel()}, nil)
	s.appID = entry(lang.L("e.g. 385"))
	s.authKey = entry(lang.L("from the ConnectyCube admin panel"))
	s.authSecret = widget.NewPasswordEntry()
	s.authSecret.SetPlaceHolder(lang.L("optional"))
	s.cert = newCertPicker(u.win, s.relayout)
	s.login = entry(lang.L("login"))
	s.password = widget.NewPasswordEntry()
	s.password.SetPlaceHolder(lang.L("password"))
	s.password.OnSubmitted = func(string) { s.signIn() }

	s.customBox = container.NewVBox(widget.NewForm(
		widget.NewFormItem(lang.L("API URL"), s.apiURL),
		widget.NewFormItem(lang.L("Chat server"), s.chatHost),
		widget.NewFormItem(lang.L("Chat domain"), s.chatDomain),
		widget.NewFormItem(lang.L("Encryption"), s.chatTLS),
		widget.NewFormItem(lang.L("Auth secret"), s.authSecret),
		&widget.FormItem{Text: lang.L("Server certificate"), Widget: s.cert.content,
			HintText: lang.L("Optional: pin a self-signed server's cert.pem")},
	))
	s.kind = widget.NewSelect([]string{kindLabel(kindCloud), kindLabel(kindCustom)}, func(k string) {
		if kindOf(k) == kindCustom {
			s.customBox.Show()
		} else {
			s.customBox.Hide()
		}
		s.relayout()
	})

	s.signInControls = newSignInControls(s.signIn, s.relayout)

	title := widget.NewLabelWithStyle("cubechat", fyne.TextAlignCenter, fyne.TextStyle{Bold: true})
	title.SizeName = theme.SizeNameHeadingText
	subtitle := widget.NewLabelWithStyle(lang.L("Sign in to your ConnectyCube chat"), fyne.TextAlignCenter, fyne.TextStyle{})
	subtitle.Importance = widget.LowImportance

	// The demo's server lives on ports chosen for this run and its password is not
	// typed by anyone: after signing out, one button signs in to it again.
	s.demoBtn = widget.NewButtonWithIcon(lang.L("Back to the demo"), theme.HomeIcon(), s.backToDemo)
	if u.deps.Demo == nil {
		s.demoBtn.Hide()
	}

	s.card = container.NewVBox(
		title, subtitle,
		widget.NewForm(widget.NewFormItem(lang.L("Server"), s.kind)),
		s.customBox,
		widget.NewForm(
			widget.NewFormItem(lang.L("App ID"), s.appID),
			widget.NewFormItem(lang.L("Auth key"), s.authKey),
		),
		widget.NewSeparator(),
		widget.NewForm(
			widget.NewFormItem(lang.L("Login"), s.login),
			widget.NewFormItem(lang.L("Password"), s.password),
		),
		s.slot,
		s.signInBtn,
		s.demoBtn,
	)
	// A fixed-width column in the middle keeps the form readable on wide windows; the
	// scroller keeps it usable on short ones.
	column := container.New(&maxWidthLayout{width: 460}, s.card)
	s.content = container.NewVScroll(container.NewVBox(layout.NewSpacer(), column, layout.NewSpacer()))

	s.fill(s.initialForm())
	return s
}

func entry(placeholder string) *widget.Entry {
	e := widget.NewEntry()
	e.SetPlaceHolder(placeholder)
	return e
}

// initialForm is the demo account, else the last used profile and login.
func (s *loginScreen) initialForm() loginForm {
	if d := s.ui.deps.Demo; d != nil {
		return formFromProfile(d.Profile, d.Login)
	}
	f := loadForm(s.ui.fyneApp.Preferences())
	if f.Login == "" {
		// An older cache may know the account even if preferences were reset.
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		if acc, err := s.ui.deps.Cache.Account(ctx); err == nil && acc != nil {
			f.Login = acc.Login
		}
	}
	return f
}

func (s *loginScreen) fill(f loginForm) {
	s.kind.SetSelected(kindLabel(f.Kind))
	s.apiURL.SetText(f.APIURL)
	s.chatHost.SetText(f.ChatHost)
	s.chatDomain.SetText(f.ChatDomain)
	s.chatTLS.SetSelected(tlsLabel(f.ChatTLS))
	s.appID.SetText(f.AppID)
	s.authKey.SetText(f.AuthKey)
	s.authSecret.SetText(f.AuthSecret)
	s.cert.set(f.CertName, f.CertPEM)
	s.login.SetText(f.Login)
	if d := s.ui.deps.Demo; d != nil {
		s.password.SetText(d.Password)
	}
}

func (s *loginScreen) form() loginForm {
	return loginForm{
		Kind:       kindOf(s.kind.Selected),
		APIURL:     s.apiURL.Text,
		ChatHost:   s.chatHost.Text,
		ChatDomain: s.chatDomain.Text,
		ChatTLS:    tlsMode(s.chatTLS.Selected),
		AppID:      s.appID.Text,
		AuthKey:    s.authKey.Text,
		AuthSecret: s.authSecret.Text,
		Login:      strings.TrimSpace(s.login.Text),
		CertName:   s.cert.name,
		CertPEM:    s.cert.pem,
	}
}

// profileFor pins the demo's certificate whenever the form still points at the demo
// server, even if its row was cleared: no system trusts that one-run certificate, and
// verification is never switched off.
func (s *loginScreen) profileFor(f loginForm) (csync.Profile, error) {
	p, err := f.profile()
	if err != nil {
		return p, err
	}
	if d := s.ui.deps.Demo; d != nil && p.APIURL == d.Profile.APIURL && p.ChatHost == d.Profile.ChatHost {
		p.CertPEM, p.Name = d.Profile.CertPEM, d.Profile.Name
	}
	return p, nil
}

// backToDemo fills the form with the demo account, password included, and signs in.
func (s *loginScreen) backToDemo() {
	d := s.ui.deps.Demo
	if d == nil || s.busy {
		return
	}
	s.fill(formFromProfile(d.Profile, d.Login))
	s.signIn()
}

// isDemoServer tells whether the form points at the embedded demo server.
func (s *loginScreen) isDemoServer(f loginForm) bool {
	d := s.ui.deps.Demo
	return d != nil && f.Kind == kindCustom && strings.TrimRight(strings.TrimSpace(f.APIURL), "/") == d.Profile.APIURL
}

// signIn validates the form and logs in off the UI goroutine.
func (s *loginScreen) signIn() {
	if s.busy {
		return
	}
	f := s.form()
	password := s.password.Text
	if f.Login == "" || password == "" {
		s.showError(lang.L("Enter your login and password."))
		return
	}
	profile, err := s.profileFor(f)
	if err != nil {
		s.showError(err.Error())
		return
	}
	s.setBusy(true)
	engine := s.ui.newEngine(profile)
	s.ui.bg.Go(func() {
		ctx, cancel := context.WithTimeout(s.ui.ctx, signInTimeout)
		err := engine.Login(ctx, f.Login, password)
		cancel()
		runOnUI(func() { s.finish(f, engine, err) })
	})
}

func (s *loginScreen) finish(f loginForm, engine *csync.Engine, err error) {
	s.setBusy(false)
	offline := errors.Is(err, csync.ErrOffline)
	if err != nil && !offline {
		s.ui.log.Warn("sign-in failed", "login", f.Login, "err", err)
		s.showError(loginErrorText(err))
		if errors.Is(err, csync.ErrAuth) {
			s.ui.win.Canvas().Focus(s.password)
		}
		return
	}
	if s.ui.ctx.Err() != nil {
		return // the window closed while signing in
	}
	if !s.isDemoServer(f) {
		// The demo's server lives on ephemeral ports for one run: remembering it would
		// replace the user's own server on the next normal start.
		saveForm(s.ui.fyneApp.Preferences(), f)
	}
	// The engine holds the password now (in memory); the widget need not.
	s.password.SetText("")
	s.errorText.Hide()
	s.ui.signedIn(engine, offline)
}

// relayout lays the form out again after a part was shown or hidden.
func (s *loginScreen) relayout() {
	if s.card != nil {
		s.card.Refresh()
	}
}

// maxWidthLayout centres its content horizontally and caps its width.
type maxWidthLayout struct{ width float32 }

func (l *maxWidthLayout) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	w := fyne.Min(size.Width, l.width)
	for _, o := range objs {
		o.Move(fyne.NewPos((size.Width-w)/2, 0))
		o.Resize(fyne.NewSize(w, size.Height))
	}
}

func (l *maxWidthLayout) MinSize(objs []fyne.CanvasObject) fyne.Size {
	var s fyne.Size
	for _, o := range objs {
		m := o.MinSize()
		s = s.Max(m)
	}
	return s
}
