package web

import (
	"net/http"
	"net/netip"
	"testing"

	"github.com/gorilla/websocket"
)

// TestLimitsCountForwardedClients checks that behind a trusted proxy the
// per-address limits count the client the proxy names, so that one
// client over its limit leaves another alone; and that without trust the
// same headers change nothing (every request counts against the peer).
func TestLimitsCountForwardedClients(t *testing.T) {
	loopback := []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8"), netip.MustParsePrefix("::1/128")}
	for _, test := range []struct {
		name    string
		trusted []netip.Prefix
		// otherAllowed: whether the second client is served once the
		// first is over its limits.
		otherAllowed bool
	}{
		{name: "peer trusted", trusted: loopback, otherAllowed: true},
		{name: "no proxy trusted", trusted: nil, otherAllowed: false},
	} {
		t.Run(test.name, func(t *testing.T) {
			_, srv := limitsTestApp(t, Config{APIRatePerMin: 2, WSMaxPerAddr: 1, TrustedProxies: test.trusted})
			get := func(client string) int {
				t.Helper()
				req, err := http.NewRequest(http.MethodGet, srv.URL+"/api/v1/losses", nil)
				if err != nil {
					t.Fatal(err)
				}
				req.Header.Set("X-Forwarded-For", client)
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				resp.Body.Close()
				return resp.StatusCode
			}
			dial := func(client string) (*websocket.Conn, int) {
				t.Helper()
				conn, resp, err := websocket.DefaultDialer.Dial(wsTestURL(srv), http.Header{"X-Forwarded-For": {client}})
				if err != nil {
					if resp == nil {
						t.Fatalf("dial as %s: %v", client, err)
					}
					return nil, resp.StatusCode
				}
				t.Cleanup(func() { conn.Close() })
				return conn, http.StatusSwitchingProtocols
			}

			const first, other = "192.0.2.1", "2001:db8::2"
			for i := range 2 {
				if got := get(first); got != http.StatusOK {
					t.Fatalf("API request %d of 2 from %s: status %d; want 200", i+1, first, got)
				}
			}
			if got := get(first); got != http.StatusTooManyRequests {
				t.Errorf("API request 3 of 2 from %s: status %d; want 429", first, got)
			}
			if _, got := dial(first); got != http.StatusSwitchingProtocols {
				t.Fatalf("WebSocket 1 of 1 from %s: status %d; want 101", first, got)
			}
			if _, got := dial(first); got != http.StatusTooManyRequests {
				t.Errorf("WebSocket 2 of 1 from %s: status %d; want 429", first, got)
			}

			wantAPI, wantWS := http.StatusTooManyRequests, http.StatusTooManyRequests
			if test.otherAllowed {
				wantAPI, wantWS = http.StatusOK, http.StatusSwitchingProtocols
			}
			if got := get(other); got != wantAPI {
				t.Errorf("API request 1 from %s after %s's limit: status %d; want %d", other, first, got, wantAPI)
			}
			if _, got := dial(other); got != wantWS {
				t.Errorf("WebSocket 1 from %s after %s's cap: status %d; want %d", other, first, got, wantWS)
			}
		})
	}
}
