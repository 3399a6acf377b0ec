package cubeserver

import (
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/cubechat/cubechat/cube"
)

// The XMPP half of the authorization matrix: every routed stanza kind sent by each
// signed-in role, and the sign-in itself for the roles without a usable credential.
// Each case ends in one of three outcomes, read without timing: the sender pings
// (everything its stanza caused for it, such as a bounce, is queued before the
// answer), then a bystander sends the observer a barrier message; whatever the
// stanza caused for the observer arrived before the barrier.

type outcome int

const (
	delivered outcome = iota // the observer got it
	bounced                  // the sender got an error back, the observer nothing
	dropped                  // nobody got anything
)

func (o outcome) String() string { return [...]string{"delivered", "bounced", "dropped"}[o] }

// outcomes lists the outcome per sending role: owner, admin, occupant, outsider, blocked.
type outcomes [roleApp]outcome

type xmppCase struct {
	name string
	// stanza is the raw stanza the sender writes, with id as its id, addressed to the
	// observer (user) or the group's room.
	stanza func(e *authzEnv, w world, sender, observer role, id string) string
	want   outcomes
	// check, when set, inspects a delivered stanza.
	check func(e *authzEnv, w world, sender role, m *cube.MessageStanza) error
	// toResource, when set instead of stanza, writes a stanza for the observer's full
	// JID (an IQ: delivered means the observer got it, bounced an error IQ back).
	toResource func(fullJID, id string) string
}

func (e *authzEnv) userJID(r role) string {
	return cube.UserJID(e.users[r].ID, e.s.AppID(), e.s.Domain())
}

func (e *authzEnv) roomJID(w world) string {
	return cube.RoomJID(e.s.AppID(), w.group.ID, e.s.Domain())
}

func xmppCases() []xmppCase {
	toUser := func(typ, inner string) func(*authzEnv, world, role, role, string) string {
		return func(e *authzEnv, w world, _, observer role, id string) string {
			return fmt.Sprintf(`<message type='%s' to='%s' id='%s'>%s</message>`, typ, e.userJID(observer), id,
				strings.ReplaceAll(inner, "{msg}", w.message.ID))
		}
	}
	toRoom := func(inner string) func(*authzEnv, world, role, role, string) string {
		return func(e *authzEnv, w world, _, _ role, id string) string {
			return fmt.Sprintf(`<message type='groupchat' to='%s' id='%s'>%s</message>`, e.roomJID(w), id,
				strings.ReplaceAll(inner, "{msg}", w.message.ID))
		}
	}
	// The reaction claims to come from the admin; whatever arrives must name the sender.
	reaction := func(e *authzEnv, w world, id string) string {
		return `<reactions user_id='` + strconv.FormatInt(e.users[roleAdmin].ID, 10) + `' message_id='` + w.message.ID +
			`'><reaction add='true' type='👍'/></reactions>`
	}
	stampedReaction := func(e *authzEnv, _ world, sender role, m *cube.MessageStanza) error {
		if m.Reactions == nil || m.Reactions.UserID != strconv.FormatInt(e.users[sender].ID, 10) {
			return fmt.Errorf("reaction relayed as %+v, want user_id %d", m.Reactions, e.users[sender].ID)
		}
		return nil
	}
	const (
		D = delivered
		B = bounced
		X = dropped
	)
	// Columns: owner, admin, occupant, outsider, blocked (the owner blocks the blocked
	// user; the owner's own stanzas are observed by the occupant).
	return []xmppCase{
		{name: "chat message", stanza: toUser("chat", `<body>hello</body>`), want: outcomes{D, D, D, D, B}},
		{name: "chat message with a forged from", stanza: func(e *authzEnv, w world, s, o role, id string) string {
			return fmt.Sprintf(`<message type='chat' from='%s/x' to='%s' id='%s'><body>it is me</body></message>`,
				e.userJID(roleAdmin), e.userJID(o), id)
		}, want: outcomes{D, D, D, D, B}},
		{name: "groupchat message", stanza: toRoom(`<body>hello all</body>`), want: outcomes{D, D, D, B, X}},
		{name: "chat typing", stanza: toUser("chat", `<composing xmlns='http://jabber.org/protocol/chatstates'/>`),
			want: outcomes{D, D, D, D, X}},
		// A broadcast's owner and admin reach every online user (the observer reads it
		// without occupying it); readers may not post.
		{name: "groupchat message to the broadcast", stanza: func(e *authzEnv, w world, _, _ role, id string) string {
			return fmt.Sprintf(`<message type='groupchat' to='%s' id='%s'><body>news</body></message>`,
				cube.RoomJID(e.s.AppID(), w.broadcast.ID, e.s.Domain()), id)
		}, want: outcomes{D, D, B, B, B}},
		{name: "groupchat typing", stanza: toRoom(`<composing xmlns='http://jabber.org/protocol/chatstates'/>`),
			want: outcomes{D, D, D, B, X}},
		{name: "chat displayed marker of the group message", stanza: func(e *authzEnv, w world, s, o role, id string) string {
			return fmt.Sprintf(`<message type='chat' to='%s' id='%s'><displayed xmlns='urn:xmpp:chat-markers:0' id='%s'/>`+
				`<extraParams xmlns='jabber:client'><dialog_id>%s</dialog_id></extraParams></message>`, e.userJID(o), id, w.message.ID, w.group.ID)
		}, want: outcomes{X, D, D, X, X}}, // the owner's own message; outsiders; the blocked user is blocked
		{name: "chat received marker of the group message", stanza: toUser("chat", `<received xmlns='urn:xmpp:chat-markers:0' id='{msg}'/>`),
			want: outcomes{X, D, D, X, X}},
		{name: "groupchat displayed marker", stanza: toRoom(`<displayed xmlns='urn:xmpp:chat-markers:0' id='{msg}'/>`),
			want: outcomes{X, D, D, B, X}},
		{name: "chat reactions claiming the admin's user_id", stanza: func(e *authzEnv, w world, s, o role, id string) string {
			return fmt.Sprintf(`<message type='chat' to='%s' id='%s'>%s</message>`, e.userJID(o), id, reaction(e, w, id))
		}, want: outcomes{D, D, D, B, B}, check: stampedReaction},
		{name: "groupchat reactions claiming the admin's user_id", stanza: func(e *authzEnv, w world, s, o role, id string) string {
			return fmt.Sprintf(`<message type='groupchat' to='%s' id='%s'>%s</message>`, e.roomJID(w), id, reaction(e, w, id))
		}, want: outcomes{D, D, D, B, X}, check: stampedReaction},
		{name: "groupchat edit of the owner's message", stanza: toRoom(`<body>changed</body><replace xmlns='urn:xmpp:message-correct:0' id='{msg}'/>`),
			want: outcomes{D, B, B, B, B}},
		{name: "chat edit of the owner's group message", stanza: toUser("chat", `<body>changed</body><replace xmlns='urn:xmpp:message-correct:0' id='{msg}'/>`),
			want: outcomes{B, B, B, B, B}}, // a group message is edited in its room only
		{name: "groupchat delete of the owner's message", stanza: toRoom(`<remove xmlns='urn:xmpp:message-delete:0' id='{msg}'/>`),
			want: outcomes{D, D, B, B, B}},
		{name: "chat delete of the owner's group message", stanza: toUser("chat", `<remove xmlns='urn:xmpp:message-delete:0' id='{msg}'/>`),
			want: outcomes{B, B, B, B, B}},
		// IQs (RFC 6121 §8.5): to a resource they reach that client; to an account the
		// server answers; the owner's list refuses the blocked user's IQs either way.
		{name: "iq to the observer's resource", toResource: func(to, id string) string {
			return `<iq type='get' to='` + to + `' id='` + id + `'><query xmlns='http://jabber.org/protocol/disco#info'/></iq>`
		}, want: outcomes{D, D, D, D, B}},
		{name: "iq to the observer's account", toResource: func(to, id string) string {
			return `<iq type='get' to='` + cube.BareJID(to) + `' id='` + id + `'><ping xmlns='urn:xmpp:ping'/></iq>`
		}, want: outcomes{X, X, X, X, B}},
		{name: "headline system message", stanza: toUser("headline",
			`<extraParams xmlns='jabber:client'><moduleIdentifier>SystemNotifications</moduleIdentifier></extraParams>`),
			want: outcomes{D, D, D, D, B}},
	}
}

// TestAuthorizationMatrixXMPP runs every stanza kind from every signed-in role and
// checks that the roles without a valid credential cannot sign in at all.
func TestAuthorizationMatrixXMPP(t *testing.T) {
	e := newAuthzEnv(t)
	conns := map[role]*xclient{}
	for r := roleOwner; r <= roleBlocked; r++ {
		conns[r] = e.xmppLogin(r)
	}
	bystander := e.xmppAuth(e.helper.ID, password(e.helper.Login)).bind()
	cases, refused, allowed, n := 0, 0, 0, 0
	for _, c := range xmppCases() {
		for sender := roleOwner; sender <= roleBlocked; sender++ {
			observer := roleOwner
			if sender == roleOwner {
				observer = roleOccupant
			}
			w := e.newWorld()
			n++
			id := fmt.Sprintf("case%d", n)
			if c.toResource != nil {
				conns[sender].write(c.toResource(conns[observer].jid, id))
			} else {
				conns[sender].write(c.stanza(e, w, sender, observer, id))
			}
			var got outcome = dropped
			var bounce *cube.MessageStanza
			for _, v := range conns[sender].pingRoundTrip("ping" + id) {
				if m, ok := v.(*cube.MessageStanza); ok && m.ID == id && m.Type == cube.ErrorType {
					got, bounce = bounced, m
				}
				if iq, ok := v.(xiq); ok && iq.ID == id && iq.Type == "error" {
					got, bounce = bounced, &cube.MessageStanza{}
				}
			}
			barrier := "barrier" + id
			bystander.write(fmt.Sprintf(`<message type='chat' to='%s' id='%s'><body>.</body></message>`, e.userJID(observer), barrier))
			for _, v := range conns[observer].until("the barrier", func(v any) bool {
				m, ok := v.(*cube.MessageStanza)
				return ok && m.ID == barrier
			}) {
				if iq, ok := v.(xiq); ok && iq.ID == id && iq.Type == "get" {
					if got == bounced {
						t.Errorf("%s from %s: both bounced and delivered", c.name, sender)
					}
					got = delivered
					if iq.From != conns[sender].jid {
						t.Errorf("%s from %s: delivered from %q, want %q", c.name, sender, iq.From, conns[sender].jid)
					}
				}
				m, ok := v.(*cube.MessageStanza)
				if !ok || m.ID != id || m.Type == cube.ErrorType {
					continue
				}
				if got == bounced {
					t.Errorf("%s from %s: both bounced (%+v) and delivered", c.name, sender, bounce.Error)
				}
				got = delivered
				if err := senderIs(e, w, sender, m); err != nil {
					t.Errorf("%s from %s: %v", c.name, sender, err)
				}
				if c.check != nil {
					if err := c.check(e, w, sender, m); err != nil {
						t.Errorf("%s from %s: %v", c.name, sender, err)
					}
				}
			}
			cases++
			if want := c.want[sender]; got != want {
				t.Errorf("%s from %s to %s: %s, want %s", c.name, sender, observer, got, want)
			}
			if c.want[sender] == delivered {
				allowed++
			} else {
				refused++
			}
		}
	}
	// Without a valid credential there is no stream to send anything on.
	for _, r := range []role{roleApp, roleExpired, roleForged, roleNone} {
		cases++
		refused++
		if c := e.xmppAuth(e.users[roleOwner].ID, e.token(r)); c != nil {
			_ = c.conn.Close()
			t.Errorf("XMPP sign-in with the %s credential succeeded", r)
		}
	}
	t.Logf("XMPP authorization matrix: %d cases (%d stanza kinds × 5 senders + 4 sign-ins), %d must not be delivered, %d delivered",
		cases, len(xmppCases()), refused, allowed)
}

// senderIs checks that a delivered stanza names its real sender: the user's JID 1-1,
// the user's occupant JID in a room.
func senderIs(e *authzEnv, w world, sender role, m *cube.MessageStanza) error {
	if m.Type == cube.GroupChatType {
		room := e.roomJID(w)
		if cube.BareJID(m.From) == cube.RoomJID(e.s.AppID(), w.broadcast.ID, e.s.Domain()) {
			room = cube.BareJID(m.From)
		}
		if want := room + "/" + strconv.FormatInt(e.users[sender].ID, 10); m.From != want {
			return fmt.Errorf("from %q, want %q", m.From, want)
		}
		return nil
	}
	if got := cube.BareJID(m.From); got != e.userJID(sender) {
		return fmt.Errorf("from %q, want %s's JID", m.From, sender)
	}
	return nil
}
