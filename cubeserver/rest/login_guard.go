package rest

import (
	"errors"
	"net"
	"net/http"
	"strconv"
	"strings"

	"github.com/cubechat/cubechat/cube"
	"github.com/cubechat/cubechat/cubeserver/store"
)

// LoginGuard throttles failed sign-ins (cubeserver shares one with XMPP). Keys are
// "user:{id}" (or "login:…"/"email:…" for a name without an account) and "addr:{ip}".
type LoginGuard interface {
	Allow(keys ...string) bool
	Failed(keys ...string)
}

// checkSignIn checks user credentials for POST /session and POST /login. While the
// account or the caller's address has failed too often it answers 429 without checking;
// a wrong pair is counted against both and answered 401. ok=false means it answered.
func (h *Handler) checkSignIn(w http.ResponseWriter, r *http.Request, login, email, password string) (u cube.User, ok bool) {
	var keys []string
	if h.cfg.LoginGuard != nil {
		keys = []string{addrKey(r), h.accountKey(r, login, email)}
		if !h.cfg.LoginGuard.Allow(keys...) {
			h.log.Warn("sign-in throttled", "remote", r.RemoteAddr, "login", login, "email", email)
			writeErrors(w, http.StatusTooManyRequests, "Too many failed sign-in attempts; try again later")
			return cube.User{}, false
		}
	}
	u, err := h.st.Authenticate(r.Context(), login, email, password)
	if errors.Is(err, store.ErrNotFound) {
		if h.cfg.LoginGuard != nil {
			h.cfg.LoginGuard.Failed(keys...)
		}
		writeUnauthorized(w)
		return cube.User{}, false
	}
	if err != nil {
		h.internalError(w, r, err)
		return cube.User{}, false
	}
	return u, true
}

// accountKey names the account being tried: its id when it exists (so REST and XMPP
// attempts share one count), else the normalised name.
func (h *Handler) accountKey(r *http.Request, login, email string) string {
	if id, err := h.st.UserIDByLogin(r.Context(), login, email); err == nil {
		return "user:" + strconv.FormatInt(id, 10)
	}
	if login != "" {
		return "login:" + strings.ToLower(login)
	}
	return "email:" + strings.ToLower(email)
}

// addrKey is the caller's IP. X-Forwarded-For is ignored: anyone can send it.
func addrKey(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	return "addr:" + host
}
