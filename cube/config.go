package cube

import (
	"crypto/x509"
	"log/slog"
)

// Config says where the ConnectyCube application lives and how to reach it. The REST
// Client and the chat connection share it.
type Config struct {
	AppID      int64
	AuthKey    string
	AuthSecret string         // "" = unsigned session (SDK 6 style); set = HMAC-SHA1 signed
	APIURL     string         // "https://api.connectycube.com" or "http://127.0.0.1:PORT"
	ChatHost   string         // "chat.connectycube.com:5223" or "127.0.0.1:PORT"
	ChatDomain string         // "chat.connectycube.com" or "localhost"
	ChatTLS    string         // "tls" (direct, default) or "starttls"
	RootCAs    *x509.CertPool // nil = system roots; the demo pins its own cert here
	Logger     *slog.Logger
}

// Transport security modes of the chat connection (Config.ChatTLS).
const (
	ChatDirectTLS = "tls"
	ChatStartTLS  = "starttls"
)

// logger returns the configured logger or one that discards everything, so library
// code can log unconditionally.
func (c Config) logger() *slog.Logger {
	if c.Logger != nil {
		return c.Logger
	}
	return slog.New(slog.DiscardHandler)
}
