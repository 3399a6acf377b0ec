package sync

import (
	"context"
	"errors"
	"fmt"

	"github.com/cubechat/cubechat/cube"
)

// ErrCertificate is wrapped by sign-in errors where a server's certificate is not
// trusted (or the server does not speak TLS where the profile says it does). Unlike an
// unreachable server it never leads to offline work: waiting will not fix it, and the
// user must change the profile (pin the right certificate, correct the address).
var ErrCertificate = errors.New("sync: server certificate not trusted")

// CertificateError names the server whose certificate was refused.
type CertificateError struct {
	Server string // "API" or "chat"
	Addr   string // the URL or host:port
	Err    error
}

func (e *CertificateError) Error() string {
	return fmt.Sprintf("sync: the %s server %s: %v", e.Server, e.Addr, e.Err)
}

func (e *CertificateError) Unwrap() []error { return []error{ErrCertificate, e.Err} }

// checkChatCertificate makes sure the chat server's certificate is trusted before
// sign-in is declared a success (the REST session alone proves only the API server's).
// A chat server that cannot be reached is not an error here: the supervisor keeps
// trying, and the banner says so.
func (e *Engine) checkChatCertificate(ctx context.Context, cfg cube.Config) error {
	err := cube.ProbeChatTLS(ctx, cfg)
	switch {
	case err == nil:
		return nil
	case cube.IsCertificateError(err):
		return &CertificateError{Server: "chat", Addr: cfg.ChatHost, Err: err}
	default:
		e.log.Info("chat server not reachable at sign-in; the engine will keep trying", "host", cfg.ChatHost, "err", err)
		return nil
	}
}
