package main

import (
	"slices"
	"testing"
)

func TestParseOrigins(t *testing.T) {
	for _, test := range []struct {
		list string
		want []string // nil: an error
	}{
		{"https://docs.example.org", []string{"https://docs.example.org"}},
		{" https://a.example/ , http://b.example:8080", []string{"https://a.example", "http://b.example:8080"}},
		{"https://a.example/path", nil},
		{"https://a.example?x=1", nil},
		{"javascript:alert(1)", nil},
		{"*", nil},
		{"https://a.example; script-src *", nil},
		{"https://user@a.example", nil},
		{"docs.example.org", nil},
	} {
		t.Run(test.list, func(t *testing.T) {
			got, err := parseOrigins(test.list)
			switch {
			case test.want == nil && err == nil:
				t.Errorf("parseOrigins(%q) = %q; want an error", test.list, got)
			case test.want != nil && (err != nil || !slices.Equal(got, test.want)):
				t.Errorf("parseOrigins(%q) = %q, %v; want %q", test.list, got, err, test.want)
			}
		})
	}
}
