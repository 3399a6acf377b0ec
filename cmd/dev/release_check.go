package main

import (
	"bytes"
	"context"
	"debug/elf"
	"debug/pe"
	"encoding/binary"
	"encoding/xml"
	"errors"
	"fmt"
	"image/png"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// linuxPrefix is where fyne's archive puts the files (its Makefile installs from there).
const linuxPrefix = "usr/local"

// linuxEntries are the files the Linux archive must hold, below its top folder.
func linuxEntries(m appMeta) []string {
	id := m.Details.ID
	return []string{
		"Makefile",
		path.Join(linuxPrefix, "bin", m.Details.Name),
		path.Join(linuxPrefix, "share/applications", id+".desktop"),
		path.Join(linuxPrefix, "share/pixmaps", id+".png"),
		path.Join(linuxPrefix, "share/metainfo", id+".metainfo.xml"),
	}
}

// addMetainfo repacks fyne's archive src as dest with the AppStream metainfo added and
// installed by the archive's Makefile.
func addMetainfo(src, dest string, m appMeta) error {
	dir, err := os.MkdirTemp("", "cubechat-release-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	if err := tar("-xJf", src, "-C", dir); err != nil {
		return err
	}
	top := filepath.Join(dir, m.Details.Name)
	xmlBytes, err := metainfoXML(m)
	if err != nil {
		return err
	}
	metaPath := filepath.Join(top, linuxPrefix, "share/metainfo", m.Details.ID+".metainfo.xml")
	if err := os.MkdirAll(filepath.Dir(metaPath), 0o755); err != nil {
		return err
	}
	if err := os.WriteFile(metaPath, xmlBytes, 0o644); err != nil {
		return err
	}
	makefile := filepath.Join(top, "Makefile")
	mk, err := os.ReadFile(makefile)
	if err != nil {
		return err
	}
	patched, err := installMetainfo(string(mk))
	if err != nil {
		return err
	}
	if err := os.WriteFile(makefile, []byte(patched), 0o644); err != nil {
		return err
	}
	tmp := dest + ".part"
	if err := tar("--owner=0", "--group=0", "--numeric-owner", "-cJf", tmp, "-C", dir, m.Details.Name); err != nil {
		os.Remove(tmp)
		return err
	}
	return os.Rename(tmp, dest)
}

// installMetainfo adds the metainfo file to the install, uninstall, user-install and
// user-uninstall targets of fyne's Makefile, next to the icon's lines. A Makefile
// without those lines (another fyne version) is an error rather than a silent miss.
func installMetainfo(mk string) (string, error) {
	const file = "share/metainfo/$(AppID).metainfo.xml"
	edits := []struct{ after, add string }{
		{"\tinstall -Dm00644 usr/local/share/pixmaps/$(Icon) $(DESTDIR)$(PREFIX)/share/pixmaps/$(Icon)\n",
			"\tinstall -Dm00644 usr/local/" + file + " $(DESTDIR)$(PREFIX)/" + file + "\n"},
		{"\t-rm $(DESTDIR)$(PREFIX)/share/pixmaps/$(Icon)\n", "\t-rm $(DESTDIR)$(PREFIX)/" + file + "\n"},
		{"\tinstall -Dm00644 usr/local/share/pixmaps/$(Icon) $(DESTDIR)$(HOME)/.local/share/icons/$(Icon)\n",
			"\tinstall -Dm00644 usr/local/" + file + " $(DESTDIR)$(HOME)/.local/" + file + "\n"},
		{"\t-rm $(DESTDIR)$(HOME)/.local/share/icons/$(Icon)\n", "\t-rm $(DESTDIR)$(HOME)/.local/" + file + "\n"},
	}
	for _, e := range edits {
		if strings.Count(mk, e.after) != 1 {
			return "", fmt.Errorf("fyne's Makefile has changed: no single line %q", strings.TrimSpace(e.after))
		}
		mk = strings.Replace(mk, e.after, e.after+e.add, 1)
	}
	return mk, nil
}

// checkLinuxArchive opens the archive as a user would and checks what is in it: every
// expected file, a stripped binary that starts and prints its version, a desktop file
// that names the binary and icon, a PNG icon, valid metainfo.
func checkLinuxArchive(archive string, m appMeta) ([]string, error) {
	var report []string
	list, err := tarOutput("-tJf", archive)
	if err != nil {
		return nil, err
	}
	names := strings.Fields(list)
	var missing []string
	for _, want := range linuxEntries(m) {
		if !slices.Contains(names, m.Details.Name+"/"+want) {
			missing = append(missing, want)
		}
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("the archive lacks %s", strings.Join(missing, ", "))
	}
	report = append(report, fmt.Sprintf("archive holds %d entries, among them: %s", len(names), strings.Join(linuxEntries(m), ", ")))

	dir, err := os.MkdirTemp("", "cubechat-check-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	if err := tar("-xJf", archive, "-C", dir); err != nil {
		return nil, err
	}
	top := filepath.Join(dir, m.Details.Name)
	bin := filepath.Join(top, linuxPrefix, "bin", m.Details.Name)

	line, err := checkStrippedELF(bin)
	if err != nil {
		return nil, err
	}
	report = append(report, line)
	line, err = checkVersionOutput(bin, m.Details.Name+" "+m.Details.Version)
	if err != nil {
		return nil, err
	}
	report = append(report, line)
	line, err = checkDesktopFile(filepath.Join(top, linuxPrefix, "share/applications", m.Details.ID+".desktop"), m)
	if err != nil {
		return nil, err
	}
	report = append(report, line)
	line, err = checkPNG(filepath.Join(top, linuxPrefix, "share/pixmaps", m.Details.ID+".png"))
	if err != nil {
		return nil, err
	}
	report = append(report, line)
	line, err = checkMetainfo(filepath.Join(top, linuxPrefix, "share/metainfo", m.Details.ID+".metainfo.xml"), m)
	if err != nil {
		return nil, err
	}
	return append(report, line), nil
}

// checkStrippedELF wants an ELF executable without a symbol table (-ldflags -s).
func checkStrippedELF(bin string) (string, error) {
	f, err := elf.Open(bin)
	if err != nil {
		return "", fmt.Errorf("the binary is not an ELF file: %w", err)
	}
	defer f.Close()
	if f.Section(".symtab") != nil {
		return "", errors.New("the binary is not stripped (it has a .symtab)")
	}
	info, err := os.Stat(bin)
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("binary: ELF %s, stripped, %.1f MB", f.Machine, float64(info.Size())/1e6), nil
}

// checkVersionOutput runs bin --version and wants want as its output.
func checkVersionOutput(bin, want string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var stdout, stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, bin, "--version")
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("%s --version: %w (stderr: %s)", filepath.Base(bin), err, strings.TrimSpace(stderr.String()))
	}
	got := strings.TrimSpace(stdout.String())
	if got != want {
		return "", fmt.Errorf("%s --version printed %q, want %q", filepath.Base(bin), got, want)
	}
	return fmt.Sprintf("`%s --version` prints %q", filepath.Base(bin), got), nil
}

// checkDesktopFile wants the entries that make the launcher work: the binary, the
// icon by app id, and the name.
func checkDesktopFile(file string, m appMeta) (string, error) {
	b, err := os.ReadFile(file)
	if err != nil {
		return "", err
	}
	lines := strings.Split(string(b), "\n")
	for _, want := range []string{"[Desktop Entry]", "Type=Application", "Name=" + m.Details.Name,
		"Exec=" + m.Details.Name, "Icon=" + m.Details.ID} {
		if !slices.Contains(lines, want) {
			return "", fmt.Errorf("%s lacks the line %q", filepath.Base(file), want)
		}
	}
	line := filepath.Base(file) + ": Exec=" + m.Details.Name + ", Icon=" + m.Details.ID
	if _, err := exec.LookPath("desktop-file-validate"); err == nil {
		if out, err := exec.Command("desktop-file-validate", file).CombinedOutput(); err != nil {
			return "", fmt.Errorf("desktop-file-validate: %v\n%s", err, out)
		}
		line += ", desktop-file-validate passes"
	}
	return line, nil
}

func checkPNG(file string) (string, error) {
	f, err := os.Open(file)
	if err != nil {
		return "", err
	}
	defer f.Close()
	cfg, err := png.DecodeConfig(f)
	if err != nil {
		return "", fmt.Errorf("icon %s: %w", filepath.Base(file), err)
	}
	return fmt.Sprintf("icon: %s, PNG %dx%d", filepath.Base(file), cfg.Width, cfg.Height), nil
}

// checkMetainfo parses the metainfo back and, where appstreamcli is installed, has it
// validated (offline).
func checkMetainfo(file string, m appMeta) (string, error) {
	b, err := os.ReadFile(file)
	if err != nil {
		return "", err
	}
	var c metainfo
	if err := xml.Unmarshal(b, &c); err != nil {
		return "", fmt.Errorf("%s: %w", filepath.Base(file), err)
	}
	if c.ID != m.Details.ID || c.Launchable.ID != m.Details.ID+".desktop" || len(c.Releases) == 0 || c.Releases[0].Version != m.Details.Version {
		return "", fmt.Errorf("%s: id %q, launchable %q, releases %v do not match FyneApp.toml", filepath.Base(file), c.ID, c.Launchable.ID, c.Releases)
	}
	line := fmt.Sprintf("%s: id %s, release %s, license %s", filepath.Base(file), c.ID, c.Releases[0].Version, c.ProjectLicense)
	if _, err := exec.LookPath("appstreamcli"); err == nil {
		if out, err := exec.Command("appstreamcli", "validate", "--no-net", file).CombinedOutput(); err != nil {
			return "", fmt.Errorf("appstreamcli validate: %v\n%s", err, out)
		}
		line += ", appstreamcli validate passes"
	}
	return line, nil
}

// Windows resource types (winuser.h).
const (
	rtIcon      = 3
	rtGroupIcon = 14
	rtVersion   = 16
)

// checkWindowsExe wants a 64-bit PE for the GUI subsystem (no console window), without
// a COFF symbol table, with icon and version resources. It cannot be run here.
func checkWindowsExe(file string) ([]string, error) {
	f, err := pe.Open(file)
	if err != nil {
		return nil, fmt.Errorf("not a PE file: %w", err)
	}
	defer f.Close()
	oh, ok := f.OptionalHeader.(*pe.OptionalHeader64)
	if !ok {
		return nil, errors.New("not a 64-bit executable")
	}
	if oh.Subsystem != pe.IMAGE_SUBSYSTEM_WINDOWS_GUI {
		return nil, fmt.Errorf("subsystem %d, want the GUI subsystem (%d): build with -H windowsgui", oh.Subsystem, pe.IMAGE_SUBSYSTEM_WINDOWS_GUI)
	}
	if f.FileHeader.NumberOfSymbols != 0 {
		return nil, fmt.Errorf("not stripped: %d COFF symbols", f.FileHeader.NumberOfSymbols)
	}
	types, err := resourceTypes(f)
	if err != nil {
		return nil, err
	}
	for _, want := range []struct {
		id   uint32
		what string
	}{{rtIcon, "icon"}, {rtGroupIcon, "icon group"}, {rtVersion, "version"}} {
		if !slices.Contains(types, want.id) {
			return nil, fmt.Errorf("no %s resource (types present: %v)", want.what, types)
		}
	}
	return []string{
		fmt.Sprintf("PE32+ %s, GUI subsystem (%d), stripped", machineName(f.FileHeader.Machine), oh.Subsystem),
		"resources: icon, icon group and version present",
		"not started here (a Windows binary); run it on Windows to see the window",
	}, nil
}

func machineName(m uint16) string {
	if m == pe.IMAGE_FILE_MACHINE_AMD64 {
		return "x86-64"
	}
	return fmt.Sprintf("machine 0x%x", m)
}

// resourceTypes lists the numeric type ids in the root of the .rsrc resource directory
// (an IMAGE_RESOURCE_DIRECTORY: 16-byte header whose last two uint16 count the named and
// id entries, then 8-byte entries whose first uint32 is the id).
func resourceTypes(f *pe.File) ([]uint32, error) {
	s := f.Section(".rsrc")
	if s == nil {
		return nil, errors.New("no resources (.rsrc section): no icon")
	}
	data, err := s.Data()
	if err != nil {
		return nil, err
	}
	if len(data) < 16 {
		return nil, errors.New("resource section too short")
	}
	named, ids := int(binary.LittleEndian.Uint16(data[12:])), int(binary.LittleEndian.Uint16(data[14:]))
	var types []uint32
	for i := range named + ids {
		off := 16 + 8*i
		if off+8 > len(data) {
			return nil, errors.New("resource directory truncated")
		}
		if i >= named {
			types = append(types, binary.LittleEndian.Uint32(data[off:]))
		}
	}
	return types, nil
}

func tar(args ...string) error {
	_, err := tarOutput(args...)
	return err
}

func tarOutput(args ...string) (string, error) {
	var stderr bytes.Buffer
	cmd := exec.Command("tar", args...)
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("tar %s: %w: %s", strings.Join(args, " "), err, strings.TrimSpace(stderr.String()))
	}
	return string(out), nil
}
