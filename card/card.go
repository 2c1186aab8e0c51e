// Package card renders a case's share card: a PNG picture people pass
// on, in og (1200×630) or square (1080×1080) size, in any supported
// language and script.
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
	Lang  string     // the card's language; its script and direction follow
	Size  Size       // empty means OG
	Today cases.Date // the day the live counter counts to
	// PublicURL is the base of the public case pages
	// ("https://vigil.example.org"); when set, the card prints its case
	// page's address. Empty prints none.
	PublicURL string
}
