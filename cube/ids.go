package cube

import (
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"sync/atomic"
	"time"
)

var (
	objectIDCounter = func() uint32 {
		var b [4]byte
		_, _ = rand.Read(b[:])
		return binary.BigEndian.Uint32(b[:])
	}()
	objectIDProcess = func() [5]byte {
		var b [5]byte
		_, _ = rand.Read(b[:])
		return b
	}()
)

// NewObjectID returns a 24-hex BSON ObjectId (seconds, process random, counter), the
// id format ConnectyCube uses for dialogs and messages. Clients use it as the stanza id
// so that the stored message can be addressed by it later.
func NewObjectID() string {
	var b [12]byte
	binary.BigEndian.PutUint32(b[0:4], uint32(time.Now().Unix()))
	copy(b[4:9], objectIDProcess[:])
	c := atomic.AddUint32(&objectIDCounter, 1)
	b[9], b[10], b[11] = byte(c>>16), byte(c>>8), byte(c)
	return hex.EncodeToString(b[:])
}

// IsObjectID tells whether s is 24 lowercase or uppercase hex digits.
func IsObjectID(s string) bool {
	if len(s) != 24 {
		return false
	}
	_, err := hex.DecodeString(s)
	return err == nil
}
