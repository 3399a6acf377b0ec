package store

import (
	"context"
	"crypto/pbkdf2"
	"crypto/sha256"
	"errors"
	"path/filepath"
	"strings"
	"testing"
)

// The default policy is the one a server gets without asking, and it meets OWASP's
// minimums (argon2id m=19 MiB t=2 p=1; PBKDF2-SHA1 1.3M, PBKDF2-SHA256 600k).
func TestDefaultPasswordPolicyIsSecure(t *testing.T) {
	p := DefaultPasswordPolicy()
	if p.Argon2MemoryKiB < 19*1024 || p.Argon2Time < 2 || p.Argon2Threads < 1 ||
		p.SCRAMSHA1Iter < 1_300_000 || p.SCRAMSHA256Iter < 600_000 {
		t.Fatalf("default policy below guidance: %+v", p)
	}
	s, err := Open(filepath.Join(t.TempDir(), "state.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if s.passwords != p {
		t.Fatalf("a new store uses %+v, want the default %+v", s.passwords, p)
	}
	// The hash a sign-up would store carries the default parameters. (SCRAM keys are not
	// derived here: 1.9M PBKDF2 rounds take minutes under the race detector.)
	phc, err := s.passwords.hashPassword("lovelace")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(phc, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Fatalf("stored hash %q does not use the default parameters", phc)
	}
	if ok, rehash := (storedPassword{phc: phc}).verify("lovelace", p); !ok || rehash {
		t.Fatalf("default hash: verify = %v, rehash = %v", ok, rehash)
	}
	if s.passwords.scramIter(SCRAMSHA1) != 1_300_000 || s.passwords.scramIter(SCRAMSHA256) != 600_000 {
		t.Fatalf("SCRAM rounds %d/%d", s.passwords.scramIter(SCRAMSHA1), s.passwords.scramIter(SCRAMSHA256))
	}
	if err := s.SetPasswordPolicy(PasswordPolicy{Argon2Time: 1, Argon2MemoryKiB: 4, Argon2Threads: 1, SCRAMSHA1Iter: 4096, SCRAMSHA256Iter: 4096}); err == nil {
		t.Fatal("a policy argon2 cannot run was accepted")
	}
	if err := s.SetPasswordPolicy(PasswordPolicy{Argon2Time: 1, Argon2MemoryKiB: 64, Argon2Threads: 1, SCRAMSHA1Iter: 1000, SCRAMSHA256Iter: 4096}); err == nil {
		t.Fatal("SCRAM below RFC 7677's 4096 rounds was accepted")
	}
}

// legacyPBKDF2 turns a user's row back into what the store wrote before argon2id:
// PBKDF2-SHA256 at 10,000 rounds and no SCRAM keys.
func legacyPBKDF2(t *testing.T, s *Store, id int64, password string) {
	t.Helper()
	salt := []byte("0123456789abcdef")
	key, err := pbkdf2.Key(sha256.New, password, salt, 10_000, 32)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.db.Exec(`UPDATE users SET password_phc = NULL, password_hash = ?, password_salt = ?,
		password_iter = 10000 WHERE id = ?`, key, salt, id); err != nil {
		t.Fatal(err)
	}
	if _, err := s.db.Exec(`DELETE FROM user_scram WHERE user_id = ?`, id); err != nil {
		t.Fatal(err)
	}
}

// An old PBKDF2 hash still signs in, and that sign-in replaces it with argon2id (the old
// columns cleared) and derives the SCRAM keys; a wrong password changes nothing. Both
// sign-in paths (REST's Authenticate, XMPP's CheckChatPassword) upgrade.
func TestLegacyHashUpgradedOnLogin(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	type row struct {
		phc   *string
		iter  int
		scram int
	}
	read := func(id int64) row {
		var r row
		if err := s.db.QueryRow(`SELECT password_phc, password_iter, (SELECT COUNT(*) FROM user_scram WHERE user_id = users.id)
			FROM users WHERE id = ?`, id).Scan(&r.phc, &r.iter, &r.scram); err != nil {
			t.Fatal(err)
		}
		return r
	}
	login := map[string]func(id int64, login, pw string) bool{
		"Authenticate": func(_ int64, login, pw string) bool {
			_, err := s.Authenticate(ctx, login, "", pw)
			if err != nil && !errors.Is(err, ErrNotFound) {
				t.Fatal(err)
			}
			return err == nil
		},
		"CheckChatPassword": func(id int64, _, pw string) bool {
			ok, err := s.CheckChatPassword(ctx, id, pw)
			if err != nil {
				t.Fatal(err)
			}
			return ok
		},
	}
	for name, signIn := range login {
		t.Run(name, func(t *testing.T) {
			u := mustUser(t, s, "old-"+strings.ToLower(name))
			pw := u.Login + "-pw"
			legacyPBKDF2(t, s, u.ID, pw)
			if signIn(u.ID, u.Login, "wrong") {
				t.Fatal("wrong password accepted")
			}
			if r := read(u.ID); r.phc != nil || r.iter != 10_000 || r.scram != 0 {
				t.Fatalf("a failed sign-in changed the row: %+v", r)
			}
			if _, _, _, _, err := s.SCRAMCredential(ctx, u.ID, SCRAMSHA1); !errors.Is(err, ErrNotFound) {
				t.Fatalf("legacy user has SCRAM keys: %v", err)
			}
			if !signIn(u.ID, u.Login, pw) {
				t.Fatal("legacy password refused")
			}
			r := read(u.ID)
			if r.phc == nil || !strings.HasPrefix(*r.phc, "$argon2id$") || r.iter != 0 || r.scram != 2 {
				t.Fatalf("not upgraded: %+v", r)
			}
			if !signIn(u.ID, u.Login, pw) || signIn(u.ID, u.Login, "wrong") {
				t.Fatal("the upgraded hash does not check the same password")
			}
		})
	}
}

// A hash made with cheaper parameters than the current policy is re-hashed at sign-in.
func TestHashRehashedWhenPolicyRises(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	u := mustUser(t, s, "ada")
	p := CheapPasswordPolicy()
	p.Argon2Time = 3
	if err := s.SetPasswordPolicy(p); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Authenticate(ctx, "ada", "", "ada-pw"); err != nil {
		t.Fatal(err)
	}
	var phc string
	if err := s.db.QueryRow(`SELECT password_phc FROM users WHERE id = ?`, u.ID).Scan(&phc); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(phc, ",t=3,") {
		t.Fatalf("hash %q not re-hashed with t=3", phc)
	}
}
