package rest

import (
	"sync"
	"testing"

	"github.com/cubechat/cubechat/cube"
)

// recorder is a Notifier with Deliver only (so the handler uses its own fan-out) that
// keeps what each user received; online users are "connected" for the alert rule.
type recorder struct {
	mu     sync.Mutex
	got    map[int64][]cube.MessageStanza
	online map[int64]bool
}

func (r *recorder) Deliver(userID int64, m *cube.MessageStanza) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.got[userID] = append(r.got[userID], *m)
}

func (r *recorder) Online(userID int64) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.online[userID]
}

// take returns and forgets what userID received.
func (r *recorder) take(userID int64) []cube.MessageStanza {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := r.got[userID]
	delete(r.got, userID)
	return out
}

// newEnvWith is newEnv with an admin key and a recording notifier.
func newEnvWith(t *testing.T, adminKey string) (*env, *recorder) {
	t.Helper()
	rec := &recorder{got: map[int64][]cube.MessageStanza{}, online: map[int64]bool{}}
	cfg := testConfig()
	cfg.AdminKey = adminKey
	return newEnvConfig(t, cfg, rec), rec
}

// dialog decodes a dialog answer with the expected status.
func (e *env) dialog(r response, status int) cube.Dialog {
	e.t.Helper()
	expect(e.t, r, status, "")
	var d cube.Dialog
	r.decode(e.t, &d)
	return d
}

// group creates a group dialog owned by the token's user.
func (e *env) group(token, name string, occupants ...int64) cube.Dialog {
	e.t.Helper()
	return e.dialog(e.do("POST", "/chat/Dialog", token, map[string]any{"type": 2, "name": name, "occupants_ids": occupants}), 201)
}

// post stores a message over REST and returns it.
func (e *env) post(token string, body map[string]any) cube.Message {
	e.t.Helper()
	r := e.do("POST", "/chat/Message.json", token, body)
	expect(e.t, r, 201, "")
	var m cube.Message
	r.decode(e.t, &m)
	return m
}
