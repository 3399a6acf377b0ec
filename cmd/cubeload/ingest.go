package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/xml"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"runtime"
	"runtime/pprof"
	"slices"
	"sync"
	"syscall"
	"time"

	"github.com/cubechat/cubechat/cube"
	"github.com/cubechat/cubechat/cubeserver"
	"github.com/cubechat/cubechat/cubeserver/store"
)

// "cubeload ingest" measures how many chat messages per second the server stores
// when many senders write at once, each as fast as the server acknowledges (XEP-0198
// <a h/> counts a message once it is handled, which for a stored one means committed).
// In the same run it measures two references on the same machine and disk: the raw
// SQLite insert rate of the same rows in batched transactions, and the routing rate of
// the same messages when they are not stored. Every run starts a fresh server; the
// stored rows are counted at the end and must equal what was sent.

// ingestOptions are the flags of the ingest subcommand.
type ingestOptions struct {
	Senders  int // sender connections, each with its own receiver and private dialog
	Messages int // per sender and phase
	Runs     int
	Chunk    int // stanzas per write (followed by <r/>)
	Window   int // stanzas a sender keeps ahead of the server's acks
	Batch    int // rows per transaction of the raw SQLite reference
	Dir      string

	CPUProfile, BlockProfile, MutexProfile string // of the stored phase of the last run
}

func parseIngestFlags(args []string, stderr io.Writer) (ingestOptions, error) {
	var o ingestOptions
	fs := flag.NewFlagSet("cubeload ingest", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: cubeload ingest [flags]\n\nStored messages per second with many senders, beside the raw SQLite insert rate\nand the not-stored routing rate measured in the same run.")
		fs.PrintDefaults()
	}
	fs.IntVar(&o.Senders, "senders", 50, "sender connections (each sends to its own online receiver)")
	fs.IntVar(&o.Messages, "messages", 1000, "messages per sender in each phase")
	fs.IntVar(&o.Runs, "runs", 3, "runs, each on a fresh server (figures are given per run, then min/median)")
	fs.IntVar(&o.Chunk, "chunk", 8, "stanzas a sender writes at once, followed by an ack request <r/>")
	fs.IntVar(&o.Window, "window", 32, "stanzas a sender keeps unacknowledged at most")
	fs.IntVar(&o.Batch, "batch", 0, "rows per transaction of the raw SQLite reference (0 = -senders)")
	fs.StringVar(&o.Dir, "dir", "", "directory for the databases (default: the system temporary directory)")
	fs.StringVar(&o.CPUProfile, "cpuprofile", "", "write a CPU profile of the last run's stored phase")
	fs.StringVar(&o.BlockProfile, "blockprofile", "", "write a block profile of the last run's stored phase")
	fs.StringVar(&o.MutexProfile, "mutexprofile", "", "write a mutex profile of the last run's stored phase")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if o.Senders < 1 || o.Messages < 1 || o.Runs < 1 || o.Chunk < 1 || o.Window < o.Chunk {
		return o, errors.New("need -senders, -messages, -runs, -chunk ≥ 1 and -window ≥ -chunk")
	}
	if o.Batch <= 0 {
		o.Batch = o.Senders
	}
	return o, nil
}

// ingestRun is what one run measured; rates are per second.
type ingestRun struct {
	RawInsert float64 // raw SQLite, the same rows in batched transactions
	NotStored float64 // routed without storing
	Stored    float64
	// CPU of the whole process (server and clients) per message of each phase.
	RawCPU, NotStoredCPU, StoredCPU time.Duration
	Sent                            int // stored phase
	Rows                            int // stored rows counted afterwards
	Delivered                       int64
	Bounced                         int64
	Group                           float64 // mean writes per group commit in the stored phase
}

func runIngest(args []string, stdout, stderr io.Writer) error {
	o, err := parseIngestFlags(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return nil
	}
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	fmt.Fprintf(stdout, "ingest: %d senders × %d messages, chunk %d, window %d, raw batch %d, GOMAXPROCS %d\n",
		o.Senders, o.Messages, o.Chunk, o.Window, o.Batch, runtime.GOMAXPROCS(0))
	fmt.Fprintln(stdout, "rates in messages/s; CPU in µs per message for the whole process (server and clients)")
	fmt.Fprintf(stdout, "%-4s %12s %12s %12s %8s %8s %8s %8s %8s  %s\n", "run", "raw insert", "not stored", "stored",
		"÷raw", "÷routed", "raw CPU", "rout CPU", "stor CPU", "check")
	var runs []ingestRun
	for i := range o.Runs {
		r, err := ingestOnce(ctx, o, i == o.Runs-1)
		if err != nil {
			return fmt.Errorf("run %d: %w", i+1, err)
		}
		runs = append(runs, r)
		check := fmt.Sprintf("stored %d of %d sent, %d delivered, %d bounced; %.1f writes per commit", r.Rows, r.Sent, r.Delivered, r.Bounced, r.Group)
		fmt.Fprintf(stdout, "%-4d %12.0f %12.0f %12.0f %8.3f %8.3f %8.1f %8.1f %8.1f  %s\n", i+1, r.RawInsert, r.NotStored, r.Stored,
			r.Stored/r.RawInsert, r.Stored/r.NotStored, micros(r.RawCPU), micros(r.NotStoredCPU), micros(r.StoredCPU), check)
		if r.Rows != r.Sent || r.Bounced != 0 || r.Delivered != int64(r.Sent) {
			return fmt.Errorf("run %d lost messages: %s", i+1, check)
		}
	}
	pick := func(f func(ingestRun) float64) (lo, med float64) {
		v := make([]float64, len(runs))
		for i, r := range runs {
			v[i] = f(r)
		}
		slices.Sort(v)
		return v[0], v[len(v)/2]
	}
	for _, row := range []struct {
		name string
		f    func(ingestRun) float64
	}{
		{"raw insert/s", func(r ingestRun) float64 { return r.RawInsert }},
		{"not stored/s", func(r ingestRun) float64 { return r.NotStored }},
		{"stored/s", func(r ingestRun) float64 { return r.Stored }},
		{"stored ÷ raw", func(r ingestRun) float64 { return r.Stored / r.RawInsert }},
		{"stored ÷ not stored", func(r ingestRun) float64 { return r.Stored / r.NotStored }},
		{"raw CPU µs/msg", func(r ingestRun) float64 { return micros(r.RawCPU) }},
		{"not stored CPU µs/msg", func(r ingestRun) float64 { return micros(r.NotStoredCPU) }},
		{"stored CPU µs/msg", func(r ingestRun) float64 { return micros(r.StoredCPU) }},
	} {
		lo, med := pick(row.f)
		fmt.Fprintf(stdout, "%-22s min %10.3f  median %10.3f\n", row.name, lo, med)
	}
	return nil
}

// ingestOnce is one run: the raw reference, then a fresh server's not-stored and
// stored phases.
func ingestOnce(ctx context.Context, o ingestOptions, profile bool) (ingestRun, error) {
	var r ingestRun
	raw, err := rawInsertRate(ctx, o)
	if err != nil {
		return r, fmt.Errorf("raw SQLite reference: %w", err)
	}
	r.RawInsert, r.RawCPU = raw.rate, raw.cpu

	dir, err := os.MkdirTemp(o.Dir, "cubeload-ingest-")
	if err != nil {
		return r, err
	}
	defer os.RemoveAll(dir)
	srv, err := cubeserver.Start(ctx, cubeserver.Config{DataDir: dir, HTTPAddr: "127.0.0.1:0",
		XMPPTLSAddr: "127.0.0.1:0", Logger: slog.New(slog.DiscardHandler),
		PasswordPolicy: new(store.CheapPasswordPolicy())})
	if err != nil {
		return r, err
	}
	defer srv.Close()
	setupCtx, cancel := context.WithTimeout(ctx, setupBudget)
	defer cancel()
	pairs, err := ingestPairs(setupCtx, srv, o.Senders)
	if err != nil {
		return r, err
	}
	defer func() {
		for _, p := range pairs {
			p.s.c.close()
			p.r.c.close()
		}
	}()

	runCtx, cancelRun := context.WithTimeout(ctx, 10*time.Minute)
	defer cancelRun()
	notStored, err := ingestPhase(runCtx, pairs, o, false, nil)
	if err != nil {
		return r, fmt.Errorf("not stored: %w", err)
	}
	r.NotStored, r.NotStoredCPU = notStored.rate, notStored.cpu
	before := delivered(pairs)
	var prof *phaseProfiles
	if profile {
		prof = &phaseProfiles{o: o}
	}
	groups0, writes0 := srv.Store().GroupCommitStats()
	stored, err := ingestPhase(runCtx, pairs, o, true, prof)
	if err != nil {
		return r, fmt.Errorf("stored: %w", err)
	}
	r.Stored, r.StoredCPU = stored.rate, stored.cpu
	if groups, writes := srv.Store().GroupCommitStats(); groups > groups0 {
		r.Group = float64(writes-writes0) / float64(groups-groups0)
	}
	r.Sent = o.Senders * o.Messages
	r.Delivered = delivered(pairs) - before
	for _, p := range pairs {
		r.Bounced += p.s.bounce.Load()
		n, err := srv.Store().CountMessages(setupCtx, store.MessageQuery{DialogID: p.dialogID, Viewer: p.to})
		if err != nil {
			return r, err
		}
		r.Rows += n
	}
	return r, nil
}

// ingestPair is one sender, its receiver and their private dialog.
type ingestPair struct {
	s        *sender
	r        *receiver
	to       int64 // the receiver's user id
	toJID    string
	dialogID string
}

// ingestPairs creates 2n users and n private dialogs and logs everyone in.
func ingestPairs(ctx context.Context, srv *cubeserver.Server, n int) ([]*ingestPair, error) {
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(srv.CertPEM())
	host, _, err := net.SplitHostPort(srv.XMPPTLSAddr())
	if err != nil {
		return nil, err
	}
	tlsConf := &tls.Config{RootCAs: pool, ServerName: host}
	st := srv.Store()
	pairs := make([]*ingestPair, n)
	var mu sync.Mutex
	var conns []*rawConn
	err = forEach(ctx, n, 8, func(ctx context.Context, i int) error {
		var ids [2]int64
		var cs [2]*rawConn
		for k := range ids {
			login := fmt.Sprintf("ingest-%d-%d", i, k)
			u, err := st.CreateUser(ctx, cube.User{Login: login}, "pw-"+login)
			if err != nil {
				return err
			}
			ids[k] = u.ID
			c, err := dialRaw(ctx, srv.XMPPTLSAddr(), tlsConf, srv.Domain(), srv.AppID(), u.ID, "pw-"+login)
			if err != nil {
				return err
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
			cs[k] = c
		}
		d, err := st.FindOrCreatePrivateDialog(ctx, ids[0], ids[1])
		if err != nil {
			return err
		}
		if err := cs[0].enableSM(); err != nil {
			return err
		}
		pairs[i] = &ingestPair{s: newSender(cs[0]), r: newReceiver(cs[1]), to: ids[1],
			toJID: cube.UserJID(ids[1], srv.AppID(), srv.Domain()), dialogID: d.ID}
		return nil
	})
	if err != nil {
		for _, c := range conns {
			c.close()
		}
		return nil, err
	}
	return pairs, nil
}

func delivered(pairs []*ingestPair) int64 {
	var n int64
	for _, p := range pairs {
		n += p.r.got.Load()
	}
	return n
}

// phaseFigures are a phase's messages per second and the CPU each message cost.
type phaseFigures struct {
	rate float64
	cpu  time.Duration
}

// measured is the figures of n messages handled in elapsed wall time for cpu.
func measured(n int, elapsed, cpu time.Duration) phaseFigures {
	return phaseFigures{rate: float64(n) / elapsed.Seconds(), cpu: cpu / time.Duration(n)}
}

// ingestPhase sends o.Messages from every sender at once and returns messages per
// second from the first write to the last acknowledgement. Every receiver must then
// have counted its messages.
func ingestPhase(ctx context.Context, pairs []*ingestPair, o ingestOptions, save bool, prof *phaseProfiles) (phaseFigures, error) {
	stanzas := make([][][]byte, len(pairs))
	for i, p := range pairs {
		stanzas[i] = make([][]byte, o.Messages)
		for k := range stanzas[i] {
			extra := &cube.ExtraParams{}
			if save {
				extra.Set("save_to_history", "1")
			}
			extra.Set("dialog_id", p.dialogID)
			extra.Set("date_sent", fmt.Sprint(time.Now().Unix()))
			b, err := xml.Marshal(&cube.MessageStanza{Type: cube.ChatType, To: p.toJID, ID: cube.NewObjectID(),
				Body: cube.Str(fmt.Sprintf("ingest message %d of sender %d", k, i)), Extra: extra})
			if err != nil {
				return phaseFigures{}, err
			}
			stanzas[i][k] = b
		}
	}
	want := delivered(pairs) + int64(len(pairs)*o.Messages)
	if prof != nil {
		if err := prof.start(); err != nil {
			return phaseFigures{}, err
		}
	}
	cpu0, start := processCPU(), time.Now()
	err := forEach(ctx, len(pairs), len(pairs), func(ctx context.Context, i int) error {
		return pairs[i].s.send(ctx, stanzas[i], o.Chunk, o.Window)
	})
	elapsed, cpu := time.Since(start), processCPU()-cpu0
	if prof != nil {
		if perr := prof.stop(); err == nil {
			err = perr
		}
	}
	if err != nil {
		return phaseFigures{}, err
	}
	// Acknowledged means routed: the copies are queued or on their way.
	deadline := time.Now().Add(30 * time.Second)
	for delivered(pairs) < want {
		for _, p := range pairs {
			select {
			case err := <-p.r.done:
				return phaseFigures{}, fmt.Errorf("receiver ended: %v", err)
			default:
			}
		}
		if time.Now().After(deadline) {
			return phaseFigures{}, fmt.Errorf("delivered %d of %d", delivered(pairs), want)
		}
		time.Sleep(10 * time.Millisecond)
	}
	return measured(len(pairs)*o.Messages, elapsed, cpu), nil
}

// phaseProfiles writes the CPU, block and mutex profiles of one phase.
type phaseProfiles struct {
	o   ingestOptions
	cpu *os.File
}

func (p *phaseProfiles) start() error {
	if p.o.BlockProfile != "" {
		runtime.SetBlockProfileRate(int(10 * time.Microsecond))
	}
	if p.o.MutexProfile != "" {
		runtime.SetMutexProfileFraction(5)
	}
	if p.o.CPUProfile == "" {
		return nil
	}
	f, err := os.Create(p.o.CPUProfile)
	if err != nil {
		return err
	}
	p.cpu = f
	return pprof.StartCPUProfile(f)
}

func (p *phaseProfiles) stop() error {
	var errs []error
	if p.cpu != nil {
		pprof.StopCPUProfile()
		errs = append(errs, p.cpu.Close())
	}
	for _, w := range []struct{ name, file string }{{"block", p.o.BlockProfile}, {"mutex", p.o.MutexProfile}} {
		if w.file == "" {
			continue
		}
		f, err := os.Create(w.file)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		errs = append(errs, pprof.Lookup(w.name).WriteTo(f, 0), f.Close())
	}
	runtime.SetBlockProfileRate(0)
	runtime.SetMutexProfileFraction(0)
	return errors.Join(errs...)
}

func micros(d time.Duration) float64 { return float64(d) / float64(time.Microsecond) }
