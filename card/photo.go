package card

import (
	"fmt"
	"image"
	_ "image/jpeg" // photo.file may be a JPEG
	_ "image/png"  // or a PNG
	"os"

	xdraw "golang.org/x/image/draw"
)

// maxPhotoPixels bounds the photos decoded: a larger picture is not
// drawn (the card goes without), lest one card take hundreds of MB.
const maxPhotoPixels = 12_000_000

// loadPhoto decodes the JPEG or PNG file at path.
func loadPhoto(path string) (image.Image, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("card: photo: %w", err)
	}
	defer f.Close()
	cfg, _, err := image.DecodeConfig(f)
	if err != nil {
		return nil, fmt.Errorf("card: photo %s: %w", path, err)
	}
	if cfg.Width <= 0 || cfg.Height <= 0 || cfg.Width*cfg.Height > maxPhotoPixels {
		return nil, fmt.Errorf("card: photo %s: %d×%d pixels, more than %d", path, cfg.Width, cfg.Height, maxPhotoPixels)
	}
	if _, err := f.Seek(0, 0); err != nil {
		return nil, fmt.Errorf("card: photo: %w", err)
	}
	img, _, err := image.Decode(f)
	if err != nil {
		return nil, fmt.Errorf("card: photo %s: %w", path, err)
	}
	return img, nil
}

// drawCover scales img to cover box, cropping what overflows: centred
// across, and a little above centre down the picture, where a portrait's
// face is.
func drawCover(dst *image.RGBA, box image.Rectangle, img image.Image) {
	sb := img.Bounds()
	sw, sh := float64(sb.Dx()), float64(sb.Dy())
	bw, bh := float64(box.Dx()), float64(box.Dy())
	scale := max(bw/sw, bh/sh)
	cw, ch := bw/scale, bh/scale // the source part shown
	x := sb.Min.X + int((sw-cw)/2)
	y := sb.Min.Y + int((sh-ch)*0.3)
	crop := image.Rect(x, y, x+int(cw+0.5), y+int(ch+0.5)).Intersect(sb)
	xdraw.BiLinear.Scale(dst, box, img, crop, xdraw.Src, nil)
}
