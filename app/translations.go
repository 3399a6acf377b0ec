package app

import (
	"embed"
	"os"

	"fyne.io/fyne/v2/lang"
)

// The UI's languages: every user-facing string goes through Fyne's lang package
// (lang.L for plain text, whose key is the English text; lang.X with a key and data;
// lang.N / lang.XN for counts), with the catalogues in translations/ (en.json, de.json,
// …). Fyne picks the catalogue closest to the user's locale (LANGUAGE, LC_ALL,
// LC_MESSAGES, LANG on Linux; the system's elsewhere); English is the fallback.
// translations_test.go fails when a key the code uses is missing from a catalogue, or a
// catalogue holds a key no code uses.

//go:embed translations
var translations embed.FS

// msgData is the data of a text with placeholders (lang.X, lang.XN: {{.Name}}).
type msgData = map[string]any

// translationsErr is the error of loading the embedded catalogues (New logs it).
var translationsErr = lang.AddTranslationsFS(translations, "translations")

// UseLanguage makes the UI speak language (a tag such as "de" or "en"), overriding the
// locale; call it before building the UI (main.go's --lang). "" keeps the locale's.
// Fyne has no API to pick a language: it reads the user's locales again each time
// catalogues are added, from the environment on Linux and the BSDs (LC_ALL first, then
// LANGUAGE unless the locale is C), from the system's settings on Windows and macOS,
// where this has no effect.
func UseLanguage(language string) error {
	if language == "" {
		return nil
	}
	for _, v := range []string{"LC_ALL", "LANGUAGE"} {
		if err := os.Setenv(v, language); err != nil {
			return err
		}
	}
	return lang.AddTranslationsFS(translations, "translations")
}
