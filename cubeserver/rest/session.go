package rest

import (
	"crypto/hmac"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"hash"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/cubechat/cubechat/cube"
	"github.com/cubechat/cubechat/cubeserver/store"
)

// timestampWindow is how far a session request's timestamp may be from the server clock
// ("shouldn't differ from NTP more than 60 minutes", docs/protocol.md §2.5).
const timestampWindow = 60 * time.Minute

// POST /session: unsigned (SDK 6: application_id + auth_key) or signed (SDK 3, Dart:
// nonce, timestamp, signature); with user credentials it is a user session.
func (h *Handler) createSession(w http.ResponseWriter, r *http.Request, rc *reqCtx) {
	p, err := readBody(w, r)
	if err != nil {
		writeBodyError(w, err)
		return
	}
	for k, vs := range fromValues(r.URL.Query()) { // some clients put the parameters in the URL
		if _, inBody := p[k]; !inBody {
			p[k] = vs
		}
	}
	if msg := h.checkApplication(p); msg != "" {
		writeErrors(w, http.StatusUnprocessableEntity, msg)
		return
	}
	ts, nonce, msg := h.checkFreshness(r, p)
	if msg != "" {
		writeErrors(w, http.StatusUnprocessableEntity, msg)
		return
	}
	if _, ok := p.str("provider"); ok {
		writeErrors(w, http.StatusUnprocessableEntity, "Provider login is not supported by this server")
		return
	}
	var user *cube.User
	login, _ := p.str("user", "login")
	email, _ := p.str("user", "email")
	if login != "" || email != "" {
		password, _ := p.str("user", "password")
		u, ok := h.checkSignIn(w, r, login, email, password)
		if !ok {
			return
		}
		user = &u
	}
	if ts == 0 { // unsigned requests carry no timestamp; ts then records the creation
		ts = time.Now().Unix()
	}
	ns := store.NewSession{AppID: h.cfg.AppID, Nonce: nonce, TS: ts}
	if user != nil {
		ns.UserID = user.ID
	}
	sess, err := h.st.CreateSession(r.Context(), ns)
	if err != nil {
		h.internalError(w, r, err)
		return
	}
	wire := sess.Wire()
	wire.User = user
	w.Header().Set("CB-Token-ExpirationDate", sess.ExpiresAt.UTC().Format("2006-01-02 15:04:05 MST"))
	writeJSON(w, http.StatusCreated, map[string]any{"session": wire})
}

// checkApplication verifies application_id, auth_key and, when present, the signature;
// it returns the error message for a 422, or "".
func (h *Handler) checkApplication(p params) string {
	appID, _ := p.str("application_id")
	if strings.TrimSpace(appID) == "" {
		return "application_id is required"
	}
	if appID != strconv.FormatInt(h.cfg.AppID, 10) {
		return "Unknown application_id " + appID
	}
	key, _ := p.str("auth_key")
	if subtle.ConstantTimeCompare([]byte(key), []byte(h.cfg.AuthKey)) != 1 {
		return "Unexpected auth_key"
	}
	sig, signed := p.str("signature")
	if !signed {
		return ""
	}
	if _, ok := p.str("timestamp"); !ok {
		return "A signed session request needs timestamp and nonce"
	}
	if _, ok := p.str("nonce"); !ok {
		return "A signed session request needs timestamp and nonce"
	}
	if !validSignature(signatureBase(p), sig, h.cfg.AuthSecret) {
		return "Unexpected signature"
	}
	return ""
}

// checkFreshness refuses timestamps outside the window and repeated (timestamp, nonce)
// pairs; it returns the request's timestamp and nonce, or a 422 message.
func (h *Handler) checkFreshness(r *http.Request, p params) (ts int64, nonce, msg string) {
	ts, hasTS, err := p.int64At("timestamp")
	if err != nil {
		return 0, "", "timestamp must be unix seconds"
	}
	nonce, _ = p.str("nonce")
	if !hasTS {
		return 0, nonce, ""
	}
	if d := time.Since(time.Unix(ts, 0)); d > timestampWindow || d < -timestampWindow {
		return 0, "", "Timestamp differs from the server time by more than 60 minutes"
	}
	if nonce == "" {
		return ts, "", ""
	}
	// Pairs are kept a little longer than the window, after which the timestamp alone
	// refuses a replay.
	switch err := h.st.UseNonce(r.Context(), h.cfg.AppID, ts, nonce, 2*timestampWindow+time.Minute); {
	case errors.Is(err, store.ErrNonceUsed):
		return 0, "", "The nonce has already been used with this timestamp"
	case err != nil:
		h.log.Error("rest: record nonce", "err", err)
		return 0, "", "Cannot check the nonce now, try again"
	}
	return ts, nonce, ""
}

// signatureBase is the string that clients sign: every parameter but signature, nested
// objects flattened to key[sub]=value with raw values, sorted, joined with "&".
func signatureBase(p params) string {
	var pairs []string
	var walk func(prefix string, v any)
	walk = func(prefix string, v any) {
		if m, ok := v.(map[string]any); ok {
			for k, sub := range m {
				walk(prefix+"["+k+"]", sub)
			}
			return
		}
		s, _ := scalarString(v)
		pairs = append(pairs, prefix+"="+s)
	}
	for k, v := range p {
		if k != "signature" {
			walk(k, v)
		}
	}
	sort.Strings(pairs)
	return strings.Join(pairs, "&")
}

// validSignature accepts HMAC-SHA1 (40 hex digits, the documented form) or HMAC-SHA256
// (64 hex digits, JS SDK 3 with config.hash = 'sha256') of base, keyed by the secret.
func validSignature(base, sig, secret string) bool {
	var fn func() hash.Hash
	switch len(sig) {
	case 40:
		fn = sha1.New
	case 64:
		fn = sha256.New
	default:
		return false
	}
	got, err := hex.DecodeString(sig)
	if err != nil {
		return false
	}
	mac := hmac.New(fn, []byte(secret))
	mac.Write([]byte(base))
	return hmac.Equal(got, mac.Sum(nil))
}

// GET /session: the caller's session, with the user for a user session.
func (h *Handler) getSession(w http.ResponseWriter, r *http.Request, rc *reqCtx) {
	wire := rc.session.Wire()
	if rc.session.UserID != 0 {
		u, err := h.st.UserByID(r.Context(), rc.session.UserID)
		if err != nil {
			h.internalError(w, r, err)
			return
		}
		wire.User = &u
	}
	writeJSON(w, http.StatusOK, map[string]any{"session": wire})
}

// DELETE /session ends the caller's session (empty 200; the SDK reads it as text).
func (h *Handler) deleteSession(w http.ResponseWriter, r *http.Request, rc *reqCtx) {
	if err := h.st.DeleteSession(r.Context(), rc.session.ID); err != nil {
		h.internalError(w, r, err)
		return
	}
	writeEmpty(w)
}
