package cube

import (
	"testing"
	"time"
)

// TestParseTimeReadsBothForms: numbers (seconds, milliseconds, with an exponent)
// and dates read as before the date shortcut.
func TestParseTimeReadsBothForms(t *testing.T) {
	for in, want := range map[string]time.Time{
		"1700000000":               time.Unix(1700000000, 0).UTC(),
		"1700000000123":            time.UnixMilli(1700000000123).UTC(),
		"1.7e9":                    time.Unix(1700000000, 0).UTC(),
		"2026-12-06T22:54:59.123Z": time.Date(2026, 12, 6, 22, 54, 59, 123e6, time.UTC),
		"2026-12-06":               time.Date(2026, 12, 6, 0, 0, 0, 0, time.UTC),
	} {
		got, err := ParseTime(in)
		if err != nil || !got.Equal(want) {
			t.Errorf("ParseTime(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
}

// TestParseTimeOfADateAllocatesNothing: a page of messages carries two dates per
// message; trying them as numbers first allocated a parse error each.
func TestParseTimeOfADateAllocatesNothing(t *testing.T) {
	if n := testing.AllocsPerRun(100, func() {
		if _, err := ParseTime("2026-12-06T22:54:59Z"); err != nil {
			t.Fatal(err)
		}
	}); n != 0 {
		t.Fatalf("%v allocations per date", n)
	}
}
