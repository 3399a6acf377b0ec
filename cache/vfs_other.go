//go:build !unix

package cache

// vfsParam is empty where SQLite has no "unix-excl" VFS (Windows): the default
// VFS is used (see vfs_unix.go).
const vfsParam = ""
