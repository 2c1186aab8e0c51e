package card

import (
	"fmt"
	"image"
	"image/color"
	"image/draw"

	qrcode "github.com/skip2/go-qrcode"
)

// qrModules returns the QR code of s as modules, quiet zone (four
// modules) included: the smallest code at medium error correction, or at
// low when that one would not fit in maxModules a side.
func qrModules(s string, maxModules int) ([][]bool, error) {
	var last error
	for _, level := range []qrcode.RecoveryLevel{qrcode.Medium, qrcode.Low} {
		q, err := qrcode.New(s, level)
		if err != nil {
			last = err
			continue
		}
		bm := q.Bitmap()
		if len(bm) <= maxModules {
			return bm, nil
		}
		last = fmt.Errorf("%d modules a side, more than %d", len(bm), maxModules)
	}
	return nil, fmt.Errorf("card: qr code of %q: %w", s, last)
}

// drawQR draws modules into dst centred in box, each module an integer
// number of pixels (crisp edges), dark on a white tile that is the box:
// the quiet zone is white too. It returns the module size in pixels.
func drawQR(dst *image.RGBA, box image.Rectangle, modules [][]bool, dark color.RGBA) int {
	n := len(modules)
	scale := min(box.Dx(), box.Dy()) / n
	draw.Draw(dst, box, image.NewUniform(color.RGBA{255, 255, 255, 255}), image.Point{}, draw.Src)
	if scale < 1 {
		return 0
	}
	side := n * scale
	x0 := box.Min.X + (box.Dx()-side)/2
	y0 := box.Min.Y + (box.Dy()-side)/2
	src := image.NewUniform(dark)
	for y, row := range modules {
		for x, on := range row {
			if on {
				r := image.Rect(x0+x*scale, y0+y*scale, x0+(x+1)*scale, y0+(y+1)*scale)
				draw.Draw(dst, r, src, image.Point{}, draw.Src)
			}
		}
	}
	return scale
}
