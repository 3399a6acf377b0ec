package sync

import (
	"crypto/tls"
	"crypto/x509"
	"net/http"
)

// serverTransport is an HTTP transport that trusts the in-process server's own
// certificate (REST is TLS only), for tests that talk to it or proxy it directly.
func (h *harness) serverTransport() *http.Transport {
	h.t.Helper()
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(h.srv.CertPEM()) {
		h.t.Fatal("the server's certificate does not parse")
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.TLSClientConfig = &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}
	return tr
}
