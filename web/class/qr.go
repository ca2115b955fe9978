package class

import (
	"fmt"
	"strings"

	qrcode "github.com/yeqown/go-qrcode/v2"
)

// QRSVG renders text as a QR code in SVG: one path of unit squares with a
// four-module quiet zone, scaled by the page. Drawn on the server, it
// needs no script and prints sharp on any projector.
func QRSVG(text string) (string, error) {
	qr, err := qrcode.NewWith(text, qrcode.WithErrorCorrectionLevel(qrcode.ErrorCorrectionMedium))
	if err != nil {
		return "", fmt.Errorf("qr: %w", err)
	}
	w := &svgWriter{}
	if err := qr.Save(w); err != nil {
		return "", fmt.Errorf("qr: %w", err)
	}
	return w.svg, nil
}

// quietZone is the blank border a reader needs, in modules.
const quietZone = 4

type svgWriter struct{ svg string }

func (w *svgWriter) Write(mat qrcode.Matrix) error {
	n := mat.Width() + 2*quietZone
	var path strings.Builder
	mat.Iterate(qrcode.IterDirection_ROW, func(x, y int, v qrcode.QRValue) {
		if v.IsSet() {
			fmt.Fprintf(&path, "M%d %dh1v1h-1z", x+quietZone, y+quietZone)
		}
	})
	w.svg = fmt.Sprintf(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %d %d" shape-rendering="crispEdges" role="img" aria-label="QR code of the join link"><rect width="%d" height="%d" fill="#fff"/><path fill="#000" d="%s"/></svg>`,
		n, n, n, n, path.String())
	return nil
}

func (w *svgWriter) Close() error { return nil }
