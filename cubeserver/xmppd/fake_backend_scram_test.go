package xmppd

import (
	"context"

	"github.com/cubechat/cubechat/cubeserver/store"
)

// fakeSCRAMSalt and fakeSCRAMIter are the fake backend's SCRAM parameters for everyone.
var fakeSCRAMSaltBytes = []byte("fake-backend-salt")

const fakeSCRAMIter = 4096

// SCRAMCredential derives the keys from the fake's clear-text password on each call.
func (b *fakeBackend) SCRAMCredential(_ context.Context, userID int64, mechanism string) ([]byte, int, []byte, []byte, error) {
	b.mu.Lock()
	pw, ok := b.passwords[userID]
	b.mu.Unlock()
	if !ok {
		return nil, 0, nil, nil, notFoundErr{"user"}
	}
	stored, server, err := store.DeriveSCRAMKeys(scramHashes[mechanism], pw, fakeSCRAMSaltBytes, fakeSCRAMIter)
	return fakeSCRAMSaltBytes, fakeSCRAMIter, stored, server, err
}

// SCRAMTokenKeys: the fake has no sessions.
func (b *fakeBackend) SCRAMTokenKeys(context.Context, int64, string, []byte, int) ([][]byte, [][]byte, error) {
	return nil, nil, nil
}
