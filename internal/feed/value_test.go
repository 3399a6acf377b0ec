package feed

import (
	"slices"
	"sync"
	"testing"

	"github.com/cubechat/cubechat/internal/testwait"
)

func equal(a, b int) bool { return a == b }

func set(n int) func(*int) { return func(v *int) { *v = n } }

func TestValueStartsWithCurrentThenKeepsOnlyTheNewest(t *testing.T) {
	v := NewValue(1, equal)
	ch, cancel := v.Subscribe()
	defer cancel()
	if got, _ := testwait.Recv(t, "the current value", wait, ch); got != 1 {
		t.Fatalf("first value %d, want 1", got)
	}
	for n := 2; n <= 5; n++ {
		if !v.Update(set(n)) {
			t.Fatalf("update to %d not published", n)
		}
	}
	if got := recvAll(ch); !slices.Equal(got, []int{5}) {
		t.Fatalf("slow reader got %v, want only the newest [5]", got)
	}
	if v.Get() != 5 {
		t.Fatalf("Get = %d", v.Get())
	}
}

func TestValueDoesNotPublishAnUnchangedValue(t *testing.T) {
	v := NewValue(3, equal)
	ch, cancel := v.Subscribe()
	defer cancel()
	recvAll(ch)
	if v.Update(set(3)) {
		t.Fatal("an unchanged value was published")
	}
	if got := recvAll(ch); len(got) != 0 {
		t.Fatalf("got %v after an unchanged update", got)
	}
}

func TestValueUnsubscribeAndClose(t *testing.T) {
	v := NewValue(0, equal)
	a, cancelA := v.Subscribe()
	b, _ := v.Subscribe()
	cancelA()
	if got := recvAll(a); !slices.Equal(got, []int{0}) {
		t.Fatalf("a got %v", got)
	}
	if _, ok := <-a; ok {
		t.Fatal("a's channel still open after unsubscribe")
	}
	v.Update(set(1)) // one subscriber gone: must not block or panic
	v.Close()
	v.Update(set(2)) // after Close: kept as the current value, published to nobody
	if got := recvAll(b); !slices.Equal(got, []int{1}) {
		t.Fatalf("b got %v, want [1]", got)
	}
	if v.Get() != 2 {
		t.Fatalf("Get = %d after Close", v.Get())
	}
}

// A reader subscribing while updates race in (run with -race) always ends on the
// final value: subscribing and updating are ordered, so no change falls between.
func TestValueConcurrentUpdatesEndOnTheFinalValue(t *testing.T) {
	v := NewValue(0, equal)
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Go(func() {
			for i := range 200 {
				v.Update(set(w*1000 + i + 1))
			}
		})
	}
	ch, cancel := v.Subscribe()
	defer cancel()
	wg.Wait()
	final := v.Get()
	last := -1
	for _, got := range recvAll(ch) {
		last = got
	}
	if last != final {
		t.Fatalf("reader ended on %d, current value is %d", last, final)
	}
}
