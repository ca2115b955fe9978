package class

import (
	"context"
	"errors"
	"regexp"
	"strings"
	"testing"
	"time"
)

func TestNormalizeCode(t *testing.T) {
	tests := []struct {
		in   string
		want string
		ok   bool
	}{
		{"K7QX2M", "K7QX2M", true},
		{"k7qx2m", "K7QX2M", true},
		{" k7q-x2m ", "K7QX2M", true},
		{"K7QX2", "", false},   // short
		{"K7QX2MM", "", false}, // long
		{"K0QX2M", "", false},  // 0 is not in the alphabet
		{"KOQX2M", "", false},  // nor O
		{"K1QX2M", "", false},  // nor 1
		{"KIQX2M", "", false},  // nor I
		{"K7QX2É", "", false},  // nor anything else
		{"../../x", "", false}, // a path is no code
		{"K7.X2M", "", false},  // nor a NATS subject token
	}
	for _, test := range tests {
		t.Run(test.in, func(t *testing.T) {
			got, ok := NormalizeCode(test.in)
			if got != test.want || ok != test.ok {
				t.Errorf("NormalizeCode(%q) = %q, %v; want %q, %v", test.in, got, ok, test.want, test.ok)
			}
		})
	}
}

func TestNewCodeAndToken(t *testing.T) {
	seen := map[string]bool{}
	for range 1000 {
		c := newCode()
		if n, ok := NormalizeCode(c); !ok || n != c {
			t.Fatalf("newCode() = %q; not a normalized code", c)
		}
		seen[c] = true
	}
	if len(seen) < 990 {
		t.Errorf("1000 codes hold %d distinct ones; want nearly all distinct", len(seen))
	}
	tok := newToken()
	if len(tok) != 43 { // 32 bytes in unpadded base64url
		t.Errorf("newToken() has %d characters; want 43 (256 bits)", len(tok))
	}
	if !tokenMatches(tok, tokenHash(tok)) || tokenMatches(tok+"x", tokenHash(tok)) || tokenMatches("", tokenHash(tok)) {
		t.Errorf("tokenMatches accepts a wrong token or refuses the right one")
	}
}

func TestCleanName(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Ada", "Ada"},
		{"  Ada   Lovelace ", "Ada Lovelace"},
		{"A\u0000d\u202ea\n", "Ada"}, // control and format characters go
		{strings.Repeat("é", 40), strings.Repeat("é", maxNameRunes)},
		{"   ", ""},
	}
	for _, test := range tests {
		if got := cleanName(test.in); got != test.want {
			t.Errorf("cleanName(%q) = %q; want %q", test.in, got, test.want)
		}
	}
	if n := anonymousName("en"); !regexp.MustCompile(`^[A-Z][a-z]+ [A-Z][a-z]+ \d\d$`).MatchString(n) {
		t.Errorf("anonymousName() = %q; want \"Adjective Animal NN\"", n)
	}
}

func TestAddrLimiter(t *testing.T) {
	l := newAddrLimiter(time.Hour, 3)
	for i := range 3 {
		if !l.allow("10.0.0.1") {
			t.Fatalf("request %d of a burst of 3 refused", i+1)
		}
	}
	if l.allow("10.0.0.1") {
		t.Error("4th request of a burst of 3 allowed; want refused")
	}
	if !l.allow("10.0.0.2") {
		t.Error("another address refused; want its own bucket")
	}
}

func TestQRSVG(t *testing.T) {
	svg, err := QRSVG("https://playground.example.edu/c/K7QX2M")
	if err != nil {
		t.Fatal(err)
	}
	// A version-3 code (29 modules) with a 4-module quiet zone each side.
	m := regexp.MustCompile(`viewBox="0 0 (\d+) (\d+)"`).FindStringSubmatch(svg)
	if m == nil || m[1] != m[2] || m[1] != "37" {
		t.Errorf("QR viewBox = %v; want 0 0 37 37 (29 modules and the quiet zone)", m)
	}
	if !strings.Contains(svg, `<path fill="#000" d="M`) || strings.Count(svg, "h1v1h-1z") < 200 {
		t.Errorf("QR SVG has %d dark modules; want a drawn code", strings.Count(svg, "h1v1h-1z"))
	}
	for _, finder := range []string{"M4 4h1v1h-1z", "M32 4h1v1h-1z", "M4 32h1v1h-1z"} { // the three finder corners
		if !strings.Contains(svg, finder) {
			t.Errorf("QR SVG lacks the finder pattern's corner module %s", finder)
		}
	}
}

// TestClassExpires runs the bus with a 1-second idle time: a class nobody
// touches is gone once the bucket's TTL passes.
func TestClassExpires(t *testing.T) {
	ns, err := EmbeddedServer(true, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(ns.Shutdown)
	limits := DefaultLimits
	limits.Idle = time.Second
	h := NewHub(Options{NATSURL: ns.ClientURL(), Limits: limits, NewComputer: func() Computer { return nil }})
	t.Cleanup(h.Close)
	code, _, err := h.Create(context.Background(), "127.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	if err := h.Lookup(context.Background(), code, "127.0.0.1"); err != nil {
		t.Fatalf("Lookup of a new class = %v; want it found", err)
	}
	deadline := time.Now().Add(15 * time.Second)
	for {
		err := h.Lookup(context.Background(), code, "127.0.0.2")
		if errors.Is(err, ErrNotFound) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("Lookup 15 s after a 1 s idle time = %v; want ErrNotFound", err)
		}
		time.Sleep(100 * time.Millisecond) // polling the bucket's expiry, not timing it
	}
}
