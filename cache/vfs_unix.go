//go:build unix

package cache

// vfsParam makes every connection of the cache use SQLite's "unix-excl" VFS: the
// first connection takes an exclusive lock on the file for the whole process,
// and from then on the process's connections coordinate in memory. Their locks
// cost no fcntl call and the WAL index lives in the heap, not in a mapped -shm
// file. A write transaction made six fcntl calls under the plain "unix" VFS; in
// the live path, with several write transactions per message, that was some
// thirty system calls a message (docs/benchmarks.md, "Issue 10, live path,
// round 9"). The price is that no other process can open the cache while the app
// has it open, which a single-instance desktop cache wants anyway (main.go takes
// an instance lock before it opens the cache).
const vfsParam = "&vfs=unix-excl"
