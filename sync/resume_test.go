package sync

import (
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/cubechat/cubechat/cache"
	"github.com/cubechat/cubechat/cube"
	"github.com/cubechat/cubechat/internal/testwait"
)

func TestLoginSavesTokenAndResumeChatsWithoutPassword(t *testing.T) {
	h := newHarness(t)
	ann, bob := h.user("ann"), h.user("bob")
	tokens := &memTokens{}
	a, b := h.newPeerWithTokens(ann, tokens), h.newPeer(bob)
	token := mustToken(t, h, tokens, ann)
	if sess, err := h.sessionOf(token); err != nil || sess.UserID != ann.ID {
		t.Fatalf("the saved token is not ann's session: %+v, %v", sess, err)
	}
	a.waitSynced()
	b.waitSynced()
	dialog, err := a.e.CreateDialog(h.ctx, cube.DialogPrivate, "", []int64{bob.ID})
	if err != nil {
		t.Fatal(err)
	}

	// The next start: no password anywhere, only the saved token.
	if err := a.resume(tokens); err != nil {
		t.Fatalf("Resume: %v", err)
	}
	if _, secret := a.e.credentials(); secret != token || a.e.password != "" {
		t.Fatal("a resumed engine must log the chat in with the token, holding no password")
	}
	if a.e.Me() != ann.ID {
		t.Fatalf("Me = %d, want %d", a.e.Me(), ann.ID)
	}
	a.e.Start(h.ctx)
	a.waitSynced() // the chat accepted the token as the password
	pr := &pair{h: h, a: a, b: b, dialog: dialog}
	pr.exchange(a, b, "sent on a resumed session")
	pr.exchange(b, a, "and received on it")
}

func TestNothingToResume(t *testing.T) {
	h := newHarness(t)
	ann := h.user("ann")
	withAccount := h.newPeer(ann) // logged in without a token store: nothing saved
	withAccount.waitSynced()
	withAccount.e.Stop()
	cases := []struct {
		name   string
		db     *cache.DB
		tokens TokenStore
	}{
		{"empty cache", emptyCache(t), &memTokens{}},
		{"no token store", withAccount.db, nil},
		{"no token saved", withAccount.db, &memTokens{}},
		{"the store is not available", withAccount.db, &memTokens{failSave: true}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := New(c.db, h.profile(), nil)
			e.UseTokenStore(c.tokens)
			if err := e.Resume(h.ctx); !errors.Is(err, ErrNoSavedSession) {
				t.Fatalf("Resume = %v, want ErrNoSavedSession", err)
			}
		})
	}
}

func TestLoginWorksWithoutAWorkingTokenStore(t *testing.T) {
	h := newHarness(t)
	ann := h.user("ann")
	tokens := &memTokens{failSave: true}
	a := h.newPeerWithTokens(ann, tokens) // fails the test if Login fails
	a.waitSynced()
	if err := a.resume(tokens); !errors.Is(err, ErrNoSavedSession) {
		t.Fatalf("Resume after a login whose token could not be saved: %v, want ErrNoSavedSession", err)
	}
}

func TestResumeWithRevokedTokenIsErrAuthAndForgetsIt(t *testing.T) {
	h := newHarness(t)
	ann := h.user("ann")
	tokens := &memTokens{}
	a := h.newPeerWithTokens(ann, tokens)
	a.waitSynced()
	h.revoke(mustToken(t, h, tokens, ann)) // signed out on another device

	if err := a.resume(tokens); !errors.Is(err, ErrAuth) {
		t.Fatalf("Resume with a revoked token: %v, want ErrAuth", err)
	}
	if got := tokens.get(h.tokenKey(ann)); got != "" {
		t.Fatal("the dead token is still saved")
	}
	if err := a.e.Resume(h.ctx); !errors.Is(err, ErrNoSavedSession) {
		t.Fatalf("second Resume: %v, want ErrNoSavedSession", err)
	}
	// Signing in with the password on the same engine works and saves a new token.
	if err := a.e.Login(h.ctx, ann.Login, ann.password); err != nil {
		t.Fatal(err)
	}
	mustToken(t, h, tokens, ann)
}

func TestResumeOfflineThenReadyWhenTheServerIsBack(t *testing.T) {
	h := newRestartableHarness(t)
	ctx := h.ctx
	ann := h.user("ann")
	tokens := &memTokens{}
	a := h.newPeerWithTokens(ann, tokens)
	a.waitSynced()
	a.close()
	h.stopServer()

	if err := a.resume(tokens); !errors.Is(err, ErrOffline) {
		t.Fatalf("Resume with the server down: %v, want ErrOffline", err)
	}
	if a.e.Me() != ann.ID {
		t.Fatalf("offline Me = %d, want the cached %d", a.e.Me(), ann.ID)
	}
	statuses, unsubscribe := a.e.SubscribeStatus()
	defer unsubscribe()
	a.e.Start(ctx)
	waitStatus(t, statuses, func(s Status) bool { return s.State == StateOffline && s.Err != nil })

	h.startServer() // the same data: the session survived
	a.waitSynced()
	if a.e.Status().NeedsSignIn {
		t.Fatal("a valid saved session must not ask to sign in again")
	}
}

func TestResumedSessionThatExpiresAsksToSignInAgain(t *testing.T) {
	h := newHarness(t)
	ann := h.user("ann")
	tokens := &memTokens{}
	a := h.newPeerWithTokens(ann, tokens)
	a.waitSynced()
	if err := a.resume(tokens); err != nil {
		t.Fatal(err)
	}
	statuses, unsubscribe := a.e.SubscribeStatus()
	defer unsubscribe()
	a.e.Start(h.ctx)
	a.waitSynced()
	old := mustToken(t, h, tokens, ann)
	h.revoke(old)

	// The next REST call meets "Required session does not exist" and there is no
	// password to renew with.
	if _, err := a.e.FindUsers(h.ctx, "somebody"); err == nil {
		t.Fatal("a REST call on an expired resumed session succeeded")
	}
	waitStatus(t, statuses, func(s Status) bool { return s.NeedsSignIn && errors.Is(s.Err, ErrAuth) })
	// The chat goes too: nothing looks online while the session is gone. (The status
	// that asked to sign in may already have said so: ask for the current one.)
	testwait.For(t, "the chat to go offline", waitLimit, func() bool {
		s := a.e.Status()
		return s.NeedsSignIn && s.State == StateOffline
	})
	if tokens.get(h.tokenKey(ann)) != "" {
		t.Fatal("the expired token is still saved")
	}
	if _, err := a.e.FindUsers(h.ctx, "somebody"); !errors.Is(err, ErrAuth) && !cube.IsStatus(err, http.StatusUnauthorized) {
		t.Fatalf("REST while signed out: %v", err)
	}

	// "Sign in again" on the running engine.
	if err := a.e.Login(h.ctx, ann.Login, ann.password); err != nil {
		t.Fatal(err)
	}
	waitStatus(t, statuses, func(s Status) bool { return !s.NeedsSignIn })
	if fresh := mustToken(t, h, tokens, ann); fresh == old {
		t.Fatal("the new sign-in saved the old token")
	}
	if _, err := a.e.FindUsers(h.ctx, "somebody"); err != nil {
		t.Fatalf("REST after signing in again: %v", err)
	}
	a.waitSynced()
}

func TestRevokedWhileOfflineWaitsForSignIn(t *testing.T) {
	h := newRestartableHarness(t)
	ctx := h.ctx
	ann := h.user("ann")
	tokens := &memTokens{}
	a := h.newPeerWithTokens(ann, tokens)
	a.waitSynced()
	a.close()
	h.revoke(mustToken(t, h, tokens, ann)) // ended on another device while this app was closed
	h.stopServer()
	if err := a.resume(tokens); !errors.Is(err, ErrOffline) {
		t.Fatalf("Resume with the server down: %v, want ErrOffline", err)
	}
	statuses, unsubscribe := a.e.SubscribeStatus()
	defer unsubscribe()
	a.e.Start(ctx)

	h.startServer()
	waitStatus(t, statuses, func(s Status) bool { return s.NeedsSignIn })
	if tokens.get(h.tokenKey(ann)) != "" {
		t.Fatal("the dead token is still saved")
	}
	// The supervisor waits for the password: no chat login happens meanwhile.
	time.Sleep(1500 * time.Millisecond)
	if s := a.e.Status(); s.State != StateOffline || !s.NeedsSignIn {
		t.Fatalf("status while waiting for sign-in: %+v", s)
	}
	if err := a.e.Login(ctx, ann.Login, ann.password); err != nil {
		t.Fatal(err)
	}
	a.waitSynced()
}

func TestSignOutForgetsTokenAndAccountButKeepsMessages(t *testing.T) {
	h := newHarness(t)
	ann, bob := h.user("ann"), h.user("bob")
	tokens := &memTokens{}
	a, b := h.newPeerWithTokens(ann, tokens), h.newPeer(bob)
	a.waitSynced()
	b.waitSynced()
	dialog, err := a.e.CreateDialog(h.ctx, cube.DialogPrivate, "", []int64{bob.ID})
	if err != nil {
		t.Fatal(err)
	}
	pr := &pair{h: h, a: a, b: b, dialog: dialog}
	id := pr.exchange(a, b, "before signing out")
	token := mustToken(t, h, tokens, ann)

	if err := a.e.SignOut(h.ctx); err != nil {
		t.Fatalf("SignOut: %v", err)
	}
	if tokens.get(h.tokenKey(ann)) != "" {
		t.Fatal("the token is still saved after SignOut")
	}
	if acc, err := a.db.Account(h.ctx); acc != nil || err != nil {
		t.Fatalf("the account is still cached: %+v, %v", acc, err)
	}
	if _, err := h.sessionOf(token); !cube.IsStatus(err, http.StatusUnauthorized) {
		t.Fatalf("the server session outlived SignOut: %v", err)
	}
	if s := a.e.Status(); s.State != StateOffline {
		t.Fatalf("status after SignOut: %+v", s)
	}
	if _, err := a.db.Message(h.ctx, id); err != nil {
		t.Fatalf("SignOut wiped the cached messages: %v", err)
	}
	if err := a.resume(tokens); !errors.Is(err, ErrNoSavedSession) {
		t.Fatalf("Resume after SignOut: %v, want ErrNoSavedSession", err)
	}
}

func TestPasswordSessionRenewsAndSavesTheNewToken(t *testing.T) {
	h := newHarness(t)
	ann := h.user("ann")
	tokens := &memTokens{}
	a := h.newPeerWithTokens(ann, tokens)
	a.waitSynced()
	old := mustToken(t, h, tokens, ann)
	h.revoke(old)
	if _, err := a.e.FindUsers(h.ctx, "somebody"); err != nil {
		t.Fatalf("REST after the session expired, with the password in memory: %v", err)
	}
	fresh := mustToken(t, h, tokens, ann)
	if fresh == old {
		t.Fatal("the renewed session's token was not saved")
	}
	if sess, err := h.sessionOf(fresh); err != nil || sess.UserID != ann.ID {
		t.Fatalf("the saved token: %+v, %v", sess, err)
	}
	if a.e.Status().NeedsSignIn {
		t.Fatal("a renewable session asked to sign in again")
	}
}
