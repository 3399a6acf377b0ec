package cube

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"time"
)

// probeTimeout bounds ProbeChatTLS when ctx has no earlier deadline.
const probeTimeout = 5 * time.Second

// ProbeChatTLS connects to the chat server only as far as its certificate: a TLS
// handshake (after STARTTLS's few stream lines in that mode) with the same checks the
// chat connection makes, then it hangs up. Sign-in uses it so that a certificate the
// device does not trust is reported on the sign-in form, not after the form is gone.
// A certificate refusal satisfies IsCertificateError.
func ProbeChatTLS(ctx context.Context, cfg Config) error {
	if cfg.ChatHost == "" {
		return errors.New("cube: chat needs ChatHost")
	}
	ctx, cancel := context.WithTimeout(ctx, probeTimeout)
	defer cancel()
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", cfg.ChatHost)
	if err != nil {
		return fmt.Errorf("cube: chat probe: %w", err)
	}
	defer conn.Close()
	if dl, ok := ctx.Deadline(); ok {
		_ = conn.SetDeadline(dl)
	}
	if strings.EqualFold(cfg.ChatTLS, ChatStartTLS) {
		if err := startTLSPreamble(conn, cfg.ChatDomain); err != nil {
			return fmt.Errorf("cube: chat probe: %w", err)
		}
	}
	tc := tls.Client(conn, &tls.Config{ServerName: tlsServerName(cfg), RootCAs: cfg.RootCAs, MinVersion: tls.VersionTLS12})
	if err := tc.HandshakeContext(ctx); err != nil {
		return fmt.Errorf("cube: chat server %s: %w", cfg.ChatHost, err)
	}
	return nil
}

// startTLSPreamble opens an XMPP stream and asks for STARTTLS (RFC 6120 §5), reading
// until the server's <proceed/>.
func startTLSPreamble(conn net.Conn, domain string) error {
	if _, err := fmt.Fprintf(conn, "<?xml version='1.0'?><stream:stream to='%s' xmlns='jabber:client' "+
		"xmlns:stream='http://etherx.jabber.org/streams' version='1.0'>", xmlEscape(domain)); err != nil {
		return err
	}
	if err := readUntil(conn, "</stream:features>"); err != nil {
		return fmt.Errorf("reading the stream features: %w", err)
	}
	if _, err := io.WriteString(conn, "<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>"); err != nil {
		return err
	}
	if err := readUntil(conn, "proceed"); err != nil {
		return fmt.Errorf("the server did not start TLS: %w", err)
	}
	// <proceed xmlns='…'/> ends with "/>"; what follows is the TLS handshake.
	return readUntil(conn, ">")
}

// readUntil reads one byte at a time (nothing after the marker may be consumed: TLS
// follows) until the text read ends with marker; at most 64 KiB.
func readUntil(conn net.Conn, marker string) error {
	var seen []byte
	b := make([]byte, 1)
	for len(seen) < 64<<10 {
		if _, err := conn.Read(b); err != nil {
			return err
		}
		seen = append(seen, b[0])
		if strings.HasSuffix(string(seen), marker) {
			return nil
		}
		if strings.HasSuffix(string(seen), "<failure") {
			return errors.New("STARTTLS refused")
		}
	}
	return errors.New("no answer in 64 KiB")
}

func xmlEscape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", "'", "&apos;", `"`, "&quot;").Replace(s)
}

// IsCertificateError tells whether err is TLS refusing a server's certificate (unknown
// authority, wrong name, expired), or a server that does not speak TLS where TLS was
// expected: problems of trust and configuration that waiting will not fix.
func IsCertificateError(err error) bool {
	if err == nil {
		return false
	}
	var (
		unknown  x509.UnknownAuthorityError
		hostname x509.HostnameError
		invalid  x509.CertificateInvalidError
		verify   *tls.CertificateVerificationError
		record   tls.RecordHeaderError
	)
	switch {
	case errors.As(err, &unknown), errors.As(err, &hostname), errors.As(err, &invalid),
		errors.As(err, &verify), errors.As(err, &record):
		return true
	}
	// Some layers keep only the text.
	s := err.Error()
	return strings.Contains(s, "x509: ") || strings.Contains(s, "tls: failed to verify certificate")
}
