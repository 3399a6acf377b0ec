package docs

import (
	"fmt"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestCitationsFindsEveryForm(t *testing.T) {
	cases := []struct {
		text string
		want []string
	}{
		{"the rule of protocol.md §9.6: every other", []string{"9.6"}},
		{"(docs/protocol.md §8.15)", []string{"8.15"}},
		{"(protocol.md\n§9.2): dialog_id", []string{"9.2"}},
		{"stored (protocol.md §8.5,\n §8.7, §8.8). An edit", []string{"8.5", "8.7", "8.8"}},
		{"REST API (protocol.md §2–§4):", []string{"2", "4"}},
		{"on /admin requests (protocol.md Appendix A).", []string{"Appendix A"}},
		{"RFC 6120 §4.9.1.1 and XEP-0016 §2", nil},
		{"see docs/protocol.md, users", nil},
	}
	for _, c := range cases {
		if got := Citations(c.text); !slices.Equal(got, c.want) {
			t.Errorf("Citations(%q) = %q, want %q", c.text, got, c.want)
		}
	}
}

func TestSectionsReadsNumberedHeadings(t *testing.T) {
	md := "# Title\n## 2. REST\n### 2.1 Paths\n```text\n## 99. not a heading\n```\n## Appendix B. Index\n#### 9.10 Last\n"
	got, err := Sections(strings.NewReader(md))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"2", "2.1", "Appendix B", "9.10"} {
		if !got[want] {
			t.Errorf("section %q missing from %v", want, got)
		}
	}
	if got["99"] {
		t.Error("a line inside a code block was read as a heading")
	}
}

// TestCommentsCiteExistingSections scans every .go file of the repository: a comment
// citing a protocol.md section must find its heading in docs/protocol.md, and no
// comment may cite the design notes kept outside the repository (docs/architecture.md
// is its account of the design).
func TestCommentsCiteExistingSections(t *testing.T) {
	root := repoRoot(t)
	f, err := os.Open(filepath.Join(root, "docs", "protocol.md"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sections, err := Sections(f)
	if err != nil {
		t.Fatal(err)
	}
	checked := 0
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if name := d.Name(); path != root && (strings.HasPrefix(name, ".") || name == "node_modules") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") {
			return nil
		}
		fset := token.NewFileSet()
		file, err := parser.ParseFile(fset, path, nil, parser.ParseComments)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		for _, cg := range file.Comments {
			text := cg.Text()
			where := fmt.Sprintf("%s:%d", rel, fset.Position(cg.Pos()).Line)
			if strings.Contains(text, "design.md") {
				t.Errorf("%s cites design.md, which the repository does not have: point it at docs/architecture.md", where)
			}
			for _, s := range Citations(text) {
				checked++
				if !sections[s] {
					t.Errorf("%s cites protocol.md §%s, which has no heading in docs/protocol.md", where, s)
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if checked == 0 {
		t.Fatal("found no protocol.md citations at all: the scan is broken")
	}
	t.Logf("%d citations checked", checked)
}

// repoRoot is the directory holding go.mod, above this package's directory.
func repoRoot(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("no go.mod above the test's directory")
		}
		dir = parent
	}
}
