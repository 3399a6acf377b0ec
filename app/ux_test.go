package app

import (
	"testing"
	"time"

	"fyne.io/fyne/v2/test"
)

// A search for a chat name shows its results instead of the dialogs list, never on top
// of it (both lists fill the same place: drawn together their rows overlapped).
func TestSearchResultsReplaceTheDialogsList(t *testing.T) {
	_, m, _ := offlineUI(t)
	onUI(func() { test.Type(m.search.entry, "bob") })
	waitFor(t, "the chat result", 5*time.Second, func() bool {
		var n int
		onUI(func() { n = len(m.search.items) })
		return n > 0
	})
	onUI(func() {
		if !m.search.results.Visible() {
			t.Fatal("the results are not shown")
		}
		if m.list.Visible() || m.empty.Visible() {
			t.Error("the dialogs list is drawn under the search results")
		}
	})
	onUI(func() { m.search.entry.SetText("") })
	onUI(func() {
		if !m.list.Visible() || m.search.results.Visible() {
			t.Error("clearing the search brings the dialogs list back alone")
		}
	})
}
