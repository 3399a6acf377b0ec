package xmppd

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/cubechat/cubechat/cube"
)

// maxAuthFailures is how many wrong passwords one connection may try.
const maxAuthFailures = 3

// negotiate runs the stream up to a bound resource: header, features, STARTTLS,
// SASL (SCRAM-SHA-256, SCRAM-SHA-1, PLAIN), stream restart and bind. Writes are synchronous here; the session's
// writer goroutine starts only after bind.
func (c *conn) negotiate() (*session, error) {
	for {
		c.opened = false
		if _, err := c.f.ReadOpen(); err != nil {
			return nil, err
		}
		if err := c.f.WriteOpen(newStreamID(), c.srv.cfg.Domain); err != nil {
			return nil, err
		}
		c.opened = true
		if c.authed {
			if err := c.f.Write(features(false, false, false, true)); err != nil {
				return nil, err
			}
			return c.bind()
		}
		canTLS := c.srv.cfg.TLS != nil && !c.f.Encrypted()
		canAuth := c.f.Encrypted() || c.srv.cfg.AllowPlain || c.plainAuth
		if !canTLS && !canAuth {
			c.log.Warn("xmpp plain connection but no TLS configured and AllowPlain off: nobody can log in")
		}
		if err := c.f.Write(features(canTLS, canTLS && !canAuth, canAuth, false)); err != nil {
			return nil, err
		}
		if err := c.preAuth(canTLS, canAuth); err != nil {
			return nil, err
		}
		// STARTTLS or SASL success: the client opens a new stream.
	}
}

// preAuth handles elements until the stream restarts (after STARTTLS or SASL success).
func (c *conn) preAuth(canTLS, canAuth bool) error {
	for {
		start, err := c.f.Next()
		if err != nil {
			return err
		}
		switch {
		case start.Name.Space == nsTLS && start.Name.Local == "starttls":
			if err := c.f.Skip(); err != nil {
				return err
			}
			if !canTLS {
				_ = c.f.Write([]byte(`<failure xmlns="` + nsTLS + `"/>`))
				return errStreamClosed
			}
			if err := c.f.Write([]byte(`<proceed xmlns="` + nsTLS + `"/>`)); err != nil {
				return err
			}
			if err := c.f.StartTLS(c.srv.cfg.TLS); err != nil {
				return err // the socket is unusable: finalBytes writes nothing for it
			}
			c.log.Info("xmpp starttls done")
			return nil
		case start.Name.Space == nsSASL && start.Name.Local == "auth":
			var a saslAuth
			if err := c.f.Decode(&a, &start); err != nil {
				return err
			}
			done, err := c.authenticate(&a, canAuth)
			if err != nil || done {
				return err
			}
		case start.Name.Space == nsSASL && start.Name.Local == "abort":
			if err := c.f.Skip(); err != nil {
				return err
			}
			if err := c.writeElem(newSASLFailure("aborted", "")); err != nil {
				return err
			}
		default:
			return &streamErr{condNotAuthorized, "authenticate first"}
		}
	}
}

// authenticate answers one <auth/>. done means success (restart expected).
func (c *conn) authenticate(a *saslAuth, canAuth bool) (done bool, err error) {
	if !canAuth {
		return c.saslReject("encryption-required", "STARTTLS is required before authentication")
	}
	if c.srv.auth.guard != nil && !c.srv.auth.guard.Allow(c.addrKey()) {
		return c.throttled()
	}
	switch a.Mechanism {
	case mechPLAIN:
		return c.authPlain(a.Data)
	case mechSCRAMSHA1, mechSCRAMSHA256:
		return c.authSCRAM(a.Mechanism, a.Data)
	}
	return c.saslReject("invalid-mechanism", "offered: "+strings.Join(saslMechanisms, ", "))
}

// saslReject answers a failure that is not a wrong password.
func (c *conn) saslReject(cond, text string) (bool, error) {
	c.log.Info("xmpp auth rejected", "condition", cond, "user", c.userID)
	return false, c.writeElem(newSASLFailure(cond, text))
}

// throttled refuses to check credentials while the account or address has failed too
// often (RFC 6120 §6.5: temporary-auth-failure); nothing is tried, nothing is counted.
func (c *conn) throttled() (bool, error) {
	c.log.Warn("xmpp auth throttled", "remote", c.f.RemoteAddr())
	return c.saslReject("temporary-auth-failure", "too many failed sign-ins; try again later")
}

func (c *conn) authPlain(data string) (bool, error) {
	creds, err := parsePlain(data)
	if err != nil {
		return c.saslReject("malformed-request", err.Error())
	}
	uid, err := c.srv.checkIdentity(creds.authcid, creds.authzid)
	if err != nil {
		return c.authFailed(0, err.Error())
	}
	if c.srv.auth.guard != nil && !c.srv.auth.guard.Allow(userKey(uid)) {
		return c.throttled()
	}
	ctx, cancel := c.backendCtx()
	ok, err := c.srv.backend.CheckChatPassword(ctx, uid, creds.password)
	cancel()
	if err != nil {
		c.log.Error("xmpp check password", "user", uid, "err", err)
		return c.saslReject("temporary-auth-failure", "try again later")
	}
	if !ok {
		return c.authFailed(uid, "wrong password for "+fmt.Sprint(uid))
	}
	return c.authSucceeded(uid, `<success xmlns="`+nsSASL+`"/>`)
}

// authSucceeded sends success and expects the stream restart.
func (c *conn) authSucceeded(uid int64, success string) (bool, error) {
	if err := c.f.Write([]byte(success)); err != nil {
		return false, err
	}
	c.authed, c.userID = true, uid
	c.f.Restart()
	c.log.Info("xmpp auth ok", "user", uid)
	return true, nil
}

// authFailed sends ConnectyCube's failure (clients match "Password not verified"),
// counts the failure against the address and the account (uid 0 = none known) and ends
// the stream after too many attempts.
func (c *conn) authFailed(uid int64, why string) (bool, error) {
	c.failures++
	c.log.Info("xmpp auth failed", "why", why, "attempt", c.failures)
	if c.srv.auth.guard != nil {
		keys := []string{c.addrKey()}
		if uid > 0 {
			keys = append(keys, userKey(uid))
		}
		c.srv.auth.guard.Failed(keys...)
	}
	if err := c.writeElem(newSASLFailure("not-authorized", "Password not verified")); err != nil {
		return false, err
	}
	if c.failures >= maxAuthFailures {
		return false, &streamErr{condNotAuthorized, "too many failed authentication attempts"}
	}
	return false, nil
}

// checkIdentity maps SASL identities to a user id: authcid "{uid}-{appId}" (a domain
// suffix is tolerated) and an optional authzid that must be the same user's JID.
func (s *Server) checkIdentity(authcid, authzid string) (int64, error) {
	uid, err := s.localUser(authcid)
	if err != nil {
		return 0, err
	}
	if authzid != "" {
		zid, err := s.localUser(cube.BareJID(authzid))
		if err != nil || zid != uid {
			return 0, fmt.Errorf("authzid %q does not match authcid", authzid)
		}
	}
	return uid, nil
}

// localUser reads "{uid}-{appId}" or "{uid}-{appId}@{domain}" of this app.
func (s *Server) localUser(id string) (int64, error) {
	local, domain, hasDomain := strings.Cut(id, "@")
	if hasDomain && domain != s.cfg.Domain {
		return 0, fmt.Errorf("unknown domain %q", domain)
	}
	uidText, app, ok := strings.Cut(local, "-")
	if !ok || app != fmt.Sprint(s.cfg.AppID) {
		return 0, fmt.Errorf("identity %q is not {userId}-{appId} of this app", id)
	}
	uid, ok := cube.UserIDFromJID(uidText + "@x")
	if !ok {
		return 0, fmt.Errorf("bad user id in %q", id)
	}
	return uid, nil
}

// bind waits for the resource binding IQ after the post-auth restart, or for a
// stream management <resume/> of an earlier session (sm_resume.go).
func (c *conn) bind() (*session, error) {
	for {
		start, err := c.f.Next()
		if err != nil {
			return nil, err
		}
		if start.Name.Space == nsSM {
			if start.Name.Local == "resume" {
				s, err := c.resume(start)
				if s != nil || err != nil {
					c.resumed = s != nil
					return s, err
				}
				continue
			}
			if err := c.f.Skip(); err != nil {
				return nil, err
			}
			if start.Name.Local == "enable" {
				if err := c.f.Write(smFailed("unexpected-request", "")); err != nil {
					return nil, err
				}
			}
			continue
		}
		if start.Name.Local != "iq" || (start.Name.Space != cube.NSClient && start.Name.Space != "") {
			return nil, &streamErr{condNotAuthorized, "bind a resource first"}
		}
		start.Name.Space = cube.NSClient
		var iq iqStanza
		if err := c.f.Decode(&iq, &start); err != nil {
			return nil, err
		}
		p := iq.payload()
		if iq.Type != "set" || p == nil || p.XMLName.Space != nsBind || p.XMLName.Local != "bind" {
			if err := c.writeElem(iqError(&iq, c.srv.cfg.Domain, "cancel", "405", "not-allowed", "bind a resource first")); err != nil {
				return nil, err
			}
			continue
		}
		requested := ""
		if r := p.child("resource"); r != nil {
			requested = strings.TrimSpace(r.Text)
		}
		s := c.register(requested)
		if s == nil {
			// The new session is the one refused: an old one may be the user's own
			// desktop, and a leaked password must not be able to push it out.
			text := fmt.Sprintf("at most %d sessions per user; sign out elsewhere first", c.srv.cfg.MaxSessionsPerUser)
			c.log.Warn("xmpp bind refused: too many sessions", "user", c.userID, "max", c.srv.cfg.MaxSessionsPerUser)
			if err := c.writeElem(iqError(&iq, c.srv.cfg.Domain, "wait", "500", "resource-constraint", text)); err != nil {
				return nil, err
			}
			return nil, &streamErr{condPolicyViolation, text}
		}
		reply := iqReply{Type: "result", ID: iq.ID, Payload: bindResult{JID: s.jid}}
		if err := c.writeElem(reply); err != nil {
			c.srv.reg.remove(s)
			s.mu.Lock()
			s.ended = true
			s.mu.Unlock()
			return nil, err
		}
		c.log.Info("xmpp bound", "jid", s.jid)
		return s, nil
	}
}

// register creates the session: the requested resource when valid and free, else a
// long unique one (the JS SDK drops chat messages whose from contains its own
// resource, so resources must never be substrings of each other in practice). nil
// when the user already has MaxSessionsPerUser sessions.
func (c *conn) register(requested string) *session {
	unlock := c.srv.reg.lockUser(c.userID)
	defer unlock()
	existing := len(c.srv.reg.sessions(c.userID))
	if existing >= c.srv.cfg.MaxSessionsPerUser {
		return nil
	}
	res := requested
	for {
		if !validResource(res) || c.srv.reg.taken(c.userID, res) {
			res = generatedResource()
		}
		s := newSession(c.srv, c.userID, res, c.srv.userJID(c.userID)+"/"+res, c.srv.cfg.SendQueue, c.srv.cfg.SendQueueBytes)
		s.first = existing == 0
		if c.srv.reg.add(s) {
			s.mu.Lock()
			s.attachLocked(c)
			s.mu.Unlock()
			return s
		}
	}
}

func validResource(r string) bool {
	return r != "" && len(r) <= 256 && utf8.ValidString(r) && !strings.ContainsAny(r, "\x00\r\n\t")
}

func generatedResource() string {
	return fmt.Sprintf("%d-cubechat-%s", time.Now().Unix(), newStreamID())
}

// writeElem marshals and writes synchronously (handshake only).
func (c *conn) writeElem(v any) error {
	b, err := marshal(v)
	if err != nil {
		return err
	}
	return c.f.Write(b)
}
