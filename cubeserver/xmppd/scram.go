package xmppd

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"hash"
	"strconv"
	"strings"
)

// SCRAM mechanisms offered (RFC 5802, RFC 7677), strongest first; no -PLUS variants
// (channel binding), so a client that asks for binding ("p=") is refused.
const (
	mechSCRAMSHA256 = "SCRAM-SHA-256"
	mechSCRAMSHA1   = "SCRAM-SHA-1"
	mechPLAIN       = "PLAIN"
)

var scramHashes = map[string]func() hash.Hash{mechSCRAMSHA256: sha256.New, mechSCRAMSHA1: sha1.New}

// scramClientFirst is a parsed client-first-message (RFC 5802 §5.1).
type scramClientFirst struct {
	gs2Header string // "n,," or "y,," (with an authzid: "n,a=…,")
	authzid   string
	username  string
	nonce     string
	bare      string // client-first-message-bare, part of the AuthMessage
}

func parseSCRAMClientFirst(msg string) (scramClientFirst, error) {
	var f scramClientFirst
	cb, rest, ok := strings.Cut(msg, ",")
	if !ok {
		return f, errors.New("no GS2 header")
	}
	switch {
	case cb == "n" || cb == "y":
	case strings.HasPrefix(cb, "p="):
		return f, errors.New("channel binding is not supported")
	default:
		return f, errors.New("bad GS2 channel-binding flag")
	}
	authz, bare, ok := strings.Cut(rest, ",")
	if !ok {
		return f, errors.New("no GS2 authzid field")
	}
	if authz != "" {
		name, ok := strings.CutPrefix(authz, "a=")
		if !ok {
			return f, errors.New("bad GS2 authzid field")
		}
		var err error
		if f.authzid, err = unescapeSASLName(name); err != nil {
			return f, err
		}
	}
	f.gs2Header, f.bare = cb+","+authz+",", bare
	attrs := strings.Split(bare, ",")
	if len(attrs) < 2 || strings.HasPrefix(attrs[0], "m=") {
		return f, errors.New("mandatory extensions are not supported")
	}
	user, ok1 := strings.CutPrefix(attrs[0], "n=")
	nonce, ok2 := strings.CutPrefix(attrs[1], "r=")
	if !ok1 || !ok2 || user == "" || nonce == "" || !printableNonce(nonce) {
		return f, errors.New("client-first-message needs n= and r=")
	}
	var err error
	if f.username, err = unescapeSASLName(user); err != nil {
		return f, err
	}
	f.nonce = nonce
	return f, nil
}

// unescapeSASLName reverses RFC 5802's "=2C" and "=3D"; any other '=' is an error.
func unescapeSASLName(s string) (string, error) {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '=' {
			b.WriteByte(s[i])
			continue
		}
		switch {
		case strings.HasPrefix(s[i:], "=2C"):
			b.WriteByte(',')
		case strings.HasPrefix(s[i:], "=3D"):
			b.WriteByte('=')
		default:
			return "", errors.New("bad escape in saslname")
		}
		i += 2
	}
	return b.String(), nil
}

// printableNonce: RFC 5802 nonces are printable ASCII without ','.
func printableNonce(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x21 || s[i] > 0x7e || s[i] == ',' {
			return false
		}
	}
	return true
}

// scramExchange is the server side of one SCRAM authentication after client-first.
type scramExchange struct {
	h           func() hash.Hash
	first       scramClientFirst
	serverFirst string
	nonce       string // client nonce + server nonce
}

// newSCRAMExchange builds the server-first-message for salt and iterations; serverNonce
// "" draws a random one (tests pass RFC vectors).
func newSCRAMExchange(mech string, first scramClientFirst, salt []byte, iterations int, serverNonce string) (*scramExchange, error) {
	h, ok := scramHashes[mech]
	if !ok {
		return nil, fmt.Errorf("unknown mechanism %q", mech)
	}
	if serverNonce == "" {
		var raw [18]byte
		if _, err := rand.Read(raw[:]); err != nil {
			return nil, err
		}
		serverNonce = base64.RawURLEncoding.EncodeToString(raw[:])
	}
	x := &scramExchange{h: h, first: first, nonce: first.nonce + serverNonce}
	x.serverFirst = "r=" + x.nonce + ",s=" + base64.StdEncoding.EncodeToString(salt) + ",i=" + strconv.Itoa(iterations)
	return x, nil
}

// verifyFinal checks the client-final-message against each candidate StoredKey (the
// password's first, then any session token's) and returns the server-final-message
// ("v=…") signed with the matching ServerKey. ok is false for a wrong proof; err is
// for a malformed message.
func (x *scramExchange) verifyFinal(final string, storedKeys, serverKeys [][]byte) (serverFinal string, ok bool, err error) {
	withoutProof, proofAttr, found := cutLast(final, ",p=")
	if !found {
		return "", false, errors.New("client-final-message has no proof")
	}
	attrs := strings.Split(withoutProof, ",")
	if len(attrs) < 2 {
		return "", false, errors.New("client-final-message needs c= and r=")
	}
	cbind, ok1 := strings.CutPrefix(attrs[0], "c=")
	nonce, ok2 := strings.CutPrefix(attrs[1], "r=")
	if !ok1 || !ok2 {
		return "", false, errors.New("client-final-message needs c= and r=")
	}
	if cbind != base64.StdEncoding.EncodeToString([]byte(x.first.gs2Header)) && !x.lenientBinding(cbind) {
		return "", false, errors.New("channel-binding data does not match the GS2 header")
	}
	if nonce != x.nonce {
		return "", false, errors.New("nonce does not match")
	}
	proof, err := base64.StdEncoding.DecodeString(proofAttr)
	if err != nil || len(proof) != x.h().Size() {
		return "", false, errors.New("proof is not a base64 digest")
	}
	authMessage := []byte(x.first.bare + "," + x.serverFirst + "," + withoutProof)
	for i, stored := range storedKeys {
		if len(stored) != len(proof) {
			continue
		}
		// ClientKey = ClientProof XOR HMAC(StoredKey, AuthMessage); it is right when
		// H(ClientKey) = StoredKey (RFC 5802 §3).
		clientKey := hmacSum(x.h, stored, authMessage)
		for j := range clientKey {
			clientKey[j] ^= proof[j]
		}
		sum := x.h()
		sum.Write(clientKey)
		if subtle.ConstantTimeCompare(sum.Sum(nil), stored) == 1 {
			return "v=" + base64.StdEncoding.EncodeToString(hmacSum(x.h, serverKeys[i], authMessage)), true, nil
		}
	}
	return "", false, nil
}

// lenientBinding accepts c=biws ("n,,") after a "y,," header: go-xmpp 0.4.1 sends that
// pair. "y" only says the client could bind a channel the server does not offer; this
// server offers no -PLUS mechanism, so there is no binding a downgrade could remove.
func (x *scramExchange) lenientBinding(cbind string) bool {
	return strings.HasPrefix(x.first.gs2Header, "y,") &&
		cbind == base64.StdEncoding.EncodeToString([]byte("n"+strings.TrimPrefix(x.first.gs2Header, "y")))
}

func hmacSum(h func() hash.Hash, key, msg []byte) []byte {
	m := hmac.New(h, key)
	m.Write(msg)
	return m.Sum(nil)
}

// cutLast is strings.Cut at the last sep.
func cutLast(s, sep string) (before, after string, found bool) {
	i := strings.LastIndex(s, sep)
	if i < 0 {
		return s, "", false
	}
	return s[:i], s[i+len(sep):], true
}
