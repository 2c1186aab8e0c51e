package testutil

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"sync"

	"github.com/vigil-bot/vigil/card"
	"github.com/vigil-bot/vigil/cases"
)

// Pictures stands in for the share card renderer in the platforms'
// tests (it has the method bot.Pictures asks for): it encodes a real PNG
// (400×210, the og ratio, tinted by the case) and counts its calls.
type Pictures struct {
	Err  error  // returned instead of a picture when set
	Data []byte // returned instead of a PNG when set
	// Noise makes the picture about 64 kB of noise, the weight of a real
	// card, rather than a smooth gradient of a few hundred bytes.
	Noise bool

	mu    sync.Mutex
	calls int
}

// PNG renders c's stand-in picture.
func (p *Pictures) PNG(c *cases.Case, o card.Options) ([]byte, error) {
	p.mu.Lock()
	p.calls++
	p.mu.Unlock()
	if p.Err != nil {
		return nil, p.Err
	}
	if p.Data != nil {
		return p.Data, nil
	}
	var img image.Image
	if p.Noise {
		g := image.NewGray(image.Rect(0, 0, 256, 256))
		x := uint32(2463534242)
		for i := range g.Pix {
			x ^= x << 13
			x ^= x >> 17
			x ^= x << 5
			g.Pix[i] = uint8(x)
		}
		img = g
	} else {
		rgba := image.NewRGBA(image.Rect(0, 0, 400, 210))
		for y := range 210 {
			for x := range 400 {
				rgba.Set(x, y, color.RGBA{uint8(x), uint8(y), uint8(len(c.ID) * 9), 255})
			}
		}
		img = rgba
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// Count returns how many pictures were asked for.
func (p *Pictures) Count() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.calls
}
