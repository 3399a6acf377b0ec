package xmppd

import (
	"encoding/base64"
	"strings"
	"testing"

	"github.com/cubechat/cubechat/cubeserver/store"
)

// The exchanges of RFC 5802 §5 (SCRAM-SHA-1) and RFC 7677 §3 (SCRAM-SHA-256), byte for
// byte: the server-first-message, the accepted proof and the server signature.
func TestSCRAMRFCVectors(t *testing.T) {
	vectors := []struct {
		mech, clientFirst, serverNonce, salt, serverFirst, clientFinal, serverFinal string
	}{
		{mechSCRAMSHA1, "n,,n=user,r=fyko+d2lbbFgONRv9qkxdawL", "3rfcNHYJY1ZVvWVs7j", "QSXCR+Q6sek8bf92",
			"r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,s=QSXCR+Q6sek8bf92,i=4096",
			"c=biws,r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,p=v0X8v3Bz2T0CJGbJQyF0X+HI4Ts=",
			"v=rmF9pqV8S7suAoZWja4dJRkFsKQ="},
		{mechSCRAMSHA256, "n,,n=user,r=rOprNGfwEbeRWgbNEkqO", "%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0", "W22ZaJ0SNY7soEsUEjb6gQ==",
			"r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096",
			"c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=",
			"v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4="},
	}
	for _, v := range vectors {
		t.Run(v.mech, func(t *testing.T) {
			first, err := parseSCRAMClientFirst(v.clientFirst)
			if err != nil || first.username != "user" {
				t.Fatalf("client-first: %+v %v", first, err)
			}
			salt, _ := base64.StdEncoding.DecodeString(v.salt)
			stored, server, err := store.DeriveSCRAMKeys(scramHashes[v.mech], "pencil", salt, 4096)
			if err != nil {
				t.Fatal(err)
			}
			x, err := newSCRAMExchange(v.mech, first, salt, 4096, v.serverNonce)
			if err != nil || x.serverFirst != v.serverFirst {
				t.Fatalf("server-first %q, want %q (%v)", x.serverFirst, v.serverFirst, err)
			}
			other, otherServer, _ := store.DeriveSCRAMKeys(scramHashes[v.mech], "not pencil", salt, 4096)
			// The right keys may come second (a session token's keys after the password's).
			got, ok, err := x.verifyFinal(v.clientFinal, [][]byte{other, stored}, [][]byte{otherServer, server})
			if err != nil || !ok || got != v.serverFinal {
				t.Fatalf("verify: %q %v %v, want %q", got, ok, err, v.serverFinal)
			}
			if _, ok, err := x.verifyFinal(v.clientFinal, [][]byte{other}, [][]byte{otherServer}); ok || err != nil {
				t.Fatalf("a proof for another password: ok=%v err=%v", ok, err)
			}
			bad := []string{
				strings.Replace(v.clientFinal, "c=biws", "c=eSws", 1),               // binding data for a "y" header
				strings.Replace(v.clientFinal, "r=", "r=x", 1),                      // another nonce
				v.clientFinal[:strings.LastIndex(v.clientFinal, ",p=")],             // no proof
				v.clientFinal[:strings.LastIndex(v.clientFinal, ",p=")] + ",p=AAAA", // short proof
			}
			for _, final := range bad {
				if _, ok, err := x.verifyFinal(final, [][]byte{stored}, [][]byte{server}); ok || err == nil {
					t.Errorf("%q: ok=%v err=%v, want a malformed-message error", final, ok, err)
				}
			}
		})
	}
}

func TestSCRAMClientFirstParsing(t *testing.T) {
	good := map[string]scramClientFirst{
		"n,,n=5-1,r=abc":              {gs2Header: "n,,", username: "5-1", nonce: "abc", bare: "n=5-1,r=abc"},
		"y,,n=5-1,r=abc":              {gs2Header: "y,,", username: "5-1", nonce: "abc", bare: "n=5-1,r=abc"},
		"n,a=5-1@localhost,n=5-1,r=x": {gs2Header: "n,a=5-1@localhost,", authzid: "5-1@localhost", username: "5-1", nonce: "x", bare: "n=5-1,r=x"},
		"n,,n=a=2Cb=3Dc,r=x":          {gs2Header: "n,,", username: "a,b=c", nonce: "x", bare: "n=a=2Cb=3Dc,r=x"},
	}
	for in, want := range good {
		if got, err := parseSCRAMClientFirst(in); err != nil || got != want {
			t.Errorf("%q: %+v %v, want %+v", in, got, err, want)
		}
	}
	for _, in := range []string{"", "n", "p=tls-unique,,n=u,r=x", "q,,n=u,r=x", "n,,m=ext,n=u,r=x", "n,,n=u",
		"n,,r=x,n=u", "n,,n=u=,r=x", "n,,n=,r=x", "n,,n=u,r=", "n,x,n=u,r=x"} {
		if _, err := parseSCRAMClientFirst(in); err == nil {
			t.Errorf("%q parsed", in)
		}
	}
}
