package clientip

import (
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"
)

func TestParsePrefixes(t *testing.T) {
	for _, test := range []struct {
		name, list string
		want       string // the prefixes, comma-joined
		wantErr    string
	}{
		{name: "empty trusts nobody", list: "", want: ""},
		{name: "blanks and spaces", list: " 10.0.0.0/8 , ,127.0.0.1/32 ", want: "10.0.0.0/8,127.0.0.1/32"},
		{name: "bare addresses are single hosts", list: "127.0.0.1,::1", want: "127.0.0.1/32,::1/128"},
		{name: "host bits cleared", list: "10.1.2.3/8,fd00::1/8", want: "10.0.0.0/8,fd00::/8"},
		{name: "IPv4-mapped unmapped", list: "::ffff:10.0.0.0/104,::ffff:127.0.0.1", want: "10.0.0.0/8,127.0.0.1/32"},
		{name: "host name refused", list: "10.0.0.0/8,proxy.example.edu", wantErr: `"proxy.example.edu" is not a CIDR prefix`},
		{name: "bad length refused", list: "10.0.0.0/33", wantErr: `"10.0.0.0/33" is not a CIDR prefix`},
		{name: "zone refused", list: "fe80::1%eth0", wantErr: `"fe80::1%eth0" is not a CIDR prefix`},
	} {
		t.Run(test.name, func(t *testing.T) {
			got, err := ParsePrefixes(test.list)
			if test.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), test.wantErr) {
					t.Fatalf("ParsePrefixes(%q) error = %v; want one containing %q", test.list, err, test.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParsePrefixes(%q) error = %v", test.list, err)
			}
			var s []string
			for _, p := range got {
				s = append(s, p.String())
			}
			if joined := strings.Join(s, ","); joined != test.want {
				t.Errorf("ParsePrefixes(%q) = %s; want %s", test.list, joined, test.want)
			}
		})
	}
}

func TestAddr(t *testing.T) {
	trusted := mustPrefixes(t, "10.0.0.0/8,127.0.0.1/32,fd00::/8")
	for _, test := range []struct {
		name    string
		trusted []netip.Prefix
		peer    string
		headers [][2]string // in order; a name may repeat
		want    string
	}{
		// The direct peer decides whether any header counts.
		{name: "no proxies trusted: headers ignored", peer: "10.0.0.5:4000",
			headers: [][2]string{{"X-Forwarded-For", "192.0.2.7"}}, want: "10.0.0.5"},
		{name: "untrusted peer spoofing X-Forwarded-For", trusted: trusted, peer: "198.51.100.9:4000",
			headers: [][2]string{{"X-Forwarded-For", "192.0.2.7"}}, want: "198.51.100.9"},
		{name: "untrusted peer spoofing Forwarded", trusted: trusted, peer: "198.51.100.9:4000",
			headers: [][2]string{{"Forwarded", "for=192.0.2.7"}}, want: "198.51.100.9"},
		{name: "untrusted peer spoofing a trusted address", trusted: trusted, peer: "198.51.100.9:4000",
			headers: [][2]string{{"X-Forwarded-For", "127.0.0.1"}}, want: "198.51.100.9"},
		{name: "trusted peer without headers", trusted: trusted, peer: "127.0.0.1:4000", want: "127.0.0.1"},

		// X-Forwarded-For from a trusted proxy: the rightmost untrusted hop.
		{name: "one proxy", trusted: trusted, peer: "127.0.0.1:4000",
			headers: [][2]string{{"X-Forwarded-For", "192.0.2.7"}}, want: "192.0.2.7"},
		{name: "client's forged hops left of the real one", trusted: trusted, peer: "127.0.0.1:4000",
			headers: [][2]string{{"X-Forwarded-For", "1.1.1.1, 2.2.2.2, 192.0.2.7"}}, want: "192.0.2.7"},
		{name: "a chain of trusted proxies", trusted: trusted, peer: "127.0.0.1:4000",
			headers: [][2]string{{"X-Forwarded-For", "6.6.6.6, 192.0.2.7, 10.1.1.1,10.2.2.2"}}, want: "192.0.2.7"},
		{name: "untrusted hop in the middle stops the walk", trusted: trusted, peer: "127.0.0.1:4000",
			headers: [][2]string{{"X-Forwarded-For", "192.0.2.7, 203.0.113.5, 10.1.1.1"}}, want: "203.0.113.5"},
		{name: "every hop trusted: the farthest", trusted: trusted, peer: "127.0.0.1:4000",
			headers: [][2]string{{"X-Forwarded-For", "10.9.9.9, 10.1.1.1"}}, want: "10.9.9.9"},
		{name: "repeated header lines read in order", trusted: trusted, peer: "127.0.0.1:4000",
			headers: [][2]string{{"X-Forwarded-For", "6.6.6.6, 192.0.2.7"}, {"X-Forwarded-For", "10.1.1.1"}}, want: "192.0.2.7"},
		{name: "hops with ports", trusted: trusted, peer: "127.0.0.1:4000",
			headers: [][2]string{{"X-Forwarded-For", "192.0.2.7:51234, [fd00::2]:443"}}, want: "192.0.2.7"},

		// IPv6.
		{name: "IPv6 client", trusted: trusted, peer: "127.0.0.1:4000",
			headers: [][2]string{{"X-Forwarded-For", "2001:DB8::1"}}, want: "2001:db8::1"},
		{name: "IPv6 peer trusted", trusted: trusted, peer: "[fd00::7]:4000",
			headers: [][2]string{{"X-Forwarded-For", "[2001:db8::1]"}}, want: "2001:db8::1"},
		{name: "IPv6 peer untrusted", trusted: trusted, peer: "[2001:db8::9]:4000",
			headers: [][2]string{{"X-Forwarded-For", "192.0.2.7"}}, want: "2001:db8::9"},
		{name: "IPv4-mapped peer is its IPv4 address", trusted: trusted, peer: "[::ffff:127.0.0.1]:4000",
			headers: [][2]string{{"X-Forwarded-For", "::ffff:192.0.2.7"}}, want: "192.0.2.7"},
		{name: "zone dropped", trusted: trusted, peer: "127.0.0.1:4000",
			headers: [][2]string{{"X-Forwarded-For", "fe80::1%eth0"}}, want: "fe80::1"},

		// Malformed hops: the nearest trusted hop to their right stands in.
		{name: "garbage from the client is never the address", trusted: trusted, peer: "127.0.0.1:4000",
			headers: [][2]string{{"X-Forwarded-For", "<script>"}}, want: "127.0.0.1"},
		{name: "empty header", trusted: trusted, peer: "127.0.0.1:4000",
			headers: [][2]string{{"X-Forwarded-For", ""}}, want: "127.0.0.1"},
		{name: "garbage behind a trusted hop", trusted: trusted, peer: "127.0.0.1:4000",
			headers: [][2]string{{"X-Forwarded-For", "192.0.2.7, unknown, 10.1.1.1"}}, want: "10.1.1.1"},
		{name: "garbage left of the client is ignored", trusted: trusted, peer: "127.0.0.1:4000",
			headers: [][2]string{{"X-Forwarded-For", "not-an-ip, 192.0.2.7"}}, want: "192.0.2.7"},
		{name: "host name is not a hop", trusted: trusted, peer: "127.0.0.1:4000",
			headers: [][2]string{{"X-Forwarded-For", "evil.example.com"}}, want: "127.0.0.1"},

		// Forwarded (RFC 7239).
		{name: "Forwarded for=", trusted: trusted, peer: "127.0.0.1:4000",
			headers: [][2]string{{"Forwarded", "for=192.0.2.7;proto=https;by=10.0.0.1"}}, want: "192.0.2.7"},
		{name: "Forwarded quoted IPv6 with port", trusted: trusted, peer: "127.0.0.1:4000",
			headers: [][2]string{{"Forwarded", `For="[2001:db8:cafe::17]:4711"`}}, want: "2001:db8:cafe::17"},
		{name: "Forwarded chain with forged left element", trusted: trusted, peer: "127.0.0.1:4000",
			headers: [][2]string{{"Forwarded", `for=6.6.6.6, for=192.0.2.7;proto=http, for="10.1.1.1"`}}, want: "192.0.2.7"},
		{name: "Forwarded quoted comma stays inside its element", trusted: trusted, peer: "127.0.0.1:4000",
			headers: [][2]string{{"Forwarded", `for=192.0.2.7;host="a,b", for=10.1.1.1`}}, want: "192.0.2.7"},
		{name: "Forwarded obfuscated identifier", trusted: trusted, peer: "127.0.0.1:4000",
			headers: [][2]string{{"Forwarded", `for=_hidden, for=10.1.1.1`}}, want: "10.1.1.1"},
		{name: "Forwarded element without for", trusted: trusted, peer: "127.0.0.1:4000",
			headers: [][2]string{{"Forwarded", `proto=https`}}, want: "127.0.0.1"},
		{name: "X-Forwarded-For wins over Forwarded", trusted: trusted, peer: "127.0.0.1:4000",
			headers: [][2]string{{"Forwarded", "for=6.6.6.6"}, {"X-Forwarded-For", "192.0.2.7"}}, want: "192.0.2.7"},

		// Peers that are not IP addresses.
		{name: "peer without port", trusted: trusted, peer: "192.0.2.7", want: "192.0.2.7"},
		{name: "peer not an address", trusted: trusted, peer: "pipe",
			headers: [][2]string{{"X-Forwarded-For", "192.0.2.7"}}, want: "pipe"},
	} {
		t.Run(test.name, func(t *testing.T) {
			req := httptest.NewRequest(http.MethodGet, "/", nil)
			req.RemoteAddr = test.peer
			for _, h := range test.headers {
				req.Header.Add(h[0], h[1])
			}
			if got := New(test.trusted).Addr(req); got != test.want {
				t.Errorf("Addr(peer %s, %v) = %s; want %s", test.peer, test.headers, got, test.want)
			}
		})
	}
}

func TestMiddlewareAndFrom(t *testing.T) {
	r := New(mustPrefixes(t, "127.0.0.1/32"))
	var got string
	h := r.Middleware(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) { got = From(req) }))
	req := httptest.NewRequest(http.MethodGet, "/", nil)
	req.RemoteAddr = "127.0.0.1:4000"
	req.Header.Set("X-Forwarded-For", "192.0.2.7")
	h.ServeHTTP(httptest.NewRecorder(), req)
	if got != "192.0.2.7" {
		t.Errorf("From(request through Middleware) = %s; want 192.0.2.7", got)
	}
	// Without the middleware, From falls back to the peer, never the header.
	if got := From(req); got != "127.0.0.1" {
		t.Errorf("From(request not through Middleware) = %s; want 127.0.0.1", got)
	}
}

func mustPrefixes(t *testing.T, list string) []netip.Prefix {
	t.Helper()
	p, err := ParsePrefixes(list)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func BenchmarkAddr(b *testing.B) {
	r := New([]netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")})
	req := httptest.NewRequest(http.MethodGet, "/", nil)
	req.RemoteAddr = "10.0.0.1:4000"
	req.Header.Set("X-Forwarded-For", "192.0.2.7, 10.1.1.1")
	b.ReportAllocs()
	for b.Loop() {
		r.Addr(req)
	}
}
