package card

import (
	"fmt"
	"image"
	"image/draw"
	_ "image/jpeg" // photo.file may be a JPEG
	_ "image/png"  // or a PNG
	"os"

	xdraw "golang.org/x/image/draw"
)

// maxPhotoPixels bounds the photos decoded: a larger picture is not
// drawn (the card goes without, and the log says so), as decoding it
// would take more memory than the whole card should (a 6-megapixel JPEG
// decodes to 9 MB). A card shows a photo at most 420×844 pixels: a
// portrait of 1,000 pixels or so a side is plenty.
const maxPhotoPixels = 6_000_000

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
		return nil, fmt.Errorf("card: photo %s: %d×%d pixels, more than %d; make it smaller", path, cfg.Width, cfg.Height, maxPhotoPixels)
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
	if scale < 0.5 {
		// Shrunk to less than half: the real filter, lest it alias.
		xdraw.BiLinear.Scale(dst, box, img, crop, xdraw.Src, nil)
		return
	}
	src, ok := img.(*image.RGBA)
	if !ok {
		// Convert the part shown (image/draw's quick path for a JPEG's
		// YCbCr).
		src = image.NewRGBA(crop)
		draw.Draw(src, crop, img, crop.Min, draw.Src)
	}
	bilinear(dst, box.Intersect(dst.Bounds()), box, src, crop)
}

// bilinear scales the crop of src into box of dst (drawing only the
// part clip of box), sampling each pixel bilinearly in 8-bit fixed
// point: for the shrinking by less than half and the enlarging a card's
// photo needs, as good as image/draw's filters and several times
// quicker.
func bilinear(dst *image.RGBA, clip, box image.Rectangle, src *image.RGBA, crop image.Rectangle) {
	if clip.Empty() || crop.Empty() {
		return
	}
	sx := float64(crop.Dx()) / float64(box.Dx())
	sy := float64(crop.Dy()) / float64(box.Dy())
	// Per column: the two source columns and the weight of the second.
	x0s := make([]int, clip.Dx())
	fxs := make([]uint32, clip.Dx())
	for i := range x0s {
		fx := (float64(clip.Min.X+i-box.Min.X)+0.5)*sx - 0.5
		x0 := int(fx)
		if fx < 0 {
			fx, x0 = 0, 0
		}
		if x0 >= crop.Dx()-1 {
			x0, fx = crop.Dx()-1, float64(crop.Dx()-1)
		}
		x0s[i] = x0
		fxs[i] = uint32((fx - float64(x0)) * 256)
	}
	for y := clip.Min.Y; y < clip.Max.Y; y++ {
		fy := (float64(y-box.Min.Y)+0.5)*sy - 0.5
		y0 := int(fy)
		if fy < 0 {
			fy, y0 = 0, 0
		}
		y1 := min(y0+1, crop.Dy()-1)
		if y0 >= crop.Dy()-1 {
			y0, fy = crop.Dy()-1, float64(crop.Dy()-1)
		}
		wy := uint32((fy - float64(y0)) * 256)
		r0 := src.Pix[src.PixOffset(crop.Min.X, crop.Min.Y+y0):]
		r1 := src.Pix[src.PixOffset(crop.Min.X, crop.Min.Y+y1):]
		out := dst.Pix[dst.PixOffset(clip.Min.X, y):]
		for i, x0 := range x0s {
			x1 := min(x0+1, crop.Dx()-1)
			wx := fxs[i]
			a, b := 4*x0, 4*x1
			for ch := range 3 {
				top := uint32(r0[a+ch])*(256-wx) + uint32(r0[b+ch])*wx
				bot := uint32(r1[a+ch])*(256-wx) + uint32(r1[b+ch])*wx
				out[4*i+ch] = uint8((top*(256-wy) + bot*wy + 1<<15) >> 16)
			}
			out[4*i+3] = 0xff
		}
	}
}
