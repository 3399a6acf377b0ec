package cache

// stateRank orders the forward path of a message; failed sits beside pending.
var stateRank = map[MessageState]int{
	StatePending:   0,
	StateFailed:    0,
	StateSent:      1,
	StateDelivered: 2,
	StateRead:      3,
}

// mergeState is the state of a stored message (old) after a copy in state in
// arrives. It never moves backwards: pending < sent < delivered < read; failed
// is reachable only from pending, and any server copy (sent or later) of a
// pending or failed message wins, because the server has it.
func mergeState(old, in MessageState) MessageState {
	if in == "" {
		in = StateSent // a copy without a state comes from the server
	}
	switch {
	case in == StateFailed:
		if old == StatePending || old == StateFailed {
			return StateFailed
		}
		return old
	case old == StateFailed:
		if in.Confirmed() {
			return in
		}
		return old
	case stateRank[in] > stateRank[old]:
		return in
	}
	return old
}

// mergeMessage is the stored message old after copy in arrives.
//   - State: mergeState.
//   - Content (body, attachments, custom, times, parties) comes from in, unless
//     in is an older edit than the one stored (a stale copy).
//   - Deleted is sticky: a stale copy does not bring a message back; a deleted
//     message keeps no body or attachments.
//   - LastError, local only, is kept unless the state changes (then it is the new
//     failure's reason, or cleared). EditPending, local only, is kept.
//   - Markers only add: DeliveredIDs and ReadIDs are the union of both copies.
//   - Reactions: a copy with none keeps the stored ones (REST copies carry only
//     counts); a copy with some replaces them.
//   - Attachments of a fresh copy keep this machine's download state (by UID).
func mergeMessage(old, in Message) Message {
	out := old
	out.State = mergeState(old.State, in.State)
	if !in.EditedAt.Before(old.EditedAt) {
		out.Body = in.Body
		out.Attachments = keepLocalFiles(old.Attachments, in.Attachments)
		out.Custom = in.Custom
		out.EditedAt = in.EditedAt
		out.Silent = in.Silent
		if !in.SentAt.IsZero() {
			out.SentAt = in.SentAt
		}
		if in.SenderID != 0 {
			out.SenderID = in.SenderID
		}
		if in.RecipientID != 0 {
			out.RecipientID = in.RecipientID
		}
	}
	out.DeliveredIDs = unionIDs(old.DeliveredIDs, in.DeliveredIDs)
	out.ReadIDs = unionIDs(old.ReadIDs, in.ReadIDs)
	out.DeliveredIDs = unionIDs(out.DeliveredIDs, out.ReadIDs)
	if len(in.Reactions) > 0 {
		out.Reactions = in.Reactions
	}
	out.Deleted = old.Deleted || in.Deleted
	out = scrubDeleted(out)
	switch {
	case out.State == StateFailed && in.LastError != "":
		out.LastError = in.LastError
	case out.State != old.State:
		out.LastError = ""
	}
	return out
}

// scrubDeleted drops the content of a deleted message: "delete for everyone"
// should not leave the text on disk, and the search index (which never holds
// deleted text) stays equal to its content table.
func scrubDeleted(m Message) Message {
	if m.Deleted {
		m.Body, m.Attachments = "", nil
	}
	return m
}
