package xmppd

import (
	"context"
	"errors"
	"slices"
	"sync"

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
}

func newFakeBackend() *fakeBackend {
	return &fakeBackend{
		passwords: map[int64]string{},
		dialogs:   map[string]*cube.Dialog{},
		offline:   map[int64][][]byte{},
		active:    map[int64]bool{},
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

func (b *fakeBackend) CheckChatPassword(_ context.Context, userID int64, secret string) (bool, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	pw, ok := b.passwords[userID]
	return ok && pw == secret, nil
}

func (b *fakeBackend) Dialog(_ context.Context, id string) (*cube.Dialog, error) {
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
