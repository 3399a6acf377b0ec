package main

import (
	"context"
	"fmt"
	"time"

	"github.com/cubechat/cubechat/cube"
)

// sleepUntil waits for t; false when ctx ended first.
func sleepUntil(ctx context.Context, t time.Time) bool {
	d := time.Until(t)
	if d <= 0 {
		return ctx.Err() == nil
	}
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-timer.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// waitDeliveries returns once every expected delivery arrived, or after drain.
func waitDeliveries(ctx context.Context, tr *tracker, drain time.Duration) {
	deadline := time.Now().Add(drain)
	for tr.outstanding() > 0 && time.Now().Before(deadline) {
		if !sleepUntil(ctx, time.Now().Add(5*time.Millisecond)) {
			return
		}
	}
}

// countStored counts the messages of every load dialog over REST (GET /chat/Message
// count=1), as one of its occupants: the proof that what was sent was stored.
func countStored(ctx context.Context, plan *layout) (int, error) {
	total := 0
	for id, reader := range plan.dialogIDs() {
		n, err := reader.rest.CountMessages(ctx, cube.MessageFilter{DialogID: id})
		if err != nil {
			return total, fmt.Errorf("count messages of dialog %s: %w", id, err)
		}
		total += n
	}
	return total, nil
}
