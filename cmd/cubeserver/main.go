// Command cubeserver runs the local ConnectyCube-compatible server (REST + XMPP on
// SQLite) on its own, so that several desktop clients can share it.
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/cubechat/cubechat/cubeserver"
	"github.com/cubechat/cubechat/version"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "cubeserver:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	if len(args) > 0 && args[0] == "broadcast" {
		return broadcast(args[1:], os.Stdout)
	}
	fs := flag.NewFlagSet("cubeserver", flag.ContinueOnError)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: cubeserver [flags]\n\n"+
			"A local ConnectyCube-compatible chat server: REST API and XMPP (STARTTLS and direct TLS)\n"+
			"over one SQLite database. Point clients at https://HOST:PORT of -http for the API and -xmpps or\n"+
			"-xmpp for chat; REST and chat share the self-signed certificate to pin, DATA/tls/cert.pem. The JS SDK connects over -ws\n"+
			"(chat_url ws://HOST:PORT) or, with CUBE_TCP_ENABLE=1, over -xmpp-plain (xmpp://HOST:PORT).\n\n"+
			"Subcommands:\n  cubeserver broadcast -h   create a broadcast dialog through the admin API\n\nFlags:\n")
		fs.PrintDefaults()
	}
	var cfg cubeserver.Config
	fs.StringVar(&cfg.HTTPAddr, "http", "127.0.0.1:8080", "REST API listen address (host:port), served over HTTPS with DATA/tls/cert.pem")
	fs.StringVar(&cfg.HTTPPlainAddr, "http-plain", "", "REST API over plain HTTP for local tools; loopback addresses only; empty to disable")
	fs.StringVar(&cfg.XMPPAddr, "xmpp", "127.0.0.1:5222", "XMPP listen address with STARTTLS required before login; empty to disable")
	fs.StringVar(&cfg.XMPPTLSAddr, "xmpps", "127.0.0.1:5223", "XMPP listen address with direct TLS; empty to disable")
	fs.StringVar(&cfg.WSAddr, "ws", "127.0.0.1:5291", "XMPP over WebSocket (RFC 7395, ws://, no TLS) listen address; loopback only; empty to disable")
	fs.StringVar(&cfg.XMPPPlainAddr, "xmpp-plain", "", "plain-TCP XMPP listen address where login works without TLS (JS SDK CUBE_TCP_ENABLE mode);\n"+
		"loopback only; while on, the -xmpp listener also accepts logins without STARTTLS; empty to disable")
	fs.StringVar(&cfg.Domain, "domain", cubeserver.DefaultDomain, "chat domain used in JIDs (user@DOMAIN, room@muc.DOMAIN) and in the certificate")
	fs.Int64Var(&cfg.AppID, "app-id", cubeserver.DefaultAppID, "application id that clients send as application_id")
	fs.StringVar(&cfg.AuthKey, "auth-key", cubeserver.DefaultAuthKey, "application auth key (auth_key, CB-AuthKey)")
	fs.StringVar(&cfg.AuthSecret, "auth-secret", cubeserver.DefaultAuthSecret, "application auth secret that keys signed session requests")
	fs.StringVar(&cfg.AdminKey, "admin-key", "", "key for the /admin endpoints (CB-Administration-API-Key); empty disables them")
	fs.StringVar(&cfg.DataDir, "data", "cubeserver-data", "directory for the database and the TLS certificate; created if missing")
	fs.DurationVar(&cfg.ResumeWindow, "resume-window", cubeserver.DefaultResumeWindow,
		"how long a chat session with resumable stream management (XEP-0198) waits for its client after a dropped connection")
	debug := fs.Bool("debug", false, "log every request and stream event")
	showVersion := fs.Bool("version", false, "print the version and exit")
	if err := fs.Parse(args); err != nil {
		if err == flag.ErrHelp {
			return nil
		}
		return err
	}
	if *showVersion {
		_, err := fmt.Fprintln(os.Stdout, "cubeserver", version.String())
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q (see -h)", fs.Args())
	}
	level := slog.LevelInfo
	if *debug {
		level = slog.LevelDebug
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))
	cfg.Logger = log

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	srv, err := cubeserver.Start(ctx, cfg)
	if err != nil {
		return err
	}
	log.Info("listening", "rest", srv.HTTPURL(), "rest_plain", srv.PlainHTTPURL(), "xmpp_starttls", srv.XMPPAddr(), "xmpp_tls", srv.XMPPTLSAddr(),
		"xmpp_ws", srv.WSURL(), "xmpp_plain", srv.XMPPPlainAddr(),
		"domain", srv.Domain(), "app_id", srv.AppID())
	<-ctx.Done()
	log.Info("shutting down")
	return srv.Close()
}
