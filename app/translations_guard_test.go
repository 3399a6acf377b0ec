package app

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"strings"
	"testing"
	"unicode"
)

// A guard for the rule that every user-facing string goes through lang: text handed as
// a literal to the Fyne calls that show it (labels, buttons, menus, dialogs, entries'
// placeholders, notifications) or to the app's own show-text helpers fails the test.

// textArgs maps a function or method name to the positions of its arguments that are
// shown to the user.
var textArgs = map[string][]int{
	// fyne.io/fyne/v2/widget
	"NewLabel": {0}, "NewLabelWithStyle": {0}, "NewButton": {0}, "NewButtonWithIcon": {0},
	"NewCheck": {0}, "NewHyperlink": {0}, "NewRichTextWithText": {0}, "NewFormItem": {0},
	"NewAccordionItem": {0}, "NewCard": {0, 1}, "NewToolbarAction": {},
	// fyne.io/fyne/v2
	"NewMenuItem": {0}, "NewMenu": {0}, "NewNotification": {0, 1},
	// fyne.io/fyne/v2/dialog
	"ShowInformation": {0, 1}, "NewInformation": {0, 1}, "ShowConfirm": {0, 1}, "NewConfirm": {0, 1},
	"ShowCustom": {0, 1}, "NewCustom": {0, 1}, "ShowCustomConfirm": {0, 1, 2}, "NewCustomConfirm": {0, 1, 2},
	"ShowCustomWithoutButtons": {0}, "NewCustomWithoutButtons": {0}, "ShowForm": {0, 1, 2}, "NewForm": {0, 1, 2},
	// setters
	"SetText": {0}, "SetPlaceHolder": {0}, "SetTitle": {0}, "SetConfirmText": {0}, "SetDismissText": {0},
	// the app's own
	"showNotice": {0}, "setBanner": {0}, "SetAction": {0}, "setError": {0}, "showError": {0},
}

// textFields are struct fields whose text is shown.
var textFields = map[string]bool{"PlaceHolder": true, "Label": true}

// notText are literals that are not language: the app's name.
var notText = map[string]bool{"cubechat": true}

func isText(s string) bool {
	if notText[s] {
		return false
	}
	for _, r := range s {
		if unicode.IsLetter(r) {
			return true
		}
	}
	return false
}

func TestNoUntranslatedUIText(t *testing.T) {
	fset := token.NewFileSet()
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	var found []string
	report := func(n ast.Node, what string, lit *ast.BasicLit) {
		s, _ := stringConst(lit)
		if isText(s) {
			found = append(found, fmt.Sprintf("%s:%d: %s(%s)", repoPath(fset.Position(n.Pos()).Filename), fset.Position(n.Pos()).Line, what, lit.Value))
		}
	}
	for _, path := range files {
		if strings.HasSuffix(path, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.CallExpr:
				var name string
				switch fn := n.Fun.(type) {
				case *ast.SelectorExpr:
					name = fn.Sel.Name
				case *ast.Ident:
					name = fn.Name
				}
				for _, i := range textArgs[name] {
					if i < len(n.Args) {
						if lit, ok := n.Args[i].(*ast.BasicLit); ok && lit.Kind == token.STRING {
							report(n, name, lit)
						}
					}
				}
			case *ast.AssignStmt:
				for i, lhs := range n.Lhs {
					sel, ok := lhs.(*ast.SelectorExpr)
					if !ok || !textFields[sel.Sel.Name] || i >= len(n.Rhs) {
						continue
					}
					if lit, ok := n.Rhs[i].(*ast.BasicLit); ok && lit.Kind == token.STRING {
						report(n, sel.Sel.Name+" =", lit)
					}
				}
			case *ast.KeyValueExpr:
				if k, ok := n.Key.(*ast.Ident); ok && textFields[k.Name] {
					if lit, ok := n.Value.(*ast.BasicLit); ok && lit.Kind == token.STRING {
						report(n, k.Name+":", lit)
					}
				}
			}
			return true
		})
	}
	if len(found) > 0 {
		t.Errorf("%d user-facing texts do not go through lang (wrap each in lang.L(\"…\"), or lang.X / lang.N with data, and add it to translations/*.json):\n\t%s",
			len(found), strings.Join(found, "\n\t"))
	}
}
