package cache

import (
	"context"
	"fmt"
)

// A dialog settled in one statement. On the live path the receiver's StoreLive and
// the sender's queueing write each insert one message, nearly always the newest
// of its dialog, and then settle the dialog inside the message's window, where a
// statement costs 5–15× its back-to-back price (docs/benchmarks.md, "Issue 10,
// live path, round 6"). refreshDialogs reads the dialog (lastAndNewest) and then
// updates it: two statements. followSQL is the same decision and update in one,
// for a dialog in which one message changed.

// followSQL is refreshDialogs for a dialog in which only message ?2 changed, with
// ?3 new messages to count unread: newestWins, unhideIfNewer and the unread count
// in one UPDATE that runs only when refreshDialogs would run one. x reads the dialog
// and its newest message not deleted as lastAndNewest does and says what
// refreshDialogs would write:
//   - wins is refreshDialogs' "ids[d.LastMessageID] || newestWins" (lastMessageNewer
//     spelled out), c the named last message when cached in the second named
//     (lastCached). SQLite copies wins into each expression that uses it, so the
//     lookup of c is a join, done once, rather than an EXISTS in wins;
//   - the hidden mark is cleared when the newest message is later (unhideIfNewer).
//
// The outer WHERE keeps what refreshDialogs leaves alone untouched: no row is
// updated when nothing would change and nothing is counted. No row is updated
// either when the dialog is not cached or has no message not deleted (then
// refreshDialogs may show none); the caller runs refreshDialogs then, which
// decides as before. So does a negative time: refreshDialogs reads 0 as
// time.Time{}, which is earlier than any negative time in ms, while SQL compares
// the numbers; for times from 0 on the two orders agree.
const followSQL = `UPDATE dialogs SET last_message = x.lm, last_message_id = x.lid,
		last_message_at = x.lat, last_message_user_id = x.luser, hidden_at = x.hid,
		unread_count = dialogs.unread_count + ?3
	FROM (SELECT
			IIF(wins, body, last_message) AS lm, IIF(wins, nid, last_message_id) AS lid,
			IIF(wins, nat, last_message_at) AS lat, IIF(wins, nuser, last_message_user_id) AS luser,
			IIF(hidden_at > 0 AND nat > hidden_at, 0, hidden_at) AS hid, nat
		FROM (SELECT d.last_message, d.last_message_id, d.last_message_at, d.last_message_user_id,
				d.hidden_at, n.id AS nid, n.body, n.sent_at AS nat, n.sender_id AS nuser,
				CASE
					WHEN d.last_message_id IN (?2, '') OR n.sent_at > d.last_message_at THEN 1
					WHEN n.sent_at < d.last_message_at THEN 0
					WHEN n.id >= d.last_message_id THEN 1
					ELSE c.pk IS NOT NULL
				END AS wins
			FROM dialogs d JOIN messages n ON n.pk = (SELECT pk FROM messages WHERE dialog_id = d.id
				AND deleted = 0 ORDER BY sent_at DESC, arrival DESC, id DESC LIMIT 1)
			LEFT JOIN messages c ON c.id = d.last_message_id AND c.dialog_id = d.id
				AND c.sent_at = d.last_message_at
			WHERE d.id = ?1)) AS x
	WHERE dialogs.id = ?1 AND x.nat >= 0 AND dialogs.last_message_at >= 0
		AND (?3 > 0 OR x.lm != dialogs.last_message OR x.lid != dialogs.last_message_id
			OR x.lat != dialogs.last_message_at OR x.luser != dialogs.last_message_user_id
			OR x.hid != dialogs.hidden_at)`

// followTrace, when set (by tests), hears whether followSQL settled a dialog.
var followTrace func(dialogID string, settled bool)

// follow settles dialogID, in which only message id changed, with n new messages
// to count unread, by followSQL; false when followSQL cannot (refreshDialogs must).
func follow(ctx context.Context, tx *txn, dialogID, id string, n int, ch *Change) (bool, error) {
	res, err := tx.ExecContext(ctx, followSQL, dialogID, id, n)
	if err != nil {
		return false, fmt.Errorf("dialog %s: %w", dialogID, err)
	}
	rows, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("dialog %s: %w", dialogID, err)
	}
	if followTrace != nil {
		followTrace(dialogID, rows > 0)
	}
	if rows == 0 {
		return false, nil
	}
	ch.addDialog(dialogID)
	return true, nil
}

// refreshInserted is refreshDialogs for a write that inserted messages (the live
// path's StoreLive and queueing write): a dialog whose one changed message is one
// the write inserted is settled by follow, the others, and any follow cannot
// settle, by refreshDialogs. inserted holds the ids the write inserted. Only
// inserted messages go to follow: a new message is nearly always its dialog's
// newest, so the dialog changes and followSQL settles it; a changed one often
// leaves its dialog as it is, and followSQL then finds no row to update and
// refreshDialogs runs after it, one statement more. touched loses the dialogs
// follow settled.
func refreshInserted(ctx context.Context, tx *txn, touched map[string]map[string]bool, inserted map[string]bool,
	unread map[string]int, ch *Change) error {
	for dialogID, ids := range touched {
		if len(ids) != 1 {
			continue
		}
		for id := range ids {
			if !inserted[id] {
				continue
			}
			settled, err := follow(ctx, tx, dialogID, id, unread[dialogID], ch)
			if err != nil {
				return err
			}
			if settled {
				delete(touched, dialogID)
			}
		}
	}
	return refreshDialogs(ctx, tx, touched, unread, ch)
}
