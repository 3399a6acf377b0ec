package app

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/lang"
)

// Pasting a picture (Ctrl+V in the composer). Fyne's clipboard holds text only, so the
// picture is read with the system's clipboard tool: wl-paste under Wayland, xclip under
// X11. Other systems are not supported yet, and say so.

// clipboardImageReader returns the clipboard's picture (encoded, e.g. PNG) and its MIME
// type, errNoClipboardImage when it holds none, or why it cannot be read.
type clipboardImageReader func(ctx context.Context) (data []byte, mimeType string, err error)

var errNoClipboardImage = errors.New("the clipboard holds no picture")

// clipboardReadTimeout bounds one run of the clipboard tool (a stuck owner of the
// clipboard must not leave a goroutine behind for long).
const clipboardReadTimeout = 5 * time.Second

// clipboardImageTypes are the picture formats asked for, best first.
var clipboardImageTypes = []string{"image/png", "image/jpeg", "image/gif"}

// clipboardTool is a program that lists the clipboard's types and reads one of them.
type clipboardTool struct {
	name       string
	list, read func(mimeType string) []string // argv after the program's name
}

var (
	wlPaste = clipboardTool{name: "wl-paste",
		list: func(string) []string { return []string{"--list-types"} },
		read: func(t string) []string { return []string{"--no-newline", "--type", t} }}
	xclip = clipboardTool{name: "xclip",
		list: func(string) []string { return []string{"-selection", "clipboard", "-t", "TARGETS", "-o"} },
		read: func(t string) []string { return []string{"-selection", "clipboard", "-t", t, "-o"} }}
)

// pickClipboardTool chooses the tool for this system, or says why there is none.
func pickClipboardTool(goos string, lookPath func(string) (string, error), getenv func(string) string) (clipboardTool, error) {
	if goos != "linux" && !strings.HasSuffix(goos, "bsd") {
		return clipboardTool{}, errors.New(lang.L("Pasting pictures is not supported on this system yet: send the file with the paperclip or drop it on the chat."))
	}
	order := []clipboardTool{xclip, wlPaste}
	if getenv("WAYLAND_DISPLAY") != "" {
		order = []clipboardTool{wlPaste, xclip}
	}
	for _, t := range order {
		if _, err := lookPath(t.name); err == nil {
			return t, nil
		}
	}
	return clipboardTool{}, errors.New(lang.L("To paste pictures, install xclip (X11) or wl-clipboard (Wayland)."))
}

// systemClipboardImage reads the picture with the system's tool.
func systemClipboardImage(ctx context.Context) ([]byte, string, error) {
	tool, err := pickClipboardTool(runtime.GOOS, exec.LookPath, os.Getenv)
	if err != nil {
		return nil, "", err
	}
	return readClipboardImage(ctx, tool, runTool)
}

// readClipboardImage asks tool for the clipboard's types, then reads the best picture.
func readClipboardImage(ctx context.Context, tool clipboardTool, run func(ctx context.Context, name string, args ...string) ([]byte, error)) ([]byte, string, error) {
	listed, err := run(ctx, tool.name, tool.list("")...)
	if err != nil {
		// An empty clipboard makes both tools fail: nothing to paste, not an error.
		return nil, "", errNoClipboardImage
	}
	types := strings.Fields(string(listed))
	for _, t := range clipboardImageTypes {
		if !slices.Contains(types, t) {
			continue
		}
		data, err := run(ctx, tool.name, tool.read(t)...)
		if err != nil {
			return nil, "", fmt.Errorf("%s: %s: %w", tool.name, lang.L("could not read the picture"), err)
		}
		return data, t, nil
	}
	return nil, "", errNoClipboardImage
}

// runTool runs a clipboard program, keeping at most maxFileSize bytes of its output.
func runTool(ctx context.Context, name string, args ...string) ([]byte, error) {
	cmd := exec.CommandContext(ctx, name, args...)
	out := &cappedBuffer{limit: maxFileSize}
	var stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = out, &stderr
	if err := cmd.Run(); err != nil {
		if msg := strings.TrimSpace(stderr.String()); msg != "" {
			return nil, fmt.Errorf("%w: %s", err, msg)
		}
		return nil, err
	}
	if out.over {
		return nil, errors.New(lang.L("The picture is larger than 100 MB"))
	}
	return out.Bytes(), nil
}

// cappedBuffer keeps the first limit bytes written and notes that more came.
type cappedBuffer struct {
	bytes.Buffer
	limit int
	over  bool
}

func (b *cappedBuffer) Write(p []byte) (int, error) {
	keep := p
	if room := b.limit - b.Len(); len(p) > room {
		b.over = true
		keep = p[:max(room, 0)]
	}
	b.Buffer.Write(keep)
	return len(p), nil // the rest is dropped, not refused: the tool must not block
}

// pastedImageFile checks that data is a picture this app decodes and keeps it as a
// file in dir (a file outlives the paste: the sent message points at it).
func pastedImageFile(dir string, data []byte, now time.Time) (string, error) {
	cfg, format, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		return "", fmt.Errorf("%s: %w", lang.L("The clipboard's picture cannot be read"), err)
	}
	if cfg.Width <= 0 || cfg.Height <= 0 || cfg.Width*cfg.Height > thumbMaxPixels {
		return "", fmt.Errorf("%s (%d×%d)", lang.L("The clipboard's picture is too large"), cfg.Width, cfg.Height)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", err
	}
	// A folder of its own keeps the name readable ("pasted 2026-12-06 15.49.15.png" is
	// what the peer sees) and unique.
	own, err := os.MkdirTemp(dir, "paste-")
	if err != nil {
		return "", err
	}
	path := filepath.Join(own, "pasted "+now.Format("2006-01-02 15.04.05")+"."+format)
	if err := os.WriteFile(path, data, 0o600); err != nil {
		_ = os.RemoveAll(own)
		return "", err
	}
	return path, nil
}

// removePasted deletes a pasted picture nobody will send, with its folder.
func removePasted(path string) { _ = os.RemoveAll(filepath.Dir(path)) }

// pastedDir is where pasted pictures are kept: beside the cache database.
func (c *chatPane) pastedDir() string {
	if p := c.m.db.Path(); p != "" {
		return filepath.Join(filepath.Dir(p), "pasted")
	}
	return filepath.Join(os.TempDir(), "cubechat-pasted")
}

// composerShortcut takes Ctrl+V with no text in the clipboard as a paste of a picture;
// everything else goes on to next.
func (md *chatMedia) composerShortcut(next func(fyne.Shortcut) bool) func(fyne.Shortcut) bool {
	return func(s fyne.Shortcut) bool {
		p, ok := s.(*fyne.ShortcutPaste)
		if !ok {
			return next != nil && next(s)
		}
		if p.Clipboard != nil && isPastableText(p.Clipboard.Content()) {
			return false // text: the composer pastes it
		}
		md.pasteImage()
		return true
	}
}

// isPastableText tells whether the clipboard's text is text. A tool that serves only
// a picture (xclip -t image/png) hands the picture's bytes out for a text request
// too; pasted, they would fill the composer with binary.
func isPastableText(s string) bool {
	return s != "" && utf8.ValidString(s) && !strings.ContainsRune(s, 0)
}

// pasteImage reads the clipboard's picture off the UI goroutine and offers it in the
// send sheet of the chat open when Ctrl+V was pressed.
func (md *chatMedia) pasteImage() {
	c := md.c
	dialogID := c.dialog.ID
	if dialogID == "" {
		return
	}
	read, dir := md.clip, c.pastedDir()
	c.m.bg.Go(func() {
		ctx, cancel := context.WithTimeout(c.m.ctx, clipboardReadTimeout)
		data, _, err := read(ctx)
		cancel()
		var path string
		if err == nil {
			path, err = pastedImageFile(dir, data, time.Now())
		}
		runOnUI(func() {
			switch {
			case errors.Is(err, errNoClipboardImage):
				return // nothing to paste
			case err != nil:
				if c.m.ctx.Err() == nil {
					c.showNotice(err.Error())
				}
				return
			case c.dialog.ID != dialogID:
				removePasted(path) // the user moved on
				return
			}
			c.offerFiles(dialogID, []string{path}, func() { removePasted(path) })
		})
	})
}
