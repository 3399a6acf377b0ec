package cubeserver

import (
	"fmt"
	"testing"

	"github.com/cubechat/cubechat/cube"
)

// TestAuthorizationMatrixRESTReadMarkers is the matrix's row for the stanzas a REST
// call makes the server send: each signed-in role marks the owner's group message
// read over REST (PUT /chat/Message/{id} read:1), and the owner's stream must get a
// displayed marker naming that role exactly when the role may tell the owner (an
// occupant or admin; not the owner about its own message, not an outsider, whom the
// call refuses, not the user the owner blocks). Read without timing: the REST call
// queued whatever it sends before answering, and a bystander's barrier follows it.
func TestAuthorizationMatrixRESTReadMarkers(t *testing.T) {
	e := newAuthzEnv(t)
	owner := e.xmppLogin(roleOwner)
	bystander := e.xmppAuth(e.helper.ID, password(e.helper.Login)).bind()
	// Columns: owner, admin, occupant, outsider, blocked.
	want := outcomes{dropped, delivered, delivered, dropped, dropped}
	for reader := roleOwner; reader <= roleBlocked; reader++ {
		w := e.newWorld()
		e.do("PUT", "/chat/Message/"+w.message.ID, e.token(reader), nil, map[string]any{"read": 1, "chat_dialog_id": w.group.ID})
		barrier := fmt.Sprintf("barrier-rest-read-%s", reader)
		bystander.write(fmt.Sprintf(`<message type='chat' to='%s' id='%s'><body>.</body></message>`, e.userJID(roleOwner), barrier))
		got := dropped
		for _, v := range owner.until("the barrier", func(v any) bool {
			m, ok := v.(*cube.MessageStanza)
			return ok && m.ID == barrier
		}) {
			m, ok := v.(*cube.MessageStanza)
			if !ok || m.Displayed == nil || m.Displayed.ID != w.message.ID {
				continue
			}
			got = delivered
			if from := cube.BareJID(m.From); from != e.userJID(reader) {
				t.Errorf("%s's REST read told the owner as %q, want %q", reader, from, e.userJID(reader))
			}
		}
		if got != want[reader] {
			t.Errorf("REST read by %s: the owner's stream %s the marker, want %s", reader, got, want[reader])
		}
	}
}
