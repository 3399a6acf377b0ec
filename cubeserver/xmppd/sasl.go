package xmppd

import (
	"encoding/base64"
	"errors"
	"strings"
)

// plainCreds is a decoded SASL PLAIN message (RFC 4616): authzid NUL authcid NUL passwd.
type plainCreds struct {
	authzid, authcid, password string
}

// parsePlain decodes the base64 initial response of <auth mechanism="PLAIN">.
func parsePlain(data string) (plainCreds, error) {
	data = strings.TrimSpace(data)
	if data == "" || data == "=" {
		return plainCreds{}, errors.New("PLAIN needs an initial response")
	}
	raw, err := base64.StdEncoding.DecodeString(data)
	if err != nil {
		return plainCreds{}, errors.New("initial response is not base64")
	}
	parts := strings.Split(string(raw), "\x00")
	if len(parts) != 3 {
		return plainCreds{}, errors.New("PLAIN message must have three NUL-separated parts")
	}
	c := plainCreds{authzid: parts[0], authcid: parts[1], password: parts[2]}
	if c.authcid == "" || c.password == "" {
		return plainCreds{}, errors.New("empty user or password")
	}
	return c, nil
}
