package backoff

import (
	"context"
	"math"
	"slices"
	"testing"
	"time"
)

// highest and lowest are rand sources that always draw the top or the bottom of [0, n).
func highest(n int64) int64 { return n - 1 }
func lowest(int64) int64    { return 0 }

func waits(b *Backoff, n int) []time.Duration {
	out := make([]time.Duration, n)
	for i := range out {
		out[i] = b.Next()
	}
	return out
}

func TestStepsDoubleUpToMax(t *testing.T) {
	b := New(Policy{Min: time.Second, Max: 10 * time.Second, Jitter: None})
	want := []time.Duration{1, 2, 4, 8, 10, 10}
	for i := range want {
		want[i] *= time.Second
	}
	if got := waits(b, len(want)); !slices.Equal(got, want) {
		t.Fatalf("waits %v, want %v", got, want)
	}
}

func TestEqualJitterStaysInTheUpperHalf(t *testing.T) {
	top := New(Policy{Min: 100, Max: 400, Rand: highest})
	if got, want := waits(top, 4), []time.Duration{99, 199, 399, 399}; !slices.Equal(got, want) {
		t.Fatalf("highest draws %v, want %v", got, want)
	}
	bottom := New(Policy{Min: 100, Max: 400, Rand: lowest})
	if got, want := waits(bottom, 4), []time.Duration{50, 100, 200, 200}; !slices.Equal(got, want) {
		t.Fatalf("lowest draws %v, want %v", got, want)
	}
}

func TestFullJitterSpansTheWholeStep(t *testing.T) {
	var asked []int64
	b := New(Policy{Min: 100, Max: 400, Jitter: Full, Rand: func(n int64) int64 { asked = append(asked, n); return n / 3 }})
	if got, want := waits(b, 3), []time.Duration{33, 66, 133}; !slices.Equal(got, want) {
		t.Fatalf("waits %v, want %v", got, want)
	}
	if want := []int64{100, 200, 400}; !slices.Equal(asked, want) {
		t.Fatalf("drew from %v, want %v", asked, want)
	}
}

func TestResetStartsOver(t *testing.T) {
	b := New(Policy{Min: 10, Max: 1000, Jitter: None})
	waits(b, 5)
	b.Reset()
	if got := b.Next(); got != 10 {
		t.Fatalf("after Reset: %v, want Min", got)
	}
}

func TestMaxBelowMinIsAFixedInterval(t *testing.T) {
	b := New(Policy{Min: 50, Jitter: None})
	if got := waits(b, 3); !slices.Equal(got, []time.Duration{50, 50, 50}) {
		t.Fatalf("waits %v, want a fixed 50", got)
	}
}

func TestHugeMaxDoesNotOverflow(t *testing.T) {
	b := New(Policy{Min: time.Second, Max: math.MaxInt64, Jitter: None})
	prev := time.Duration(0)
	for range 80 {
		d := b.Next()
		if d < prev {
			t.Fatalf("wait went down from %v to %v", prev, d)
		}
		prev = d
	}
	if prev != math.MaxInt64 {
		t.Fatalf("last wait %v, want Max", prev)
	}
}

func TestDefaultRandStaysInRange(t *testing.T) {
	for _, j := range []Jitter{Equal, Full} {
		b := New(Policy{Min: 8, Max: 8, Jitter: j})
		lo := time.Duration(4)
		if j == Full {
			lo = 0
		}
		for range 1000 {
			if d := b.Next(); d < lo || d >= 8 {
				t.Fatalf("jitter %d drew %v, outside [%v, 8)", j, d, lo)
			}
		}
	}
}

func TestWaitEndsWithTheContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	b := New(Policy{Min: time.Hour, Jitter: None})
	if b.Wait(ctx) {
		t.Fatal("Wait on an ended context reported a full wait")
	}
	short := New(Policy{Min: time.Millisecond, Jitter: None})
	if !short.Wait(context.Background()) {
		t.Fatal("a short wait did not complete")
	}
}

func TestMinMustBePositive(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Fatal("New accepted a zero Min")
		}
	}()
	New(Policy{})
}
