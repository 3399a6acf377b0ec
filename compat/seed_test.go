package compat

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/cubechat/cubechat/cube"
	"github.com/cubechat/cubechat/cubeserver/store"
)

// usersPerFile is how many users each JS test file gets (lib/harness.mjs usersFor).
const usersPerFile = 3

// seededUser is what a JS test knows about one of its users.
type seededUser struct {
	ID       int64  `json:"id"`
	Login    string `json:"login"`
	Password string `json:"password"`
	FullName string `json:"full_name"`
}

// fileKey is the group name of a test file's users: "<dir>/<name>" for
// <dir>/<name>.test.mjs, the same key lib/harness.mjs computes from import.meta.url.
func fileKey(file string) string {
	return filepath.Base(filepath.Dir(file)) + "/" + strings.TrimSuffix(filepath.Base(file), ".test.mjs")
}

// seedUsers creates usersPerFile users for every file and returns them as the JSON of
// CUBE_USERS: {"chat/privacy": [{id, login, password, full_name}, …], …}. Each file has
// its own users so that files can run in parallel without seeing each other's traffic.
func seedUsers(ctx context.Context, st *store.Store, files []string) (string, error) {
	groups := map[string][]seededUser{}
	for _, f := range files {
		key := fileKey(f)
		for i := 1; i <= usersPerFile; i++ {
			login := fmt.Sprintf("%s-%d", strings.ReplaceAll(key, "/", "-"), i)
			password := "pw-" + login
			u, err := st.CreateUser(ctx, cube.User{Login: login, FullName: fmt.Sprintf("User %d of %s", i, key)}, password)
			if err != nil {
				return "", fmt.Errorf("create user %s: %w", login, err)
			}
			groups[key] = append(groups[key], seededUser{ID: u.ID, Login: u.Login, Password: password, FullName: u.FullName})
		}
	}
	b, err := json.Marshal(groups)
	return string(b), err
}
