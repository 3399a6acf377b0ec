// Package widgets holds the reusable view pieces of cubechat: avatar, unread badge, dialog
// row, message bubble (with its actions button, reaction bar and attachment previews),
// emoji button, composer and connection banner (with an optional action). They know Fyne
// only — not the cache, the engine or the network — so they are fed plain data by the app
// package.
package widgets

import (
	"hash/fnv"
	"image/color"
	"strings"
	"unicode"
)

// Initials returns up to two upper-case letters for an avatar: the first letters of the
// first and last words of name ("Ann Lee" → "AL", "bob" → "B"). Symbols and digits are
// skipped so "@ann_99" still gives "A"; an empty or symbol-only name gives "?".
func Initials(name string) string {
	words := strings.FieldsFunc(name, func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	})
	var letters []rune
	for _, w := range words {
		for _, r := range w {
			if unicode.IsLetter(r) {
				letters = append(letters, unicode.ToUpper(r))
				break
			}
		}
	}
	switch len(letters) {
	case 0:
		return "?"
	case 1:
		return string(letters[0])
	default:
		return string([]rune{letters[0], letters[len(letters)-1]})
	}
}

// avatarPalette holds colours that stay readable under white initials in light and dark themes.
var avatarPalette = []color.NRGBA{
	{R: 0xE5, G: 0x73, B: 0x73, A: 0xFF}, // red
	{R: 0xF0, G: 0x94, B: 0x3B, A: 0xFF}, // orange
	{R: 0x4C, G: 0xAF, B: 0x50, A: 0xFF}, // green
	{R: 0x26, G: 0xA6, B: 0x9A, A: 0xFF}, // teal
	{R: 0x42, G: 0x8B, B: 0xCA, A: 0xFF}, // blue
	{R: 0x7E, G: 0x57, B: 0xC2, A: 0xFF}, // purple
	{R: 0xD8, G: 0x4C, B: 0x8B, A: 0xFF}, // pink
	{R: 0x5C, G: 0x6B, B: 0xC0, A: 0xFF}, // indigo
}

// AvatarColor picks a stable colour for a name, so a contact keeps its colour across runs.
func AvatarColor(name string) color.NRGBA {
	h := fnv.New32a()
	_, _ = h.Write([]byte(strings.ToLower(strings.TrimSpace(name))))
	return avatarPalette[h.Sum32()%uint32(len(avatarPalette))]
}
