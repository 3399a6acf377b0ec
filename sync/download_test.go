package sync

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestSanitiseFileName(t *testing.T) {
	long := strings.Repeat("é", 200) + ".jpeg"
	cases := []struct{ in, want string }{
		{"cat.jpg", "cat.jpg"},
		{"../../etc/passwd", "_.._etc_passwd"},
		{`..\..\Windows\system.ini`, `_.._Windows_system.ini`},
		{"a\x00b\x1bc\nd.txt", "a_b_c_d.txt"},
		{`what?<>:"|*.png`, "what_______.png"},
		{"  .hidden. ", "hidden"},
		{"", "uid123"},
		{"...", "uid123"},
		{"/", "uid123"},
		{"CON.txt", "_CON.txt"},
		{"nul", "_nul"},
		{"bad\xffutf8.bin", "bad_utf8.bin"},
	}
	for _, c := range cases {
		if got := sanitiseFileName(c.in, "uid123"); got != c.want {
			t.Errorf("sanitiseFileName(%q) = %q, want %q", c.in, got, c.want)
		}
	}
	got := sanitiseFileName(long, "x")
	if len(got) > maxFileNameBytes || !strings.HasSuffix(got, ".jpeg") || !utf8.ValidString(got) {
		t.Errorf("long name became %q (%d bytes)", got, len(got))
	}
}

func TestSafePathComponent(t *testing.T) {
	cases := map[string]bool{
		"8f2c0e6a1b": true, "a-b_c.d": true, "": false, ".": false, "..": false,
		"a/b": false, `a\b`: false, "é": false, strings.Repeat("a", 129): false,
	}
	for in, want := range cases {
		if got := safePathComponent(in); got != want {
			t.Errorf("safePathComponent(%q) = %v, want %v", in, got, want)
		}
	}
}
