package main

import (
	"fmt"
	"strings"
	gosync "sync"
)

// ledger is what the users asked for, as the engines accepted it: every message
// Send returned an id for, its last requested text, whether its sender deleted it,
// and each user's last requested reaction per message. The comparison holds the
// server to it, so an action the engine dropped quietly shows up even when the
// caches and the server agree with each other.
type ledger struct {
	mu        gosync.Mutex
	messages  map[string]*ledgerMessage
	reactions map[string]map[int64]string // message id → user id → emoji ("" = none)

	sends, edits, deletes, reacts, reads int
	onPending                            int // edits, deletes and reactions on a message that was still pending
	errors                               int
	errorExamples                        []string
}

type ledgerMessage struct {
	id, dialogID string
	sender       int64
	body         string // the text last asked for (the original or an edit)
	deleted      bool   // deleted for everyone by its sender
}

func newLedger() *ledger {
	return &ledger{messages: map[string]*ledgerMessage{}, reactions: map[string]map[int64]string{}}
}

// messageKey is the unique first word of a soak message's body ("m<seed>.<user>.<n>"):
// edits keep it, so a resend under another id is still recognised as a duplicate.
func messageKey(body string) string {
	key, _, _ := strings.Cut(body, " ")
	return key
}

func (l *ledger) sent(m ledgerMessage) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.messages[m.id] = &m
	l.sends++
}

func (l *ledger) edited(id, body string, pending bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.messages[id].body = body
	l.edits++
	l.countPending(pending)
}

func (l *ledger) deleted(id string, pending bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.messages[id].deleted = true
	l.deletes++
	l.countPending(pending)
}

// reacted records the reaction the user now wants on a message ("" = none): what
// clicking an emoji means given what the screen showed (see actor.react).
func (l *ledger) reacted(id string, user int64, want string, pending bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	byUser := l.reactions[id]
	if byUser == nil {
		byUser = map[int64]string{}
		l.reactions[id] = byUser
	}
	byUser[user] = want
	l.reacts++
	l.countPending(pending)
}

func (l *ledger) read() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.reads++
}

func (l *ledger) countPending(pending bool) {
	if pending {
		l.onPending++
	}
}

func (l *ledger) failed(format string, args ...any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.errors++
	if len(l.errorExamples) < 10 {
		l.errorExamples = append(l.errorExamples, fmt.Sprintf(format, args...))
	}
}

// isDeleted and lookups for the actors (under the lock).
func (l *ledger) isDeleted(id string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	m := l.messages[id]
	return m != nil && m.deleted
}

func (l *ledger) body(id string) string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.messages[id].body
}

func (l *ledger) has(id string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	_, ok := l.messages[id]
	return ok
}
