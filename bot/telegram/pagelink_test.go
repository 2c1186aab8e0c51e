package telegram

import (
	"strings"
	"testing"
)

// TestCardLinksItsPage: with http.public_url set, a card ends with a
// link to its case's public page, in the card's language.
func TestCardLinksItsPage(t *testing.T) {
	const page = "https://vigil.example.org/cases/amira-testova?lang=en"
	c := testCard("Short summary.")
	c.PageURL = page
	first, _ := compose("", "", false, c, nil)
	html, plain := checkMessage(t, "first", first)
	if !strings.Contains(first.html, `More: <a href="`+page+`">`+page+`</a>`) {
		t.Errorf("HTML lacks the page link:\n%s", first.html)
	}
	if !strings.Contains(html, "More: "+page) || !strings.Contains(plain, "More: "+page) {
		t.Errorf("text lacks the page link:\n%s\n%s", html, plain)
	}
	c.PageURL = ""
	if first, _ := compose("", "", false, c, nil); strings.Contains(first.html, "More:") {
		t.Errorf("a card without a page links one:\n%s", first.html)
	}
}
