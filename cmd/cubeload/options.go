package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/cubechat/cubechat/cube"
	"github.com/cubechat/cubechat/cubeserver"
)

// Options is one load run. Zero values are not defaults: parseFlags fills them.
type Options struct {
	Users      int           // chat users, paired into private dialogs
	Messages   int           // messages to send in total
	Rate       float64       // offered messages per second; 0 = as fast as the senders go
	Groups     int           // group dialogs
	GroupSize  int           // occupants per group
	GroupShare float64       // share of the messages sent to groups (ignored without groups)
	Duration   time.Duration // upper bound of the sending phase
	Drain      time.Duration // how long to wait for deliveries after the last send
	CatchUp    int           // messages in the dialog a fresh client reads over REST; 0 = skip
	Markers    bool          // recipients answer with delivered markers (SDK 6 AutoDeliver)
	Senders    int           // goroutines that write stanzas
	Parallel   int           // logins at a time
	Transport  string        // cube.ChatDirectTLS or cube.ChatStartTLS

	// An existing server; APIURL == "" starts one in-process.
	APIURL, XMPPAddr, CertFile, Domain string
	AppID                              int64
	AuthKey, AuthSecret                string
	ServerPID                          int // for the RSS of an external server; 0 = unknown

	Verbose    bool
	CPUProfile string // file for a CPU profile of the whole run; "" = none
}

// parseFlags reads the command line; flag.ErrHelp after -h.
func parseFlags(args []string, out io.Writer) (Options, error) {
	var o Options
	fs := flag.NewFlagSet("cubeload", flag.ContinueOnError)
	fs.SetOutput(out)
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), `Usage: cubeload [flags]
       cubeload soak [flags]   (the sync engines under network faults; cubeload soak -h)

Load test for cubeserver over real sockets. Starts a server in-process on loopback
(or targets one with -api and -xmpp), creates -users users, pairs them into private
dialogs and puts them in -groups groups, connects each with the Go SDK, sends
-messages messages at -rate, then prints 1-1 and group fan-out latency (send to
receive), throughput, the stored count (read back over REST: nothing may be lost),
the catch-up time of a fresh client over REST and the server's memory growth.
It stops by itself after at most -duration of sending plus -drain.

Flags:
`)
		fs.PrintDefaults()
	}
	fs.IntVar(&o.Users, "users", 50, "number of chat users (at least 2); consecutive users form private pairs")
	fs.IntVar(&o.Messages, "messages", 5000, "messages to send in total")
	rate := fs.String("rate", "500/s", `offered send rate: "500/s", "500" (per second) or "3000/m"; "0" = as fast as the senders go`)
	fs.IntVar(&o.Groups, "groups", 3, "number of group dialogs (0 = none)")
	fs.IntVar(&o.GroupSize, "group-size", 10, "occupants of each group, owner included (at most -users)")
	fs.Float64Var(&o.GroupShare, "group-share", 0.2, "share of the messages sent to groups (0…1)")
	fs.DurationVar(&o.Duration, "duration", 2*time.Minute, "upper bound of the sending phase; sending stops early when it runs out")
	fs.DurationVar(&o.Drain, "drain", 20*time.Second, "how long to wait for outstanding deliveries after the last send")
	fs.IntVar(&o.CatchUp, "catchup", 2000, "messages in the dialog a fresh client catches up on over REST (0 = skip)")
	fs.BoolVar(&o.Markers, "markers", true, "recipients answer every message with a delivered marker, as the SDKs do by default")
	fs.IntVar(&o.Senders, "senders", 4, "goroutines writing stanzas (the rate is shared among them)")
	fs.IntVar(&o.Parallel, "connect-parallel", 8, "logins in flight at a time")
	fs.StringVar(&o.Transport, "tls", cube.ChatDirectTLS, `chat transport: "tls" (direct TLS) or "starttls"`)
	fs.StringVar(&o.APIURL, "api", "", "REST URL of an existing server, e.g. http://127.0.0.1:8080 (empty = start one in-process)")
	fs.StringVar(&o.XMPPAddr, "xmpp", "", "chat address of an existing server (host:port, matching -tls); required with -api")
	fs.StringVar(&o.CertFile, "cert", "", "PEM certificate to pin for the chat TLS of an existing server (e.g. DATA/tls/cert.pem); empty = system roots")
	fs.StringVar(&o.Domain, "domain", cubeserver.DefaultDomain, "chat domain of an existing server")
	fs.Int64Var(&o.AppID, "app-id", cubeserver.DefaultAppID, "application id of an existing server")
	fs.StringVar(&o.AuthKey, "auth-key", cubeserver.DefaultAuthKey, "application auth key of an existing server")
	fs.StringVar(&o.AuthSecret, "auth-secret", cubeserver.DefaultAuthSecret, "application auth secret of an existing server")
	fs.IntVar(&o.ServerPID, "server-pid", 0, "process id of an existing server on this machine, to report its memory (0 = not reported)")
	fs.StringVar(&o.CPUProfile, "cpuprofile", "", "write a CPU profile of the run (server and clients when in-process) to this file")
	fs.BoolVar(&o.Verbose, "v", false, "log warnings of the clients (and of the in-process server) to stderr")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if fs.NArg() > 0 {
		return o, fmt.Errorf("unexpected arguments %q (see -h)", fs.Args())
	}
	var err error
	if o.Rate, err = parseRate(*rate); err != nil {
		return o, err
	}
	return o, o.validate()
}

// parseRate reads "500/s", "500", "3000/m" or "0".
func parseRate(s string) (float64, error) {
	num, unit, hasUnit := strings.Cut(strings.TrimSpace(s), "/")
	n, err := strconv.ParseFloat(strings.TrimSpace(num), 64)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("rate %q: want a non-negative number of messages, e.g. 500/s", s)
	}
	if !hasUnit {
		return n, nil
	}
	switch strings.TrimSpace(unit) {
	case "s":
		return n, nil
	case "m":
		return n / 60, nil
	default:
		return 0, fmt.Errorf("rate %q: the unit must be /s or /m", s)
	}
}

func (o Options) validate() error {
	var errs []error
	check := func(ok bool, format string, args ...any) {
		if !ok {
			errs = append(errs, fmt.Errorf(format, args...))
		}
	}
	check(o.Users >= 2, "-users must be at least 2, got %d", o.Users)
	check(o.Messages >= 1, "-messages must be at least 1, got %d", o.Messages)
	check(o.Groups >= 0, "-groups must not be negative, got %d", o.Groups)
	if o.Groups > 0 {
		check(o.GroupSize >= 2 && o.GroupSize <= o.Users, "-group-size must be between 2 and -users (%d), got %d", o.Users, o.GroupSize)
	}
	check(o.GroupShare >= 0 && o.GroupShare <= 1, "-group-share must be between 0 and 1, got %g", o.GroupShare)
	check(o.Duration > 0, "-duration must be positive")
	check(o.Drain > 0, "-drain must be positive")
	check(o.CatchUp >= 0, "-catchup must not be negative")
	check(o.Senders >= 1, "-senders must be at least 1")
	check(o.Parallel >= 1, "-connect-parallel must be at least 1")
	check(o.Transport == cube.ChatDirectTLS || o.Transport == cube.ChatStartTLS, `-tls must be "tls" or "starttls", got %q`, o.Transport)
	check((o.APIURL == "") == (o.XMPPAddr == ""), "-api and -xmpp go together (both or neither)")
	check(o.APIURL != "" || (o.CertFile == "" && o.ServerPID == 0), "-cert and -server-pid only apply to an existing server (-api)")
	return errors.Join(errs...)
}
