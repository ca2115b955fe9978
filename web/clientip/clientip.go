// Package clientip finds the address of the client behind a request: the
// connection's peer, or, when that peer is a trusted reverse proxy, the
// address the proxies recorded in X-Forwarded-For or Forwarded.
//
// Headers are believed only as far as trusted hops vouch for them. Each
// trusted proxy appends the address of the peer it saw, so the list is read
// from the right: the first entry that is not a trusted proxy is the
// client. Whatever lies left of it came from the client itself and may be
// forged. A request whose direct peer is not trusted keeps the peer's
// address, whatever its headers say.
//
// X-Forwarded-For wins over Forwarded when a request carries both: a proxy
// that writes Forwarded must drop any X-Forwarded-For its clients send
// (nginx and Caddy write X-Forwarded-For).
package clientip

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"strings"
)

// ParsePrefixes parses a comma-separated list of CIDR prefixes
// ("10.0.0.0/8,::1/128"); a bare address stands for itself alone (/32 or
// /128). Host bits are cleared: 10.1.2.3/8 is 10.0.0.0/8. An empty list is
// valid and trusts nobody.
func ParsePrefixes(list string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, s := range strings.Split(list, ",") {
		s = strings.TrimSpace(s)
		if s == "" {
			continue
		}
		if strings.Contains(s, "/") {
			p, err := netip.ParsePrefix(s)
			if err != nil {
				return nil, fmt.Errorf("%q is not a CIDR prefix such as 10.0.0.0/8 or fd00::/8", s)
			}
			out = append(out, netip.PrefixFrom(p.Addr().Unmap(), unmappedBits(p)).Masked())
			continue
		}
		a, err := netip.ParseAddr(s)
		if err != nil || a.Zone() != "" {
			return nil, fmt.Errorf("%q is not a CIDR prefix such as 10.0.0.0/8 or fd00::/8", s)
		}
		a = a.Unmap()
		out = append(out, netip.PrefixFrom(a, a.BitLen()))
	}
	return out, nil
}

// unmappedBits is p's length once its address is unmapped: ::ffff:10.0.0.0/104
// is 10.0.0.0/8.
func unmappedBits(p netip.Prefix) int {
	if p.Addr().Is4In6() {
		return max(p.Bits()-96, 0)
	}
	return p.Bits()
}

// Resolver finds client addresses behind a set of trusted proxies. The
// zero Resolver trusts nobody: every request's address is its peer's.
type Resolver struct {
	trusted []netip.Prefix
}

// New returns a Resolver that believes forwarding headers from peers
// inside the trusted prefixes only.
func New(trusted []netip.Prefix) *Resolver {
	return &Resolver{trusted: trusted}
}

func (r *Resolver) isTrusted(a netip.Addr) bool {
	for _, p := range r.trusted {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// Addr returns the client's address behind req, as text ("192.0.2.7",
// "2001:db8::1"): the peer's, unless the peer is trusted and the request
// says, through X-Forwarded-For or Forwarded, whom it forwards. When a
// hop in those headers cannot be read, the nearest trusted hop to its
// right stands for the client: everyone behind it then shares its address,
// but no client can choose its own. A peer address that is not an IP (a
// Unix socket, a test's pipe) is returned as it is.
func (r *Resolver) Addr(req *http.Request) string {
	peer, ok := parseHop(req.RemoteAddr)
	if !ok {
		return req.RemoteAddr
	}
	if r == nil || !r.isTrusted(peer) {
		return peer.String()
	}
	hops, ok := forwardedFor(req.Header)
	if !ok {
		return peer.String()
	}
	client := peer
	for i := len(hops) - 1; i >= 0; i-- {
		a, ok := parseHop(hops[i])
		if !ok {
			break
		}
		client = a
		if !r.isTrusted(a) {
			break
		}
	}
	return client.String()
}

// forwardedFor returns the hops a request lists, leftmost (farthest)
// first: X-Forwarded-For's entries, or else Forwarded's for= values. Every
// line of a repeated header counts, in order. A Forwarded element without
// for= yields an empty hop, which stops the walk like any unreadable one.
func forwardedFor(h http.Header) ([]string, bool) {
	if lines := h.Values("X-Forwarded-For"); len(lines) > 0 {
		var hops []string
		for _, line := range lines {
			hops = append(hops, strings.Split(line, ",")...)
		}
		return hops, true
	}
	lines := h.Values("Forwarded")
	if len(lines) == 0 {
		return nil, false
	}
	var hops []string
	for _, line := range lines {
		for _, elem := range splitOutsideQuotes(line, ',') {
			hop := ""
			for _, pair := range splitOutsideQuotes(elem, ';') {
				k, v, _ := strings.Cut(pair, "=")
				if strings.EqualFold(strings.TrimSpace(k), "for") {
					hop = strings.Trim(strings.TrimSpace(v), `"`)
				}
			}
			hops = append(hops, hop)
		}
	}
	return hops, true
}

// splitOutsideQuotes splits s at every sep that is not inside a quoted
// string (RFC 7230 quoted-string, with backslash escapes).
func splitOutsideQuotes(s string, sep byte) []string {
	var parts []string
	quoted, escaped, start := false, false, 0
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case escaped:
			escaped = false
		case quoted && c == '\\':
			escaped = true
		case c == '"':
			quoted = !quoted
		case !quoted && c == sep:
			parts = append(parts, s[start:i])
			start = i + 1
		}
	}
	return append(parts, s[start:])
}

// parseHop reads one hop: an IP, with or without a port, IPv6 in brackets
// or not. Zones are dropped and IPv4-mapped IPv6 addresses unmapped, so
// that one client has one spelling. Anything else ("unknown", "_proxy1",
// a host name, an empty hop) is not a hop.
func parseHop(s string) (netip.Addr, bool) {
	s = strings.TrimSpace(s)
	if host, _, err := net.SplitHostPort(s); err == nil {
		s = host
	} else if strings.HasPrefix(s, "[") && strings.HasSuffix(s, "]") {
		s = s[1 : len(s)-1]
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Addr{}, false
	}
	return a.WithZone("").Unmap(), true
}

type contextKey struct{}

// Middleware records every request's client address (Addr) in its
// context, where From finds it.
func (r *Resolver) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		ctx := context.WithValue(req.Context(), contextKey{}, r.Addr(req))
		next.ServeHTTP(w, req.WithContext(ctx))
	})
}

// From returns the client address Middleware recorded for req, or, for a
// request that did not pass through it, the peer's address.
func From(req *http.Request) string {
	if a, ok := req.Context().Value(contextKey{}).(string); ok {
		return a
	}
	return (*Resolver)(nil).Addr(req)
}
