package version

import (
	"strings"
	"testing"
)

func TestStringPrefersTheStampedVersion(t *testing.T) {
	old := Version
	t.Cleanup(func() { Version = old })
	Version = ""
	if got := String(); !strings.HasPrefix(got, "devel") {
		t.Errorf("unstamped build reports %q, want devel…", got)
	}
	Version = "1.2.3"
	if got := String(); got != "1.2.3" {
		t.Errorf("stamped build reports %q", got)
	}
}
