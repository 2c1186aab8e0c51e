package card

import (
	"image"
	"image/color"
	"math"
	"sync"

	"github.com/go-text/typesetting/di"
	"github.com/go-text/typesetting/font"
	ot "github.com/go-text/typesetting/font/opentype"
	"github.com/go-text/typesetting/language"
	"github.com/go-text/typesetting/shaping"
	"golang.org/x/image/math/fixed"
	"golang.org/x/image/vector"
)

// The vertical metrics of the fonts, in em: Noto Sans's ascender and
// descender (Noto Sans Arabic's fit in them for the Persian texts drawn).
const (
	emAscent  = 1.069
	emDescent = 0.293
)

// typesetter shapes, wraps and draws text. It holds the fonts' faces, a
// HarfBuzz shaper and buffers, none of which may be shared between
// goroutines: renders take one from typesetters and put it back.
type typesetter struct {
	maps     [2]*fontmap // regular, bold
	shaper   shaping.HarfbuzzShaper
	seg      shaping.Segmenter
	wrapper  shaping.LineWrapper
	ras      *vector.Rasterizer
	outlines map[outlineKey][]ot.Segment
	// shaped holds the texts of the card being drawn, shaped once at
	// refSize: a text is laid out at many sizes while a card finds the
	// largest that fits, and shaping scales linearly with the size.
	shaped map[shapeKey][]shaping.Output
}

// refSize is the size texts are shaped at (px); layout scales from it.
const refSize = 64

type shapeKey struct {
	text      string
	bold, rtl bool
	lang      string
}

type outlineKey struct {
	f *font.Font
	g font.GID
}

var typesetters sync.Pool

// getTypesetter returns a typesetter from the pool, or a new one.
func getTypesetter() (*typesetter, error) {
	if t, ok := typesetters.Get().(*typesetter); ok {
		return t, nil
	}
	fs, err := loadFonts()
	if err != nil {
		return nil, err
	}
	t := &typesetter{ras: vector.NewRasterizer(1, 1), outlines: map[outlineKey][]ot.Segment{}, shaped: map[shapeKey][]shaping.Output{}}
	for w := range 2 {
		t.maps[w] = &fontmap{latin: font.NewFace(fs.latin[w]), arabic: font.NewFace(fs.arabic[w])}
	}
	return t, nil
}

func putTypesetter(t *typesetter) {
	clear(t.shaped)
	typesetters.Put(t)
}

// style is how a text is drawn.
type style struct {
	size    float32 // px
	bold    bool
	color   color.RGBA
	leading float32 // line height in sizes; 0 means 1.2
}

func (s style) lineHeight() float32 {
	if s.leading == 0 {
		return s.size * 1.2
	}
	return s.size * s.leading
}

// line is one wrapped line: its runs in visual order, left to right.
type line struct {
	runs  []shaping.Output
	width float32
}

// para is a laid-out paragraph. Its runs are shaped at refSize: drawn
// at st.size, their positions scale by st.size/refSize (line.width is
// in px already).
type para struct {
	lines []line
	st    style
}

func (p para) scale() float32 { return p.st.size / refSize }

// height is the paragraph's height: its lines' heights.
func (p para) height() float32 { return float32(len(p.lines)) * p.st.lineHeight() }

// width is the paragraph's widest line.
func (p para) width() float32 {
	var w float32
	for _, l := range p.lines {
		w = max(w, l.width)
	}
	return w
}

func f2f(v fixed.Int26_6) float32 { return float32(v) / 64 }

// shape shapes text in one size and weight as a paragraph of base
// direction rtl or not: split into runs of one direction, script and
// face (bidi with isolates, script itemization), each shaped by HarfBuzz.
func (t *typesetter) shape(runes []rune, st style, rtl bool, lang string) []shaping.Output {
	dir := di.DirectionLTR
	if rtl {
		dir = di.DirectionRTL
	}
	in := shaping.Input{
		Text:      runes,
		RunEnd:    len(runes),
		Direction: dir,
		Size:      fixed.Int26_6(st.size * 64),
		Language:  language.NewLanguage(lang),
	}
	fm := t.maps[0]
	if st.bold {
		fm = t.maps[1]
	}
	runs := t.seg.Split(in, fm)
	out := make([]shaping.Output, 0, len(runs))
	for _, r := range runs {
		out = append(out, t.shaper.Shape(r))
	}
	return out
}

// shapedAt returns text shaped at refSize, from the card's cache: a
// deep copy, as the line wrapper trims the trailing space of each line
// in place.
func (t *typesetter) shapedAt(text string, bold, rtl bool, lang string) []shaping.Output {
	k := shapeKey{text, bold, rtl, lang}
	outs, ok := t.shaped[k]
	if !ok {
		outs = t.shape([]rune(text), style{size: refSize, bold: bold}, rtl, lang)
		t.shaped[k] = outs
	}
	cp := make([]shaping.Output, len(outs))
	for i, o := range outs {
		cp[i] = o
		cp[i].Glyphs = append([]shaping.Glyph(nil), o.Glyphs...)
	}
	return cp
}

// layout wraps text into lines at most maxW wide; at most maxLines
// (0: any number), the last one ending in an ellipsis when the text is
// longer. A word wider than a line is broken between its letters.
func (t *typesetter) layout(text string, st style, maxW float32, maxLines int, rtl bool, lang string) (para, bool) {
	runes := []rune(text)
	outs := t.shapedAt(text, st.bold, rtl, lang)
	scale := st.size / refSize
	dir := di.DirectionLTR
	if rtl {
		dir = di.DirectionRTL
	}
	cfg := shaping.WrapConfig{Direction: dir, BreakPolicy: shaping.WhenNecessary}
	if maxLines > 0 {
		cfg.TruncateAfterLines = maxLines
		cfg.Truncator = t.shapedAt("…", st.bold, rtl, lang)[0]
	}
	lines, truncated := t.wrapper.WrapParagraphF(cfg, fixed.Int26_6(maxW/scale*64), runes, shaping.NewSliceIterator(outs))
	p := para{st: st, lines: make([]line, 0, len(lines))}
	for _, l := range lines {
		runs := make([]shaping.Output, len(l))
		for _, r := range l {
			if i := int(r.VisualIndex); i >= 0 && i < len(runs) {
				runs[i] = r
			}
		}
		var w float32
		for _, r := range runs {
			w += f2f(r.Advance)
		}
		p.lines = append(p.lines, line{runs: runs, width: w * scale})
	}
	return p, truncated > 0
}

// fit lays text out in the largest size from st.size down to minSize
// (in steps of about 6%) at which it takes at most maxLines lines
// without breaking a word; at minSize it is cut to maxLines with an
// ellipsis.
func (t *typesetter) fit(text string, st style, minSize, maxW float32, maxLines int, rtl bool, lang string) para {
	for size := st.size; size > minSize; size *= 0.94 {
		s := st
		s.size = size
		p, _ := t.layout(text, s, maxW, 0, rtl, lang)
		if len(p.lines) <= maxLines && !brokeWord(p, text) {
			return p
		}
	}
	s := st
	s.size = minSize
	p, _ := t.layout(text, s, maxW, maxLines, rtl, lang)
	return p
}

// brokeWord reports whether the wrapper had to break a word between its
// letters: some line other than the last ends inside a word.
func brokeWord(p para, text string) bool {
	if len(p.lines) < 2 {
		return false
	}
	runes := []rune(text)
	for _, l := range p.lines[:len(p.lines)-1] {
		end := 0
		for _, r := range l.runs {
			end = max(end, r.Runes.Offset+r.Runes.Count)
		}
		if end > 0 && end < len(runes) && !breakable(runes[end-1]) && !breakable(runes[end]) {
			return true
		}
	}
	return false
}

func breakable(r rune) bool {
	switch r {
	case ' ', '-', '\u2010', '\u2013', '\u2014', '/', '\u00a0', '\u200b', '\u200c':
		return true
	}
	return false
}

// align is where a paragraph's lines sit in its column.
type align int

const (
	alignStart align = iota // left, or right in a right-to-left card
	alignEnd
	alignCenter
)

// draw draws p's lines into dst from top y in the column [x0, x0+w),
// aligned as a says (start is the right edge when rtl).
func (t *typesetter) draw(dst *image.RGBA, p para, x0, w, y float32, a align, rtl bool) {
	lh := p.st.lineHeight()
	size := p.st.size
	baseOff := (lh-(emAscent+emDescent)*size)/2 + emAscent*size
	src := image.NewUniform(p.st.color)
	for i, l := range p.lines {
		var x float32
		right := (a == alignStart) == rtl
		switch {
		case a == alignCenter:
			x = x0 + (w-l.width)/2
		case right:
			x = x0 + w - l.width
		default:
			x = x0
		}
		base := y + float32(i)*lh + baseOff
		t.drawLine(dst, l, x, base, size, p.scale(), src)
	}
}

// drawLine rasterizes one line's glyph outlines with its baseline at
// base, starting at x, into dst.
func (t *typesetter) drawLine(dst *image.RGBA, l line, x, base, size, k float32, src image.Image) {
	r := image.Rect(int(math.Floor(float64(x)))-4, int(math.Floor(float64(base-1.5*size))),
		int(math.Ceil(float64(x+l.width)))+4, int(math.Ceil(float64(base+0.8*size)))).Intersect(dst.Bounds())
	if r.Empty() {
		return
	}
	z := t.ras
	z.Reset(r.Dx(), r.Dy())
	z.DrawOp = 0 // draw.Over
	ox, oy := float32(r.Min.X), float32(r.Min.Y)
	pen := x
	for _, run := range l.runs {
		scale := size / float32(run.Face.Upem())
		for _, g := range run.Glyphs {
			gx := pen + f2f(g.XOffset)*k - ox
			gy := base - f2f(g.YOffset)*k - oy
			open := false
			for _, s := range t.outline(run.Face, g.GlyphID) {
				a := s.Args
				p := func(i int) (float32, float32) { return gx + a[i].X*scale, gy - a[i].Y*scale }
				switch s.Op {
				case ot.SegmentOpMoveTo:
					if open {
						z.ClosePath() // a contour ends where the next begins
					}
					z.MoveTo(p(0))
					open = true
				case ot.SegmentOpLineTo:
					z.LineTo(p(0))
				case ot.SegmentOpQuadTo:
					bx, by := p(0)
					cx, cy := p(1)
					z.QuadTo(bx, by, cx, cy)
				case ot.SegmentOpCubeTo:
					bx, by := p(0)
					cx, cy := p(1)
					dx, dy := p(2)
					z.CubeTo(bx, by, cx, cy, dx, dy)
				}
			}
			if open {
				z.ClosePath()
			}
			pen += f2f(g.XAdvance) * k
		}
	}
	z.Draw(dst, r, src, image.Point{})
}

// outline returns a glyph's outline in font units, cached.
func (t *typesetter) outline(face *font.Face, g font.GID) []ot.Segment {
	k := outlineKey{face.Font, g}
	if s, ok := t.outlines[k]; ok {
		return s
	}
	o, _ := face.GlyphDataOutline(g)
	t.outlines[k] = o.Segments
	return o.Segments
}
