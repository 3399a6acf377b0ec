// Package testcert gives tests one self-signed certificate for localhost and
// 127.0.0.1, so that TLS servers in tests (the fake XMPP server, xmppd's listeners and
// benchmarks) do not each make their own.
package testcert

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"math/big"
	"net"
	"sync"
	"testing"
	"time"
)

var (
	once  sync.Once
	cert  tls.Certificate
	roots *x509.CertPool
	err   error
)

// Localhost returns the certificate (with its key) for localhost and 127.0.0.1, and a
// pool that trusts it. It is its own CA, made once per test binary and valid for a day.
func Localhost(t testing.TB) (tls.Certificate, *x509.CertPool) {
	t.Helper()
	once.Do(func() { cert, roots, err = generate() })
	if err != nil {
		t.Fatalf("testcert: %v", err)
	}
	return cert, roots
}

// ServerConfig is a server TLS config presenting the Localhost certificate.
func ServerConfig(t testing.TB) *tls.Config {
	t.Helper()
	c, _ := Localhost(t)
	return &tls.Config{Certificates: []tls.Certificate{c}, MinVersion: tls.VersionTLS12}
}

// ClientConfig is a client TLS config that trusts the Localhost certificate and
// expects serverName ("localhost" or "127.0.0.1").
func ClientConfig(t testing.TB, serverName string) *tls.Config {
	t.Helper()
	_, pool := Localhost(t)
	return &tls.Config{RootCAs: pool, ServerName: serverName, MinVersion: tls.VersionTLS12}
}

func generate() (tls.Certificate, *x509.CertPool, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tls.Certificate{}, nil, err
	}
	now := time.Now()
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "localhost"},
		DNSNames:              []string{"localhost"},
		IPAddresses:           []net.IP{net.ParseIP("127.0.0.1")},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(24 * time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return tls.Certificate{}, nil, err
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		return tls.Certificate{}, nil, err
	}
	pool := x509.NewCertPool()
	pool.AddCert(leaf)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}, pool, nil
}
