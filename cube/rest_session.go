package cube

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha1"
	"encoding/hex"
	"math/big"
	"net/http"
	"sort"
	"strconv"
	"time"
)

// CreateSession opens a user session (POST /session) and keeps its token.
func (c *Client) CreateSession(ctx context.Context, login, password string) (*Session, error) {
	return c.createSession(ctx, map[string]string{"login": login, "password": password})
}

// CreateAppSession opens an application session (no user) and keeps its token.
func (c *Client) CreateAppSession(ctx context.Context) (*Session, error) {
	return c.createSession(ctx, nil)
}

func (c *Client) createSession(ctx context.Context, user map[string]string) (*Session, error) {
	var body map[string]any
	if c.cfg.AuthSecret != "" {
		body = signedSessionBody(c.cfg, user, randomNonce(), time.Now().Unix())
	} else {
		// SDK 6 style: no nonce, timestamp or signature.
		body = map[string]any{"application_id": c.cfg.AppID, "auth_key": c.cfg.AuthKey}
		if user != nil {
			body["user"] = user
		}
	}
	raw, err := c.do(c.request(ctx).SetBody(body), http.MethodPost, "/session")
	if err != nil {
		return nil, err
	}
	s, err := unwrap[Session](raw, "session")
	if err != nil {
		return nil, err
	}
	c.SetToken(s.Token)
	return s, nil
}

// signedSessionBody builds the signed session form of JS SDK 3 and Dart: scalar values
// travel as strings (so the server signs exactly the text we signed) and the user
// object is nested in the JSON but flattened as user[login] for the signature.
func signedSessionBody(cfg Config, user map[string]string, nonce, timestamp int64) map[string]any {
	flat := map[string]string{
		"application_id": strconv.FormatInt(cfg.AppID, 10),
		"auth_key":       cfg.AuthKey,
		"nonce":          strconv.FormatInt(nonce, 10),
		"timestamp":      strconv.FormatInt(timestamp, 10),
	}
	for k, v := range user {
		flat["user["+k+"]"] = v
	}
	body := map[string]any{"signature": SessionSignature(cfg.AuthSecret, flat)}
	for _, k := range []string{"application_id", "auth_key", "nonce", "timestamp"} {
		body[k] = flat[k]
	}
	if user != nil {
		body["user"] = user
	}
	return body
}

// SessionSignature is ConnectyCube's session signature (docs/protocol.md §2.5): the
// parameters other than "signature", already flattened to bracket keys, written as
// raw k=v pairs, sorted, joined with "&", and signed with HMAC-SHA1 in lowercase hex.
func SessionSignature(secret string, params map[string]string) string {
	pairs := make([]string, 0, len(params))
	for k, v := range params {
		if k == "signature" {
			continue
		}
		pairs = append(pairs, k+"="+v)
	}
	sort.Strings(pairs)
	mac := hmac.New(sha1.New, []byte(secret))
	for i, p := range pairs {
		if i > 0 {
			mac.Write([]byte("&"))
		}
		mac.Write([]byte(p))
	}
	return hex.EncodeToString(mac.Sum(nil))
}

// randomNonce returns a positive 31-bit random integer, the range the SDKs use.
func randomNonce() int64 {
	n, err := rand.Int(rand.Reader, big.NewInt(1<<31-1))
	if err != nil {
		// crypto/rand does not fail on supported platforms; a clock-based nonce
		// still differs between requests.
		return time.Now().UnixNano()&(1<<31-1) + 1
	}
	return n.Int64() + 1
}

// Login upgrades the current (application) session to a user session (POST /login).
func (c *Client) Login(ctx context.Context, login, password string) (*User, error) {
	body := map[string]string{"login": login, "password": password}
	raw, err := c.do(c.request(ctx).SetBody(body), http.MethodPost, "/login")
	if err != nil {
		return nil, err
	}
	return unwrap[User](raw, "user")
}
