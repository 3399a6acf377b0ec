package store

import (
	"crypto/pbkdf2"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"runtime"
	"strings"

	"golang.org/x/crypto/argon2"
)

// PasswordPolicy is the cost of the secrets stored for a password: an argon2id hash for
// PLAIN and REST sign-ins, and PBKDF2 iteration counts for the SCRAM keys (which an
// attacker holding the database could attack instead, so they get the same care).
type PasswordPolicy struct {
	Argon2Time      uint32 // passes over memory
	Argon2MemoryKiB uint32
	Argon2Threads   uint8
	SCRAMSHA1Iter   int // PBKDF2-HMAC-SHA1 rounds of SCRAM-SHA-1 keys
	SCRAMSHA256Iter int // PBKDF2-HMAC-SHA256 rounds of SCRAM-SHA-256 keys
}

// DefaultPasswordPolicy follows OWASP's Password Storage Cheat Sheet: argon2id with 19 MiB,
// 2 passes, 1 lane; PBKDF2 with 1,300,000 (SHA-1) and 600,000 (SHA-256) rounds.
func DefaultPasswordPolicy() PasswordPolicy {
	return PasswordPolicy{Argon2Time: 2, Argon2MemoryKiB: 19 * 1024, Argon2Threads: 1,
		SCRAMSHA1Iter: 1_300_000, SCRAMSHA256Iter: 600_000}
}

// CheapPasswordPolicy is the cheapest policy Validate accepts, for tests that sign up
// and log in many users and for the --demo workspace (loopback only, its passwords are in
// the source). A server that others sign in to never uses it.
func CheapPasswordPolicy() PasswordPolicy {
	return PasswordPolicy{Argon2Time: 1, Argon2MemoryKiB: 64, Argon2Threads: 1,
		SCRAMSHA1Iter: minSCRAMIter, SCRAMSHA256Iter: minSCRAMIter}
}

// minSCRAMIter is RFC 7677's floor for the iteration count.
const minSCRAMIter = 4096

// Validate refuses parameters argon2 or SCRAM cannot use.
func (p PasswordPolicy) Validate() error {
	switch {
	case p.Argon2Time < 1 || p.Argon2Threads < 1:
		return errors.New("store: argon2id needs at least 1 pass and 1 thread")
	case p.Argon2MemoryKiB < 8*uint32(p.Argon2Threads):
		return errors.New("store: argon2id needs at least 8 KiB of memory per thread")
	case p.SCRAMSHA1Iter < minSCRAMIter || p.SCRAMSHA256Iter < minSCRAMIter:
		return fmt.Errorf("store: SCRAM iteration counts must be at least %d (RFC 7677)", minSCRAMIter)
	}
	return nil
}

// SetPasswordPolicy sets the cost of secrets stored from now on; existing hashes with
// other parameters are re-hashed at the user's next successful sign-in. Call it before
// serving.
func (s *Store) SetPasswordPolicy(p PasswordPolicy) error {
	if err := p.Validate(); err != nil {
		return err
	}
	s.passwords = p
	return nil
}

// hashSlots bounds concurrent argon2id and PBKDF2 runs: each holds Argon2MemoryKiB and a
// core, so a burst of sign-ins queues here instead of exhausting memory.
var hashSlots = make(chan struct{}, max(2, runtime.GOMAXPROCS(0)))

func withHashSlot[T any](f func() T) T {
	hashSlots <- struct{}{}
	defer func() { <-hashSlots }()
	return f()
}

const (
	argon2KeyLen  = 32
	argon2SaltLen = 16
)

var b64 = base64.RawStdEncoding

// hashPassword returns password's argon2id hash in PHC string form
// ($argon2id$v=19$m=…,t=…,p=…$salt$hash), which records its own parameters.
func (p PasswordPolicy) hashPassword(password string) (string, error) {
	salt := make([]byte, argon2SaltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	key := withHashSlot(func() []byte {
		return argon2.IDKey([]byte(password), salt, p.Argon2Time, p.Argon2MemoryKiB, p.Argon2Threads, argon2KeyLen)
	})
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version,
		p.Argon2MemoryKiB, p.Argon2Time, p.Argon2Threads, b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

// argon2Hash is a parsed PHC string.
type argon2Hash struct {
	time, memKiB uint32
	threads      uint8
	salt, key    []byte
}

func parseArgon2(phc string) (argon2Hash, error) {
	parts := strings.Split(phc, "$")
	if len(parts) != 6 || parts[1] != "argon2id" || parts[2] != fmt.Sprintf("v=%d", argon2.Version) {
		return argon2Hash{}, errors.New("store: not an argon2id v19 hash")
	}
	var h argon2Hash
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &h.memKiB, &h.time, &h.threads); err != nil {
		return argon2Hash{}, fmt.Errorf("store: argon2id parameters %q: %w", parts[3], err)
	}
	var err1, err2 error
	h.salt, err1 = b64.DecodeString(parts[4])
	h.key, err2 = b64.DecodeString(parts[5])
	if err := errors.Join(err1, err2); err != nil || len(h.key) == 0 || h.time == 0 || h.threads == 0 {
		return argon2Hash{}, errors.New("store: damaged argon2id hash")
	}
	return h, nil
}

// storedPassword is what the users table holds: an argon2id PHC string, or (rows from
// before argon2id) a PBKDF2-SHA256 hash with its salt and iteration count.
type storedPassword struct {
	phc        string
	legacyHash []byte
	legacySalt []byte
	legacyIter int
}

// verify checks password; rehash says the stored form is older or cheaper than p and
// should be replaced now that the password is known.
func (sp storedPassword) verify(password string, p PasswordPolicy) (ok, rehash bool) {
	if sp.phc == "" {
		if sp.legacyIter <= 0 || len(sp.legacyHash) == 0 {
			return false, false
		}
		key := withHashSlot(func() []byte {
			k, err := pbkdf2.Key(sha256.New, password, sp.legacySalt, sp.legacyIter, len(sp.legacyHash))
			if err != nil {
				return nil
			}
			return k
		})
		ok := key != nil && subtle.ConstantTimeCompare(key, sp.legacyHash) == 1
		return ok, ok // every legacy hash is replaced once the password is known
	}
	h, err := parseArgon2(sp.phc)
	if err != nil {
		return false, false
	}
	key := withHashSlot(func() []byte {
		return argon2.IDKey([]byte(password), h.salt, h.time, h.memKiB, h.threads, uint32(len(h.key)))
	})
	if subtle.ConstantTimeCompare(key, h.key) != 1 {
		return false, false
	}
	return true, h.time != p.Argon2Time || h.memKiB != p.Argon2MemoryKiB || h.threads != p.Argon2Threads
}

// burnVerify spends what a real verification costs, so that an unknown login answers as
// slowly as a wrong password and sign-in timing does not reveal who has an account.
func (p PasswordPolicy) burnVerify(password string) {
	var salt [argon2SaltLen]byte
	withHashSlot(func() []byte {
		return argon2.IDKey([]byte(password), salt[:], p.Argon2Time, p.Argon2MemoryKiB, p.Argon2Threads, argon2KeyLen)
	})
}
