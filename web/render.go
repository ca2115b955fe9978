package web

import (
	"bytes"
	"net/http"

	"github.com/a-h/templ"
)

// render writes a component through a buffer, so that a rendering error
// never leaves half a page on the wire.
func render(w http.ResponseWriter, r *http.Request, c templ.Component) error {
	var buf bytes.Buffer
	if err := c.Render(r.Context(), &buf); err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_, err := w.Write(buf.Bytes())
	return err
}
