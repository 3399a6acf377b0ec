package cache

import (
	"database/sql"
	"fmt"
	"os"
)

// The peek helper runs in a child process of the cache's test binary (TestMain
// starts it when peekHelperEnv is set): another process trying to read a cache,
// as in vfs_unix_test.go.

// peekHelperEnv names the cache file a child process of this test binary reads.
const peekHelperEnv = "CUBECHAT_CACHE_PEEK"

// peekHelper is the child: it reads the cache with the plain VFS, waiting for no
// lock, and prints what it found or the error.
func peekHelper(path string) {
	raw, err := sql.Open("sqlite", path+"?_pragma=busy_timeout(0)&_pragma=query_only(1)")
	if err == nil {
		var n int
		if err = raw.QueryRow(`SELECT COUNT(*) FROM dialogs`).Scan(&n); err == nil {
			fmt.Printf("read %d dialogs\n", n)
		}
		raw.Close()
	}
	if err != nil {
		fmt.Printf("error: %v\n", err)
	}
	os.Exit(0)
}
