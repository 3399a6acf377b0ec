package store

// The store checkpoints its WAL off the write path (internal/walcheckpoint): each
// connection's automatic checkpoint is set far higher, only a backstop should the
// background goroutine fall behind.

// walBackstopPages is every connection's automatic checkpoint threshold (~80 MiB of
// WAL at 4 KiB pages).
const walBackstopPages = 20000
