package rest

import (
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/cubechat/cubechat/cube"
)

// maxReactionBytes bounds a reaction (an emoji, possibly with modifiers and joiners).
const maxReactionBytes = 64

// PUT /chat/Message/{id}/reactions with {"add":"👍"}, {"remove":"👎"} or both. A user
// has one reaction per message: an add replaces the user's previous one (store.React).
// Occupants only. Answers an empty 200 and, when something changed, sends
// <reactions user_id message_id><reaction add="true" type/>…</reactions> to the
// dialog's participants.
func (h *Handler) putReactions(w http.ResponseWriter, r *http.Request, rc *reqCtx) {
	p, err := readBody(w, r)
	if err != nil {
		writeBodyError(w, err)
		return
	}
	add, _ := p.str("add")
	remove, _ := p.str("remove")
	add, remove = strings.TrimSpace(add), strings.TrimSpace(remove)
	for _, v := range []string{add, remove} {
		if len(v) > maxReactionBytes || !utf8.ValidString(v) {
			writeErrors(w, http.StatusUnprocessableEntity, "A reaction is one emoji")
			return
		}
	}
	if add == "" && remove == "" {
		writeErrors(w, http.StatusUnprocessableEntity, "Send add, remove or both")
		return
	}
	messageID, me := rc.params[0], rc.session.UserID
	ctx := r.Context()
	change, err := h.st.React(ctx, messageID, me, add, remove)
	if err != nil {
		h.storeError(w, r, err)
		return
	}
	if change.Changed() {
		d, err := h.st.Dialog(ctx, change.DialogID)
		if err != nil {
			h.internalError(w, r, err)
			return
		}
		elem := &cube.ReactionsElem{UserID: strconv.FormatInt(me, 10), MessageID: messageID}
		if change.Added != "" {
			elem.Items = append(elem.Items, cube.ReactionElem{Type: change.Added, Add: "true"})
		}
		for _, t := range change.Removed {
			elem.Items = append(elem.Items, cube.ReactionElem{Type: t, Remove: "true"})
		}
		h.deliverToDialog(ctx, d, me, &cube.MessageStanza{ID: cube.NewObjectID(), Reactions: elem,
			Extra: withDialogID(d.ID)})
	}
	writeEmpty(w)
}

// GET /chat/Message/{id}/reactions: {"👍":[user ids…],…} for occupants.
func (h *Handler) getReactions(w http.ResponseWriter, r *http.Request, rc *reqCtx) {
	out, err := h.st.MessageReactions(r.Context(), rc.params[0], rc.session.UserID)
	if err != nil {
		h.storeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, out)
}
