package main

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/cubechat/cubechat/cache"
	"github.com/cubechat/cubechat/cube"
)

// TestSoakShort is the soak in small (docs/reliability.md): three engines through
// the fault proxies for 40 s, with cuts, stalls and two server restarts, then
// quiescence and the full comparison. Any divergence fails it, with the report.
func TestSoakShort(t *testing.T) {
	o := defaultSoakOptions()
	o.Duration = 40 * time.Second
	o.Settle = 40 * time.Second
	o.Rate = 12
	o.Seed = 7
	o.Examples = 8
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	rep, err := Soak(ctx, o, slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError})))
	if rep != nil {
		var b strings.Builder
		rep.Print(&b)
		t.Log("\n" + b.String())
	}
	if err != nil {
		t.Fatal(err)
	}
	if rep.Sent < 200 || rep.Restarts != 2 || rep.Cuts == 0 || rep.Stalls == 0 {
		t.Fatalf("the soak did not run as planned: %d sent, %d restarts, %d cuts, %d stalls", rep.Sent, rep.Restarts, rep.Cuts, rep.Stalls)
	}
	if !rep.Quiet {
		t.Fatalf("the engines never became quiet: %v", rep.NotQuiet)
	}
	for kind, n := range rep.Counts() {
		if n != 0 {
			t.Errorf("%d %s between the caches and the server", n, kind)
		}
	}
}

// TestSoakComparisonCountsEachKind proves the comparison sees what it claims to: after
// a fault-free run it plants one divergence of every kind in user 0's cache (the
// engines are stopped by then) and checks that each is counted and named.
func TestSoakComparisonCountsEachKind(t *testing.T) {
	o := defaultSoakOptions()
	o.Duration = 6 * time.Second
	o.Settle = 30 * time.Second
	o.Rate = 20
	o.Intensity = 0
	o.Restarts = 0
	o.Examples = 100_000
	planted := map[string]string{} // kind → what its example must name (an id)
	var serverEdit string          // a message edited on the server behind its sender's back
	o.beforeCompare = func(ctx context.Context, c *cluster) error {
		if err := plant(ctx, c.clients[0], planted); err != nil {
			return err
		}
		id, err := editBehindTheLedger(ctx, c, c.clients[1])
		serverEdit = id
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	rep, err := Soak(ctx, o, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	if !rep.Quiet {
		t.Fatalf("no quiescence without faults: %v", rep.NotQuiet)
	}
	for _, kind := range soakKinds {
		id, ok := planted[kind]
		if !ok {
			t.Fatalf("nothing planted for %q", kind)
		}
		f := rep.Findings[kind]
		found := false
		for _, e := range f.Examples {
			found = found || strings.Contains(e, id)
		}
		if !found {
			t.Errorf("%s: the planted %s is not among the %d counted: %q", kind, id, f.Count, f.Examples)
		}
	}
	// The ledger check: the server's text is not the one the sender last asked for.
	found := false
	for _, e := range rep.Findings[kindBodies].Examples {
		found = found || (strings.Contains(e, serverEdit) && strings.Contains(e, "last asked for"))
	}
	if !found {
		t.Errorf("the server-side edit of %s is not reported against the ledger: %q", serverEdit, rep.Findings[kindBodies].Examples)
	}
}

// editBehindTheLedger changes the text of one of sc's messages on the server over
// REST, not through its engine, and returns its id.
func editBehindTheLedger(ctx context.Context, c *cluster, sc *soakClient) (string, error) {
	dialogs, err := sc.db.Dialogs(ctx)
	if err != nil {
		return "", err
	}
	for _, d := range dialogs {
		msgs, err := sc.db.Messages(ctx, d.ID, time.Time{}, "", 1000)
		if err != nil {
			return "", err
		}
		for _, m := range msgs {
			if m.SenderID != sc.user.ID || m.Deleted || !m.State.Confirmed() {
				continue
			}
			rest, err := c.directClient(ctx, sc.user.Login, sc.password)
			if err != nil {
				return "", err
			}
			text := messageKey(m.Body) + " changed behind the engine"
			return m.ID, rest.UpdateMessages(ctx, d.ID, []string{m.ID}, cube.MessageUpdate{Message: &text})
		}
	}
	return "", fmt.Errorf("user %d has no message to edit", sc.index)
}

// plant changes user 0's cache behind the engine's back, one divergence per kind,
// each on a different message, and records which id each kind's report must name.
func plant(ctx context.Context, sc *soakClient, planted map[string]string) error {
	me := sc.user.ID
	dialogs, err := sc.db.Dialogs(ctx)
	if err != nil {
		return err
	}
	var group cache.Dialog
	var own, others []cache.Message // confirmed, not deleted
	var spread []cache.Message      // a dialog whose messages span more than a second
	for _, d := range dialogs {
		if d.Type == cube.DialogGroup && group.ID == "" {
			group = d
		}
		msgs, err := sc.db.Messages(ctx, d.ID, time.Time{}, "", 100_000)
		if err != nil {
			return err
		}
		for _, m := range msgs {
			switch {
			case m.Deleted || !m.State.Confirmed():
			case m.SenderID == me:
				own = append(own, m)
			default:
				others = append(others, m)
			}
		}
		if len(msgs) > 2 && msgs[len(msgs)-1].SentAt.Sub(msgs[0].SentAt) > 2*time.Second && spread == nil {
			spread = msgs
		}
	}
	if group.ID == "" || len(own) < 4 || len(others) < 5 || spread == nil {
		return fmt.Errorf("too little to plant in: group %q, %d own, %d others', spread %v", group.ID, len(own), len(others), spread != nil)
	}
	raw, err := sql.Open("sqlite", sc.db.Path()+"?_pragma=busy_timeout(5000)")
	if err != nil {
		return err
	}
	defer raw.Close()
	exec := func(q string, args ...any) error {
		_, err := raw.ExecContext(ctx, q, args...)
		return err
	}

	// The newest message of a dialog moved an hour back shows first, out of order.
	moved := spread[len(spread)-1]
	if err := exec(`UPDATE messages SET sent_at = sent_at - 3600000 WHERE id = ?`, moved.ID); err != nil {
		return err
	}
	planted[kindOrder] = moved.ID
	used := map[string]bool{moved.ID: true}
	pick := func(from []cache.Message) cache.Message {
		for _, m := range from {
			if !used[m.ID] {
				used[m.ID] = true
				return m
			}
		}
		panic("no message left to plant in")
	}

	lost := pick(others)
	planted[kindLost] = lost.ID
	if err := exec(`DELETE FROM messages WHERE id = ?`, lost.ID); err != nil {
		return err
	}
	original := pick(others)
	dup := original
	dup.ID = cube.NewObjectID()
	planted[kindDuplicated] = dup.ID
	if _, err := sc.db.UpsertMessages(ctx, []cache.Message{dup}); err != nil {
		return err
	}
	stuck := pick(own)
	planted[kindPending] = stuck.ID
	if err := exec(`UPDATE messages SET state = 'pending' WHERE id = ?`, stuck.ID); err != nil {
		return err
	}
	body := pick(others)
	planted[kindBodies] = body.ID
	if err := exec(`UPDATE messages SET body = body || ' tampered' WHERE id = ?`, body.ID); err != nil {
		return err
	}
	gone := pick(others)
	planted[kindDeletions] = gone.ID
	if err := exec(`UPDATE messages SET deleted = 1 WHERE id = ?`, gone.ID); err != nil {
		return err
	}
	reacted := pick(others)
	planted[kindReactions] = reacted.ID
	if err := sc.db.SetReactions(ctx, reacted.ID, map[string][]int64{"🎯": {me}}); err != nil {
		return err
	}
	ticked := pick(own)
	planted[kindMarkers] = ticked.ID
	if _, err := sc.db.AddMarkers(ctx, ticked.DialogID, []string{ticked.ID}, 999_999, cache.MarkerRead); err != nil {
		return err
	}
	// The rename writes the whole dialog back, unread count included, so it goes
	// first: planted the other way round, the rename would undo the unread plant.
	renamed := group
	renamed.Name = "tampered name"
	planted[kindDialogs] = group.ID
	if err := sc.db.UpsertDialogs(ctx, []cache.Dialog{renamed}); err != nil {
		return err
	}
	// The example must name the planted count, not just the dialog: a drift of its
	// own in the same dialog must not pass for the plant.
	planted[kindUnread] = fmt.Sprintf("shows %d unread in %s", group.UnreadCount+7, group.ID)
	return sc.db.SetUnread(ctx, group.ID, group.UnreadCount+7)
}
