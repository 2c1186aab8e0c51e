package card

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"log/slog"
	"net/url"
	"strings"
	"time"

	"golang.org/x/text/unicode/bidi"

	"github.com/vigil-bot/vigil/bot/i18n"
	"github.com/vigil-bot/vigil/cases"
)

// The palette: ink, warm white and one accent, a candle's amber.
var (
	colInk     = color.RGBA{0x15, 0x18, 0x1e, 0xff} // background; text on the accent band
	colText    = color.RGBA{0xf6, 0xf3, 0xec, 0xff} // the name
	colSoft    = color.RGBA{0xd8, 0xd3, 0xc8, 0xff} // the status
	colMuted   = color.RGBA{0xa0, 0xa8, 0xb3, 0xff} // country, counter label, address
	colAccent  = color.RGBA{0xf2, 0xb1, 0x34, 0xff} // the counter, the call-to-action band
	colInkSoft = color.RGBA{0x3a, 0x33, 0x24, 0xff} // secondary text on the band
)

// Dimensions returns the pixel size of a card of size s.
func (s Size) Dimensions() (w, h int) {
	if s == Square {
		return 1080, 1080
	}
	return 1200, 630
}

// content is what a card shows, localized.
type content struct {
	lang    string
	rtl     bool
	name    string
	country string
	status  string
	// The live counter: "Hunger strike" / "Day 43", "In detention" /
	// "1,234 days"; both empty when there is none.
	counterLabel, counterValue string
	action                     *cases.Action
	actionKind                 string // the kind's name in lang
	actionURL                  string // shown: without the scheme
	photo                      image.Image
	credit                     string
	page                       string // the case page's address, shown without the scheme
}

// newContent gathers what the card of c shows in o.Lang on o.Today.
func newContent(c *cases.Case, o Options) *content {
	lang := o.Lang
	ct := &content{lang: lang, rtl: i18n.RTL(lang), name: c.NameIn(lang)}
	if co, ok := cases.CountryByCode(c.Country); ok {
		ct.country = co.Name(lang)
	} else {
		ct.country = c.Country
	}
	ct.status = i18n.F(lang, "card.status", i18n.Args{"Status": i18n.Status(lang, c.Status), "Date": i18n.Date(lang, c.StatusAsOf)})
	if n, ok := strikeDay(c, o.Today); ok {
		ct.counterLabel = i18n.T(lang, "sharecard.hunger_strike")
		ct.counterValue = i18n.F(lang, "sharecard.strike_day", i18n.Args{"Day": n})
	} else if n, ok := c.DaysHeld(o.Today); ok {
		ct.counterLabel = i18n.T(lang, "sharecard.in_detention")
		ct.counterValue = i18n.N(lang, "sharecard.detention_days", n, nil)
	}
	if acts := c.LiveActions(o.Today); len(acts) > 0 {
		a := acts[0]
		ct.action = &a
		ct.actionKind = i18n.ActionKind(lang, a.Kind)
		ct.actionURL = shortURL(a.URL)
	}
	if c.Photo != nil && c.Photo.File != "" {
		img, err := loadPhoto(c.Photo.File)
		if err != nil {
			slog.Warn("card: photo not drawn", "case", c.ID, "err", err)
		} else {
			ct.photo = img
			if c.Photo.Credit != "" {
				ct.credit = i18n.T(lang, "card.photo") + ": " + i18n.Isolate(lang, c.Photo.Credit)
			}
		}
	}
	if o.PublicURL != "" {
		ct.page = shortURL(strings.TrimRight(o.PublicURL, "/") + "/cases/" + url.PathEscape(c.ID))
	}
	return ct
}

// strikeDay returns the day number of c's ongoing hunger strike on day,
// for a person not released or deceased.
func strikeDay(c *cases.Case, day cases.Date) (int, bool) {
	if c.Status.Free() {
		return 0, false
	}
	for _, h := range c.HungerStrikes {
		if n, ok := h.DayOn(day); ok {
			return n, true
		}
	}
	return 0, false
}

// shortURL is a URL as a card prints it: without its scheme, "www." and
// a final slash.
func shortURL(s string) string {
	s = strings.TrimPrefix(strings.TrimPrefix(s, "https://"), "http://")
	s = strings.TrimPrefix(s, "www.")
	return strings.TrimSuffix(s, "/")
}

// Render draws the share card of c and returns it as PNG bytes. o.Lang
// must be a supported language (empty means English); a zero o.Today is
// today in UTC. A photo that cannot be read is left out (and logged); it
// never fails the card.
func Render(c *cases.Case, o Options) ([]byte, error) {
	img, err := renderImage(c, o)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	buf.Grow(256 << 10)
	if err := encodePNG(&buf, img); err != nil {
		return nil, fmt.Errorf("card: encode png: %w", err)
	}
	return buf.Bytes(), nil
}

// normalize checks o and fills its defaults.
func normalize(c *cases.Case, o Options) (Options, error) {
	if c == nil {
		return o, fmt.Errorf("card: no case")
	}
	if o.Lang == "" {
		o.Lang = "en"
	}
	if !i18n.Supported(o.Lang) {
		return o, fmt.Errorf("card: unsupported language %q", o.Lang)
	}
	s, err := ParseSize(string(o.Size))
	if err != nil {
		return o, err
	}
	o.Size = s
	if o.Today.IsZero() {
		o.Today = cases.DateOf(time.Now().UTC())
	}
	return o, nil
}

// renderImage draws the card.
func renderImage(c *cases.Case, o Options) (*image.RGBA, error) {
	o, err := normalize(c, o)
	if err != nil {
		return nil, err
	}
	t, err := getTypesetter()
	if err != nil {
		return nil, err
	}
	defer putTypesetter(t)
	ct := newContent(c, o)
	w, h := o.Size.Dimensions()
	dst := image.NewRGBA(image.Rect(0, 0, w, h))
	draw.Draw(dst, dst.Bounds(), image.NewUniform(colInk), image.Point{}, draw.Src)
	g := geometryFor(o.Size, ct)
	d := &drawer{t: t, dst: dst, ct: ct, g: g, w: w}
	d.photo()
	d.band()
	d.main()
	return dst, nil
}

// geometry is a card's layout: rectangles in a left-to-right card; a
// right-to-left one mirrors them (drawer.mirror).
type geometry struct {
	square   bool
	margin   int
	photo    image.Rectangle // empty: no photo
	band     image.Rectangle // the call-to-action band; empty: none
	qr       image.Rectangle // the QR tile, inside band
	bandText image.Rectangle // the band's text column
	main     image.Rectangle // name, status, counter, address
	// counter is a column of its own for the live counter (og without
	// a photo); empty: the counter is in main.
	counter image.Rectangle
	// The type sizes (px) at scale 1, before any shrinking.
	nameSize, textSize, counterSize, labelSize, smallSize float32
	nameLines                                             int
}

func geometryFor(s Size, ct *content) geometry {
	w, h := s.Dimensions()
	var g geometry
	if s == Square {
		g = geometry{square: true, margin: 72, nameSize: 96, textSize: 34, counterSize: 124, labelSize: 30, smallSize: 23, nameLines: 3}
		left := g.margin
		bottom := h - g.margin
		if ct.action != nil {
			g.band = image.Rect(0, h-236, w, h)
			q := 180
			g.qr = image.Rect(w-g.margin-q, g.band.Min.Y+(g.band.Dy()-q)/2, w-g.margin, g.band.Min.Y+(g.band.Dy()+q)/2)
			g.bandText = image.Rect(g.margin, g.band.Min.Y+28, g.qr.Min.X-40, g.band.Max.Y-28)
			bottom = g.band.Min.Y - 48
		}
		if ct.photo != nil {
			// A portrait column at the start side, down to the band.
			g.photo = image.Rect(0, 0, 420, h)
			if !g.band.Empty() {
				g.photo.Max.Y = g.band.Min.Y
			}
			left = g.photo.Max.X + 60
			g.nameSize, g.counterSize = 84, 100
		}
		g.main = image.Rect(left, g.margin, w-g.margin, bottom)
		return g
	}
	g = geometry{margin: 56, nameSize: 66, textSize: 27, counterSize: 66, labelSize: 22, smallSize: 19, nameLines: 3}
	left := g.margin
	if ct.photo != nil {
		g.photo = image.Rect(0, 0, 400, h)
		left = g.photo.Max.X + g.margin
	}
	bottom := h - g.margin + 8
	if ct.action != nil {
		g.band = image.Rect(g.photo.Max.X, h-172, w, h)
		q := 140
		g.qr = image.Rect(w-g.margin+12-q, g.band.Min.Y+(g.band.Dy()-q)/2, w-g.margin+12, g.band.Min.Y+(g.band.Dy()+q)/2)
		g.bandText = image.Rect(left, g.band.Min.Y+20, g.qr.Min.X-36, g.band.Max.Y-20)
		bottom = g.band.Min.Y - 30
	}
	g.main = image.Rect(left, g.margin-8, w-g.margin, bottom)
	if ct.photo == nil && ct.counterValue != "" {
		g.counter = image.Rect(w-g.margin-380, g.main.Min.Y, w-g.margin, g.main.Max.Y)
		g.main.Max.X = g.counter.Min.X - 56
		g.counterSize = 100
		g.labelSize = 26
	}
	return g
}

// drawer draws one card.
type drawer struct {
	t   *typesetter
	dst *image.RGBA
	ct  *content
	g   geometry
	w   int
}

// mirror returns r as drawn: flipped across the card in a right-to-left
// language.
func (d *drawer) mirror(r image.Rectangle) image.Rectangle {
	if !d.ct.rtl || r.Empty() {
		return r
	}
	return image.Rect(d.w-r.Max.X, r.Min.Y, d.w-r.Min.X, r.Max.Y)
}

func (d *drawer) fill(r image.Rectangle, c color.RGBA) {
	draw.Draw(d.dst, d.mirror(r), image.NewUniform(c), image.Point{}, draw.Over)
}

// fit lays s out in a column width wide (see typesetter.fit). The
// paragraph's direction is its own, as a browser's dir=auto: that of its
// first letter outside isolates (a Latin name or address on a Persian
// card runs left to right, its ellipsis at its end), else the card's;
// its alignment is the card's (put).
func (d *drawer) fit(s string, st style, minSize float32, width int, lines int) para {
	return d.t.fit(s, st, minSize, float32(width), lines, baseRTL(s, d.ct.rtl), d.ct.lang)
}

// baseRTL reports whether s is a right-to-left paragraph: its first
// strong letter, skipping isolates (FSI, LRI, RLI … PDI), is
// right-to-left; def when it has none.
func baseRTL(s string, def bool) bool {
	depth := 0
	for _, r := range s {
		switch r {
		case '\u2066', '\u2067', '\u2068':
			depth++
			continue
		case '\u2069':
			depth = max(0, depth-1)
			continue
		}
		if depth > 0 {
			continue
		}
		p, _ := bidi.LookupRune(r)
		switch p.Class() {
		case bidi.L:
			return false
		case bidi.R, bidi.AL:
			return true
		}
	}
	return def
}

// putHook, when set (by tests), sees every paragraph drawn, with the
// box it must fit in (unmirrored) and its top.
var putHook func(p para, box image.Rectangle, y float32)

// put draws p at y in the column of box, at its start edge.
func (d *drawer) put(p para, box image.Rectangle, y float32, a align) {
	if putHook != nil {
		putHook(p, box, y)
	}
	b := d.mirror(box)
	d.t.draw(d.dst, p, float32(b.Min.X), float32(b.Dx()), y, a, d.ct.rtl)
}

// photo draws the portrait and its credit.
func (d *drawer) photo() {
	if d.ct.photo == nil {
		return
	}
	r := d.mirror(d.g.photo)
	drawCover(d.dst, r, d.ct.photo)
	// A shade at the foot of the picture, for the credit.
	shadeH := 110
	if d.g.square {
		shadeH = 130
	}
	for y := r.Max.Y - shadeH; y < r.Max.Y; y++ {
		a := uint8(200 * float64(y-(r.Max.Y-shadeH)) / float64(shadeH))
		draw.Draw(d.dst, image.Rect(r.Min.X, y, r.Max.X, y+1), image.NewUniform(color.NRGBA{0x0b, 0x0d, 0x10, a}), image.Point{}, draw.Over)
	}
	if d.ct.credit == "" {
		return
	}
	size := float32(16)
	pad := 20
	if d.g.square {
		size, pad = 19, 28
	}
	ph := d.g.photo
	box := image.Rect(ph.Min.X+pad, ph.Min.Y+pad, ph.Max.X-pad, ph.Max.Y-pad/2-4)
	p := d.fit(d.ct.credit, style{size: size, color: color.RGBA{0xee, 0xee, 0xee, 0xff}}, size*0.8, box.Dx(), 2)
	d.put(p, box, float32(box.Max.Y)-p.height(), alignStart)
}

// band draws the call to action: its kind, label and address, and the
// QR code of its URL.
func (d *drawer) band() {
	a := d.ct.action
	if a == nil {
		return
	}
	d.fill(d.g.band, colAccent)
	qrOK := false
	if mods, err := qrModules(a.URL, d.g.qr.Dx()/2); err != nil {
		slog.Warn("card: no qr code", "err", err)
	} else {
		drawQR(d.dst, d.mirror(d.g.qr), mods, colInk)
		qrOK = true
	}
	box := d.g.bandText
	if !qrOK {
		box.Max.X = d.g.qr.Max.X
	}
	k := float32(1)
	if d.g.square {
		k = 1.3
	}
	// An address too long for the band is cut (…) at a size still
	// readable: the QR code has all of it.
	linkMin := 16 * k
	var kind, label, link para
	for ; ; k *= 0.92 {
		kind = d.fit(d.ct.actionKind, style{size: 19 * k, bold: true, color: colInkSoft}, 14, box.Dx(), 1)
		label = d.fit(a.Label, style{size: 30 * k, bold: true, color: colInk, leading: 1.12}, 18, box.Dx(), 2)
		link = d.fit(d.ct.actionURL, style{size: max(19*k, linkMin), color: colInkSoft}, linkMin, box.Dx(), 1)
		if k < 0.6 || kind.height()+label.height()+link.height()+12*k <= float32(box.Dy()) {
			break
		}
	}
	gap := 6 * k
	total := kind.height() + label.height() + link.height() + 2*gap
	y := float32(box.Min.Y) + (float32(box.Dy())-total)/2
	d.put(kind, box, y, alignStart)
	y += kind.height() + gap
	d.put(label, box, y, alignStart)
	y += label.height() + gap
	d.put(link, box, y, alignStart)
}

// main draws the rule, country, name, status, counter and address.
func (d *drawer) main() {
	box := d.g.main
	g := d.g
	ct := d.ct
	type item struct {
		p      para
		gap    float32 // space above
		rule   bool
		height float32
	}
	var items []item
	var total float32
	k0 := float32(1)
	if g.band.Empty() {
		// No call to action: the rest takes the room, over a thin strip
		// of the accent at the foot.
		k0 = 1.25
		h := d.dst.Bounds().Dy()
		d.fill(image.Rect(0, h-10, d.w, h), colAccent)
	}
	for k := k0; ; k *= 0.93 {
		items = items[:0]
		add := func(s string, st style, minSize float32, lines int, gap float32) {
			if s == "" {
				return
			}
			p := d.fit(s, st, minSize, box.Dx(), lines)
			if len(items) == 0 {
				gap = 0
			}
			items = append(items, item{p: p, gap: gap * k, height: p.height()})
		}
		items = append(items, item{rule: true, height: 6 * k})
		add(ct.country, style{size: g.textSize * k, color: colMuted}, 16, 1, 18)
		add(ct.name, style{size: g.nameSize * k, bold: true, color: colText, leading: 1.08}, min(34, g.nameSize*k), g.nameLines, 6)
		add(ct.status, style{size: g.textSize * k, color: colSoft, leading: 1.25}, 16, 2, 14)
		if g.counter.Empty() {
			add(ct.counterLabel, style{size: g.labelSize * k, bold: true, color: colMuted}, 14, 1, 30)
			add(ct.counterValue, style{size: g.counterSize * k, bold: true, color: colAccent, leading: 1.05}, 28, 1, 0)
		}
		add(ct.page, style{size: g.smallSize * k, color: colMuted}, 14, 1, 28)
		total = 0
		for _, it := range items {
			total += it.gap + it.height
		}
		if total <= float32(box.Dy()) || k < 0.5 {
			break
		}
	}
	d.counter()
	y := float32(box.Min.Y)
	y += (float32(box.Dy()) - total) / 2 // centred in its area
	y = max(y, float32(box.Min.Y))
	for _, it := range items {
		y += it.gap
		if it.rule {
			w := int(56 * it.height / 6)
			d.fill(image.Rect(box.Min.X, int(y), box.Min.X+w, int(y+it.height)), colAccent)
		} else {
			d.put(it.p, box, y, alignStart)
		}
		y += it.height
	}
}

// counter draws the live counter in a column of its own, when the
// geometry has one: its label over its number, centred down the column,
// after a rule.
func (d *drawer) counter() {
	box := d.g.counter
	if box.Empty() {
		return
	}
	label := d.fit(d.ct.counterLabel, style{size: d.g.labelSize, bold: true, color: colMuted}, 14, box.Dx(), 2)
	value := d.fit(d.ct.counterValue, style{size: d.g.counterSize, bold: true, color: colAccent, leading: 1.05}, 32, box.Dx(), 1)
	total := label.height() + 4 + value.height()
	y := float32(box.Min.Y) + (float32(box.Dy())-total)/2
	// A hairline between the columns.
	x := box.Min.X - 28
	d.fill(image.Rect(x, int(y)-12, x+2, int(y+total)+12), color.RGBA{0x33, 0x38, 0x42, 0xff})
	d.put(label, box, y, alignStart)
	d.put(value, box, y+label.height()+4, alignStart)
}
