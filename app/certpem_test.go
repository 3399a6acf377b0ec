package app

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"math/big"
	"strings"
	"testing"
	"time"
)

// testCert is a self-signed certificate made for a test, and its key in PEM.
type testCert struct {
	pem    []byte
	keyPEM []byte
}

// makeTestCert signs a certificate for cn (may be empty) and dnsNames, valid until notAfter.
func makeTestCert(t *testing.T, cn string, dnsNames []string, notAfter time.Time) testCert {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(time.Now().UnixNano()),
		Subject:      pkix.Name{CommonName: cn},
		DNSNames:     dnsNames,
		NotBefore:    notAfter.AddDate(-10, 0, 0),
		NotAfter:     notAfter,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	return testCert{
		pem:    pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
		keyPEM: pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER}),
	}
}

func TestReadCertFile(t *testing.T) {
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	valid := makeTestCert(t, "localhost", []string{"localhost"}, time.Date(2036, 11, 25, 0, 0, 0, 0, time.UTC))
	other := makeTestCert(t, "", []string{"chat.example.com"}, time.Date(2030, 1, 2, 0, 0, 0, 0, time.UTC))
	expired := makeTestCert(t, "old.example.com", nil, time.Date(2020, 5, 6, 0, 0, 0, 0, time.UTC))
	broken := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: []byte("not DER")})
	cat := func(parts ...[]byte) []byte { return bytes.Join(parts, []byte("\n")) }

	cases := []struct {
		name     string
		file     []byte
		wantErr  string // "" = accepted
		wantDesc string
	}{
		{"one certificate", valid.pem, "", "localhost, valid until 2036-11-25"},
		{"key before the certificate", cat(valid.keyPEM, valid.pem), "", "localhost, valid until 2036-11-25"},
		{"chain of two", cat(valid.pem, other.pem), "", "localhost (+1 more), valid until 2036-11-25"},
		{"no common name", other.pem, "", "chat.example.com, valid until 2030-01-02"},
		{"expired", expired.pem, "", "old.example.com, expired on 2020-05-06"},
		{"empty file", nil, "Not a PEM certificate file.", ""},
		{"text file", []byte("hello, I am not a certificate\n"), "Not a PEM certificate file.", ""},
		{"key only", valid.keyPEM, "Not a PEM certificate file.", ""},
		{"corrupt certificate block", broken, "Not a PEM certificate file.", ""},
		{"too large", bytes.Repeat([]byte("x"), maxCertFileSize+1), "larger than 64 KiB", ""},
		{"padded to the limit", append(bytes.Repeat([]byte("\n"), maxCertFileSize-len(valid.pem)), valid.pem...), "",
			"localhost, valid until 2036-11-25"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			data, err := readCertFile(bytes.NewReader(c.file))
			if c.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), c.wantErr) {
					t.Fatalf("err %v, want one containing %q", err, c.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(data, c.file) {
				t.Error("the file's bytes are pinned unchanged")
			}
			certs, err := parsePEMCerts(data)
			if err != nil {
				t.Fatal(err)
			}
			if got := describeCerts(certs, now); got != c.wantDesc {
				t.Errorf("described as %q, want %q", got, c.wantDesc)
			}
		})
	}
}

type failingReader struct{}

func (failingReader) Read([]byte) (int, error) { return 0, errors.New("disk on fire") }

func TestReadCertFileReadError(t *testing.T) {
	if _, err := readCertFile(failingReader{}); err == nil || !strings.Contains(err.Error(), "disk on fire") {
		t.Fatalf("err %v, want the read error", err)
	}
}
