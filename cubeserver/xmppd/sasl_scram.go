package xmppd

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"net"
	"strconv"
	"strings"
	"sync/atomic"
)

// saslMechanisms are offered in this order (strongest first).
var saslMechanisms = []string{mechSCRAMSHA256, mechSCRAMSHA1, mechPLAIN}

// LoginGuard throttles failed sign-ins (cubeserver shares one with REST). Keys are
// "user:{id}" and "addr:{ip}"; Allow says whether an attempt may be checked at all.
type LoginGuard interface {
	Allow(keys ...string) bool
	Failed(keys ...string)
}

// authState is the server's SASL state shared by all connections.
type authState struct {
	guard  LoginGuard
	secret [32]byte                 // keys fakeSCRAMSalt
	iter   map[string]*atomic.Int64 // per mechanism: the last real iteration count seen
}

func newAuthState(g LoginGuard) authState {
	a := authState{guard: g, iter: map[string]*atomic.Int64{}}
	rand.Read(a.secret[:]) // never fails (crypto/rand panics rather than return short)
	for mech := range scramHashes {
		a.iter[mech] = new(atomic.Int64)
	}
	return a
}

func userKey(uid int64) string { return "user:" + strconv.FormatInt(uid, 10) }

// addrKey is the peer's IP (the port changes with every connection).
func (c *conn) addrKey() string {
	addr := c.f.RemoteAddr()
	if host, _, err := net.SplitHostPort(addr); err == nil {
		addr = host
	}
	return "addr:" + addr
}

// authSCRAM runs a SCRAM exchange: <auth> with client-first, <challenge> with
// server-first, <response> with client-final, <success> with server-final. An unknown
// user, or one without keys yet, gets a made-up but stable salt and fails at the proof,
// so the exchange does not reveal who has an account.
func (c *conn) authSCRAM(mech, data string) (bool, error) {
	raw, err := base64.StdEncoding.DecodeString(strings.TrimSpace(data))
	if err != nil || len(raw) == 0 {
		return c.saslReject("malformed-request", "SCRAM needs a base64 client-first-message")
	}
	first, err := parseSCRAMClientFirst(string(raw))
	if err != nil {
		return c.saslReject("malformed-request", err.Error())
	}
	uid, idErr := c.srv.checkIdentity(first.username, first.authzid)
	if idErr == nil && c.srv.auth.guard != nil && !c.srv.auth.guard.Allow(userKey(uid)) {
		return c.throttled()
	}
	var salt, stored, server []byte
	iter := 0
	known := false
	if idErr == nil {
		ctx, cancel := c.backendCtx()
		salt, iter, stored, server, err = c.srv.backend.SCRAMCredential(ctx, uid, mech)
		cancel()
		switch {
		case err == nil:
			known = true
			c.srv.auth.iter[mech].Store(int64(iter))
		case !isNotFound(err):
			c.log.Error("xmpp SCRAM credential", "user", uid, "err", err)
			return c.saslReject("temporary-auth-failure", "try again later")
		}
	}
	if !known {
		salt, iter = c.srv.fakeSCRAMSalt(mech, first.username)
	}
	x, err := newSCRAMExchange(mech, first, salt, iter, "")
	if err != nil {
		return false, err
	}
	if err := c.f.Write([]byte(`<challenge xmlns="` + nsSASL + `">` +
		base64.StdEncoding.EncodeToString([]byte(x.serverFirst)) + `</challenge>`)); err != nil {
		return false, err
	}
	final, aborted, err := c.readSASLResponse()
	if err != nil || aborted {
		return false, err
	}
	stores, servers := [][]byte{stored}, [][]byte{server}
	if !known {
		stores, servers = nil, nil
	}
	serverFinal, ok, err := x.verifyFinal(final, stores, servers)
	if err != nil {
		return c.saslReject("malformed-request", err.Error())
	}
	if !ok && known {
		// ConnectyCube clients may send a session token as the password.
		ctx, cancel := c.backendCtx()
		stores, servers, err = c.srv.backend.SCRAMTokenKeys(ctx, uid, mech, salt, iter)
		cancel()
		if err != nil {
			c.log.Error("xmpp SCRAM token keys", "user", uid, "err", err)
			return c.saslReject("temporary-auth-failure", "try again later")
		}
		serverFinal, ok, _ = x.verifyFinal(final, stores, servers)
	}
	if !ok {
		why := "wrong SCRAM proof"
		if idErr != nil {
			why, uid = idErr.Error(), 0
		}
		return c.authFailed(uid, why)
	}
	return c.authSucceeded(uid, `<success xmlns="`+nsSASL+`">`+base64.StdEncoding.EncodeToString([]byte(serverFinal))+`</success>`)
}

// readSASLResponse reads the client's <response/> (its decoded payload), or an <abort/>,
// which is answered here.
func (c *conn) readSASLResponse() (data string, aborted bool, err error) {
	start, err := c.f.Next()
	if err != nil {
		return "", false, err
	}
	switch {
	case start.Name.Space == nsSASL && start.Name.Local == "response":
		var r struct {
			Data string `xml:",chardata"`
		}
		if err := c.f.Decode(&r, &start); err != nil {
			return "", false, err
		}
		raw, err := base64.StdEncoding.DecodeString(strings.TrimSpace(r.Data))
		if err != nil {
			_, werr := c.saslReject("malformed-request", "response is not base64")
			return "", true, werr
		}
		return string(raw), false, nil
	case start.Name.Space == nsSASL && start.Name.Local == "abort":
		if err := c.f.Skip(); err != nil {
			return "", false, err
		}
		_, err := c.saslReject("aborted", "")
		return "", true, err
	}
	return "", false, &streamErr{condNotAuthorized, "expected a SASL response"}
}

// fakeSCRAMSalt is a salt that stays the same for a name across attempts (a fresh one
// each time would show the name is unknown), keyed by a per-server random secret, with
// the iteration count real credentials last had.
func (s *Server) fakeSCRAMSalt(mech, username string) ([]byte, int) {
	m := hmac.New(sha256.New, s.auth.secret[:])
	fmt.Fprintf(m, "%s\x00%s", mech, username)
	iter := int(s.auth.iter[mech].Load())
	if iter == 0 {
		iter = 4096
	}
	return m.Sum(nil)[:16], iter
}
