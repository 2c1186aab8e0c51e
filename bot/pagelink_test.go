package bot

import (
	"strings"
	"testing"

	"github.com/vigil-bot/vigil/cases"
)

// TestCardPageURL: with a public URL the card links its case's page in
// its language, in the console's text too; without, it links nothing.
func TestCardPageURL(t *testing.T) {
	jonas := parseOne(t, fictionalCase)
	today := cases.MustParseDate("2026-11-27")
	for _, tt := range []struct{ lang, base, url, line string }{
		{"en", "https://vigil.example.org", "https://vigil.example.org/cases/jonas-fiktiv?lang=en", "More: https://vigil.example.org/cases/jonas-fiktiv?lang=en"},
		{"ru", "https://vigil.example.org/", "https://vigil.example.org/cases/jonas-fiktiv?lang=ru", "Подробнее: https://vigil.example.org/cases/jonas-fiktiv?lang=ru"},
		{"fa", "https://vigil.example.org", "https://vigil.example.org/cases/jonas-fiktiv?lang=fa", "بیشتر: \u2068https://vigil.example.org/cases/jonas-fiktiv?lang=fa\u2069"},
	} {
		c := NewCard(jonas, CardOptions{Lang: tt.lang, Today: today, PublicURL: tt.base})
		if c.PageURL != tt.url {
			t.Errorf("%s: PageURL %q; want %q", tt.lang, c.PageURL, tt.url)
		}
		if !strings.Contains(c.Text(), tt.line) {
			t.Errorf("%s: text lacks %q:\n%s", tt.lang, tt.line, c.Text())
		}
	}
	if c := NewCard(jonas, CardOptions{Lang: "en", Today: today}); c.PageURL != "" || strings.Contains(c.Text(), "More:") {
		t.Errorf("without a public URL: PageURL %q", c.PageURL)
	}
}
