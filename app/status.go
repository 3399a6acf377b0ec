package app

import (
	"context"
	"errors"
	"strings"

	"fyne.io/fyne/v2/lang"

	csync "github.com/cubechat/cubechat/sync"
	"github.com/cubechat/cubechat/widgets"
)

// bannerFor turns the engine's connection state into the chat pane's banner: nothing
// when all is well, else a short sentence a user understands.
func bannerFor(s csync.Status) (string, widgets.BannerKind) {
	if s.NeedsSignIn {
		return lang.L("Your session has ended — showing cached messages"), widgets.BannerError
	}
	if s.StoreErr != nil {
		return lang.L("The disk is full — new messages cannot be saved. Free some space and they will be fetched."), widgets.BannerError
	}
	switch s.State {
	case csync.StateReady:
		if s.Syncing {
			return lang.L("Updating…"), widgets.BannerInfo
		}
		return "", widgets.BannerInfo
	case csync.StateIdle, csync.StateAuthenticated, csync.StateResumed:
		return lang.L("Connecting…"), widgets.BannerInfo
	case csync.StateReconnecting:
		return lang.L("Reconnecting…"), widgets.BannerWarning
	case csync.StateAuthenticationFailure:
		// Passing: the engine renews the session itself, or reports NeedsSignIn.
		return lang.L("Signing in again…"), widgets.BannerWarning
	case csync.StateForceClosed:
		return lang.L("Disconnected by the server — showing cached messages"), widgets.BannerError
	default: // StateOffline, StateClosed and anything new
		if isCertError(s.Err) {
			// Retrying cannot help: the server's certificate must be pinned (or trusted).
			return lang.L("The chat server's certificate is not trusted — showing cached messages"), widgets.BannerError
		}
		return lang.L("Offline — showing cached messages"), widgets.BannerWarning
	}
}

// isCertError tells whether err is TLS refusing the server's certificate.
func isCertError(err error) bool {
	return err != nil && (strings.Contains(err.Error(), "certificate") || strings.Contains(err.Error(), "x509"))
}

// loginErrorText explains a failed sign-in in the user's words. The technical detail goes
// to the log, not to the screen.
func loginErrorText(err error) string {
	var certErr *csync.CertificateError
	switch {
	case err == nil:
		return ""
	case errors.Is(err, csync.ErrAuth):
		return lang.L("Wrong login or password.")
	case errors.Is(err, context.DeadlineExceeded):
		return lang.L("The server did not answer in time. Check the server settings and your connection.")
	case errors.As(err, &certErr):
		return lang.L("The {{.Server}} server {{.Addr}} presented a certificate this device does not trust. Check the address, or choose that server's certificate under Server certificate.",
			map[string]any{"Server": certErr.Server, "Addr": certErr.Addr})
	case isCertError(err):
		return lang.L("The server's certificate is not trusted. Check the server address, or choose the server's certificate under Server certificate.")
	default:
		return lang.L("Cannot reach the server. Check the server settings and your connection.")
	}
}

// sendErrorText explains a failed send; the text stays in the composer.
func sendErrorText(err error) string {
	if err == nil {
		return ""
	}
	return lang.X("send.failed", "Your message was not sent and is still in the box: {{.Error}}", msgData{"Error": err.Error()})
}

// actionErrorText explains why an action on a message or dialog failed.
func actionErrorText(err error) string {
	switch {
	case err == nil:
		return ""
	case errors.Is(err, csync.ErrOffline):
		return lang.L("you are offline; try again when connected")
	case errors.Is(err, context.DeadlineExceeded):
		return lang.L("the server did not answer in time")
	default:
		return err.Error()
	}
}

// bannerAction is what the connection banner offers besides its text.
type bannerAction int

const (
	bannerNone   bannerAction = iota
	bannerRetry               // offline: connect again now instead of waiting
	bannerSignIn              // the session ended for good: ask for the password
)

func bannerActionFor(s csync.Status) bannerAction {
	if s.NeedsSignIn {
		return bannerSignIn
	}
	switch s.State {
	case csync.StateOffline, csync.StateClosed, csync.StateForceClosed:
		return bannerRetry
	default:
		return bannerNone
	}
}

// userError is an error for a dialog box: what failed, and why in plain words.
func userError(what string, err error) error {
	return errors.New(lang.X("action.failed", "{{.What}}: {{.Error}}.", msgData{"What": what, "Error": actionErrorText(err)}))
}
