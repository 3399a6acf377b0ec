package sync

import (
	"testing"
	"time"
)

// A composed message's pending time never falls on a whole second, where the
// server's confirmed messages are counted (ownSecondsToList).
func TestComposedTimeIsOffTheSecond(t *testing.T) {
	second := time.Date(2026, 12, 6, 22, 50, 39, 0, time.UTC)
	for _, tc := range []struct {
		in, want time.Time
	}{
		{second, second.Add(time.Millisecond)},
		{second.Add(400 * time.Microsecond), second.Add(1400 * time.Microsecond)},
		{second.Add(time.Millisecond), second.Add(time.Millisecond)},
		{second.Add(999 * time.Millisecond), second.Add(999 * time.Millisecond)},
	} {
		if got := offTheSecond(tc.in); !got.Equal(tc.want) {
			t.Errorf("offTheSecond(%s) = %s, want %s", tc.in.Format(time.StampMicro), got.Format(time.StampMicro), tc.want.Format(time.StampMicro))
		}
		if got := offTheSecond(tc.in); got.UnixMilli()%1000 == 0 {
			t.Errorf("offTheSecond(%s) = %s: on a whole second", tc.in.Format(time.StampMicro), got.Format(time.StampMicro))
		}
	}
}
