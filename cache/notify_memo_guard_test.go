package cache

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestEveryWriteOfNotifyFactsEndsTheMemo reads the package's own source. NotifyFacts
// memoises a dialog's name, type and mute settings and users' names until
// notify.changed() (notify_facts.go), so a write of those that forgets to call it
// would keep a muted dialog notifying. Each function whose SQL inserts, replaces or
// deletes rows of dialogs or users, or updates a column a notification reads (or a
// column chosen at run time), must call db.notify.changed() itself or be called
// only by functions that do. A write of other columns (unread counts, the last
// message) passes.
func TestEveryWriteOfNotifyFactsEndsTheMemo(t *testing.T) {
	rowWrite := regexp.MustCompile(`(?is)(INSERT\s+(OR\s+\w+\s+)?INTO|REPLACE\s+INTO|DELETE\s+FROM)\s+(dialogs|users)\b`)
	update := regexp.MustCompile(`(?is)UPDATE\s+(dialogs|users)\s+SET\b(.*)`)
	shown := regexp.MustCompile(`(?i)\b(name|type|muted|notifications_enabled|login|full_name)\s*=`)

	type fn struct {
		writes, ends bool
		calls        map[string]bool
	}
	funcs := map[string]*fn{}
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range f.Decls {
			fd, ok := d.(*ast.FuncDecl)
			if !ok || fd.Body == nil {
				continue
			}
			info := &fn{calls: map[string]bool{}}
			funcs[fd.Name.Name] = info
			ast.Inspect(fd.Body, func(n ast.Node) bool {
				switch n := n.(type) {
				case *ast.BasicLit:
					if n.Kind != token.STRING {
						break
					}
					if rowWrite.MatchString(n.Value) {
						info.writes = true
					}
					if m := update.FindStringSubmatch(n.Value); m != nil {
						set := strings.Trim(m[2], "`\" \t\n")
						info.writes = info.writes || set == "" || shown.MatchString(set)
					}
				case *ast.SelectorExpr:
					if x, ok := n.X.(*ast.SelectorExpr); ok && x.Sel.Name == "notify" && n.Sel.Name == "changed" {
						info.ends = true
					}
				case *ast.CallExpr:
					switch f := n.Fun.(type) {
					case *ast.Ident:
						info.calls[f.Name] = true
					case *ast.SelectorExpr:
						info.calls[f.Sel.Name] = true
					}
				}
				return true
			})
		}
	}
	checked := 0
	for name, info := range funcs {
		if !info.writes {
			continue
		}
		checked++
		if info.ends {
			continue
		}
		var callers []string
		for other, o := range funcs {
			if o.calls[name] {
				callers = append(callers, other)
				if !o.ends {
					t.Errorf("%s writes what notifications read, and its caller %s does not call db.notify.changed()", name, other)
				}
			}
		}
		if len(callers) == 0 {
			t.Errorf("%s writes what notifications read and does not call db.notify.changed()", name)
		}
	}
	if checked < 3 {
		t.Fatalf("found %d functions writing dialogs or users: is the scan still reading the SQL?", checked)
	}
}
