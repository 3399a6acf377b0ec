package store

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestLastSeen(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	if _, err := s.LastSeen(ctx, 5); !errors.Is(err, ErrNotFound) {
		t.Fatalf("never connected: %v", err)
	}
	t0 := time.UnixMilli(1_700_000_000_000).UTC()
	steps := []struct {
		connect bool
		at      time.Time
		want    time.Time
	}{
		{true, t0, t0}, // online: the connect time
		{false, t0.Add(time.Minute), t0.Add(time.Minute)},        // went away
		{true, t0.Add(2 * time.Minute), t0.Add(2 * time.Minute)}, // back: a lost disconnect is covered
	}
	for i, st := range steps {
		var err error
		if st.connect {
			err = s.RecordConnect(ctx, 5, st.at)
		} else {
			err = s.RecordDisconnect(ctx, 5, st.at)
		}
		if err != nil {
			t.Fatal(err)
		}
		got, err := s.LastSeen(ctx, 5)
		if err != nil || !got.Equal(st.want) {
			t.Fatalf("step %d: last seen %v (%v), want %v", i, got, err, st.want)
		}
	}
}
