package store

import (
	"crypto/pbkdf2"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
)

// passwordIterations is the PBKDF2-SHA256 work factor for new passwords. It is far below
// the figure for an Internet-facing service because this is a local test server whose
// tests and demo create and log in many users on a small machine; the count is stored per
// user, so raising it later keeps old hashes verifiable.
const passwordIterations = 10_000

const passwordKeyLen = 32

type passwordHash struct {
	hash, salt []byte
	iter       int
}

func hashPassword(password string) (passwordHash, error) {
	salt := make([]byte, 16)
	if _, err := rand.Read(salt); err != nil {
		return passwordHash{}, err
	}
	key, err := pbkdf2.Key(sha256.New, password, salt, passwordIterations, passwordKeyLen)
	if err != nil {
		return passwordHash{}, err
	}
	return passwordHash{hash: key, salt: salt, iter: passwordIterations}, nil
}

func (p passwordHash) matches(password string) bool {
	if p.iter <= 0 || len(p.hash) == 0 {
		return false
	}
	key, err := pbkdf2.Key(sha256.New, password, p.salt, p.iter, len(p.hash))
	return err == nil && subtle.ConstantTimeCompare(key, p.hash) == 1
}
