package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

func TestRepositoryAppMetaIsReleasable(t *testing.T) {
	m, err := readAppMeta(filepath.Join("..", "..", "FyneApp.toml"))
	if err != nil {
		t.Fatal(err)
	}
	// fyne names the desktop file ID + ".desktop"; an id ending in .desktop doubles it.
	if strings.HasSuffix(m.Details.ID, ".desktop") || strings.Count(m.Details.ID, ".") < 2 {
		t.Errorf("app id %q is not a reverse-DNS id fit for a desktop file name", m.Details.ID)
	}
}

func TestReadAppMetaNamesWhatIsMissing(t *testing.T) {
	path := filepath.Join(t.TempDir(), "FyneApp.toml")
	body := "[Details]\nIcon = \"i.png\"\nName = \"x\"\nID = \"io.x.X\"\nVersion = \"1.2\"\nBuild = 1\n"
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := readAppMeta(path)
	if err == nil {
		t.Fatal("incomplete metadata accepted")
	}
	for _, want := range []string{"not x.y.z", "[Release] needs Summary", "[Release] needs License"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not say %q", err, want)
		}
	}
}

func TestKeepFileRestoresWhatAToolRewrote(t *testing.T) {
	path := filepath.Join(t.TempDir(), "FyneApp.toml")
	if err := os.WriteFile(path, []byte("Build = 1 # kept\n"), 0o640); err != nil {
		t.Fatal(err)
	}
	restore, err := keepFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte("Build = 2\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := restore(); err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(path); string(got) != "Build = 1 # kept\n" {
		t.Fatalf("after restore: %q", got)
	}
}

// fyneMakefile has the lines of fyne 1.7's generated Makefile that installMetainfo edits.
const fyneMakefile = "install:\n" +
	"\tinstall -Dm00644 usr/local/share/pixmaps/$(Icon) $(DESTDIR)$(PREFIX)/share/pixmaps/$(Icon)\n" +
	"uninstall:\n" +
	"\t-rm $(DESTDIR)$(PREFIX)/share/pixmaps/$(Icon)\n" +
	"user-install:\n" +
	"\tinstall -Dm00644 usr/local/share/pixmaps/$(Icon) $(DESTDIR)$(HOME)/.local/share/icons/$(Icon)\n" +
	"user-uninstall:\n" +
	"\t-rm $(DESTDIR)$(HOME)/.local/share/icons/$(Icon)\n"

func TestInstallMetainfoEditsEveryTarget(t *testing.T) {
	got, err := installMetainfo(fyneMakefile)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"\tinstall -Dm00644 usr/local/share/metainfo/$(AppID).metainfo.xml $(DESTDIR)$(PREFIX)/share/metainfo/$(AppID).metainfo.xml\nuninstall:",
		"\t-rm $(DESTDIR)$(PREFIX)/share/metainfo/$(AppID).metainfo.xml\nuser-install:",
		"$(DESTDIR)$(HOME)/.local/share/metainfo/$(AppID).metainfo.xml\nuser-uninstall:",
		"\t-rm $(DESTDIR)$(HOME)/.local/share/metainfo/$(AppID).metainfo.xml\n",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("patched Makefile lacks %q:\n%s", want, got)
		}
	}
	if _, err := installMetainfo("install:\n\tcp a b\n"); err == nil {
		t.Error("a Makefile of another shape was patched silently")
	}
}

// testMeta is complete metadata for the fake packages below.
func testMeta(t *testing.T) appMeta {
	t.Helper()
	m, err := readAppMeta(filepath.Join("..", "..", "FyneApp.toml"))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// buildFakeApp builds a tiny Linux program that answers --version like the app does.
func buildFakeApp(t *testing.T, dir, out, version string, strip bool) {
	t.Helper()
	src := filepath.Join(dir, "fake.go")
	prog := "package main\nimport (\"fmt\"; \"os\")\nfunc main() { if len(os.Args) > 1 && os.Args[1] == \"--version\" { fmt.Println(\"cubechat " + version + "\") } }\n"
	if err := os.WriteFile(src, []byte(prog), 0o600); err != nil {
		t.Fatal(err)
	}
	args := []string{"build", "-o", out}
	if strip {
		args = append(args, "-ldflags=-s -w")
	}
	cmd := exec.Command("go", append(args, src)...)
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux", "GO111MODULE=off")
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("build fake app: %v\n%s", err, b)
	}
}

// fakeArchive lays out what the release archive holds and packs it; break_ removes or
// changes one thing first.
func fakeArchive(t *testing.T, m appMeta, strip bool, version string, breakIt func(top string)) string {
	t.Helper()
	dir := t.TempDir()
	top := filepath.Join(dir, "pkg", m.Details.Name)
	for _, e := range linuxEntries(m) {
		if err := os.MkdirAll(filepath.Dir(filepath.Join(top, e)), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	buildFakeApp(t, dir, filepath.Join(top, linuxPrefix, "bin", m.Details.Name), version, strip)
	desktop := "[Desktop Entry]\nType=Application\nName=" + m.Details.Name + "\nExec=" + m.Details.Name + "\nIcon=" + m.Details.ID + "\n"
	icon, err := os.ReadFile(filepath.Join("..", "..", m.Details.Icon))
	if err != nil {
		t.Fatal(err)
	}
	meta, err := metainfoXML(m)
	if err != nil {
		t.Fatal(err)
	}
	files := map[string][]byte{
		"Makefile": []byte(fyneMakefile),
		filepath.Join(linuxPrefix, "share/applications", m.Details.ID+".desktop"):  []byte(desktop),
		filepath.Join(linuxPrefix, "share/pixmaps", m.Details.ID+".png"):           icon,
		filepath.Join(linuxPrefix, "share/metainfo", m.Details.ID+".metainfo.xml"): meta,
	}
	for name, b := range files {
		if err := os.WriteFile(filepath.Join(top, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if breakIt != nil {
		breakIt(top)
	}
	archive := filepath.Join(dir, "app.tar.xz")
	if err := tar("-cJf", archive, "-C", filepath.Join(dir, "pkg"), m.Details.Name); err != nil {
		t.Fatal(err)
	}
	return archive
}

func TestCheckLinuxArchive(t *testing.T) {
	if testing.Short() {
		t.Skip("builds small programs")
	}
	m := testMeta(t)
	report, err := checkLinuxArchive(fakeArchive(t, m, true, m.Details.Version, nil), m)
	if err != nil {
		t.Fatalf("a complete archive fails: %v", err)
	}
	if joined := strings.Join(report, "\n"); !strings.Contains(joined, `prints "cubechat `+m.Details.Version+`"`) {
		t.Errorf("report does not show the version check:\n%s", joined)
	}
	bad := []struct {
		name    string
		strip   bool
		version string
		breakIt func(top string)
		want    string
	}{
		{"no desktop file", true, m.Details.Version, func(top string) {
			os.Remove(filepath.Join(top, linuxPrefix, "share/applications", m.Details.ID+".desktop"))
		}, "lacks usr/local/share/applications/" + m.Details.ID + ".desktop"},
		{"unstripped", false, m.Details.Version, nil, "not stripped"},
		{"wrong version", true, "9.9.9", nil, `want "cubechat ` + m.Details.Version + `"`},
		{"desktop file without icon", true, m.Details.Version, func(top string) {
			os.WriteFile(filepath.Join(top, linuxPrefix, "share/applications", m.Details.ID+".desktop"),
				[]byte("[Desktop Entry]\nType=Application\nName="+m.Details.Name+"\nExec="+m.Details.Name+"\n"), 0o644)
		}, `lacks the line "Icon=`},
	}
	for _, b := range bad {
		t.Run(b.name, func(t *testing.T) {
			_, err := checkLinuxArchive(fakeArchive(t, m, b.strip, b.version, b.breakIt), m)
			if err == nil || !strings.Contains(err.Error(), b.want) {
				t.Fatalf("error %v, want one saying %q", err, b.want)
			}
		})
	}
}

func TestCheckWindowsExeRefusesConsoleAndIconless(t *testing.T) {
	if testing.Short() {
		t.Skip("cross-builds small programs")
	}
	dir := t.TempDir()
	src := filepath.Join(dir, "hello.go")
	if err := os.WriteFile(src, []byte("package main\nfunc main() {}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	build := func(name, ldflags string) string {
		out := filepath.Join(dir, name)
		cmd := exec.Command("go", "build", "-ldflags="+ldflags, "-o", out, src)
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=windows", "GOARCH=amd64", "GO111MODULE=off")
		if b, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("cross-build: %v\n%s", err, b)
		}
		return out
	}
	if _, err := checkWindowsExe(build("console.exe", "-s -w")); err == nil || !strings.Contains(err.Error(), "GUI subsystem") {
		t.Errorf("console program: %v", err)
	}
	if _, err := checkWindowsExe(build("gui.exe", "-s -w -H windowsgui")); err == nil || !strings.Contains(err.Error(), "no icon") {
		t.Errorf("GUI program without resources: %v", err)
	}
}
