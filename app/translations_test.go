package app

import (
	"encoding/json"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// The catalogues' test: every key the code passes to Fyne's lang package is in every
// catalogue of translations/, every catalogue key is used by the code, counts have
// their plural forms, and no translation uses data the code does not pass.

// translatedSources are the packages whose strings the catalogues translate.
var translatedSources = []string{".", "..", "../widgets"}

// langCall is one call of lang.L / X / N / XN in the code.
type langCall struct {
	fn       string // L, X, N or XN (or the long names)
	key      string
	fallback string // the English text: the key for L and N
	plural   bool
	at       string // file:line
}

var langFuncs = map[string]struct{ keyed, plural bool }{
	"L": {}, "Localize": {},
	"X": {keyed: true}, "LocalizeKey": {keyed: true},
	"N": {plural: true}, "LocalizePlural": {plural: true},
	"XN": {keyed: true, plural: true}, "LocalizePluralKey": {keyed: true, plural: true},
}

// collectLangCalls parses the non-test Go files of dirs and returns their lang calls,
// and the places where a key or fallback is not a string literal (the test cannot see
// those keys).
func collectLangCalls(t *testing.T, dirs []string) (calls []langCall, unreadable []string) {
	t.Helper()
	fset := token.NewFileSet()
	for _, dir := range dirs {
		files, err := filepath.Glob(filepath.Join(dir, "*.go"))
		if err != nil {
			t.Fatal(err)
		}
		for _, path := range files {
			if strings.HasSuffix(path, "_test.go") {
				continue
			}
			f, err := parser.ParseFile(fset, path, nil, 0)
			if err != nil {
				t.Fatal(err)
			}
			langName := importName(f, "fyne.io/fyne/v2/lang")
			if langName == "" {
				continue
			}
			ast.Inspect(f, func(n ast.Node) bool {
				call, ok := n.(*ast.CallExpr)
				if !ok {
					return true
				}
				sel, ok := call.Fun.(*ast.SelectorExpr)
				if !ok {
					return true
				}
				pkg, ok := sel.X.(*ast.Ident)
				if !ok || pkg.Name != langName {
					return true
				}
				kind, ok := langFuncs[sel.Sel.Name]
				if !ok {
					return true
				}
				pos := fset.Position(call.Pos())
				at := fmt.Sprintf("%s:%d", repoPath(pos.Filename), pos.Line)
				c := langCall{fn: sel.Sel.Name, plural: kind.plural, at: at}
				var okKey, okFallback bool
				if len(call.Args) > 0 {
					c.key, okKey = stringConst(call.Args[0])
				}
				c.fallback, okFallback = c.key, okKey
				if kind.keyed {
					okFallback = false
					if len(call.Args) > 1 {
						c.fallback, okFallback = stringConst(call.Args[1])
					}
				}
				if !okKey || !okFallback {
					unreadable = append(unreadable, fmt.Sprintf("%s: lang.%s takes a non-literal key or text", at, sel.Sel.Name))
					return true
				}
				calls = append(calls, c)
				return true
			})
		}
	}
	return calls, unreadable
}

// repoPath names a file scanned from app/ by its path in the repository.
func repoPath(path string) string {
	return filepath.ToSlash(filepath.Clean(filepath.Join("app", path)))
}

// importName is the name path is imported under in f ("" when it is not imported).
func importName(f *ast.File, path string) string {
	for _, imp := range f.Imports {
		if p, _ := strconv.Unquote(imp.Path.Value); p == path {
			if imp.Name != nil {
				return imp.Name.Name
			}
			return filepath.Base(path)
		}
	}
	return ""
}

// stringConst is the value of a string literal, or of literals joined with +.
func stringConst(e ast.Expr) (string, bool) {
	switch e := e.(type) {
	case *ast.BasicLit:
		if e.Kind != token.STRING {
			return "", false
		}
		s, err := strconv.Unquote(e.Value)
		return s, err == nil
	case *ast.BinaryExpr:
		if e.Op != token.ADD {
			return "", false
		}
		l, ok1 := stringConst(e.X)
		r, ok2 := stringConst(e.Y)
		return l + r, ok1 && ok2
	case *ast.ParenExpr:
		return stringConst(e.X)
	}
	return "", false
}

// catalogue is one translations/*.json file: a key's value is its text, or for counts
// its plural forms ({"one": …, "other": …}).
type catalogue map[string]json.RawMessage

func loadCatalogues(t *testing.T) map[string]catalogue {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("translations", "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 2 {
		t.Fatalf("want English and at least one more catalogue in translations/, found %v", files)
	}
	out := map[string]catalogue{}
	for _, path := range files {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		var c catalogue
		if err := json.Unmarshal(data, &c); err != nil {
			t.Fatalf("%s is not a JSON object of translations: %v", path, err)
		}
		out[filepath.Base(path)] = c
	}
	if _, ok := out["en.json"]; !ok {
		t.Fatal("translations/en.json (the English catalogue) is missing")
	}
	return out
}

// forms returns a catalogue value's texts by plural form ("other" for a plain text).
func forms(raw json.RawMessage) (map[string]string, error) {
	var s string
	if err := json.Unmarshal(raw, &s); err == nil {
		return map[string]string{"other": s}, nil
	}
	var m map[string]string
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, fmt.Errorf("neither a text nor plural forms: %s", raw)
	}
	return m, nil
}

// reservedKeys are the words go-i18n's catalogue format reserves (any case): they cannot
// be message keys.
var reservedKeys = map[string]bool{"id": true, "description": true, "hash": true, "leftdelim": true,
	"rightdelim": true, "zero": true, "one": true, "two": true, "few": true, "many": true, "other": true}

// fmtVerbs finds the fmt verbs of texts that are formatted after translation (%w, %q).
var fmtVerbs = regexp.MustCompile(`%[a-zA-Z]`)

var placeholder = regexp.MustCompile(`\{\{\s*\.(\w+)\s*\}\}`)

func placeholders(s string) []string {
	var out []string
	for _, m := range placeholder.FindAllStringSubmatch(s, -1) {
		if !slices.Contains(out, m[1]) {
			out = append(out, m[1])
		}
	}
	return out
}

func TestCataloguesCoverEveryKey(t *testing.T) {
	calls, unreadable := collectLangCalls(t, translatedSources)
	if len(unreadable) > 0 {
		t.Errorf("%d lang calls this test cannot read; pass string literals (build a table of texts inside a function, with lang.L(\"…\") on each):\n\t%s",
			len(unreadable), strings.Join(unreadable, "\n\t"))
	}
	if len(calls) == 0 {
		t.Fatal("found no lang calls at all: is the scan looking at the right files?")
	}
	used := map[string]langCall{}
	for _, c := range calls {
		if reservedKeys[strings.ToLower(c.key)] {
			t.Errorf("lang.%s at %s: %q is a word the catalogue format reserves; use lang.X with a key such as \"field.%s\"",
				c.fn, c.at, c.key, strings.ToLower(c.key))
		}
		if prev, seen := used[c.key]; seen && (prev.plural != c.plural || prev.fallback != c.fallback) {
			t.Errorf("key %q is used in two ways: lang.%s at %s and lang.%s at %s", c.key, prev.fn, prev.at, c.fn, c.at)
		}
		used[c.key] = c
	}
	keys := make([]string, 0, len(used))
	for k := range used {
		keys = append(keys, k)
	}
	sort.Strings(keys)

	cats := loadCatalogues(t)
	names := make([]string, 0, len(cats))
	for name := range cats {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		cat := cats[name]
		var missing, unused, wrong []string
		for _, k := range keys {
			c := used[k]
			raw, ok := cat[k]
			if !ok {
				missing = append(missing, fmt.Sprintf("%q (lang.%s at %s)", k, c.fn, c.at))
				continue
			}
			fs, err := forms(raw)
			if err != nil {
				wrong = append(wrong, fmt.Sprintf("%q: %v", k, err))
				continue
			}
			if c.plural {
				for _, f := range []string{"one", "other"} {
					if fs[f] == "" {
						wrong = append(wrong, fmt.Sprintf("%q is a count (lang.%s at %s): it needs the plural form %q", k, c.fn, c.at, f))
					}
				}
			} else if len(fs) != 1 || fs["other"] == "" {
				wrong = append(wrong, fmt.Sprintf("%q is plain text (lang.%s at %s): its value must be one non-empty text", k, c.fn, c.at))
			}
			known := placeholders(c.fallback)
			for form, text := range fs {
				for _, p := range placeholders(text) {
					if !slices.Contains(known, p) {
						wrong = append(wrong, fmt.Sprintf("%q (%s): uses {{.%s}}, which the code's text %q does not", k, form, p, c.fallback))
					}
				}
			}
			for form, text := range fs {
				if got, want := fmtVerbs.FindAllString(text, -1), fmtVerbs.FindAllString(c.fallback, -1); !slices.Equal(got, want) {
					wrong = append(wrong, fmt.Sprintf("%q (%s): has the format verbs %v, the code's text %v", k, form, got, want))
				}
			}
			if name == "en.json" && !c.plural && fs["other"] != c.fallback {
				wrong = append(wrong, fmt.Sprintf("%q: the English text %q differs from the code's %q (lang.%s at %s)", k, fs["other"], c.fallback, c.fn, c.at))
			}
		}
		for k := range cat {
			if _, ok := used[k]; !ok {
				unused = append(unused, fmt.Sprintf("%q", k))
			}
		}
		sort.Strings(unused)
		if len(missing) > 0 {
			t.Errorf("translations/%s lacks %d keys the code uses; add each (en.json: the English text; other catalogues: its translation):\n\t%s",
				name, len(missing), strings.Join(missing, "\n\t"))
		}
		if len(unused) > 0 {
			t.Errorf("translations/%s has %d keys no code uses (remove them, or the code lost a lang call):\n\t%s",
				name, len(unused), strings.Join(unused, "\n\t"))
		}
		if len(wrong) > 0 {
			t.Errorf("translations/%s has %d malformed entries:\n\t%s", name, len(wrong), strings.Join(wrong, "\n\t"))
		}
	}
	if translationsErr != nil {
		t.Errorf("loading the embedded catalogues: %v", translationsErr)
	}
}
