package class

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"strings"
)

// A student's identity needs no key in the store: class_joined hands the
// student a resume token, the student id and name signed with the class's
// key (meta.Key). Any replica can check it, after a reconnect or a replica
// restart, and a student who comes back is the same student: same id,
// same name, same answers, counted once.

// newSecret draws a class's signing key.
func newSecret() string {
	b := make([]byte, 32)
	rand.Read(b)
	return hex.EncodeToString(b)
}

type resumeClaims struct {
	Code string `json:"c"`
	SID  string `json:"s"`
	Name string `json:"n"`
}

// resumeToken signs a student's identity for the class.
func resumeToken(m *meta, sid, name string) string {
	payload := base64.RawURLEncoding.EncodeToString(encode(resumeClaims{Code: m.Code, SID: sid, Name: name}))
	return payload + "." + resumeMAC(m.Key, payload)
}

func resumeMAC(key, payload string) string {
	mac := hmac.New(sha256.New, []byte(key))
	mac.Write([]byte(payload))
	return base64.RawURLEncoding.EncodeToString(mac.Sum(nil)[:16])
}

// maxResumeBytes bounds a resume token: an id, a 32-rune name and a MAC.
const maxResumeBytes = 512

// openResume checks a resume token and returns the student it names.
func openResume(m *meta, token string) (sid, name string, ok bool) {
	if len(token) > maxResumeBytes || m.Key == "" {
		return "", "", false
	}
	payload, mac, found := strings.Cut(token, ".")
	if !found || !hmac.Equal([]byte(mac), []byte(resumeMAC(m.Key, payload))) {
		return "", "", false
	}
	raw, err := base64.RawURLEncoding.DecodeString(payload)
	if err != nil {
		return "", "", false
	}
	var c resumeClaims
	if json.Unmarshal(raw, &c) != nil || c.Code != m.Code || !validID(c.SID) {
		return "", "", false
	}
	return c.SID, cleanName(c.Name), true
}

// validID reports whether s is a student id newID drew: it becomes part
// of a key.
func validID(s string) bool {
	if len(s) != 16 {
		return false
	}
	for _, r := range s {
		if !strings.ContainsRune("0123456789abcdef", r) {
			return false
		}
	}
	return true
}

// lang reduces a requested language to one the lessons have.
func lang(s string) string {
	if s == "zh" || strings.HasPrefix(s, "zh-") {
		return "zh"
	}
	return "en"
}
