package app

import (
	"fyne.io/fyne/v2/lang"

	"crypto/x509"
	"encoding/pem"
	"fmt"
	"io"
	"strings"
	"time"
)

// A pinned server certificate: the PEM file of a custom server's (usually self-signed)
// certificate, chosen on the login screen so the user need not make the whole system
// trust it. Verification stays on; the pinned certificates become the trust roots of
// that server profile.

// maxCertFileSize caps what is read from a chosen file: a certificate chain is a few
// KiB, so anything larger is the wrong file, and reading it whole would waste memory.
const maxCertFileSize = 64 << 10

// errNotPEMCert is the error shown for a file without a usable certificate (a function:
// its text is translated when shown, not when the package starts).
func errNotPEMCert() error { return userMessagef("%s", lang.L("Not a PEM certificate file.")) }

// readCertFile reads a chosen certificate file, refusing one over maxCertFileSize, and
// checks that it holds at least one certificate.
func readCertFile(r io.Reader) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(r, maxCertFileSize+1))
	if err != nil {
		return nil, userMessagef(lang.L("Could not read the file: %w"), err)
	}
	if len(data) > maxCertFileSize {
		return nil, userMessagef("%s", lang.L("The file is larger than 64 KiB: not a certificate file."))
	}
	if _, err := parsePEMCerts(data); err != nil {
		return nil, err
	}
	return data, nil
}

// parsePEMCerts returns every certificate in data. It fails when data holds no PEM
// CERTIFICATE block, or a CERTIFICATE block that is not a valid certificate; other
// blocks (a private key saved in the same file, say) are skipped, as the TLS
// configuration skips them.
func parsePEMCerts(data []byte) ([]*x509.Certificate, error) {
	var certs []*x509.Certificate
	for rest := data; ; {
		var block *pem.Block
		block, rest = pem.Decode(rest)
		if block == nil {
			break
		}
		if block.Type != "CERTIFICATE" {
			continue
		}
		c, err := x509.ParseCertificate(block.Bytes)
		if err != nil {
			return nil, fmt.Errorf("%w (%v)", errNotPEMCert(), err)
		}
		certs = append(certs, c)
	}
	if len(certs) == 0 {
		return nil, errNotPEMCert()
	}
	return certs, nil
}

// describeCerts says whom the first certificate names and until when it is valid, e.g.
// "localhost, valid until 2036-11-25"; an expired one says so, since signing in with
// it will fail.
func describeCerts(certs []*x509.Certificate, now time.Time) string {
	if len(certs) == 0 {
		return ""
	}
	c := certs[0]
	name := certName(c)
	if len(certs) > 1 {
		name = lang.X("cert.more", "{{.Name}} (+{{.More}} more)", msgData{"Name": name, "More": len(certs) - 1})
	}
	until := c.NotAfter.UTC().Format(time.DateOnly)
	if now.After(c.NotAfter) {
		return lang.X("cert.expired", "{{.Name}}, expired on {{.Date}}", msgData{"Name": name, "Date": until})
	}
	return lang.X("cert.valid", "{{.Name}}, valid until {{.Date}}", msgData{"Name": name, "Date": until})
}

// certName is the certificate's common name, else its first host name or address
// (modern certificates may leave the CN empty), else its whole subject.
func certName(c *x509.Certificate) string {
	switch {
	case c.Subject.CommonName != "":
		return c.Subject.CommonName
	case len(c.DNSNames) > 0:
		return c.DNSNames[0]
	case len(c.IPAddresses) > 0:
		return c.IPAddresses[0].String()
	}
	if s := strings.TrimSpace(c.Subject.String()); s != "" {
		return s
	}
	return lang.L("unnamed certificate")
}
