// Package i18n is the message catalogue of the playground's interface: one
// table per language (en.go, zh.go) of the words a page, a chart or a
// script shows, looked up by key. The engine's metadata texts live beside
// the English in the engine (engine.In); the lessons carry their own
// Markdown per language.
//
// Messages are fmt formats; when a language needs the arguments in another
// order it uses indexed verbs (%[2]s).
package i18n

import (
	"fmt"
	"strings"
)

// Languages are the interface languages; the first is the fallback.
var Languages = []string{"en", "zh"}

var catalogues = map[string]map[string]string{"en": en, "zh": zh}

// Lang returns lang if the catalogue has it, else the fallback "en".
func Lang(lang string) string {
	if _, ok := catalogues[lang]; ok {
		return lang
	}
	return Languages[0]
}

// T returns the message key in lang, formatted with args. An unknown
// language reads English; a key missing from lang's table reads the English
// message, and a key missing everywhere reads as the key itself, so a typo
// shows on the page instead of an empty string (TestCatalogueComplete keeps
// both from shipping).
func T(lang, key string, args ...any) string {
	msg, ok := catalogues[Lang(lang)][key]
	if !ok {
		if msg, ok = en[key]; !ok {
			return key
		}
	}
	if len(args) == 0 {
		return msg
	}
	return fmt.Sprintf(msg, args...)
}

// Path returns a page's path in lang, so that a Chinese page's links stay
// Chinese: English, the fallback, needs no query.
func Path(path, lang string) string {
	if lang == "" || lang == Languages[0] {
		return path
	}
	return path + "?lang=" + lang
}

// Prefixed returns every message of lang whose key starts with prefix,
// keyed without the prefix: the strings a script needs, handed to it as a
// JSON data block.
func Prefixed(lang, prefix string) map[string]string {
	out := map[string]string{}
	for k := range en {
		if rest, ok := strings.CutPrefix(k, prefix); ok {
			out[rest] = T(lang, k)
		}
	}
	return out
}
