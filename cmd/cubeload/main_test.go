package main

import (
	"bytes"
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cubechat/cubechat/cubeserver"
	"github.com/cubechat/cubechat/cubeserver/store"
)

// tinyFlags is a run small enough for a unit test: 4 users, 40 messages.
var tinyFlags = []string{"-users", "4", "-messages", "40", "-rate", "400/s", "-groups", "1",
	"-group-size", "3", "-group-share", "0.25", "-catchup", "150", "-duration", "30s", "-drain", "10s"}

// TestLoadDeliversAndStoresEverything runs the tool end to end, in-process over direct
// TLS and against a separately started server over STARTTLS (users made by POST
// /users, history by POST /chat/Message, certificate pinned from a file), and checks
// behaviour: every message delivered to every recipient once, stored once, and the
// whole history read back by a fresh client.
func TestLoadDeliversAndStoresEverything(t *testing.T) {
	tests := []struct {
		name     string
		external bool
		extra    []string
	}{
		{"in-process direct TLS", false, []string{"-tls", "tls"}},
		{"external server STARTTLS", true, []string{"-tls", "starttls"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := append(append([]string{}, tinyFlags...), tt.extra...)
			if tt.external {
				args = append(args, externalServerFlags(t)...)
			}
			o, err := parseFlags(args, &bytes.Buffer{})
			if err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			rep, err := Load(ctx, o, slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})))
			if err != nil {
				t.Fatal(err)
			}
			if rep.InProcess == tt.external {
				t.Fatalf("InProcess = %v", rep.InProcess)
			}
			d := rep.Deliveries
			if rep.Sent != 40 || rep.SendErrors != 0 || rep.Truncated {
				t.Fatalf("sent %d, %d send errors, truncated %v", rep.Sent, rep.SendErrors, rep.Truncated)
			}
			if rep.Stored != rep.Sent {
				t.Fatalf("stored %d of %d sent", rep.Stored, rep.Sent)
			}
			// Each 1-1 message has one recipient, each group message two (size 3).
			if want := d.Private.N + 2*d.FanoutComplete.N; d.Expected != want || d.Delivered != d.Expected {
				t.Fatalf("delivered %d of %d expected (want %d)", d.Delivered, d.Expected, want)
			}
			if d.Private.N+d.FanoutComplete.N != rep.Sent || d.Private.N == 0 || d.FanoutComplete.N == 0 {
				t.Fatalf("mix: %d 1-1 + %d group messages of %d", d.Private.N, d.FanoutComplete.N, rep.Sent)
			}
			if d.Duplicates != 0 || d.Strays != 0 || rep.MessageErrors != 0 || rep.Drops != 0 {
				t.Fatalf("duplicates %d, strays %d, bounced %d, drops %d", d.Duplicates, d.Strays, rep.MessageErrors, rep.Drops)
			}
			if rep.CatchUp == nil || rep.CatchUp.Messages != 150 || rep.CatchUp.Pages != 2 {
				t.Fatalf("catch-up %+v", rep.CatchUp)
			}
			if !rep.Memory.Measured || rep.Memory.Peak < rep.Memory.Start || rep.Memory.Start <= 0 {
				t.Fatalf("memory %+v", rep.Memory)
			}
			var out bytes.Buffer
			rep.Print(&out)
			for _, want := range []string{"1-1", "group, last recipient", "stored (counted over REST)", "40 of 40 (", "150 messages in 2 pages"} {
				if !strings.Contains(out.String(), want) {
					t.Errorf("report lacks %q:\n%s", want, out.String())
				}
			}
		})
	}
}

// externalServerFlags starts a cubeserver the way cmd/cubeserver would and returns
// the flags that point cubeload at it.
func externalServerFlags(t *testing.T) []string {
	t.Helper()
	dir := t.TempDir()
	srv, err := cubeserver.Start(context.Background(), cubeserver.Config{DataDir: dir,
		XMPPAddr: "127.0.0.1:0", XMPPTLSAddr: "127.0.0.1:0", PasswordPolicy: new(store.CheapPasswordPolicy())})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	return []string{"-api", srv.HTTPURL(), "-xmpp", srv.XMPPAddr(), "-cert", filepath.Join(dir, "tls", "cert.pem"),
		"-server-pid", strconv.Itoa(os.Getpid())}
}

func TestRunHelpDocumentsFlags(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if err := run([]string{"-h"}, &stdout, &stderr); err != nil {
		t.Fatal(err)
	}
	for _, flag := range []string{"-users", "-messages", "-rate", "-group-size", "-duration", "-drain", "-catchup", "-api", "-xmpp", "-cert", "-tls"} {
		if !strings.Contains(stderr.String(), flag) {
			t.Errorf("-h does not document %s", flag)
		}
	}
}

func TestRunRefusesBadFlags(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"-users", "1"}, "-users must be at least 2"},
		{[]string{"-rate", "fast"}, `rate "fast"`},
		{[]string{"-rate", "5/h"}, "unit must be /s or /m"},
		{[]string{"-groups", "2", "-group-size", "60"}, "-group-size must be between 2 and -users"},
		{[]string{"-api", "http://127.0.0.1:1"}, "-api and -xmpp go together"},
		{[]string{"-cert", "x.pem"}, "only apply to an existing server"},
		{[]string{"-tls", "ssl"}, `-tls must be "tls" or "starttls"`},
		{[]string{"extra"}, "unexpected arguments"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			err := run(tt.args, &bytes.Buffer{}, &bytes.Buffer{})
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("run(%q) = %v, want an error containing %q", tt.args, err, tt.want)
			}
		})
	}
}

func TestParseRate(t *testing.T) {
	tests := []struct {
		in   string
		want float64
	}{
		{"500/s", 500}, {"500", 500}, {"3000/m", 50}, {"0", 0}, {" 2.5 / s ", 2.5},
	}
	for _, tt := range tests {
		if got, err := parseRate(tt.in); err != nil || got != tt.want {
			t.Errorf("parseRate(%q) = %g, %v; want %g", tt.in, got, err, tt.want)
		}
	}
	for _, bad := range []string{"", "-1/s", "ten", "5/h"} {
		if _, err := parseRate(bad); err == nil {
			t.Errorf("parseRate(%q) accepted", bad)
		}
	}
}
