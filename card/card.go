// Package card renders a case's share card: a PNG picture people pass
// on, in og (1200×630) or square (1080×1080) size, in any supported
// language and script. Render draws one; a Cache keeps them, rendering
// each card once however many callers ask for it at once.
//
// It is pure Go: the embedded Noto fonts (fonts/, SIL Open Font License)
// are shaped with go-text/typesetting's HarfBuzz port, with the Unicode
// bidi algorithm and line breaking, and their outlines rasterized with
// golang.org/x/image/vector; a Persian card is laid out right to left,
// mirrored.
//
// card may import cases and bot/i18n; it must not import bot, store, a
// platform package or the scheduler.
package card

import (
	"fmt"

	"github.com/vigil-bot/vigil/cases"
)

// Size is a share card's format.
type Size string

// The share card sizes.
const (
	OG     Size = "og"     // 1200×630, the OpenGraph link-preview size
	Square Size = "square" // 1080×1080
)

// ParseSize returns the size named s; empty means OG.
func ParseSize(s string) (Size, error) {
	switch Size(s) {
	case "", OG:
		return OG, nil
	case Square:
		return Square, nil
	}
	return "", fmt.Errorf("card: unknown size %q (want og or square)", s)
}

// Options are what a card is rendered for.
type Options struct {
	Lang  string     // the card's language; its script and direction follow; empty means English
	Size  Size       // empty means OG
	Today cases.Date // the day the live counter counts to; zero means today (UTC)
	// PublicURL is the base of the public case pages
	// ("https://vigil.example.org"); when set, the card prints its case
	// page's address. Empty prints none.
	PublicURL string
}
