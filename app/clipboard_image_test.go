package app

import (
	"bytes"
	"context"
	"errors"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
)

func pngBytes(t *testing.T, w, h int) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := png.Encode(&buf, image.NewNRGBA(image.Rect(0, 0, w, h))); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// Ctrl+V in the composer with a picture in the clipboard opens the send sheet with it;
// Send sends it, Cancel removes the kept file. Text in the clipboard pastes as text.
func TestPastedPictureOpensTheSendSheet(t *testing.T) {
	u, m, db := offlineUI(t)
	openD1(t, m)
	cv := u.win.Canvas()
	clip := fyne.CurrentApp().Clipboard()
	var reads atomic.Int32
	pic := pngBytes(t, 40, 20)
	onUI(func() {
		m.chat.media.clip = func(context.Context) ([]byte, string, error) {
			reads.Add(1)
			return pic, "image/png", nil
		}
		clip.SetContent("")
		if cv.Focused() != m.chat.composer {
			t.Fatalf("the composer should have the focus, %T has it", cv.Focused())
		}
		press(cv, &fyne.ShortcutPaste{Clipboard: clip})
	})
	sheet := waitSheet(t, m)
	var path string
	onUI(func() {
		path = sheet.files[0].path
		if !sheet.files[0].image || !strings.HasPrefix(filepath.Base(path), "pasted ") || filepath.Dir(filepath.Dir(path)) != m.chat.pastedDir() {
			t.Errorf("pasted file %+v", sheet.files[0])
		}
		test.Tap(sheetButton(cv, "Send"))
	})
	got := storedFile(t, db, filepath.Base(path))
	if data, err := os.ReadFile(got.Attachments[0].LocalPath); err != nil || !bytes.Equal(data, pic) {
		t.Fatalf("the sent file holds %d bytes (%v), want the clipboard's %d", len(data), err, len(pic))
	}

	// Pasted again, then cancelled: the kept file goes.
	onUI(func() { press(cv, &fyne.ShortcutPaste{Clipboard: clip}) })
	sheet = waitSheet(t, m)
	onUI(func() {
		path = sheet.files[0].path
		typeKey(cv, fyne.KeyEscape)
	})
	if _, err := os.Stat(filepath.Dir(path)); !os.IsNotExist(err) {
		t.Fatalf("a cancelled paste left %s behind (%v)", path, err)
	}

	// Text in the clipboard is pasted as text; the picture reader is not asked.
	before := reads.Load()
	onUI(func() {
		clip.SetContent("plain words")
		press(cv, &fyne.ShortcutPaste{Clipboard: clip})
		if m.chat.composer.Text != "plain words" || m.chat.media.sheet != nil {
			t.Errorf("text paste: composer %q, sheet %v", m.chat.composer.Text, m.chat.media.sheet)
		}
	})
	if reads.Load() != before {
		t.Error("a text paste read the clipboard's picture")
	}
}

func waitSheet(t *testing.T, m *mainScreen) *sendSheet {
	t.Helper()
	var s *sendSheet
	waitFor(t, "the send sheet", 5*time.Second, func() bool {
		onUI(func() { s = m.chat.media.sheet })
		return s != nil
	})
	return s
}

// What the clipboard holds when it holds no usable picture: nothing happens for an
// empty clipboard; a damaged picture and a missing tool are explained.
func TestPasteWithoutAUsablePicture(t *testing.T) {
	u, m, _ := offlineUI(t)
	openD1(t, m)
	cv := u.win.Canvas()
	clip := fyne.CurrentApp().Clipboard()
	for _, c := range []struct {
		name   string
		data   []byte
		err    error
		notice string
	}{
		{"empty", nil, errNoClipboardImage, ""},
		{"damaged", []byte("\x89PNG\r\n\x1a\ngarbage"), nil, "picture cannot be read"},
		{"no tool", nil, errors.New("To paste pictures, install xclip (X11) or wl-clipboard (Wayland)."), "install xclip"},
	} {
		var done atomic.Bool
		onUI(func() {
			m.chat.notice.Hide()
			m.chat.media.clip = func(context.Context) ([]byte, string, error) {
				defer done.Store(true)
				return c.data, "image/png", c.err
			}
			clip.SetContent("")
			press(cv, &fyne.ShortcutPaste{Clipboard: clip})
		})
		waitFor(t, c.name+": the reader asked", 5*time.Second, done.Load)
		if c.notice == "" {
			continue
		}
		waitFor(t, c.name+": the notice", 5*time.Second, func() bool {
			var ok bool
			onUI(func() { ok = strings.Contains(m.chat.NoticeText(), c.notice) })
			return ok
		})
		onUI(func() {
			if m.chat.media.sheet != nil {
				t.Errorf("%s: a sheet opened", c.name)
			}
		})
	}
}

func TestPickClipboardTool(t *testing.T) {
	has := func(names ...string) func(string) (string, error) {
		return func(n string) (string, error) {
			if slices.Contains(names, n) {
				return "/usr/bin/" + n, nil
			}
			return "", errors.New("not found")
		}
	}
	env := func(wayland string) func(string) string {
		return func(k string) string {
			if k == "WAYLAND_DISPLAY" {
				return wayland
			}
			return ""
		}
	}
	for _, c := range []struct {
		goos, wayland string
		tools         []string
		want, err     string
	}{
		{"windows", "", []string{"xclip"}, "", "not supported on this system yet"},
		{"darwin", "", nil, "", "not supported on this system yet"},
		{"linux", "", nil, "", "install xclip (X11) or wl-clipboard (Wayland)"},
		{"linux", "", []string{"xclip", "wl-paste"}, "xclip", ""},
		{"linux", "wayland-0", []string{"xclip", "wl-paste"}, "wl-paste", ""},
		{"linux", "wayland-0", []string{"xclip"}, "xclip", ""},
		{"freebsd", "", []string{"wl-paste"}, "wl-paste", ""},
	} {
		tool, err := pickClipboardTool(c.goos, has(c.tools...), env(c.wayland))
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("%s %v: err %v, want %q", c.goos, c.tools, err, c.err)
			}
			continue
		}
		if err != nil || tool.name != c.want {
			t.Errorf("%s wayland=%q %v: %q, %v; want %s", c.goos, c.wayland, c.tools, tool.name, err, c.want)
		}
	}
}

// The tool is asked for the clipboard's types, then for the best picture among them.
func TestReadClipboardImageAsksForTheBestPicture(t *testing.T) {
	var calls [][]string
	fake := func(types string, fail bool) func(context.Context, string, ...string) ([]byte, error) {
		return func(_ context.Context, name string, args ...string) ([]byte, error) {
			calls = append(calls, append([]string{name}, args...))
			if slices.Contains(args, "TARGETS") || slices.Contains(args, "--list-types") {
				if fail {
					return nil, errors.New("exit status 1")
				}
				return []byte(types), nil
			}
			return []byte("picture as " + args[len(args)-2]), nil
		}
	}
	ctx := context.Background()
	data, mime, err := readClipboardImage(ctx, xclip, fake("TARGETS\nUTF8_STRING\nimage/jpeg\nimage/gif\n", false))
	if err != nil || mime != "image/jpeg" || len(calls) != 2 {
		t.Fatalf("jpeg and gif offered: %q %q %v after %q", data, mime, err, calls)
	}
	if want := []string{"xclip", "-selection", "clipboard", "-t", "image/jpeg", "-o"}; !slices.Equal(calls[1], want) {
		t.Fatalf("read with %q, want %q", calls[1], want)
	}
	calls = nil
	if _, mime, err := readClipboardImage(ctx, wlPaste, fake("image/png\ntext/plain", false)); err != nil || mime != "image/png" ||
		!slices.Equal(calls[1], []string{"wl-paste", "--no-newline", "--type", "image/png"}) {
		t.Fatalf("wl-paste: %q %v after %q", mime, err, calls)
	}
	if _, _, err := readClipboardImage(ctx, xclip, fake("TARGETS\nUTF8_STRING", false)); !errors.Is(err, errNoClipboardImage) {
		t.Fatalf("text only: %v", err)
	}
	if _, _, err := readClipboardImage(ctx, xclip, fake("", true)); !errors.Is(err, errNoClipboardImage) {
		t.Fatalf("empty clipboard: %v", err)
	}
}

func TestCappedBufferStopsAtItsLimit(t *testing.T) {
	b := &cappedBuffer{limit: 4}
	if n, err := b.Write([]byte("abc")); n != 3 || err != nil || b.over {
		t.Fatal(n, err, b.over)
	}
	if n, err := b.Write([]byte("defg")); n != 4 || err != nil || !b.over || b.String() != "abcd" {
		t.Fatal(n, err, b.over, b.String())
	}
}

// A tool that serves only a picture (xclip -t image/png) hands its bytes out for a
// text request too: Ctrl+V then offers the picture, and the composer stays empty
// instead of filling with binary.
func TestPictureBytesAsClipboardTextPasteAsAPicture(t *testing.T) {
	u, m, _ := offlineUI(t)
	openD1(t, m)
	cv := u.win.Canvas()
	clip := fyne.CurrentApp().Clipboard()
	pic := pngBytes(t, 40, 20)
	onUI(func() {
		m.chat.media.clip = func(context.Context) ([]byte, string, error) { return pic, "image/png", nil }
		clip.SetContent(string(pic))
		press(cv, &fyne.ShortcutPaste{Clipboard: clip})
	})
	sheet := waitSheet(t, m)
	onUI(func() {
		if m.chat.composer.Text != "" {
			t.Errorf("the composer holds %d bytes of the picture", len(m.chat.composer.Text))
		}
		if !sheet.files[0].image {
			t.Errorf("pasted file %+v is not offered as a picture", sheet.files[0])
		}
		typeKey(cv, fyne.KeyEscape)
	})
}
