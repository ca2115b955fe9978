package class

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"strings"
	"unicode"

	"github.com/lossplayground/playground/i18n"
)

// codeAlphabet has no 0, O, 1 or I: a code read off a projector is typed
// right the first time. 32 symbols, 6 of them: about 10⁹ codes, so that
// with the join rate limit guessing a live one takes years.
const (
	codeAlphabet = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
	codeLength   = 6
)

// newCode draws a class code.
func newCode() string {
	b := make([]byte, codeLength)
	rand.Read(b)
	for i := range b {
		b[i] = codeAlphabet[int(b[i])%len(codeAlphabet)] // 256 is a multiple of 32: no bias
	}
	return string(b)
}

// NormalizeCode upper-cases a typed code and drops spaces and dashes; it
// reports false for anything that cannot be a code.
func NormalizeCode(s string) (string, bool) {
	s = strings.ToUpper(strings.Map(func(r rune) rune {
		if r == ' ' || r == '-' {
			return -1
		}
		return r
	}, s))
	if len(s) != codeLength {
		return "", false
	}
	for _, r := range s {
		if !strings.ContainsRune(codeAlphabet, r) {
			return "", false
		}
	}
	return s, true
}

// tokenBytes is the teacher token's entropy: 256 bits, well over the
// 128 a secret needs.
const tokenBytes = 32

// newToken draws a teacher token.
func newToken() string {
	b := make([]byte, tokenBytes)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// tokenHash is what the bus stores: a replica (or anyone reading the
// bucket) never holds the token itself.
func tokenHash(token string) string {
	h := sha256.Sum256([]byte(token))
	return hex.EncodeToString(h[:])
}

// tokenMatches compares a presented token with a stored hash in constant
// time.
func tokenMatches(token, hash string) bool {
	got := tokenHash(token)
	return subtle.ConstantTimeCompare([]byte(got), []byte(hash)) == 1
}

// maxNameRunes bounds a display name: it must fit a roster line on a
// projector.
const maxNameRunes = 32

// cleanName trims a typed display name, drops control and format
// characters, and shortens it; an empty result means "anonymous".
func cleanName(s string) string {
	s = cleanText(s)
	if r := []rune(s); len(r) > maxNameRunes {
		s = string(r[:maxNameRunes])
	}
	return s
}

// cleanText drops control and format characters (bidirectional overrides
// included) and collapses white space.
func cleanText(s string) string {
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) {
			return -1
		}
		return r
	}, s)
	return strings.Join(strings.Fields(s), " ")
}

// anonymousName is the generated name of a student who typed none, in
// the student's language.
func anonymousName(lang string) string {
	b := make([]byte, 3)
	rand.Read(b)
	// The words are the interface catalogue's (i18n), in the
	// student's language.
	adjectives := strings.Split(i18n.T(lang, "class.name.adjectives"), ",")
	animals := strings.Split(i18n.T(lang, "class.name.animals"), ",")
	return i18n.T(lang, "class.name.format", adjectives[int(b[0])%len(adjectives)], animals[int(b[1])%len(animals)], 10+int(b[2])%90)
}

// newID is a student's id (in results, never on a student's screen
// but their own) or a replica's.
func newID() string {
	b := make([]byte, 8)
	rand.Read(b)
	return hex.EncodeToString(b)
}
