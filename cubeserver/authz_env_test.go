package cubeserver

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"github.com/cubechat/cubechat/cubeserver/throttle"
	"io"
	"mime/multipart"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cubechat/cubechat/cube"
	"github.com/cubechat/cubechat/cubeserver/blobfs"
	"github.com/cubechat/cubechat/cubeserver/store"
)

// The fixture of the authorization matrix (authz_matrix_test.go, authz_xmpp_test.go):
// a real cubeserver on loopback ports, the users who play each role, and a fresh
// "world" (dialogs, a message with a private file) for every case, so a case that
// deletes something cannot change the next one's answer.

// role is who makes a request.
type role int

const (
	roleOwner    role = iota // owner of the group, sender of its message, owner of the file
	roleAdmin                // admin of the group
	roleOccupant             // plain occupant of the group
	roleOutsider             // a signed-in user in none of the world's dialogs
	roleBlocked              // an occupant of the group whom the owner blocks (privacy list)
	roleApp                  // an application session with no user
	roleExpired              // the owner's session after it expired
	roleForged               // a well-formed token the server never issued
	roleNone                 // no token at all
	roleCount
)

var roleNames = [roleCount]string{"owner", "admin", "occupant", "outsider", "blocked", "app-only", "expired", "forged", "no-token"}

func (r role) String() string { return roleNames[r] }

// isUser tells whether the role signs in as a user.
func (r role) isUser() bool { return r <= roleBlocked }

const adminKey = "matrix-admin-key"

type authzEnv struct {
	t      *testing.T
	ctx    context.Context
	s      *Server
	http   *http.Client
	db     *sql.DB // a second handle on the server's database, to expire sessions
	users  map[role]cube.User
	helper cube.User // a bystander: added to dialogs, used as the XMPP barrier
	files  *blobfs.FS
	seq    int
}

func newAuthzEnv(t *testing.T) *authzEnv {
	t.Helper()
	dir := t.TempDir()
	s, err := Start(context.Background(), Config{DataDir: dir, XMPPAddr: "127.0.0.1:0", XMPPTLSAddr: "127.0.0.1:0", AdminKey: adminKey,
		// The matrix fails the same sign-in once per role on purpose; throttling has its
		// own test (throttle_test.go), so here it must not turn 401 into 429.
		LoginGuard: throttle.New(throttle.Limits{Burst: 1000, Drain: time.Second}, throttle.Limits{Burst: 1000, Drain: time.Second}, nil)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(s.CertPEM())
	e := &authzEnv{t: t, ctx: context.Background(), s: s, users: map[role]cube.User{},
		http: &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}},
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
	t.Cleanup(e.http.CloseIdleConnections)
	if e.db, err = sql.Open("sqlite", filepath.Join(dir, "cubeserver.db")); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = e.db.Close() })
	if e.files, err = blobfs.Open(filepath.Join(dir, "blobs")); err != nil {
		t.Fatal(err)
	}
	for r := roleOwner; r <= roleBlocked; r++ {
		e.users[r] = e.newUser(r.String())
	}
	e.helper = e.newUser("bystander")
	// The owner blocks the blocked user one way (the SDK's "block" without mutual):
	// both the user's JID and their occupant JID in any room, for every stanza kind.
	owner, blocked := e.users[roleOwner].ID, e.users[roleBlocked].ID
	jid := cube.UserJID(blocked, s.AppID(), s.Domain())
	kinds := []string{"message", "presence-in", "presence-out", "iq"}
	items := []cube.PrivacyItem{
		{Type: "jid", Value: jid, Action: "deny", Order: 1, Kinds: kinds},
		{Type: "jid", Value: "muc." + s.Domain() + "/" + itoa(blocked), Action: "deny", Order: 2, Kinds: kinds},
	}
	if err := s.Store().SetPrivacyList(e.ctx, owner, "blocklist", items); err != nil {
		t.Fatal(err)
	}
	if err := s.Store().SetDefaultPrivacyList(e.ctx, owner, "blocklist"); err != nil {
		t.Fatal(err)
	}
	return e
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func (e *authzEnv) newUser(login string) cube.User {
	e.t.Helper()
	u, err := e.s.Store().CreateUser(e.ctx, cube.User{Login: login, FullName: strings.ToUpper(login)}, password(login))
	if err != nil {
		e.t.Fatal(err)
	}
	return u
}

func password(login string) string { return login + "-secret-pw" }

// token is a fresh credential for the role ("" for roleNone).
func (e *authzEnv) token(r role) string {
	e.t.Helper()
	switch r {
	case roleNone:
		return ""
	case roleForged:
		b := make([]byte, 20)
		_, _ = rand.Read(b)
		return hex.EncodeToString(b)
	}
	n := store.NewSession{AppID: e.s.AppID()}
	if r.isUser() {
		n.UserID = e.users[r].ID
	}
	if r == roleExpired {
		n.UserID = e.users[roleOwner].ID
	}
	sess, err := e.s.Store().CreateSession(e.ctx, n)
	if err != nil {
		e.t.Fatal(err)
	}
	if r == roleExpired {
		if _, err := e.db.ExecContext(e.ctx, `UPDATE sessions SET expires_at = 1 WHERE id = ?`, sess.ID); err != nil {
			e.t.Fatal(err)
		}
	}
	return sess.Token
}

// sessionOf is a fresh session token of user id.
func (e *authzEnv) sessionOf(id int64) string {
	e.t.Helper()
	sess, err := e.s.Store().CreateSession(e.ctx, store.NewSession{AppID: e.s.AppID(), UserID: id})
	if err != nil {
		e.t.Fatal(err)
	}
	return sess.Token
}

// world is what one case acts on.
type world struct {
	group      *cube.Dialog // owner, admin (admin), occupant, blocked
	public     *cube.Dialog // owner's public dialog
	privateOB  *cube.Dialog // owner and blocked (from before the block)
	broadcast  *cube.Dialog // owner's broadcast dialog: admin is its admin without occupying it; everyone else reads
	message    cube.Message // the owner's message in group, carrying blob
	blob       store.Blob   // the owner's private, complete file
	publicBlob store.Blob
	word       string    // a word only message holds, for search
	self       cube.User // with restCase.asSelf: the fresh user whose token the user roles carry
	bystander  int64     // the helper's id: a user in none of the roles
}

func (e *authzEnv) newWorld() world {
	e.t.Helper()
	st, ctx := e.s.Store(), e.ctx
	u := func(r role) int64 { return e.users[r].ID }
	e.seq++
	var w world
	w.bystander = e.helper.ID
	w.word = "needle" + hex.EncodeToString([]byte{byte(e.seq >> 8), byte(e.seq)})
	var err error
	id := cube.NewObjectID()
	w.group, _, err = st.CreateDialog(ctx, store.NewDialog{ID: id, Type: cube.DialogGroup, OwnerID: u(roleOwner), Name: "team",
		RoomJID: cube.RoomJID(e.s.AppID(), id, e.s.Domain()), OccupantIDs: []int64{u(roleAdmin), u(roleOccupant), u(roleBlocked)},
		AdminIDs: []int64{u(roleAdmin)}})
	if err != nil {
		e.t.Fatal(err)
	}
	id = cube.NewObjectID()
	w.public, _, err = st.CreateDialog(ctx, store.NewDialog{ID: id, Type: cube.DialogPublic, OwnerID: u(roleOwner), Name: "lobby",
		RoomJID: cube.RoomJID(e.s.AppID(), id, e.s.Domain())})
	if err != nil {
		e.t.Fatal(err)
	}
	id = cube.NewObjectID()
	w.broadcast, _, err = st.CreateDialog(ctx, store.NewDialog{ID: id, Type: cube.DialogBroadcast, OwnerID: u(roleOwner), Name: "news",
		RoomJID: cube.RoomJID(e.s.AppID(), id, e.s.Domain())})
	if err == nil {
		w.broadcast, err = st.UpdateDialog(ctx, id, u(roleOwner), store.DialogChanges{PushAdmins: []int64{u(roleAdmin)}})
	}
	if err != nil {
		e.t.Fatal(err)
	}
	w.privateOB, _, err = st.CreateDialog(ctx, store.NewDialog{Type: cube.DialogPrivate, OwnerID: u(roleOwner), OccupantIDs: []int64{u(roleBlocked)}})
	if err != nil {
		e.t.Fatal(err)
	}
	w.blob = e.newBlob(false)
	w.publicBlob = e.newBlob(true)
	w.message = e.post(w.group, roleOwner, "the plan "+w.word, cube.Attachment{Type: "file", UID: w.blob.UID, ID: itoa(w.blob.ID)})
	return w
}

// post stores a message of the role's user in d, as the chat server would.
func (e *authzEnv) post(d *cube.Dialog, from role, text string, atts ...cube.Attachment) cube.Message {
	e.t.Helper()
	m := cube.Message{ID: cube.NewObjectID(), ChatDialogID: d.ID, SenderID: e.users[from].ID, Message: text,
		DateSent: 1_700_000_000 + int64(e.seq), Attachments: atts}
	if _, err := e.s.Store().StoreChatMessage(e.ctx, m); err != nil {
		e.t.Fatal(err)
	}
	return m
}

// newBlob stores a complete file of the owner's, as an upload would.
func (e *authzEnv) newBlob(public bool) store.Blob {
	e.t.Helper()
	st, content := e.s.Store(), []byte("quarterly numbers")
	b, err := st.CreateBlob(e.ctx, store.NewBlob{UID: blobfs.NewUID(), OwnerID: e.users[roleOwner].ID, Name: "q.txt",
		ContentType: "text/plain", Public: public})
	if err != nil {
		e.t.Fatal(err)
	}
	staged, err := e.files.Stage(bytes.NewReader(content), 1<<20)
	if err != nil {
		e.t.Fatal(err)
	}
	if err := staged.Commit(b.UID); err != nil {
		e.t.Fatal(err)
	}
	if err := st.SetBlobUploaded(e.ctx, b.ID, int64(len(content)), "etag"); err != nil {
		e.t.Fatal(err)
	}
	if b, err = st.CompleteBlob(e.ctx, b.ID, e.users[roleOwner].ID, int64(len(content))); err != nil {
		e.t.Fatal(err)
	}
	return b
}

// do sends one REST request with the token (in CB-Token) and returns status and body.
func (e *authzEnv) do(method, path, token string, headers map[string]string, body any) (int, []byte) {
	e.t.Helper()
	var rd io.Reader
	if raw, ok := body.(rawBody); ok {
		rd = bytes.NewReader(raw)
	} else if body != nil {
		raw, err := json.Marshal(body)
		if err != nil {
			e.t.Fatal(err)
		}
		rd = bytes.NewReader(raw)
	}
	req, err := http.NewRequest(method, e.s.HTTPURL()+path, rd)
	if err != nil {
		e.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("CB-Token", token)
	}
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	res, err := e.http.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer res.Body.Close()
	out, err := io.ReadAll(res.Body)
	if err != nil {
		e.t.Fatal(err)
	}
	return res.StatusCode, out
}

// postForm sends a multipart form with a small file, as the presigned upload does.
func (e *authzEnv) postForm(path, token string, fields map[string]string) (int, []byte) {
	e.t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for k, v := range fields {
		_ = mw.WriteField(k, v)
	}
	fw, err := mw.CreateFormFile("file", "evil.txt")
	if err != nil {
		e.t.Fatal(err)
	}
	_, _ = fw.Write([]byte("replaced"))
	_ = mw.Close()
	return e.do("POST", path, token, map[string]string{"Content-Type": mw.FormDataContentType()}, rawBody(buf.Bytes()))
}

// rawBody is a request body sent as it is.
type rawBody []byte
