package widgets

import (
	"fmt"
	"image/color"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
)

func TestInitials(t *testing.T) {
	cases := []struct{ name, want string }{
		{"Ann Lee", "AL"},
		{"bob", "B"},
		{"  mary   jane   watson ", "MW"},
		{"@ann_99", "A"},
		{"", "?"},
		{"12 34", "?"},
		{"élodie durand", "ÉD"},
	}
	for _, c := range cases {
		if got := Initials(c.name); got != c.want {
			t.Errorf("Initials(%q) = %q, want %q", c.name, got, c.want)
		}
	}
}

func TestAvatarColorIsStable(t *testing.T) {
	if AvatarColor("Ann") != AvatarColor(" ann ") {
		t.Error("the same name in other case/spacing should keep its colour")
	}
	// Pinned values: a contact keeps its colour across runs and releases, so the hash
	// and the palette order must not change unnoticed.
	pinned := map[string]color.NRGBA{
		"Ann":     {R: 0xE5, G: 0x73, B: 0x73, A: 0xFF}, // red
		"Bob Lee": {R: 0xD8, G: 0x4C, B: 0x8B, A: 0xFF}, // pink
		"Carol":   {R: 0x4C, G: 0xAF, B: 0x50, A: 0xFF}, // green
	}
	for name, want := range pinned {
		for range 3 {
			if got := AvatarColor(name); got != want {
				t.Fatalf("AvatarColor(%q) = %v, want %v", name, got, want)
			}
		}
	}
	// Different people get different colours: many names spread over the palette.
	seen := map[color.NRGBA]bool{}
	for i := range 64 {
		seen[AvatarColor(fmt.Sprintf("user %d", i))] = true
	}
	if len(seen) != len(avatarPalette) {
		t.Fatalf("64 names used %d of %d colours", len(seen), len(avatarPalette))
	}
}

func TestBadgeText(t *testing.T) {
	cases := []struct {
		n    int
		want string
	}{{0, ""}, {-1, ""}, {1, "1"}, {999, "999"}, {1000, "999+"}}
	for _, c := range cases {
		if got := BadgeText(c.n); got != c.want {
			t.Errorf("BadgeText(%d) = %q, want %q", c.n, got, c.want)
		}
	}
}

func TestDialogRowRenders(t *testing.T) {
	test.NewTempApp(t)
	row := NewDialogRow()
	w := test.NewTempWindow(t, row)
	w.Resize(fyne.NewSize(320, 80))

	row.Update(DialogRowData{Name: "Ann Lee", Preview: "hello\nthere  friend", Time: "14:05", Unread: 3, Muted: true})
	if row.name.Text != "Ann Lee" || row.time.Text != "14:05" {
		t.Errorf("name/time = %q/%q", row.name.Text, row.time.Text)
	}
	if row.preview.Text != "hello there friend" {
		t.Errorf("preview should be one line, got %q", row.preview.Text)
	}
	if !row.badge.Visible() || row.badge.Text() != "3" {
		t.Errorf("badge visible=%v text=%q, want visible 3", row.badge.Visible(), row.badge.Text())
	}
	if !row.muted.Visible() || row.avatar.Initials() != "AL" {
		t.Errorf("muted=%v initials=%q", row.muted.Visible(), row.avatar.Initials())
	}

	row.Update(DialogRowData{Name: "Bob", Preview: "ok"})
	if row.badge.Visible() || row.muted.Visible() {
		t.Error("a read, unmuted dialog shows neither badge nor muted mark")
	}
	if h := row.MinSize().Height; h < avatarSize {
		t.Errorf("row height %v is smaller than its avatar", h)
	}
}

// The unread badge keeps clear of the row's right edge, where a list draws its scroll
// bar, and ends where the time's text does.
func TestDialogRowBadgeClearOfTheEdge(t *testing.T) {
	test.NewTempApp(t)
	row := NewDialogRow()
	w := test.NewTempWindow(t, row)
	w.Resize(fyne.NewSize(320, 80))
	row.Update(DialogRowData{Name: "Ann Lee", Preview: "hi", Time: "14:05", Unread: 2})
	d := fyne.CurrentApp().Driver()
	rowRight := d.AbsolutePositionForObject(row).X + row.Size().Width
	badgeRight := d.AbsolutePositionForObject(row.badge).X + row.badge.Size().Width
	if gap := rowRight - badgeRight; gap < theme.InnerPadding() {
		t.Errorf("badge ends %v from the row's edge, want at least %v (the scroll bar covers it)", gap, theme.InnerPadding())
	}
}

func TestBannerHidesWhenEmpty(t *testing.T) {
	test.NewTempApp(t)
	b := NewBanner()
	test.NewTempWindow(t, b)
	b.Set("Offline", BannerWarning)
	if !b.Visible() || b.Text() != "Offline" {
		t.Fatal("banner with text should show")
	}
	b.Set("", BannerInfo)
	if b.Visible() {
		t.Fatal("empty banner should hide")
	}
}
