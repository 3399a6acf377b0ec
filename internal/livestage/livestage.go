// Package livestage marks, in a Go runtime trace, the moments a message passes the
// steps of the live path, so that cmd/livetrace can tell where its time went and
// what else held the processors meanwhile (docs/benchmarks.md, "Issue 10, live
// path, round 6"). Outside a trace a mark costs one atomic load.
package livestage

import (
	"context"
	"runtime/trace"
)

// The steps, in the order a message passes them. Each mark is a trace log event
// whose category is the step and whose message is the message's id.
const (
	Send   = "send"   // the engine's Send was called (sender)
	Wire   = "wire"   // the SDK writes the message's stanza (sender)
	Wired  = "wired"  // the SDK's write returned (sender)
	Recv   = "recv"   // the SDK has read and parsed the stanza (receiver)
	Take   = "take"   // the engine's pipeline took the message event (receiver)
	Store  = "store"  // the engine starts the cache write (receiver)
	Stored = "stored" // the write has committed and its change is published (receiver)
	Seen   = "seen"   // the watcher saw it: the cache's change feed, or the raw SDK's event
)

// Order lists the steps in the order a message passes them.
var Order = []string{Send, Wire, Wired, Recv, Take, Store, Stored, Seen}

// Mark records that message id passed step, when a trace is being taken.
func Mark(step, id string) {
	if trace.IsEnabled() {
		trace.Log(context.Background(), step, id)
	}
}
