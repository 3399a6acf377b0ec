package rest

import (
	"net/http"

	"github.com/cubechat/cubechat/cubeserver/store"
)

// visible loads the blob named by the first path parameter when the caller may read it
// (store.BlobReadableBy: public, the owner's, or attached in a dialog the caller
// reads). Anything else answers 404 exactly like an unknown id, so sequential ids
// cannot be probed for other users' files.
func (b *blobAPI) visible(w http.ResponseWriter, r *http.Request, rc *reqCtx) (store.Blob, bool) {
	blob, ok := b.found(w, r, rc)
	if !ok {
		return blob, false
	}
	return blob, b.mayRead(w, r, blob, rc.session.UserID, rc.params[0])
}

// mayRead answers 404 itself (or 500) unless userID may read blob; ref names the
// blob as the request did.
func (b *blobAPI) mayRead(w http.ResponseWriter, r *http.Request, blob store.Blob, userID int64, ref string) bool {
	ok, err := b.h.st.BlobReadableBy(r.Context(), blob, userID)
	if err != nil {
		b.h.internalError(w, r, err)
		return false
	}
	if !ok {
		writeErrors(w, http.StatusNotFound, "File not found: "+ref)
	}
	return ok
}
