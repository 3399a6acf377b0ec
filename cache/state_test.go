package cache

import (
	"testing"
	"time"
)

func TestMergeState(t *testing.T) {
	const (
		P, S, D, R, F = StatePending, StateSent, StateDelivered, StateRead, StateFailed
	)
	tests := []struct {
		old, in, want MessageState
	}{
		{P, P, P}, {P, S, S}, {P, D, D}, {P, R, R}, {P, F, F}, {P, "", S},
		{S, P, S}, {S, S, S}, {S, D, D}, {S, R, R}, {S, F, S}, {S, "", S},
		{D, P, D}, {D, S, D}, {D, D, D}, {D, R, R}, {D, F, D}, {D, "", D},
		{R, P, R}, {R, S, R}, {R, D, R}, {R, R, R}, {R, F, R}, {R, "", R},
		{F, P, F}, {F, S, S}, {F, D, D}, {F, R, R}, {F, F, F}, {F, "", S},
	}
	for _, tc := range tests {
		if got := mergeState(tc.old, tc.in); got != tc.want {
			t.Errorf("mergeState(%q, %q) = %q, want %q", tc.old, tc.in, got, tc.want)
		}
	}
}

func TestMergeMessage(t *testing.T) {
	t0 := base
	stored := Message{ID: "m", DialogID: "d", SenderID: 1, Body: "hello", SentAt: t0,
		State: StateFailed, LastError: "no route", EditedAt: t0.Add(time.Minute)}
	tests := []struct {
		name string
		old  Message
		in   Message
		want func(Message) bool
	}{
		{"server copy of failed clears error", stored,
			Message{ID: "m", Body: "hello", SentAt: t0.Add(2 * time.Second), State: StateSent, EditedAt: t0.Add(time.Minute)},
			func(m Message) bool {
				return m.State == StateSent && m.LastError == "" && m.SentAt.Equal(t0.Add(2*time.Second))
			}},
		{"same state keeps local error", stored,
			Message{ID: "m", Body: "hello", State: StateFailed, EditedAt: t0.Add(time.Minute)},
			func(m Message) bool { return m.State == StateFailed && m.LastError == "no route" }},
		{"new failure reason replaces old", stored,
			Message{ID: "m", Body: "hello", State: StateFailed, LastError: "timeout", EditedAt: t0.Add(time.Minute)},
			func(m Message) bool { return m.LastError == "timeout" }},
		{"stale edit keeps newer body", stored,
			Message{ID: "m", Body: "old text", State: StateSent},
			func(m Message) bool { return m.Body == "hello" && m.State == StateSent }},
		{"newer edit replaces body", stored,
			Message{ID: "m", Body: "edited", State: StateSent, EditedAt: t0.Add(time.Hour)},
			func(m Message) bool { return m.Body == "edited" && m.EditedAt.Equal(t0.Add(time.Hour)) }},
		{"deleted is sticky", Message{ID: "m", State: StateRead, Deleted: true},
			Message{ID: "m", Body: "resurrected?", State: StateRead},
			func(m Message) bool { return m.Deleted }},
		{"zero parties keep stored ones", stored,
			Message{ID: "m", Body: "hello", State: StateSent, EditedAt: t0.Add(time.Minute)},
			func(m Message) bool { return m.SenderID == 1 && m.SentAt.Equal(t0) }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := mergeMessage(tc.old, tc.in); !tc.want(got) {
				t.Errorf("merged = %+v", got)
			}
		})
	}
}
