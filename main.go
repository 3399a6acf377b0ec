// Command cubechat is a desktop messenger for the ConnectyCube chat platform.
//
//	cubechat            sign in to ConnectyCube's cloud or a custom server
//	cubechat --demo     run on the embedded demo server with a seeded workspace
//
// main only wires: it opens the cache, builds the engine factory and starts the UI.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"runtime/debug"

	"fyne.io/fyne/v2"
	fyneapp "fyne.io/fyne/v2/app"
	"fyne.io/fyne/v2/lang"

	"github.com/cubechat/cubechat/app"
	_ "github.com/cubechat/cubechat/app/fynecache" // Fyne drops closed chats' caches after 15 s, not a minute
	"github.com/cubechat/cubechat/assets"
	"github.com/cubechat/cubechat/cache"
	"github.com/cubechat/cubechat/cubeserver/demo"
	"github.com/cubechat/cubechat/internal/instance"
	"github.com/cubechat/cubechat/keyring"
	"github.com/cubechat/cubechat/sync"
	"github.com/cubechat/cubechat/version"
)

// appID names the app to the OS (desktop file, notifications) and keys Fyne's preferences;
// it must match FyneApp.toml. Until 0.1 it was legacyAppID (see migratePreferences).
const (
	appID       = "io.cubechat.CubeChat"
	legacyAppID = "io.cubechat.desktop"
)

func main() {
	demoMode := flag.Bool("demo", false, lang.L("run on the embedded demo server (seeded workspace, answering colleagues)"))
	dataDir := flag.String("data", defaultDataDir(), lang.L("directory for the local cache (and the demo server's data)"))
	verbose := flag.Bool("v", false, lang.L("verbose logging"))
	showVersion := flag.Bool("version", false, lang.L("print the version and exit"))
	language := flag.String("lang", "", lang.L("the language of the window, e.g. de or en (default: the system's; Linux only)"))
	flag.Parse()
	if *showVersion {
		fmt.Println("cubechat", version.String())
		return
	}
	if err := app.UseLanguage(*language); err != nil {
		fmt.Fprintln(os.Stderr, "cubechat:", err)
	}

	level := slog.LevelInfo
	if *verbose {
		level = slog.LevelDebug
	}
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))
	lowerGCTarget()
	stopProfiles := heapProfiles(logger)
	err := run(*demoMode, *dataDir, logger)
	stopProfiles()
	if err != nil {
		fmt.Fprintln(os.Stderr, "cubechat:", err)
		os.Exit(1)
	}
}

// gcPercent is the collector's target while GOGC is unset: the heap may grow by
// half its live size between collections instead of doubling. Most of the live
// heap is Fyne's caches of what was drawn in the last minute, so the default let
// the window's Go heap reach about twice that; 50 cut the real window's memory
// after opening 20 chats at 1M cached messages by 30–35 MiB for no measurable
// CPU (docs/benchmarks.md, "Issue 10, memory in the real window"). A soft limit
// (GOMEMLIMIT) was tried before and made the collector thrash.
const gcPercent = 50

func lowerGCTarget() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(gcPercent)
	}
}

func run(demoMode bool, dataDir string, logger *slog.Logger) error {
	// One cubechat per profile: a second start brings the first one's window forward.
	profileDir := cacheDir(dataDir, demoMode)
	inst, err := instance.Acquire(profileDir)
	if errors.Is(err, instance.ErrRunning) {
		fmt.Fprintln(os.Stderr, "cubechat:", lang.L("already running with this profile; its window was brought forward"))
		return nil
	}
	if err != nil {
		return err
	}
	defer inst.Close()

	// Session tokens go to the OS credential store (never a password, never a plain
	// file); the demo's throwaway tokens stay in memory, out of the user's keyring.
	deps := app.Deps{Logger: logger, Tokens: keyring.System{}, Version: version.String(), ScreenSize: primaryScreenSize,
		Placer: glfwPlacer{}}
	if demoMode {
		deps.Tokens = &keyring.Memory{}
		d, err := demo.Start(context.Background(), profileDir, logger)
		if err != nil {
			return err
		}
		defer d.Close()
		srv := d.Server
		deps.Demo = &app.DemoLogin{Login: demo.Login, Password: demo.Password, Profile: sync.Profile{
			Name: lang.L("Demo server"), APIURL: srv.HTTPURL(), ChatHost: srv.XMPPTLSAddr(), ChatDomain: srv.Domain(),
			ChatTLS: "tls", AppID: srv.AppID(), AuthKey: srv.AuthKey(), CertPEM: srv.CertPEM(),
		}}
		logger.Info("demo server running", "api", srv.HTTPURL(), "xmpps", srv.XMPPTLSAddr(), "data", profileDir)
	}
	deps.ProfileDir = profileDir // the window's place is kept with the profile's cache
	db, err := openCache(filepath.Join(deps.ProfileDir, "cache.db"), logger)
	if err != nil {
		return err
	}
	defer db.Close()
	deps.Cache = db
	deps.NewEngine = func(p sync.Profile) *sync.Engine { return sync.New(db, p, logger.With("component", "sync")) }

	if err := migratePreferences(legacyAppID, appID); err != nil {
		logger.Warn("could not carry the saved preferences over to the new app id", "err", err)
	}
	fyneApp := fyneapp.NewWithID(appID)
	fyneApp.SetIcon(fyne.NewStaticResource("icon.png", assets.IconPNG))
	defer desktopServices(&deps, profileDir, logger)()
	ui, err := app.New(fyneApp, deps)
	if err != nil {
		return err
	}
	inst.OnShow(ui.BringForward)
	ui.ShowAndRun()
	return nil
}

// cacheDir is the profile's directory: its cache, window state and instance lock. The
// demo has its own, so it runs beside a real account.
func cacheDir(dataDir string, demoMode bool) string {
	if demoMode {
		return filepath.Join(dataDir, "demo")
	}
	return dataDir
}

// openCache opens the local cache. A damaged file is moved aside (it is a cache: the
// server has the history) and a fresh one is started, with a warning in the log.
func openCache(path string, logger *slog.Logger) (*cache.DB, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("create the data directory: %w", err)
	}
	db, err := cache.Open(path)
	if errors.Is(err, cache.ErrCorrupt) {
		moved, mvErr := cache.MoveAside(path)
		if mvErr != nil {
			return nil, fmt.Errorf("%w (and moving it aside failed: %v)", err, mvErr)
		}
		logger.Warn("the local cache was damaged; it was moved aside and a fresh one started", "moved_to", moved, "err", err)
		db, err = cache.Open(path)
	}
	return db, err
}

func defaultDataDir() string {
	if dir, err := os.UserConfigDir(); err == nil {
		return filepath.Join(dir, "cubechat")
	}
	return ".cubechat"
}
