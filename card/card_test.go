package card

import (
	"bytes"
	"flag"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/go-text/typesetting/di"

	"github.com/vigil-bot/vigil/bot/i18n"
	"github.com/vigil-bot/vigil/cases"
)

var update = flag.Bool("update", false, "rewrite the golden PNGs in testdata/golden")

// goldens are the cards compared with testdata/golden/NAME.png.
var goldens = []struct {
	name, id, lang string
	size           Size
}{
	{"en-og", "amira-testova", "en", OG},
	{"az-og", "leman-testeliyeva", "az", OG},
	{"ru-og", "amira-testova", "ru", OG},
	{"fa-og", "dariush-azmayeshi", "fa", OG},
	{"long-og", "long-name", "en", OG},
	{"en-square", "amira-testova", "en", Square},
	{"photo-og", "pavel-fiktiv", "uk", OG},
	{"photo-fa-square", "pavel-fiktiv", "fa", Square},
}

const publicURL = "https://vigil.example.org"

// TestGolden compares the fixtures' cards with their golden PNGs, pixel
// by pixel with a small tolerance (font rasterization may differ in the
// last bit across platforms); -update rewrites them.
func TestGolden(t *testing.T) {
	fx := fixtures(t)
	for _, g := range goldens {
		t.Run(g.name, func(t *testing.T) {
			b, err := Render(fx[g.id], Options{Lang: g.lang, Size: g.size, Today: today, PublicURL: publicURL})
			if err != nil {
				t.Fatal(err)
			}
			got, err := png.Decode(bytes.NewReader(b))
			if err != nil {
				t.Fatal(err)
			}
			w, h := g.size.Dimensions()
			if got.Bounds() != image.Rect(0, 0, w, h) {
				t.Fatalf("bounds %v; want %dx%d", got.Bounds(), w, h)
			}
			path := filepath.Join("testdata", "golden", g.name+".png")
			if *update {
				if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, b, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test ./card -run TestGolden -update)", err)
			}
			want, err := png.Decode(bytes.NewReader(data))
			if err != nil {
				t.Fatal(err)
			}
			if n, total := differing(got, want); n*2000 > total { // 0.05%
				out := filepath.Join(t.TempDir(), g.name+".png")
				os.WriteFile(out, b, 0o644)
				t.Errorf("%d of %d pixels differ from %s (got: %s)", n, total, path, out)
			}
		})
	}
}

// differing counts the pixels whose colour differs by more than a little.
func differing(a, b image.Image) (n, total int) {
	if a.Bounds() != b.Bounds() {
		return 1, 1
	}
	r := a.Bounds()
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			r1, g1, b1, _ := a.At(x, y).RGBA()
			r2, g2, b2, _ := b.At(x, y).RGBA()
			if d := max(absDiff(r1, r2), absDiff(g1, g2), absDiff(b1, b2)); d > 12<<8 {
				n++
			}
		}
	}
	return n, r.Dx() * r.Dy()
}

func absDiff(a, b uint32) uint32 {
	if a > b {
		return a - b
	}
	return b - a
}

// cardTexts returns every text the card of c shows in lang.
func cardTexts(c *cases.Case, lang string) []string {
	ct := newContent(c, Options{Lang: lang, Today: today, PublicURL: publicURL})
	out := []string{ct.name, ct.country, ct.status, ct.counterLabel, ct.counterValue, ct.actionKind, ct.actionURL, ct.credit, ct.page}
	if ct.action != nil {
		out = append(out, ct.action.Label)
	}
	return out
}

// labelTexts returns every catalogue text a card may show in lang: the
// counter's labels and numbers, each status with a date of each
// precision and month, each kind of action, the photo label.
func labelTexts(lang string) []string {
	out := []string{i18n.T(lang, "sharecard.hunger_strike"), i18n.T(lang, "sharecard.in_detention"),
		i18n.T(lang, "card.photo") + ": ©", "…"}
	for _, n := range []int{0, 1, 2, 5, 11, 21, 22, 25, 101, 1234567890} {
		out = append(out, i18n.F(lang, "sharecard.strike_day", i18n.Args{"Day": n}), i18n.N(lang, "sharecard.detention_days", n, nil))
	}
	for _, st := range cases.Statuses {
		for m := 1; m <= 12; m++ {
			for _, d := range []string{"2026", fmt.Sprintf("2026-%02d", m), fmt.Sprintf("2026-%02d-28", m)} {
				out = append(out, i18n.F(lang, "card.status", i18n.Args{"Status": i18n.Status(lang, st), "Date": i18n.Date(lang, cases.MustParseDate(d))}))
			}
		}
	}
	for _, k := range cases.ActionKinds {
		out = append(out, i18n.ActionKind(lang, k))
	}
	// The letters and marks of the languages' names and texts.
	out = append(out, "Əə Ğğ Iı İi Öö Şş Üü Çç", "Ўў Іі Її Єє Ґґ Ёё ъ ’", "نیم‌فاصله می‌گذرد گ چ پ ژ ک ی ۰۱۲۳۴۵۶۷۸۹ ، ؛ ؟ « »",
		"© – — … « » „ “ ” № ½ ×", i18n.Isolate("fa", "Saleh Rustamov"))
	return out
}

// TestGlyphCoverage: every glyph of every name and label of the fixtures,
// and of every card label in all seven catalogues, is in the embedded
// fonts: none is drawn as .notdef (glyph 0).
func TestGlyphCoverage(t *testing.T) {
	ts, err := getTypesetter()
	if err != nil {
		t.Fatal(err)
	}
	defer putTypesetter(ts)
	fx := fixtures(t)
	if len(i18n.Languages) != 7 {
		t.Fatalf("i18n.Languages = %v; want the seven", i18n.Languages)
	}
	checked := 0
	for _, lang := range i18n.Languages {
		texts := labelTexts(lang)
		for _, c := range fx {
			texts = append(texts, cardTexts(c, lang)...)
		}
		for _, s := range texts {
			if s == "" {
				continue
			}
			for _, bold := range []bool{false, true} {
				for _, run := range ts.shape([]rune(s), style{size: 40, bold: bold}, i18n.RTL(lang), lang) {
					for _, g := range run.Glyphs {
						checked++
						if g.GlyphID == 0 {
							r := []rune(s)[g.ClusterIndex]
							t.Errorf("%s: %q: no glyph for %q (U+%04X)", lang, s, r, r)
						}
					}
				}
			}
		}
	}
	// The scripts the fixtures need are really there.
	all := strings.Join(cardTexts(fx["leman-testeliyeva"], "az"), " ") + strings.Join(cardTexts(fx["pavel-fiktiv"], "be"), " ") +
		strings.Join(cardTexts(fx["dariush-azmayeshi"], "fa"), " ")
	for _, r := range "əЁўشی۲" {
		if r != 'Ё' && !strings.ContainsRune(all, r) {
			t.Errorf("the fixtures' texts lack %q", r)
		}
	}
	if checked < 10000 {
		t.Errorf("checked %d glyphs; want the whole catalogue", checked)
	}
}

// TestPersianShaping: Persian is shaped (a joined letter's glyph is not
// its isolated form) and laid out right to left, with a Latin value in
// it kept left to right and in its place.
func TestPersianShaping(t *testing.T) {
	ts, err := getTypesetter()
	if err != nil {
		t.Fatal(err)
	}
	defer putTypesetter(ts)
	word := []rune("داریوش آزمایشی")
	runs := ts.shape(word, style{size: 40}, true, "fa")
	if len(runs) != 1 {
		t.Fatalf("%d runs; want 1", len(runs))
	}
	face := runs[0].Face
	if _, ok := face.NominalGlyph('ش'); !ok {
		t.Fatal("the Persian run is not in the Arabic font")
	}
	// ی at the end of آزمایشی follows ش, which joins: its final form.
	// م in the middle of آزمایشی: its medial form.
	joined := 0
	for _, g := range runs[0].Glyphs {
		r := word[g.ClusterIndex]
		iso, _ := face.NominalGlyph(r)
		if g.GlyphID != iso {
			joined++
		}
	}
	if joined < 6 {
		t.Errorf("%d of %d glyphs differ from the isolated forms; want most (shaped)", joined, len(runs[0].Glyphs))
	}
	// HarfBuzz gives a right-to-left run's glyphs in visual order: the
	// first (leftmost) is the last letter.
	gl := runs[0].Glyphs
	if gl[0].ClusterIndex <= gl[len(gl)-1].ClusterIndex {
		t.Errorf("glyph clusters %d … %d; want decreasing left to right", gl[0].ClusterIndex, gl[len(gl)-1].ClusterIndex)
	}

	// A Latin name between Persian words, isolated as i18n does it.
	text := "نامه به " + i18n.Isolate("fa", "Saleh Rustamov") + " بنویسید"
	p, _ := ts.layout(text, style{size: 40}, 2000, 0, true, "fa")
	if len(p.lines) != 1 {
		t.Fatalf("%d lines; want 1", len(p.lines))
	}
	var order []string // the runs, left to right
	for _, r := range p.lines[0].runs {
		s := strings.TrimSpace(strings.Trim(string([]rune(text)[r.Runes.Offset:r.Runes.Offset+r.Runes.Count]), "\u2068\u2069 "))
		if s != "" {
			order = append(order, s)
		}
	}
	want := []string{"بنویسید", "Saleh Rustamov", "نامه به"}
	if !slices.Equal(order, want) {
		t.Errorf("runs left to right %q; want %q", order, want)
	}
	for _, r := range p.lines[0].runs {
		s := string([]rune(text)[r.Runes.Offset : r.Runes.Offset+r.Runes.Count])
		if strings.Contains(s, "Saleh") && r.Direction != di.DirectionLTR {
			t.Errorf("the Latin run is %v; want left to right", r.Direction)
		}
	}
}

// TestRightToLeftLayout: a Persian card mirrors the layout: the name
// ends at the right margin, the QR code is at the left.
func TestRightToLeftLayout(t *testing.T) {
	fx := fixtures(t)
	img := func(lang string) *image.RGBA {
		m, err := renderImage(fx["dariush-azmayeshi"], Options{Lang: lang, Today: today})
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	// The QR tile is white: its side of the band.
	white := func(m *image.RGBA, x, y int) bool { c := m.RGBAAt(x, y); return c.R == 255 && c.G == 255 && c.B == 255 }
	fa, en := img("fa"), img("en")
	if !white(fa, 60, 540) || white(fa, 1140, 540) {
		t.Error("fa: the QR code is not at the left of the band")
	}
	if !white(en, 1140, 540) || white(en, 60, 540) {
		t.Error("en: the QR code is not at the right of the band")
	}
	// The accent rule above the country: right in fa, left in en.
	ink := func(m *image.RGBA, x0, x1 int) bool {
		for x := x0; x < x1; x++ {
			for y := 0; y < 300; y++ {
				if m.RGBAAt(x, y) == colAccent {
					return true
				}
			}
		}
		return false
	}
	if !ink(fa, 1100, 1144) || ink(fa, 56, 100) {
		t.Error("fa: the accent rule is not at the right")
	}
	if !ink(en, 56, 100) {
		t.Error("en: the accent rule is not at the left")
	}
}

// TestCounter: the live counter is the day of an ongoing strike, else
// the days since a day-precise arrest of a person held; none otherwise.
func TestCounter(t *testing.T) {
	fx := fixtures(t)
	for _, tc := range []struct {
		id, lang, label, value string
	}{
		{"amira-testova", "en", "In detention", "991 days"},
		{"leman-testeliyeva", "az", "Aclıq aksiyası", "43-cü gün"}, // arrested 2026-10: month only, but on strike
		{"dariush-azmayeshi", "fa", "اعتصاب غذا", "روز ۲۲"},
		{"amira-testova", "ru", "Под стражей", "991 день"},
		{"nora-released", "en", "", ""}, // released
	} {
		ct := newContent(fx[tc.id], Options{Lang: tc.lang, Today: today})
		if ct.counterLabel != tc.label || ct.counterValue != tc.value {
			t.Errorf("%s %s: counter %q %q; want %q %q", tc.id, tc.lang, ct.counterLabel, ct.counterValue, tc.label, tc.value)
		}
	}
	c := *fx["amira-testova"]
	c.Arrested = cases.MustParseDate("2024-03")
	if ct := newContent(&c, Options{Lang: "en", Today: today}); ct.counterValue != "" {
		t.Errorf("a month-precise arrest: counter %q; want none", ct.counterValue)
	}
	if ct := newContent(fx["nora-released"], Options{Lang: "en", Today: today}); ct.action != nil {
		t.Error("a released person's card has a call to action")
	}
}

// TestMissingPhoto: an unreadable photo file leaves the photo out; the
// card is the one without a photo.
func TestMissingPhoto(t *testing.T) {
	fx := fixtures(t)
	c := *fx["pavel-fiktiv"]
	ph := *c.Photo
	ph.File = filepath.Join(t.TempDir(), "gone.jpg")
	c.Photo = &ph
	got, err := Render(&c, Options{Lang: "en", Today: today})
	if err != nil {
		t.Fatalf("Render with a missing photo: %v", err)
	}
	c.Photo = nil
	want, err := Render(&c, Options{Lang: "en", Today: today})
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Error("the card with a missing photo differs from the card without one")
	}
	// A file that is no picture: likewise.
	bad := filepath.Join(t.TempDir(), "bad.jpg")
	os.WriteFile(bad, []byte("not a jpeg"), 0o644)
	ph.File = bad
	c.Photo = &ph
	if got, err := Render(&c, Options{Lang: "en", Today: today}); err != nil || !bytes.Equal(got, want) {
		t.Errorf("a corrupt photo: err %v, same card %v; want the card without a photo", err, bytes.Equal(got, want))
	}
	// With the photo, the card is another.
	withPhoto, err := Render(fx["pavel-fiktiv"], Options{Lang: "en", Today: today})
	if err != nil || bytes.Equal(withPhoto, want) {
		t.Errorf("the card with its photo: err %v, same as without %v", err, bytes.Equal(withPhoto, want))
	}
	// A PNG photo is drawn like the JPEG.
	jpg, err := loadPhoto(fx["pavel-fiktiv"].Photo.File)
	if err != nil {
		t.Fatal(err)
	}
	var pb bytes.Buffer
	if err := png.Encode(&pb, jpg); err != nil {
		t.Fatal(err)
	}
	ph.File = filepath.Join(t.TempDir(), "portrait.png")
	os.WriteFile(ph.File, pb.Bytes(), 0o644)
	c.Photo = &ph
	m1, err1 := renderImage(&c, Options{Lang: "en", Today: today})
	m2, err2 := renderImage(fx["pavel-fiktiv"], Options{Lang: "en", Today: today})
	if err1 != nil || err2 != nil {
		t.Fatal(err1, err2)
	}
	if n, _ := differing(m1, m2); n > 0 {
		t.Errorf("the card with the photo as PNG differs from the JPEG's in %d pixels", n)
	}
}

func TestOptions(t *testing.T) {
	fx := fixtures(t)
	if _, err := Render(fx["amira-testova"], Options{Lang: "xx"}); err == nil {
		t.Error("an unsupported language: no error")
	}
	if _, err := Render(fx["amira-testova"], Options{Size: "huge"}); err == nil {
		t.Error("an unknown size: no error")
	}
	b, err := Render(fx["amira-testova"], Options{Size: Square})
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := png.DecodeConfig(bytes.NewReader(b))
	if err != nil || cfg.Width != 1080 || cfg.Height != 1080 {
		t.Errorf("square: %+v, %v; want 1080x1080", cfg, err)
	}
}

// TestCacheOnce: concurrent callers of one card render it once and get
// the same bytes; another day is another card.
func TestCacheOnce(t *testing.T) {
	fx := fixtures(t)
	k := NewCache(8)
	o := Options{Lang: "fa", Today: today}
	var wg sync.WaitGroup
	results := make([][]byte, 16)
	for i := range results {
		wg.Add(1)
		go func() {
			defer wg.Done()
			b, err := k.PNG(fx["dariush-azmayeshi"], o)
			if err != nil {
				t.Error(err)
			}
			results[i] = b
		}()
	}
	wg.Wait()
	if k.renders != 1 {
		t.Errorf("%d renders for one key; want 1", k.renders)
	}
	for _, b := range results[1:] {
		if !bytes.Equal(b, results[0]) {
			t.Fatal("callers of one key got different cards")
		}
	}
	if _, err := k.PNG(fx["dariush-azmayeshi"], o); err != nil || k.renders != 1 {
		t.Errorf("a cached card: err %v, %d renders; want 1", err, k.renders)
	}
	o.Today = cases.MustParseDate("2026-12-02")
	if _, err := k.PNG(fx["dariush-azmayeshi"], o); err != nil || k.renders != 2 {
		t.Errorf("the next day: err %v, %d renders; want 2", err, k.renders)
	}
	// A changed case is another card.
	c := *fx["dariush-azmayeshi"]
	c.Status = cases.Released
	if _, err := k.PNG(&c, o); err != nil || k.renders != 3 {
		t.Errorf("a changed case: err %v, %d renders; want 3", err, k.renders)
	}
	if _, err := k.PNG(fx["dariush-azmayeshi"], Options{Lang: "xx"}); err == nil {
		t.Error("an unsupported language: no error")
	}
}

// TestCacheBounded: the cache holds at most its size, dropping the least
// recently used card.
func TestCacheBounded(t *testing.T) {
	fx := fixtures(t)
	k := NewCache(2)
	get := func(lang string) {
		t.Helper()
		if _, err := k.PNG(fx["amira-testova"], Options{Lang: lang, Today: today}); err != nil {
			t.Fatal(err)
		}
	}
	get("en")
	get("de")
	get("en") // en is now the most recent
	get("ru") // drops de
	if k.Len() != 2 || k.renders != 3 {
		t.Fatalf("len %d, %d renders; want 2, 3", k.Len(), k.renders)
	}
	get("en")
	if k.renders != 3 {
		t.Errorf("en was dropped (%d renders); want it kept", k.renders)
	}
	get("de")
	if k.renders != 4 || k.Len() != 2 {
		t.Errorf("de: %d renders, len %d; want 4 (rendered again), 2", k.renders, k.Len())
	}
}

// TestBaseDirection: a text's paragraph direction is that of its first
// letter outside isolates, else the card's.
func TestBaseDirection(t *testing.T) {
	for _, tc := range []struct {
		s        string
		def, rtl bool
	}{
		{"example.org/a", true, false},
		{"داریوش", false, true},
		{i18n.Isolate("fa", "Saleh") + " نامه", false, true},
		{"۱۲۳ (2026)", true, true},
		{"123", false, false},
		{"Sign: امضا", true, false},
	} {
		if got := baseRTL(tc.s, tc.def); got != tc.rtl {
			t.Errorf("baseRTL(%q, %v) = %v; want %v", tc.s, tc.def, got, tc.rtl)
		}
	}
}

// TestConcurrentRender: cards rendered at once (typesetters from the
// pool, the shared fonts) are the cards rendered one by one.
func TestConcurrentRender(t *testing.T) {
	fx := fixtures(t)
	type job struct {
		id, lang string
		size     Size
	}
	var jobs []job
	for _, lang := range i18n.Languages {
		jobs = append(jobs, job{"dariush-azmayeshi", lang, OG}, job{"pavel-fiktiv", lang, Square})
	}
	want := make([][]byte, len(jobs))
	for i, j := range jobs {
		b, err := Render(fx[j.id], Options{Lang: j.lang, Size: j.size, Today: today})
		if err != nil {
			t.Fatal(err)
		}
		want[i] = b
	}
	var wg sync.WaitGroup
	for i, j := range jobs {
		wg.Go(func() {
			b, err := Render(fx[j.id], Options{Lang: j.lang, Size: j.size, Today: today})
			if err != nil || !bytes.Equal(b, want[i]) {
				t.Errorf("%s %s %s at once: err %v, same card %v", j.id, j.lang, j.size, err, bytes.Equal(b, want[i]))
			}
		})
	}
	wg.Wait()
}

// TestLargePhoto: a photo of more pixels than maxPhotoPixels is left out.
func TestLargePhoto(t *testing.T) {
	path := filepath.Join(t.TempDir(), "big.png")
	var buf bytes.Buffer
	if err := png.Encode(&buf, image.NewGray(image.Rect(0, 0, 3000, 2001))); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(path, buf.Bytes(), 0o644)
	if _, err := loadPhoto(path); err == nil || !strings.Contains(err.Error(), "3000×2001 pixels") {
		t.Errorf("loadPhoto of 3000×2001: %v; want an error", err)
	}
}

// TestQRCode: the card's QR code is the code of its first live action's
// URL, each module a crisp square of whole pixels (pure ink or pure
// white at its centre and corners), inside its quiet zone.
func TestQRCode(t *testing.T) {
	fx := fixtures(t)
	for _, tc := range []struct {
		id, lang string
		size     Size
	}{{"amira-testova", "en", OG}, {"dariush-azmayeshi", "fa", Square}, {"long-name", "en", OG}} {
		c := fx[tc.id]
		img, err := renderImage(c, Options{Lang: tc.lang, Size: tc.size, Today: today})
		if err != nil {
			t.Fatal(err)
		}
		ct := newContent(c, Options{Lang: tc.lang, Today: today})
		g := geometryFor(tc.size, ct)
		box := (&drawer{ct: ct, w: img.Bounds().Dx()}).mirror(g.qr)
		mods, err := qrModules(c.LiveActions(today)[0].URL, g.qr.Dx()/2)
		if err != nil {
			t.Fatal(err)
		}
		n := len(mods)
		scale := box.Dx() / n
		if scale < 2 {
			t.Fatalf("%s: modules of %d px; want at least 2", tc.id, scale)
		}
		x0, y0 := box.Min.X+(box.Dx()-n*scale)/2, box.Min.Y+(box.Dy()-n*scale)/2
		for y, row := range mods {
			for x, on := range row {
				want := color.RGBA{255, 255, 255, 255}
				if on {
					want = colInk
				}
				for _, p := range [][2]int{{scale / 2, scale / 2}, {0, 0}, {scale - 1, scale - 1}} {
					if got := img.RGBAAt(x0+x*scale+p[0], y0+y*scale+p[1]); got != want {
						t.Fatalf("%s: module (%d, %d) pixel %v; want %v", tc.id, x, y, got, want)
					}
				}
			}
		}
		// The quiet zone: the bitmap's border of four modules is white.
		for i := range n {
			if mods[0][i] || mods[i][0] || mods[3][i] || mods[n-1][i] {
				t.Fatalf("%s: no quiet zone in the bitmap", tc.id)
			}
		}
	}
}

// TestFits: on every fixture's card, in every language and size, and on
// cards of extreme texts, each paragraph drawn fits its box, across and
// down: texts wrap, shrink or are cut with an ellipsis, never overflow.
func TestFits(t *testing.T) {
	fx := fixtures(t)
	var all []*cases.Case
	for _, c := range fx {
		all = append(all, c)
	}
	// Extremes: one endless word, a long Persian name, long everything.
	long := *fx["long-name"]
	long.Name = strings.Repeat("Konstantinopolskaya", 6)
	long.Names = map[string]string{"fa": strings.Repeat("داریوش آزمایشی‌نژاد ", 8)}
	long.Actions = []cases.Action{{Kind: "read", Label: strings.Repeat("W", 80), URL: "https://example.org/" + strings.Repeat("x", 300)}}
	all = append(all, &long)
	photo := *fx["pavel-fiktiv"]
	photo.Name, photo.Names = long.Name, long.Names
	ph := *photo.Photo
	ph.Credit = strings.Repeat("Example Family Archive ", 8)
	photo.Photo = &ph
	all = append(all, &photo)

	var bad []string
	var current string
	putHook = func(p para, box image.Rectangle, y float32) {
		for _, l := range p.lines {
			if l.width > float32(box.Dx())+0.5 {
				bad = append(bad, fmt.Sprintf("%s: a line %.1f px wide in a box %d wide", current, l.width, box.Dx()))
			}
		}
		if y < float32(box.Min.Y)-0.5 || y+p.height() > float32(box.Max.Y)+0.5 {
			bad = append(bad, fmt.Sprintf("%s: a paragraph from %.1f to %.1f in a box from %d to %d", current, y, y+p.height(), box.Min.Y, box.Max.Y))
		}
	}
	defer func() { putHook = nil }()
	for _, c := range all {
		for _, lang := range i18n.Languages {
			for _, s := range []Size{OG, Square} {
				current = c.ID + " " + lang + " " + string(s)
				if _, err := renderImage(c, Options{Lang: lang, Size: s, Today: today, PublicURL: publicURL}); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	for i, b := range bad {
		if i == 20 {
			t.Errorf("… and %d more", len(bad)-20)
			break
		}
		t.Error(b)
	}
}
