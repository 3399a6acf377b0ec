package store

import (
	"context"
	"crypto/hmac"
	"crypto/pbkdf2"
	"crypto/rand"
	"crypto/sha1"
	"crypto/sha256"
	"database/sql"
	"errors"
	"fmt"
	"hash"
)

// SCRAM mechanisms whose keys are stored (RFC 5802, RFC 7677).
const (
	SCRAMSHA1   = "SCRAM-SHA-1"
	SCRAMSHA256 = "SCRAM-SHA-256"
)

// scramHashes maps each mechanism to its hash.
var scramHashes = map[string]func() hash.Hash{SCRAMSHA1: sha1.New, SCRAMSHA256: sha256.New}

// scramCred is one mechanism's stored keys: the server never keeps the salted password
// itself, only StoredKey = H(HMAC(SaltedPassword, "Client Key")) to check a client's proof
// and ServerKey = HMAC(SaltedPassword, "Server Key") to prove itself (RFC 5802 §3).
type scramCred struct {
	mechanism         string
	salt              []byte
	iterations        int
	storedKey, server []byte
}

func (p PasswordPolicy) scramIter(mechanism string) int {
	if mechanism == SCRAMSHA1 {
		return p.SCRAMSHA1Iter
	}
	return p.SCRAMSHA256Iter
}

// scramCreds derives the keys of every mechanism from password, each with a fresh salt.
func (p PasswordPolicy) scramCreds(password string, mechanisms ...string) ([]scramCred, error) {
	var out []scramCred
	for _, mech := range mechanisms {
		salt := make([]byte, 16)
		if _, err := rand.Read(salt); err != nil {
			return nil, err
		}
		c := scramCred{mechanism: mech, salt: salt, iterations: p.scramIter(mech)}
		var err error
		if c.storedKey, c.server, err = DeriveSCRAMKeys(scramHashes[mech], password, salt, c.iterations); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, nil
}

// DeriveSCRAMKeys computes StoredKey and ServerKey of RFC 5802 §3. The password is used as
// its UTF-8 bytes (no SASLprep), the same bytes PLAIN and REST sign-ins check.
func DeriveSCRAMKeys(h func() hash.Hash, password string, salt []byte, iterations int) (storedKey, serverKey []byte, err error) {
	salted := withHashSlot(func() []byte {
		k, err := pbkdf2.Key(h, password, salt, iterations, h().Size())
		if err != nil {
			return nil
		}
		return k
	})
	if salted == nil {
		return nil, nil, errors.New("store: PBKDF2 refused the SCRAM parameters")
	}
	clientKey := hmacOf(h, salted, "Client Key")
	sum := h()
	sum.Write(clientKey)
	return sum.Sum(nil), hmacOf(h, salted, "Server Key"), nil
}

func hmacOf(h func() hash.Hash, key []byte, msg string) []byte {
	m := hmac.New(h, key)
	m.Write([]byte(msg))
	return m.Sum(nil)
}

// insertSCRAM stores (or replaces) the keys in creds for userID.
func insertSCRAM(ctx context.Context, tx *writeTx, userID int64, creds []scramCred) error {
	for _, c := range creds {
		_, err := tx.ExecContext(ctx, `INSERT OR REPLACE INTO user_scram
			(user_id, mechanism, salt, iterations, stored_key, server_key) VALUES (?,?,?,?,?,?)`,
			userID, c.mechanism, c.salt, c.iterations, c.storedKey, c.server)
		if err != nil {
			return err
		}
	}
	return nil
}

// SCRAMCredential returns userID's stored keys for mechanism (SCRAMSHA1 or SCRAMSHA256).
// It is ErrNotFound for an unknown user and for one whose keys do not exist yet (a user
// from before SCRAM, until the next password sign-in derives them).
func (s *Store) SCRAMCredential(ctx context.Context, userID int64, mechanism string) (salt []byte, iterations int, storedKey, serverKey []byte, err error) {
	err = s.db.QueryRowContext(ctx, `SELECT salt, iterations, stored_key, server_key FROM user_scram
		WHERE user_id = ? AND mechanism = ?`, userID, mechanism).Scan(&salt, &iterations, &storedKey, &serverKey)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, 0, nil, nil, fmt.Errorf("%w: no %s keys for user %d", ErrNotFound, mechanism, userID)
	}
	return salt, iterations, storedKey, serverKey, err
}

// missingSCRAM lists the mechanisms whose keys userID lacks or has at fewer iterations
// than the policy asks.
func (s *Store) missingSCRAM(ctx context.Context, userID int64) ([]string, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT mechanism, iterations FROM user_scram WHERE user_id = ?`, userID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	have := map[string]int{}
	for rows.Next() {
		var mech string
		var iter int
		if err := rows.Scan(&mech, &iter); err != nil {
			return nil, err
		}
		have[mech] = iter
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	var missing []string
	for _, mech := range []string{SCRAMSHA1, SCRAMSHA256} {
		if have[mech] < s.passwords.scramIter(mech) {
			missing = append(missing, mech)
		}
	}
	return missing, nil
}

// maxSCRAMTokens is how many of a user's newest live sessions SCRAMTokenKeys tries: each
// costs one PBKDF2 run at the user's iteration count.
const maxSCRAMTokens = 4

// SCRAMTokenKeys derives, with the given salt and iteration count (the user's password
// credential), the SCRAM keys of userID's newest live session tokens: ConnectyCube
// clients send a session token where a password goes (docs/protocol.md §8.2), and xmpp.js
// picks SCRAM-SHA-1 whenever it is offered. It is called only after the password's keys
// failed, so a password login pays nothing for it; failed logins are throttled.
func (s *Store) SCRAMTokenKeys(ctx context.Context, userID int64, mechanism string, salt []byte, iterations int) (storedKeys, serverKeys [][]byte, err error) {
	h, ok := scramHashes[mechanism]
	if !ok {
		return nil, nil, fmt.Errorf("store: unknown SCRAM mechanism %q", mechanism)
	}
	rows, err := s.db.QueryContext(ctx, `SELECT token FROM sessions WHERE user_id = ? AND expires_at > ?
		ORDER BY id DESC LIMIT ?`, userID, nowMS(), maxSCRAMTokens)
	if err != nil {
		return nil, nil, err
	}
	var tokens []string
	for rows.Next() {
		var t string
		if err := rows.Scan(&t); err != nil {
			rows.Close()
			return nil, nil, err
		}
		tokens = append(tokens, t)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, nil, err
	}
	for _, t := range tokens {
		stored, server, err := DeriveSCRAMKeys(h, t, salt, iterations)
		if err != nil {
			return nil, nil, err
		}
		storedKeys, serverKeys = append(storedKeys, stored), append(serverKeys, server)
	}
	return storedKeys, serverKeys, nil
}
