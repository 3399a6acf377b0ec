package cubeserver

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"slices"
	"time"
)

// certOrganization marks certificates this server made, so that it only ever replaces
// its own (never a certificate someone put in DataDir/tls by hand).
const certOrganization = "cubechat cubeserver (self-signed)"

const certValidity = 10 * 365 * 24 * time.Hour

// loadOrCreateCert returns the certificate in dir/{cert,key}.pem, creating it on first
// start. A certificate of ours that has expired or does not name domain is replaced.
func loadOrCreateCert(dir, domain string, now time.Time) (tls.Certificate, []byte, error) {
	certPath, keyPath := filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	certPEM, certErr := os.ReadFile(certPath)
	keyPEM, keyErr := os.ReadFile(keyPath)
	switch {
	case certErr == nil && keyErr == nil:
		cert, err := tls.X509KeyPair(certPEM, keyPEM)
		if err != nil {
			return tls.Certificate{}, nil, fmt.Errorf("cubeserver: TLS files in %s do not load (delete them to regenerate): %w", dir, err)
		}
		leaf := cert.Leaf
		ours := slices.Contains(leaf.Subject.Organization, certOrganization)
		usable := now.Before(leaf.NotAfter) && leaf.VerifyHostname(domain) == nil
		if usable || !ours {
			return cert, certPEM, nil
		}
	case !errors.Is(certErr, fs.ErrNotExist) && certErr != nil:
		return tls.Certificate{}, nil, fmt.Errorf("cubeserver: read %s: %w", certPath, certErr)
	case !errors.Is(keyErr, fs.ErrNotExist) && keyErr != nil:
		return tls.Certificate{}, nil, fmt.Errorf("cubeserver: read %s: %w", keyPath, keyErr)
	}
	certPEM, keyPEM, err := newSelfSignedCert(domain, now)
	if err != nil {
		return tls.Certificate{}, nil, err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return tls.Certificate{}, nil, fmt.Errorf("cubeserver: create %s: %w", dir, err)
	}
	// The key goes first: a crash in between leaves a key without its certificate, which
	// the next start replaces, rather than a certificate whose key is lost.
	if err := writeFileAtomic(keyPath, keyPEM, 0o600); err != nil {
		return tls.Certificate{}, nil, err
	}
	if err := writeFileAtomic(certPath, certPEM, 0o644); err != nil {
		return tls.Certificate{}, nil, err
	}
	cert, err := tls.X509KeyPair(certPEM, keyPEM)
	return cert, certPEM, err
}

// newSelfSignedCert makes an ECDSA P-256 certificate for domain, localhost, 127.0.0.1
// and ::1, valid for ten years.
func newSelfSignedCert(domain string, now time.Time) (certPEM, keyPEM []byte, err error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, err
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	if err != nil {
		return nil, nil, err
	}
	names := []string{"localhost"}
	if domain != "localhost" && net.ParseIP(domain) == nil {
		names = append([]string{domain}, names...)
	}
	ips := []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback}
	if ip := net.ParseIP(domain); ip != nil && !ip.IsLoopback() {
		ips = append(ips, ip)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{CommonName: domain, Organization: []string{certOrganization}},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(certValidity),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true, // so that clients can put it in a root pool and pin it
		DNSNames:              names,
		IPAddresses:           ips,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, nil, err
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, nil, err
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
		pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}), nil
}

// writeFileAtomic writes through a temporary file and a rename, so that a crash never
// leaves a half-written file behind.
func writeFileAtomic(path string, data []byte, perm os.FileMode) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), filepath.Base(path)+".tmp*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Chmod(perm); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
