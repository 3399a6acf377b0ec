package xmppd

import (
	"crypto/tls"
	"crypto/x509"
	"testing"

	"github.com/cubechat/cubechat/internal/testcert"
)

// testTLS returns a server config with the tests' certificate for localhost and the
// pool a client needs to trust it.
func testTLS(t testing.TB) (*tls.Config, *x509.CertPool) {
	t.Helper()
	_, pool := testcert.Localhost(t)
	return testcert.ServerConfig(t), pool
}
