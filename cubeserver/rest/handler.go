// Package rest is the ConnectyCube-compatible REST API of cubeserver (docs/protocol.md §2–§4):
// sessions, login, users, dialogs and messages, on top of the SQLite store.
package rest

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"runtime/debug"
	"strings"

	"github.com/cubechat/cubechat/cube"
	"github.com/cubechat/cubechat/cubeserver/store"
)

// Config is what the handler needs to know about the application it serves.
type Config struct {
	AppID      int64
	AuthKey    string
	AuthSecret string
	Domain     string // chat domain, for room JIDs
	AdminKey   string // CB-Administration-API-Key of the /admin endpoints; "" = admin off
	Blobs      BlobConfig
	Logger     *slog.Logger
	LoginGuard LoginGuard // throttles failed sign-ins; nil = none
}

// Notifier delivers server-generated packets over XMPP (xmppd.Server implements it).
// REST calls that must reach online users (send_to_chat, forced deletes, reactions)
// go through it.
type Notifier interface {
	Deliver(userID int64, m *cube.MessageStanza)
}

// Handler serves the REST API. Build it with New.
type Handler struct {
	cfg      Config
	st       *store.Store
	notifier Notifier // nil = nobody to tell
	log      *slog.Logger
	routes   []route
}

// authLevel is what a route requires of the caller.
type authLevel int

const (
	authNone       authLevel = iota // no credentials (session creation)
	authKeyOrToken                  // CB-Token, or the application's CB-AuthKey header (sign-up)
	authToken                       // any live session
	authUser                        // a live session with a user
	authAdmin                       // the CB-Administration-API-Key header (no session)
)

type route struct {
	method  string
	pattern []string // path segments; "*" matches one segment, kept in reqCtx.params
	auth    authLevel
	handle  func(w http.ResponseWriter, r *http.Request, rc *reqCtx)
}

// reqCtx carries what the router learned about a request.
type reqCtx struct {
	session *store.Session // nil without a token
	params  []string       // values of "*" segments, in order
}

// New builds the handler. notifier may be nil.
func New(cfg Config, st *store.Store, notifier Notifier) *Handler {
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	h := &Handler{cfg: cfg, st: st, notifier: notifier, log: log}
	h.routes = []route{
		{"POST", seg("session"), authNone, h.createSession},
		{"GET", seg("session"), authToken, h.getSession},
		{"DELETE", seg("session"), authToken, h.deleteSession},
		{"POST", seg("login"), authToken, h.login},
		{"DELETE", seg("login"), authToken, h.logout},
		{"POST", seg("users"), authKeyOrToken, h.signUp},
		{"GET", seg("users/v2"), authToken, h.listUsers},
		{"GET", seg("users/online"), authToken, h.onlineUsers},
		{"POST", seg("users/password/reset"), authToken, h.resetPassword},
		{"GET", seg("users/password/reset"), authToken, h.resetPassword},
		{"GET", seg("users/*"), authToken, h.getUser},
		{"PUT", seg("users/*"), authUser, h.updateUser},
		{"DELETE", seg("users/*"), authUser, h.deleteUser},
		{"GET", seg("chat/Dialog"), authUser, h.listDialogs},
		{"POST", seg("chat/Dialog"), authUser, h.createDialog},
		{"GET", seg("chat/Message"), authUser, h.listMessages},
		{"PUT", seg("chat/Message"), authUser, h.updateMessages},
		{"PUT", seg("chat/Message/*"), authUser, h.updateMessages},

		{"PUT", seg("chat/Dialog/*"), authUser, h.updateDialog},
		{"DELETE", seg("chat/Dialog/clearHistory/*"), authUser, h.clearHistory},
		{"DELETE", seg("chat/Dialog/*"), authUser, h.deleteDialogs},
		{"POST", seg("chat/Dialog/*/subscribe"), authUser, h.subscribe},
		{"DELETE", seg("chat/Dialog/*/subscribe"), authUser, h.unsubscribe},
		{"PUT", seg("chat/Dialog/*/admins"), authUser, h.updateAdmins},
		{"GET", seg("chat/Dialog/*/notifications"), authUser, h.getNotifications},
		{"PUT", seg("chat/Dialog/*/notifications"), authUser, h.setNotifications},
		{"GET", seg("chat/Dialog/*/occupants"), authUser, h.listOccupants},
		{"POST", seg("chat/Message"), authUser, h.createMessage},
		{"GET", seg("chat/Message/unread"), authUser, h.unreadCounts},
		{"POST", seg("chat/Message/system"), authUser, h.systemMessage},
		{"DELETE", seg("chat/Message/*"), authUser, h.deleteMessages},
		{"GET", seg("chat/Message/*/reactions"), authUser, h.getReactions},
		{"PUT", seg("chat/Message/*/reactions"), authUser, h.putReactions},

		{"POST", seg("admin/chat/Dialog"), authAdmin, h.adminCreateDialog},
		{"GET", seg("admin/chat/list"), authAdmin, h.adminListDialogs},
		{"GET", seg("admin/chat/messages/list"), authAdmin, h.adminListMessages},
		{"GET", seg("admin/alerts"), authAdmin, h.adminListAlerts},
	}
	h.routes = append(h.routes, h.blobRoutes()...)
	h.routes = append(h.routes, route{"GET", seg("chat/search"), authUser, h.search})
	return h
}

func seg(p string) []string { return strings.Split(p, "/") }

// ServeHTTP routes by method and path; "/chat/Dialog.json" and "/chat/Dialog" are the
// same route (the JS SDK adds the suffix, Dart and the docs do not).
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	defer func() {
		if p := recover(); p != nil {
			h.log.Error("rest: panic", "method", r.Method, "path", r.URL.Path, "panic", p, "stack", string(debug.Stack()))
			writeErrors(w, http.StatusInternalServerError, "Internal server error")
		}
	}()
	path := strings.Trim(strings.TrimSuffix(r.URL.Path, ".json"), "/")
	parts := strings.Split(path, "/")
	var allowed []string
	for i := range h.routes {
		rt := &h.routes[i]
		params, ok := match(rt.pattern, parts)
		if !ok {
			continue
		}
		if rt.method != r.Method {
			allowed = append(allowed, rt.method)
			continue
		}
		rc := &reqCtx{params: params}
		if !h.authenticate(w, r, rt.auth, rc) {
			return
		}
		h.log.Debug("rest", "method", r.Method, "path", r.URL.Path, "session", sessionID(rc))
		rt.handle(w, r, rc)
		return
	}
	if len(allowed) > 0 {
		w.Header().Set("Allow", strings.Join(allowed, ", "))
		writeErrors(w, http.StatusMethodNotAllowed, r.Method+" is not allowed on /"+path)
		return
	}
	writeErrors(w, http.StatusNotFound, "Not found: /"+path)
}

func match(pattern, parts []string) ([]string, bool) {
	if len(pattern) != len(parts) {
		return nil, false
	}
	var params []string
	for i, p := range pattern {
		switch {
		case p == "*" && parts[i] != "":
			params = append(params, parts[i])
		case p != "*" && !strings.EqualFold(p, parts[i]):
			// The docs also write /chat/dialog/…; the SDKs send /chat/Dialog/….
			return nil, false
		case p == "*" && parts[i] == "":
			return nil, false
		}
	}
	return params, true
}

func sessionID(rc *reqCtx) int64 {
	if rc.session == nil {
		return 0
	}
	return rc.session.ID
}

// authenticate checks the route's requirement, writing the error answer when it fails.
func (h *Handler) authenticate(w http.ResponseWriter, r *http.Request, level authLevel, rc *reqCtx) bool {
	switch level {
	case authNone:
		return true
	case authAdmin:
		return h.adminAllowed(w, r)
	}
	token := r.Header.Get("CB-Token")
	if token == "" && level == authKeyOrToken {
		key := r.Header.Get("CB-AuthKey")
		if key != "" && key == h.cfg.AuthKey {
			return true
		}
		if key != "" {
			writeErrors(w, http.StatusUnprocessableEntity, "Unexpected auth key")
			return false
		}
	}
	if token == "" {
		writeSessionMissing(w)
		return false
	}
	sess, err := h.st.SessionByToken(r.Context(), token)
	if errors.Is(err, store.ErrNotFound) {
		writeSessionMissing(w)
		return false
	}
	if err != nil {
		h.internalError(w, r, err)
		return false
	}
	if err := h.st.TouchSession(r.Context(), &sess); err != nil {
		h.log.Warn("rest: extend session", "session", sess.ID, "err", err)
	}
	rc.session = &sess
	if level == authUser && sess.UserID == 0 {
		writeErrors(w, http.StatusForbidden, "Forbidden. Need user.")
		return false
	}
	return true
}

// internalError logs err and answers 500 without leaking details to the client.
func (h *Handler) internalError(w http.ResponseWriter, r *http.Request, err error) {
	if errors.Is(err, context.Canceled) {
		return // the client went away; nobody reads the answer
	}
	h.log.Error("rest: internal error", "method", r.Method, "path", r.URL.Path, "err", err)
	writeErrors(w, http.StatusInternalServerError, "Internal server error")
}
