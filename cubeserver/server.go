package cubeserver

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/cubechat/cubechat/cubeserver/rest"
	"github.com/cubechat/cubechat/cubeserver/store"
	"github.com/cubechat/cubechat/cubeserver/xmppd"
)

// The REST handler finds the chat server's account calls (online users, ending a user's
// streams) by a type assertion on its notifier: keep xmppd.Server implementing them.
var _ rest.ChatAccounts = (*xmppd.Server)(nil)

// The store is the chat server's backend.
var _ xmppd.Backend = (*store.Store)(nil)

// sessionSweepEvery is how often expired REST sessions are deleted.
const sessionSweepEvery = 10 * time.Minute

// Server is a running cubeserver. Close stops it.
type Server struct {
	cfg         Config
	log         *slog.Logger
	st          *store.Store
	xmpp        *xmppd.Server
	http        *http.Server // REST over TLS
	httpPlain   *http.Server // REST over plain HTTP on loopback; nil when off
	httpLn      net.Listener // REST over TLS
	httpPlainLn net.Listener // REST over plain HTTP, loopback only; nil when off
	xmppLn      net.Listener // nil when off
	xmppsLn     net.Listener // nil when off
	plainLn     net.Listener // nil when off
	wsLn        net.Listener // nil when off
	certPEM     []byte

	stop      context.CancelFunc
	wg        sync.WaitGroup
	closeOnce sync.Once
	closeErr  error
}

// Start opens the state in cfg.DataDir, listens on every configured address and returns
// once all of them accept connections. ctx only bounds the start; Close stops the server.
func Start(ctx context.Context, cfg Config) (_ *Server, err error) {
	if err := cfg.setDefaults(); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
		return nil, fmt.Errorf("cubeserver: create data dir: %w", err)
	}
	cert, certPEM, err := loadOrCreateCert(filepath.Join(cfg.DataDir, "tls"), cfg.Domain, time.Now())
	if err != nil {
		return nil, err
	}
	st, err := store.Open(filepath.Join(cfg.DataDir, "cubeserver.db"))
	if err != nil {
		return nil, err
	}
	if cfg.PasswordPolicy != nil {
		_ = st.SetPasswordPolicy(*cfg.PasswordPolicy) // validated by setDefaults
	}
	s := &Server{cfg: cfg, log: cfg.Logger, st: st, certPEM: certPEM}
	defer func() {
		if err != nil {
			s.closeListeners()
			st.Close()
		}
	}()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var lc net.ListenConfig
	listen := func(addr string) (net.Listener, error) {
		if addr == "" {
			return nil, nil
		}
		ln, err := lc.Listen(ctx, "tcp", addr)
		if err != nil {
			return nil, fmt.Errorf("cubeserver: listen on %s: %w", addr, err)
		}
		return ln, nil
	}
	if s.httpLn, err = listen(cfg.HTTPAddr); err != nil {
		return nil, err
	}
	if s.httpPlainLn, err = listen(cfg.HTTPPlainAddr); err != nil {
		return nil, err
	}
	if s.xmppLn, err = listen(cfg.XMPPAddr); err != nil {
		return nil, err
	}
	if s.xmppsLn, err = listen(cfg.XMPPTLSAddr); err != nil {
		return nil, err
	}
	if s.plainLn, err = listen(cfg.XMPPPlainAddr); err != nil {
		return nil, err
	}
	if s.wsLn, err = listen(cfg.WSAddr); err != nil {
		return nil, err
	}

	tlsCfg := &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	s.xmpp = xmppd.New(xmppd.Config{
		Domain: cfg.Domain, AppID: cfg.AppID, Logger: cfg.Logger.With("part", "xmpp"),
		TLS: tlsCfg.Clone(), LoginGuard: cfg.LoginGuard, ResumeWindow: cfg.ResumeWindow,
	}, st)
	handler := rest.New(rest.Config{AppID: cfg.AppID, AuthKey: cfg.AuthKey, AuthSecret: cfg.AuthSecret,
		Domain: cfg.Domain, AdminKey: cfg.AdminKey, Logger: cfg.Logger.With("part", "rest"), LoginGuard: cfg.LoginGuard,
		Blobs: rest.BlobConfig{Dir: filepath.Join(cfg.DataDir, "blobs")}}, st, s.xmpp)
	s.http = &http.Server{
		Handler:           handler,
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(cfg.Logger.Handler(), slog.LevelWarn),
		TLSConfig:         tlsCfg.Clone(),
	}

	bg, stop := context.WithCancel(context.Background())
	s.stop = stop
	// The certificate is already in TLSConfig, so ServeTLS takes no file names.
	s.serve("https", func() error { return s.http.ServeTLS(s.httpLn, "", "") }, http.ErrServerClosed)
	if s.httpPlainLn != nil {
		// A server of its own: one http.Server serving TLS and plain listeners at once
		// races on its HTTP/2 set-up and breaks TLS clients.
		s.httpPlain = &http.Server{Handler: handler, ReadHeaderTimeout: s.http.ReadHeaderTimeout,
			IdleTimeout: s.http.IdleTimeout, ErrorLog: s.http.ErrorLog}
		s.serve("http-plain", func() error { return s.httpPlain.Serve(s.httpPlainLn) }, http.ErrServerClosed)
	}
	if s.xmppLn != nil {
		s.serve("xmpp", func() error { return s.xmpp.Serve(s.xmppLn, false) }, nil)
	}
	if s.xmppsLn != nil {
		s.serve("xmpps", func() error { return s.xmpp.Serve(s.xmppsLn, true) }, nil)
	}
	if s.plainLn != nil {
		s.serve("xmpp-plain", func() error { return s.xmpp.ServePlain(s.plainLn) }, nil)
	}
	if s.wsLn != nil {
		s.serve("xmpp-ws", func() error { return s.xmpp.ServeWebSocket(s.wsLn) }, nil)
	}
	s.wg.Add(1)
	go s.sweepSessions(bg)
	s.log.Debug("cubeserver started", "https", s.HTTPURL(), "http_plain", s.PlainHTTPURL(), "xmpp", s.XMPPAddr(), "xmpps", s.XMPPTLSAddr(),
		"xmpp_plain", s.XMPPPlainAddr(), "ws", s.WSURL(),
		"domain", cfg.Domain, "app_id", cfg.AppID, "data", cfg.DataDir)
	return s, nil
}

// serve runs one accept loop; an unexpected end is logged (the others keep running).
func (s *Server) serve(name string, run func() error, expected error) {
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		if err := run(); err != nil && !errors.Is(err, expected) {
			s.log.Error("cubeserver: listener stopped", "listener", name, "err", err)
		}
	}()
}

func (s *Server) sweepSessions(ctx context.Context) {
	defer s.wg.Done()
	t := time.NewTicker(sessionSweepEvery)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if err := s.st.DeleteExpiredSessions(ctx); err != nil && ctx.Err() == nil {
				s.log.Warn("cubeserver: delete expired sessions", "err", err)
			}
		}
	}
}

// Close stops accepting, ends XMPP streams, lets running REST requests finish (up to 5
// s) and closes the store. It is safe to call more than once.
func (s *Server) Close() error {
	s.closeOnce.Do(func() {
		var errs []error
		s.stop()
		if err := s.xmpp.Close(); err != nil {
			errs = append(errs, err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		for _, srv := range []*http.Server{s.http, s.httpPlain} {
			if srv == nil {
				continue
			}
			if err := srv.Shutdown(ctx); err != nil {
				errs = append(errs, err)
				srv.Close()
			}
		}
		s.closeListeners() // xmppd closes the ones it serves; this covers a Serve not yet started
		s.wg.Wait()
		if err := s.st.Close(); err != nil {
			errs = append(errs, err)
		}
		s.closeErr = errors.Join(errs...)
		s.log.Info("cubeserver stopped")
	})
	return s.closeErr
}

func (s *Server) closeListeners() {
	for _, ln := range []net.Listener{s.httpLn, s.httpPlainLn, s.xmppLn, s.xmppsLn, s.plainLn, s.wsLn} {
		if ln != nil {
			ln.Close()
		}
	}
}

// HTTPURL is the REST base URL over TLS, e.g. "https://127.0.0.1:PORT"; clients verify
// it with CertPEM (the certificate covers 127.0.0.1, ::1, localhost and the domain).
func (s *Server) HTTPURL() string { return "https://" + dialAddr(s.httpLn) }

// PlainHTTPURL is the loopback plain-HTTP REST base URL ("" when off).
func (s *Server) PlainHTTPURL() string {
	if s.httpPlainLn == nil {
		return ""
	}
	return "http://" + dialAddr(s.httpPlainLn)
}

// XMPPAddr is the STARTTLS address ("" when off).
func (s *Server) XMPPAddr() string { return dialAddr(s.xmppLn) }

// XMPPTLSAddr is the direct-TLS address ("" when off).
func (s *Server) XMPPTLSAddr() string { return dialAddr(s.xmppsLn) }

// XMPPPlainAddr is the plain-TCP address without STARTTLS ("" when off).
func (s *Server) XMPPPlainAddr() string { return dialAddr(s.plainLn) }

// WSURL is the XMPP-over-WebSocket URL, e.g. "ws://127.0.0.1:PORT" ("" when off); the
// JS SDK takes it as endpoints.chat_url.
func (s *Server) WSURL() string {
	if s.wsLn == nil {
		return ""
	}
	return "ws://" + dialAddr(s.wsLn)
}

func (s *Server) Domain() string      { return s.cfg.Domain }
func (s *Server) AppID() int64        { return s.cfg.AppID }
func (s *Server) AuthKey() string     { return s.cfg.AuthKey }
func (s *Server) AuthSecret() string  { return s.cfg.AuthSecret }
func (s *Server) Store() *store.Store { return s.st }
func (s *Server) CertPEM() []byte     { return append([]byte(nil), s.certPEM...) }
func (s *Server) XMPP() *xmppd.Server { return s.xmpp }
func (s *Server) Config() Config      { return s.cfg }

// dialAddr is the address a local client dials: a wildcard listen address becomes the
// loopback address of the same family.
func dialAddr(ln net.Listener) string {
	if ln == nil {
		return ""
	}
	addr, ok := ln.Addr().(*net.TCPAddr)
	if !ok {
		return ln.Addr().String()
	}
	ip := addr.IP
	switch {
	case ip == nil || ip.Equal(net.IPv4zero):
		ip = net.IPv4(127, 0, 0, 1)
	case ip.Equal(net.IPv6unspecified):
		ip = net.IPv6loopback
	}
	return net.JoinHostPort(ip.String(), fmt.Sprint(addr.Port))
}
