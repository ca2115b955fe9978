package lessons

import (
	"slices"
	"strconv"
	"strings"

	"github.com/lossplayground/playground/i18n"
)

// NegotiateLang picks the page language: the lang query value if it names
// a language we have ("en", "zh", or a tag such as "zh-CN"), else the
// best-rated language of the Accept-Language header that we have, else
// English.
func NegotiateLang(query, acceptLanguage string) string {
	if l := baseLang(query); l != "" {
		return l
	}
	best, bestQ := "", 0.0
	for _, part := range strings.Split(acceptLanguage, ",") {
		tag, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		q := 1.0
		for _, p := range strings.Split(params, ";") {
			k, v, ok := strings.Cut(strings.TrimSpace(p), "=")
			if ok && strings.TrimSpace(k) == "q" {
				f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
				if err != nil || f < 0 || f > 1 {
					f = 0 // a malformed weight never wins
				}
				q = f
			}
		}
		if l := baseLang(tag); l != "" && q > bestQ {
			best, bestQ = l, q
		}
	}
	if best == "" {
		return Languages[0]
	}
	return best
}

// baseLang maps a language tag to one of Languages, or "".
func baseLang(tag string) string {
	base, _, _ := strings.Cut(strings.ToLower(strings.TrimSpace(tag)), "-")
	base, _, _ = strings.Cut(base, "_")
	if slices.Contains(Languages, base) {
		return base
	}
	return ""
}

// UIText returns the fixed word key of lesson pages and question widgets
// in lang (English if lang is unknown): the message "lesson."+key of the
// interface's catalogue, i18n.
func UIText(lang, key string) string {
	return i18n.T(lang, "lesson."+key)
}
