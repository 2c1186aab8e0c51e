package card

import (
	"bytes"
	_ "embed"
	"fmt"
	"sync"
	"unicode"

	"github.com/go-text/typesetting/font"
	"github.com/go-text/typesetting/language"
)

// The embedded fonts: Noto Sans for Latin (with Azerbaijani ə) and
// Cyrillic, Noto Sans Arabic for Persian, each in a regular and a bold
// weight, under the SIL Open Font License (fonts/OFL.txt).
var (
	//go:embed fonts/NotoSans-Regular.ttf
	notoSansRegular []byte
	//go:embed fonts/NotoSans-Bold.ttf
	notoSansBold []byte
	//go:embed fonts/NotoSansArabic-Regular.ttf
	notoArabicRegular []byte
	//go:embed fonts/NotoSansArabic-Bold.ttf
	notoArabicBold []byte
)

// fontSet is the parsed fonts, shared by every render: a *font.Font is
// safe for concurrent use (a *font.Face is not; each typesetter makes
// its own).
type fontSet struct {
	latin, arabic [2]*font.Font // [regular, bold]
}

var (
	fontsOnce sync.Once
	fontsVal  *fontSet
	fontsErr  error
)

// loadFonts parses the embedded fonts, once.
func loadFonts() (*fontSet, error) {
	fontsOnce.Do(func() {
		fs := &fontSet{}
		for _, f := range []struct {
			dst  **font.Font
			data []byte
			name string
		}{
			{&fs.latin[0], notoSansRegular, "NotoSans-Regular"},
			{&fs.latin[1], notoSansBold, "NotoSans-Bold"},
			{&fs.arabic[0], notoArabicRegular, "NotoSansArabic-Regular"},
			{&fs.arabic[1], notoArabicBold, "NotoSansArabic-Bold"},
		} {
			face, err := font.ParseTTF(bytes.NewReader(f.data))
			if err != nil {
				fontsErr = fmt.Errorf("card: parse font %s: %w", f.name, err)
				return
			}
			*f.dst = face.Font
		}
		fontsVal = fs
	})
	return fontsVal, fontsErr
}

// fontmap picks a face for each run of text (shaping.FontmapScript): the
// Arabic font for Arabic script, and for the neutral characters
// (digits, spaces, punctuation) of an Arabic run, so that a Persian
// comma or bracket matches the letters around it; the Latin font for
// everything else, falling back to whichever font has the character.
type fontmap struct {
	latin, arabic *font.Face
	script        language.Script
}

// SetScript notes the script of the runes ResolveFace is asked about next.
func (m *fontmap) SetScript(s language.Script) { m.script = s }

// ResolveFace returns the face to draw r in.
func (m *fontmap) ResolveFace(r rune) *font.Face {
	first, second := m.latin, m.arabic
	if m.script == language.Arabic || unicode.Is(unicode.Arabic, r) {
		first, second = m.arabic, m.latin
	}
	if _, ok := first.NominalGlyph(r); ok {
		return first
	}
	if _, ok := second.NominalGlyph(r); ok {
		return second
	}
	return m.latin
}
