package app

import (
	"encoding/json"
	"net"
	"net/url"
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/lang"

	csync "github.com/cubechat/cubechat/sync"
)

// The two kinds of server profile offered on the login screen, as saved with the form
// (kindLabel is what the screen shows).
const (
	kindCloud  = "ConnectyCube cloud"
	kindCustom = "Custom server"
)

// kindLabel and kindOf translate between a saved kind and the select's label.
func kindLabel(kind string) string {
	if kind == kindCustom {
		return lang.L("Custom server")
	}
	return lang.L("ConnectyCube cloud")
}

func kindOf(label string) string {
	if label == kindLabel(kindCustom) {
		return kindCustom
	}
	return kindCloud
}

// The chat encryption modes, as shown.
func tlsDirectLabel() string   { return lang.L("Direct TLS (port 5223)") }
func tlsStartTLSLabel() string { return lang.L("STARTTLS (port 5222)") }

// loginForm is what the login screen edits. It holds no password: the form is saved to
// preferences after a successful sign-in, and passwords are never written anywhere.
type loginForm struct {
	Kind       string `json:"kind"`
	APIURL     string `json:"api_url,omitempty"`
	ChatHost   string `json:"chat_host,omitempty"`
	ChatDomain string `json:"chat_domain,omitempty"`
	ChatTLS    string `json:"chat_tls,omitempty"` // "tls" or "starttls"
	AppID      string `json:"app_id,omitempty"`
	AuthKey    string `json:"auth_key,omitempty"`
	AuthSecret string `json:"auth_secret,omitempty"`
	Login      string `json:"login,omitempty"`
	// A custom server's pinned certificate: a certificate is public, so it is kept with
	// the profile and a remembered sign-in pins it again at the next start.
	CertName string `json:"cert_name,omitempty"` // the chosen file's name, shown in the form
	CertPEM  string `json:"cert_pem,omitempty"`
}

// prefLoginForm is the preferences key of the last used form.
const prefLoginForm = "login.lastForm"

// profile checks the form and builds the engine's server profile from it. The error
// names the field to fix.
func (f loginForm) profile() (csync.Profile, error) {
	appID, err := strconv.ParseInt(strings.TrimSpace(f.AppID), 10, 64)
	if err != nil || appID <= 0 {
		return csync.Profile{}, userMessagef("%s", lang.L("App ID must be a positive number."))
	}
	authKey := strings.TrimSpace(f.AuthKey)
	if authKey == "" {
		return csync.Profile{}, userMessagef("%s", lang.L("Enter the application's auth key."))
	}
	if f.Kind != kindCustom {
		return csync.CloudProfile(appID, authKey), nil
	}

	api := strings.TrimRight(strings.TrimSpace(f.APIURL), "/")
	u, err := url.Parse(api)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return csync.Profile{}, userMessagef("%s", lang.L("API URL must look like https://api.example.com."))
	}
	if u.Scheme == "http" && !loopbackHost(u.Hostname()) {
		// The password would cross the network in clear text.
		return csync.Profile{}, userMessagef("%s", lang.L("Use https:// for a server on another machine (http:// is for this computer only)."))
	}
	chatHost := strings.TrimSpace(f.ChatHost)
	host, port, err := net.SplitHostPort(chatHost)
	if _, perr := strconv.Atoi(port); err != nil || perr != nil || host == "" {
		return csync.Profile{}, userMessagef("%s", lang.L("Chat server must be host:port, e.g. chat.example.com:5223."))
	}
	domain := strings.TrimSpace(f.ChatDomain)
	if domain == "" {
		domain = host
	}
	mode := f.ChatTLS
	if mode == "" {
		mode = "tls"
	}
	if mode != "tls" && mode != "starttls" {
		return csync.Profile{}, userMessagef(lang.L("Unknown chat encryption %q."), mode)
	}
	var certPEM []byte
	if f.CertPEM != "" {
		// Checked again here: the remembered form comes from preferences, which anyone
		// may have edited.
		if _, err := parsePEMCerts([]byte(f.CertPEM)); err != nil {
			return csync.Profile{}, userMessagef("%s", lang.L("The pinned server certificate is not valid: choose it again or clear it."))
		}
		certPEM = []byte(f.CertPEM)
	}
	return csync.Profile{
		Name:       "Custom: " + u.Host,
		APIURL:     api,
		ChatHost:   chatHost,
		ChatDomain: domain,
		ChatTLS:    mode,
		AppID:      appID,
		AuthKey:    authKey,
		AuthSecret: strings.TrimSpace(f.AuthSecret),
		CertPEM:    certPEM,
	}, nil
}

// formFromProfile fills a form from a profile (the demo's, or a remembered one).
func formFromProfile(p csync.Profile, login string) loginForm {
	certName := ""
	if len(p.CertPEM) > 0 {
		certName = lang.X("cert.of_profile", "{{.Name}} certificate", msgData{"Name": p.Name})
	}
	return loginForm{
		Kind:       kindCustom,
		APIURL:     p.APIURL,
		ChatHost:   p.ChatHost,
		ChatDomain: p.ChatDomain,
		ChatTLS:    p.ChatTLS,
		AppID:      strconv.FormatInt(p.AppID, 10),
		AuthKey:    p.AuthKey,
		AuthSecret: p.AuthSecret,
		Login:      login,
		CertName:   certName,
		CertPEM:    string(p.CertPEM),
	}
}

// loadForm returns the last saved form, or an empty cloud form when none (or an
// unreadable one) was saved.
func loadForm(prefs fyne.Preferences) loginForm {
	f := loginForm{Kind: kindCloud, ChatTLS: "tls"}
	if prefs == nil {
		return f
	}
	if raw := prefs.String(prefLoginForm); raw != "" {
		var saved loginForm
		if json.Unmarshal([]byte(raw), &saved) == nil {
			f = saved
		}
	}
	if f.Kind != kindCustom {
		f.Kind = kindCloud
	}
	return f
}

// saveForm remembers the form for the next start.
func saveForm(prefs fyne.Preferences, f loginForm) {
	if prefs == nil {
		return
	}
	raw, err := json.Marshal(f)
	if err == nil {
		prefs.SetString(prefLoginForm, string(raw))
	}
}

// tlsLabel and tlsMode translate between the select's labels and the engine's names.
func tlsLabel(mode string) string {
	if mode == "starttls" {
		return tlsStartTLSLabel()
	}
	return tlsDirectLabel()
}

func tlsMode(label string) string {
	if label == tlsStartTLSLabel() {
		return "starttls"
	}
	return "tls"
}

// loopbackHost tells whether host names this computer.
func loopbackHost(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
