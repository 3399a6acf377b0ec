package xmppd

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/cubechat/cubechat/cube"
)

// notFoundErr is how the fake reports unknown ids (Backend accepts NotFound() bool).
type notFoundErr struct{ what string }

func (e notFoundErr) Error() string  { return e.what + " not found" }
func (e notFoundErr) NotFound() bool { return true }

// fakeBackend is an in-memory Backend for the tests.
type fakeBackend struct {
	mu        sync.Mutex
	passwords map[int64]string
	dialogs   map[string]*cube.Dialog
	messages  []cube.Message
	offline   map[int64][][]byte
	active    map[int64]bool

	privacy      map[int64]map[string][]cube.PrivacyItem
	privacyDef   map[int64]string
	connected    map[int64]time.Time
	disconnected map[int64]time.Time
	mutedDialogs map[string]bool // dialogID/userID with notifications off
	alerts       map[int64][]string
	reads        map[string][]int64 // message id → readers
	deliveries   map[string][]int64
}

func newFakeBackend() *fakeBackend {
	return &fakeBackend{
		passwords: map[int64]string{},
		dialogs:   map[string]*cube.Dialog{},
		offline:   map[int64][][]byte{},
		active:    map[int64]bool{},

		privacy:      map[int64]map[string][]cube.PrivacyItem{},
		privacyDef:   map[int64]string{},
		connected:    map[int64]time.Time{},
		disconnected: map[int64]time.Time{},
		mutedDialogs: map[string]bool{},
		alerts:       map[int64][]string{},
		reads:        map[string][]int64{},
		deliveries:   map[string][]int64{},
	}
}

func (b *fakeBackend) addUser(id int64, password string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.passwords[id] = password
}

func (b *fakeBackend) addDialog(d cube.Dialog) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.dialogs[d.ID] = &d
}

func (b *fakeBackend) UserExists(_ context.Context, userID int64) (bool, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	_, ok := b.passwords[userID]
	return ok, nil
}

func (b *fakeBackend) CheckChatPassword(_ context.Context, userID int64, secret string) (bool, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	pw, ok := b.passwords[userID]
	return ok && pw == secret, nil
}

func (b *fakeBackend) DialogMembers(_ context.Context, id string) (*cube.Dialog, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	d, ok := b.dialogs[id]
	if !ok {
		return nil, notFoundErr{"dialog"}
	}
	cp := *d
	return &cp, nil
}

func (b *fakeBackend) FindOrCreatePrivateDialog(_ context.Context, x, y int64) (*cube.Dialog, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, id := range []int64{x, y} {
		if _, ok := b.passwords[id]; !ok {
			return nil, notFoundErr{"user"}
		}
	}
	for _, d := range b.dialogs {
		if d.Type == cube.DialogPrivate && slices.Contains(d.OccupantsIDs, x) && slices.Contains(d.OccupantsIDs, y) {
			cp := *d
			return &cp, nil
		}
	}
	d := &cube.Dialog{ID: cube.NewObjectID(), Type: cube.DialogPrivate, UserID: x, OccupantsIDs: []int64{x, y}}
	b.dialogs[d.ID] = d
	cp := *d
	return &cp, nil
}

func (b *fakeBackend) StoreChatMessage(_ context.Context, m cube.Message) (bool, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if m.ID == "" {
		return false, errors.New("message without id")
	}
	if _, ok := b.dialogs[m.ChatDialogID]; !ok {
		return false, notFoundErr{"dialog"}
	}
	for _, old := range b.messages {
		if old.ID == m.ID {
			return false, nil
		}
	}
	b.messages = append(b.messages, m)
	return true, nil
}

func (b *fakeBackend) QueueOffline(_ context.Context, userID int64, stanza []byte) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.offline[userID] = append(b.offline[userID], slices.Clone(stanza))
	return nil
}

func (b *fakeBackend) TakeOffline(_ context.Context, userID int64) ([][]byte, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	q := b.offline[userID]
	delete(b.offline, userID)
	return q, nil
}

func (b *fakeBackend) SetUserActive(_ context.Context, userID int64, active bool) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.active[userID] = active
	return nil
}

func (b *fakeBackend) stored() []cube.Message {
	b.mu.Lock()
	defer b.mu.Unlock()
	return slices.Clone(b.messages)
}

func (b *fakeBackend) queued(userID int64) int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return len(b.offline[userID])
}

func (b *fakeBackend) isActive(userID int64) (active, known bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	active, known = b.active[userID]
	return active, known
}

func (b *fakeBackend) Message(_ context.Context, id string, _ int64) (cube.Message, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, m := range b.messages {
		if m.ID == id {
			return m, nil
		}
	}
	return cube.Message{}, notFoundErr{"message"}
}

func (b *fakeBackend) EditMessages(_ context.Context, dialogID string, userID int64, ids []string, body string) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	for i, m := range b.messages {
		if slices.Contains(ids, m.ID) {
			if m.ChatDialogID != dialogID || m.SenderID != userID {
				return errors.New("not the sender's message in this dialog")
			}
			b.messages[i].Message = body
			b.messages[i].UpdatedAt = cube.TimeOf(time.Now())
		}
	}
	return nil
}

func (b *fakeBackend) RemoveMessage(_ context.Context, id string) (string, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for i, m := range b.messages {
		if m.ID == id {
			b.messages = slices.Delete(b.messages, i, i+1)
			return m.ChatDialogID, nil
		}
	}
	return "", notFoundErr{"message"}
}

// MarkMessage follows the store's rule: only someone else's stored message in a
// dialog the user occupies is marked.
func (b *fakeBackend) MarkMessage(_ context.Context, id string, userID int64, read bool) (bool, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	i := slices.IndexFunc(b.messages, func(m cube.Message) bool { return m.ID == id })
	if i < 0 || b.messages[i].SenderID == userID {
		return false, nil
	}
	d, ok := b.dialogs[b.messages[i].ChatDialogID]
	if !ok || !slices.Contains(d.OccupantsIDs, userID) {
		return false, nil
	}
	if read {
		b.reads[id] = append(b.reads[id], userID)
	}
	b.deliveries[id] = append(b.deliveries[id], userID)
	return true, nil
}

func (b *fakeBackend) PrivacyLists(_ context.Context, userID int64) (map[string][]cube.PrivacyItem, string, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	out := map[string][]cube.PrivacyItem{}
	for name, items := range b.privacy[userID] {
		out[name] = slices.Clone(items)
	}
	return out, b.privacyDef[userID], nil
}

func (b *fakeBackend) SetPrivacyList(_ context.Context, userID int64, name string, items []cube.PrivacyItem) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.privacy[userID] == nil {
		b.privacy[userID] = map[string][]cube.PrivacyItem{}
	}
	b.privacy[userID][name] = slices.Clone(items)
	return nil
}

func (b *fakeBackend) DeletePrivacyList(_ context.Context, userID int64, name string) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if _, ok := b.privacy[userID][name]; !ok {
		return notFoundErr{"privacy list"}
	}
	delete(b.privacy[userID], name)
	if b.privacyDef[userID] == name {
		delete(b.privacyDef, userID)
	}
	return nil
}

func (b *fakeBackend) SetDefaultPrivacyList(_ context.Context, userID int64, name string) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if name == "" {
		delete(b.privacyDef, userID)
		return nil
	}
	if _, ok := b.privacy[userID][name]; !ok {
		return notFoundErr{"privacy list"}
	}
	b.privacyDef[userID] = name
	return nil
}

func (b *fakeBackend) RecordConnect(_ context.Context, userID int64, at time.Time) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.connected[userID] = at
	return nil
}

func (b *fakeBackend) RecordDisconnect(_ context.Context, userID int64, at time.Time) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.disconnected[userID] = at
	return nil
}

func (b *fakeBackend) LastSeen(_ context.Context, userID int64) (time.Time, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	c, okC := b.connected[userID]
	d, okD := b.disconnected[userID]
	if !okC && !okD {
		return time.Time{}, notFoundErr{"last activity"}
	}
	if d.After(c) {
		return d, nil
	}
	return c, nil
}

func (b *fakeBackend) DialogNotificationsEnabled(_ context.Context, dialogID string, userID int64) (bool, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return !b.mutedDialogs[fmt.Sprintf("%s/%d", dialogID, userID)], nil
}

func (b *fakeBackend) RecordAlerts(_ context.Context, m cube.Message, recipients []int64) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, uid := range recipients {
		b.alerts[uid] = append(b.alerts[uid], m.ID)
	}
	return nil
}

// test helpers

func (b *fakeBackend) muteDialog(dialogID string, userID int64) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.mutedDialogs[fmt.Sprintf("%s/%d", dialogID, userID)] = true
}

func (b *fakeBackend) alertsOf(userID int64) []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return slices.Clone(b.alerts[userID])
}

func (b *fakeBackend) readersOf(id string) (read, delivered []int64) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return slices.Clone(b.reads[id]), slices.Clone(b.deliveries[id])
}

func (b *fakeBackend) setLastSeen(userID int64, at time.Time) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.disconnected[userID] = at
	b.connected[userID] = at.Add(-time.Hour)
}
