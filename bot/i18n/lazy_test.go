package i18n

import (
	"slices"
	"strings"
	"testing"
	"testing/fstest"
)

// TestCataloguesLoadOnFirstUse checks that a catalogue parses a
// language's file only when a message in that language is asked for,
// English first as its fallback, and answers as the catalogue loaded
// whole does.
func TestCataloguesLoadOnFirstUse(t *testing.T) {
	c, err := open(locales)
	if err != nil {
		t.Fatal(err)
	}
	if got := c.loaded(); len(got) != 0 {
		t.Fatalf("loaded after open = %v; want none", got)
	}
	if want := []string{"en", "az", "be", "de", "fa", "ru", "uk"}; !slices.Equal(c.languages, want) {
		t.Errorf("languages = %v; want %v", c.languages, want)
	}
	whole, err := load(locales)
	if err != nil {
		t.Fatal(err)
	}
	if got := whole.loaded(); !slices.Equal(got, whole.languages) {
		t.Errorf("load loaded %v; want all of %v", got, whole.languages)
	}
	steps := []struct {
		lang, id string
		want     []string // loaded after the message
	}{
		{"de", "card.arrested", []string{"en", "de"}},
		{"xx", "card.arrested", []string{"en", "de"}}, // no catalogue: English
		{"fa", "status.detained", []string{"en", "de", "fa"}},
		{"de", "no.such.message", []string{"en", "de", "fa"}},
	}
	for _, s := range steps {
		got, want := c.localize(s.lang, s.id, nil, nil), whole.localize(s.lang, s.id, nil, nil)
		if got != want {
			t.Errorf("localize(%s, %s) = %q; the whole catalogue says %q", s.lang, s.id, got, want)
		}
		if l := c.loaded(); !slices.Equal(l, s.want) {
			t.Errorf("after localize(%s, %s) loaded = %v; want %v", s.lang, s.id, l, s.want)
		}
	}
	// Every message of every language answers as the whole catalogue
	// does, counted ones too.
	for _, lang := range whole.languages {
		for id := range whole.messages(lang) {
			for _, n := range []int{1, 2, 5, 21} {
				if got, want := c.count(lang, id, n, nil), whole.count(lang, id, n, nil); got != want {
					t.Errorf("count(%s, %s, %d) = %q; the whole catalogue says %q", lang, id, n, got, want)
				}
			}
		}
	}
	if got := c.loaded(); !slices.Equal(got, c.languages) {
		t.Errorf("loaded after every language = %v; want %v", got, c.languages)
	}
}

// TestLazyLoadReportsABadFile checks that a malformed file, which open
// does not read, fails its language's first use naming the file, while
// other languages work, and that loadAll reports it.
func TestLazyLoadReportsABadFile(t *testing.T) {
	fsys := fstest.MapFS{"locales/en.yaml": {Data: enYAML(t)}, "locales/de.yaml": {Data: []byte("card.arrested: [Festgenommen\n")}}
	c, err := open(fsys)
	if err != nil {
		t.Fatalf("open = %v; want the file listed, not parsed", err)
	}
	if got := c.localize("en", "card.arrested", Args{"Date": "2021"}, nil); got == "card.arrested" {
		t.Errorf("English lacks card.arrested: %q", got)
	}
	if _, err := c.entry("de"); err == nil || !strings.Contains(err.Error(), "locales/de.yaml") {
		t.Errorf("entry(de) = %v; want an error naming locales/de.yaml", err)
	}
	func() {
		defer func() {
			if r := recover(); r == nil || !strings.Contains(r.(error).Error(), "locales/de.yaml") {
				t.Errorf("localize(de) recovered %v; want a panic naming locales/de.yaml", r)
			}
		}()
		c.localize("de", "card.arrested", nil, nil)
	}()
	if err := c.loadAll(); err == nil || !strings.Contains(err.Error(), "locales/de.yaml") {
		t.Errorf("loadAll = %v; want an error naming locales/de.yaml", err)
	}
}
