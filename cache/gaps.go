package cache

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"
)

// Gaps are persisted ranges of history the cache knows it is missing (the
// catch-up budget ran out, or back-fill stopped early). They are data, not UI
// state: they survive restarts, and scrolling into one back-fills it.

// interval is a closed range of unix milliseconds.
type interval struct{ from, to int64 }

// AddGap records that messages of dialogID sent in [from, to] may be missing.
// It merges with gaps it overlaps or touches.
func (db *DB) AddGap(ctx context.Context, dialogID string, from, to time.Time) error {
	iv, err := gapInterval(dialogID, from, to)
	if err != nil {
		return err
	}
	return db.editGaps(ctx, dialogID, "add gap", func(gs []interval) []interval { return addInterval(gs, iv) })
}

// RemoveGap records that [from, to] of dialogID is now complete in the cache
// (back-filled). What remains of a gap on either side stays, so a partial
// back-fill splits or shrinks it. The boundary instants stay in the remaining
// pieces: fetching one second twice is harmless (upserts are idempotent), losing
// it is not.
func (db *DB) RemoveGap(ctx context.Context, dialogID string, from, to time.Time) error {
	iv, err := gapInterval(dialogID, from, to)
	if err != nil {
		return err
	}
	return db.editGaps(ctx, dialogID, "remove gap", func(gs []interval) []interval { return subtractInterval(gs, iv) })
}

// Gaps returns the gaps of a dialog, oldest first.
func (db *DB) Gaps(ctx context.Context, dialogID string) ([]Gap, error) {
	ivs, err := loadGaps(ctx, db.r, dialogID)
	if err != nil {
		return nil, db.read("read gaps", err)
	}
	out := make([]Gap, len(ivs))
	for i, iv := range ivs {
		out[i] = Gap{DialogID: dialogID, From: fromMillis(iv.from), To: fromMillis(iv.to)}
	}
	return out, nil
}

func gapInterval(dialogID string, from, to time.Time) (interval, error) {
	if dialogID == "" {
		return interval{}, fmt.Errorf("cache: gap without a dialog id")
	}
	if to.Before(from) {
		return interval{}, fmt.Errorf("cache: gap of dialog %s ends (%s) before it starts (%s)", dialogID, to, from)
	}
	return interval{toMillis(from), toMillis(to)}, nil
}

func loadGaps(ctx context.Context, q queryer, dialogID string) ([]interval, error) {
	rows, err := q.QueryContext(ctx, `SELECT from_at, to_at FROM gaps WHERE dialog_id = ? ORDER BY from_at`, dialogID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []interval
	for rows.Next() {
		var iv interval
		if err := rows.Scan(&iv.from, &iv.to); err != nil {
			return nil, err
		}
		out = append(out, iv)
	}
	return out, rows.Err()
}

// editGaps rewrites a dialog's gaps with edit's result, publishing the dialog
// when they changed.
func (db *DB) editGaps(ctx context.Context, dialogID, what string, edit func([]interval) []interval) error {
	return db.write(ctx, what, func(tx *txn, ch *Change) error {
		old, err := loadGaps(ctx, tx, dialogID)
		if err != nil {
			return err
		}
		next := edit(slices.Clone(old))
		if slices.Equal(old, next) {
			return nil
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM gaps WHERE dialog_id = ?`, dialogID); err != nil {
			return err
		}
		for _, iv := range next {
			if _, err := tx.ExecContext(ctx, `INSERT INTO gaps (dialog_id, from_at, to_at) VALUES (?, ?, ?)`,
				dialogID, iv.from, iv.to); err != nil {
				return err
			}
		}
		ch.addDialog(dialogID)
		return nil
	})
}

// addInterval returns the sorted, disjoint union of gs (sorted, disjoint) and iv.
func addInterval(gs []interval, iv interval) []interval {
	var out []interval
	for _, g := range gs {
		if g.to < iv.from || g.from > iv.to {
			out = append(out, g)
			continue
		}
		iv.from, iv.to = min(iv.from, g.from), max(iv.to, g.to)
	}
	out = append(out, iv)
	slices.SortFunc(out, func(a, b interval) int { return cmp.Compare(a.from, b.from) })
	// Touching ranges ([1,5] and [5,9]) already overlap at 5; nothing else to join.
	return out
}

// subtractInterval removes iv from gs, keeping what lies strictly outside it
// (plus the shared boundary instant, see RemoveGap).
func subtractInterval(gs []interval, iv interval) []interval {
	var out []interval
	for _, g := range gs {
		if g.to < iv.from || g.from > iv.to {
			out = append(out, g)
			continue
		}
		if g.from < iv.from {
			out = append(out, interval{g.from, iv.from})
		}
		if g.to > iv.to {
			out = append(out, interval{iv.to, g.to})
		}
	}
	return out
}
