// Package cubeserver is a local ConnectyCube-compatible server: REST (package rest) and
// XMPP (package xmppd) over one SQLite store, with a self-signed TLS certificate. It is
// the embedded server of --demo and the peer of every integration test.
package cubeserver

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"time"

	"github.com/cubechat/cubechat/cubeserver/store"
	"github.com/cubechat/cubechat/cubeserver/throttle"
	"github.com/cubechat/cubechat/cubeserver/xmppd"
)

// Config configures Start. Zero values take the defaults noted on each field.
type Config struct {
	DataDir  string // SQLite db, blobs/, tls/ live here; created if missing; required
	HTTPAddr string // REST over HTTPS (the server's certificate) listen address; default "127.0.0.1:0"
	// HTTPPlainAddr is REST over plain HTTP, for local tools that cannot pin a certificate.
	// Loopback addresses only (passwords cross it in clear text); "" = off.
	HTTPPlainAddr string
	XMPPAddr      string // XMPP with STARTTLS ("" = off)
	XMPPTLSAddr   string // XMPP with direct TLS ("" = off)
	WSAddr        string // XMPP over WebSocket (RFC 7395, ws://, no TLS), loopback only ("" = off)
	// XMPPPlainAddr is plain-TCP XMPP where PLAIN auth is allowed without STARTTLS, for
	// the JS SDK's xmpp:// mode (CUBE_TCP_ENABLE=1). Loopback addresses only; "" = off.
	// Only this listener allows it: the XMPPAddr listener still requires STARTTLS.
	XMPPPlainAddr string
	Domain        string       // chat domain; default "localhost"
	AppID         int64        // default 1
	AuthKey       string       // default "demo-auth-key"
	AuthSecret    string       // default "demo-auth-secret"
	AdminKey      string       // guards /admin endpoints; "" = admin off
	Logger        *slog.Logger // nil = discard
	// PasswordPolicy is the cost of stored password secrets; nil = the secure default
	// (store.DefaultPasswordPolicy). Only tests lower it (store.CheapPasswordPolicy).
	PasswordPolicy *store.PasswordPolicy
	// LoginGuard throttles failed sign-ins on REST and XMPP; nil = throttle's defaults.
	LoginGuard *throttle.Guard
	// ResumeWindow is how long a chat session with resumable stream management
	// (XEP-0198) waits for its client after a dropped connection; 0 =
	// DefaultResumeWindow (60 s).
	ResumeWindow time.Duration
}

// Defaults of Config.
const (
	DefaultDomain     = "localhost"
	DefaultAppID      = 1
	DefaultAuthKey    = "demo-auth-key"
	DefaultAuthSecret = "demo-auth-secret"
	DefaultHTTPAddr   = "127.0.0.1:0"
	// DefaultResumeWindow is how long a dropped chat session with resumable stream
	// management waits for its client (xmppd.DefaultResumeWindow).
	DefaultResumeWindow = xmppd.DefaultResumeWindow
)

func (c *Config) setDefaults() error {
	if c.DataDir == "" {
		return errors.New("cubeserver: Config.DataDir is required")
	}
	if c.XMPPPlainAddr != "" && !loopbackAddr(c.XMPPPlainAddr) {
		return fmt.Errorf("cubeserver: XMPPPlainAddr %q must be a loopback address: it accepts passwords in clear text", c.XMPPPlainAddr)
	}
	if c.HTTPPlainAddr != "" && !loopbackAddr(c.HTTPPlainAddr) {
		return fmt.Errorf("cubeserver: HTTPPlainAddr %q must be a loopback address: sign-ins would cross the network in clear text (use HTTPAddr, which serves HTTPS)", c.HTTPPlainAddr)
	}
	if c.WSAddr != "" && !loopbackAddr(c.WSAddr) {
		return fmt.Errorf("cubeserver: WSAddr %q must be a loopback address: it serves ws:// without TLS, where a PLAIN sign-in crosses in clear text", c.WSAddr)
	}
	if c.HTTPAddr == "" {
		c.HTTPAddr = DefaultHTTPAddr
	}
	if c.Domain == "" {
		c.Domain = DefaultDomain
	}
	if c.AppID == 0 {
		c.AppID = DefaultAppID
	}
	if c.AuthKey == "" {
		c.AuthKey = DefaultAuthKey
	}
	if c.AuthSecret == "" {
		c.AuthSecret = DefaultAuthSecret
	}
	if c.PasswordPolicy != nil {
		if err := c.PasswordPolicy.Validate(); err != nil {
			return fmt.Errorf("cubeserver: %w", err)
		}
	}
	if c.LoginGuard == nil {
		c.LoginGuard = throttle.New(throttle.DefaultAccount, throttle.DefaultAddress, nil)
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	return nil
}

// loopbackAddr tells whether host:port names this machine only.
func loopbackAddr(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
