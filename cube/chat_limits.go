package cube

import (
	"errors"
	"fmt"
	"unicode/utf8"
)

// MaxStanzaBytes is the largest stanza the SDK sends. It matches cubeserver's default
// limit (256 KiB); a server answers a bigger one with a policy-violation stream error
// and drops the connection, so the SDK refuses it before it leaves.
const MaxStanzaBytes = 256 << 10

// ErrStanzaTooLarge: the stanza would exceed MaxStanzaBytes (nothing was sent).
var ErrStanzaTooLarge = errors.New("cube: message too large to send")

// ErrInvalidText: a text holds a character XML cannot carry (NUL and most other
// control characters, U+FFFE, U+FFFF) or is not valid UTF-8. encoding/xml would
// silently replace it with U+FFFD, so the recipient would read something else than
// what was sent; the SDK refuses instead (nothing was sent).
var ErrInvalidText = errors.New("cube: text contains a character that XML cannot carry")

// encodeStanza marshals v as encoding/xml does (Marshal: user text is always escaped) and
// refuses a result over MaxStanzaBytes.
func encodeStanza(v any) ([]byte, error) {
	b, err := Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("cube: cannot encode stanza: %w", err)
	}
	if len(b) > MaxStanzaBytes {
		return nil, fmt.Errorf("%w: %d bytes, the limit is %d KiB", ErrStanzaTooLarge, len(b), MaxStanzaBytes>>10)
	}
	return b, nil
}

// checkText checks every user-supplied text of a message stanza before it is encoded.
func (m *MessageStanza) checkText() error {
	if m.Body != nil {
		if err := checkXMLText("body", *m.Body); err != nil {
			return err
		}
	}
	if m.Extra == nil {
		return nil
	}
	if err := checkParams(m.Extra.Params); err != nil {
		return err
	}
	for i, a := range m.Extra.Attachments {
		for _, f := range []struct{ name, v string }{{"type", a.Type}, {"id", a.ID}, {"uid", a.UID}, {"url", a.URL},
			{"name", a.Name}, {"content-type", a.ContentType}, {"data", a.Data}} {
			if err := checkXMLText(fmt.Sprintf("attachment %d %s", i, f.name), f.v); err != nil {
				return err
			}
		}
	}
	return nil
}

func checkParams(params []Param) error {
	for _, p := range params {
		if err := checkXMLText("parameter "+p.Name, p.Value); err != nil {
			return err
		}
		if err := checkParams(p.Children); err != nil {
			return err
		}
	}
	return nil
}

// checkXMLText reports the first character of s that XML 1.0 cannot carry.
func checkXMLText(field, s string) error {
	for i, r := range s {
		if r == utf8.RuneError {
			if _, size := utf8.DecodeRuneInString(s[i:]); size == 1 {
				return fmt.Errorf("%w: %s is not valid UTF-8 at byte %d", ErrInvalidText, field, i)
			}
		}
		if !isXMLChar(r) {
			return fmt.Errorf("%w: %s has U+%04X at byte %d", ErrInvalidText, field, r, i)
		}
	}
	return nil
}

// isXMLChar is XML 1.0's Char production.
func isXMLChar(r rune) bool {
	return r == 0x09 || r == 0x0A || r == 0x0D ||
		r >= 0x20 && r <= 0xD7FF || r >= 0xE000 && r <= 0xFFFD || r >= 0x10000 && r <= 0x10FFFF
}
