package lessons

import (
	"slices"
	"strconv"
	"strings"
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

// uiText holds the fixed words of lesson pages and question widgets.
var uiText = map[string]map[string]string{
	"en": {
		"presets":      "Try it in the playground",
		"formula":      "Formula",
		"questions":    "Predict, then reveal",
		"reveal":       "Reveal",
		"pick":         "Pick an answer first.",
		"correct":      "Correct.",
		"wrong":        "Not quite: the answer is {answer}.",
		"sep":          ": ",
		"open":         "Open in the playground",
		"a":            "state A",
		"b":            "state B",
		"equal":        "they are equal",
		"up":           "it goes up",
		"down":         "it goes down",
		"same":         "it stays the same",
		"positive":     "positive",
		"negative":     "negative",
		"zero":         "zero",
		"nan":          "NaN (not a number)",
		"infinity":     "+∞ (infinite)",
		"-infinity":    "−∞",
		"values":       "Computed by the engine",
		"error":        "Could not check the answer:",
		"lesson":       "Lesson",
		"state":        "the state",
		"fallback":     "This lesson is not translated yet; showing English.",
		"questionHint": "Choose an answer, then press Reveal: the engine computes the truth.",
	},
	"zh": {
		"presets":      "动手试一试",
		"formula":      "公式",
		"questions":    "先预测，再揭晓",
		"reveal":       "揭晓答案",
		"pick":         "请先选择一个答案。",
		"correct":      "答对了。",
		"wrong":        "不对哦，正确答案是“{answer}”。",
		"sep":          "：",
		"open":         "在交互页面中打开",
		"a":            "状态 A",
		"b":            "状态 B",
		"equal":        "两者相等",
		"up":           "变大",
		"down":         "变小",
		"same":         "不变",
		"positive":     "正数",
		"negative":     "负数",
		"zero":         "零",
		"nan":          "NaN（非数）",
		"infinity":     "+∞（无穷大）",
		"-infinity":    "−∞",
		"values":       "引擎算出的数值",
		"error":        "无法检查答案：",
		"lesson":       "讲解",
		"state":        "该状态",
		"fallback":     "本课尚未翻译，先显示英文版。",
		"questionHint": "选一个答案，再点“揭晓答案”：正确答案由引擎现场计算。",
	},
}

// UIText returns the fixed word key in lang (English if lang is unknown).
func UIText(lang, key string) string {
	if t, ok := uiText[lang][key]; ok {
		return t
	}
	return uiText[Languages[0]][key]
}
