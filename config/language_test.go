package config

import (
	"strings"
	"testing"

	"github.com/vigil-bot/vigil/bot/i18n"
)

// TestLanguageSupported: language: takes every language vigil speaks and
// refuses others, naming the ones it speaks.
func TestLanguageSupported(t *testing.T) {
	for _, lang := range i18n.Languages {
		c, err := Load(write(t, "language: "+lang), env(nil))
		if err != nil || c.Language != lang {
			t.Errorf("language: %s: %+v, %v; want it accepted", lang, c, err)
		}
	}
	spoken := strings.Join(i18n.Languages, ", ")
	for _, lang := range []string{"fr", "tr", "es"} {
		_, err := Load(write(t, "language: "+lang), env(nil))
		if err == nil || !strings.Contains(err.Error(), `config: language: "`+lang+`" is not a language vigil speaks (`+spoken+`)`) {
			t.Errorf("language: %s: %v; want a refusal naming %s", lang, err, spoken)
		}
	}
	for _, lang := range []string{"EN", "e", "english"} {
		if err := CheckSupported(lang); err == nil || !strings.Contains(err.Error(), "two-letter") {
			t.Errorf("CheckSupported(%q) = %v; want the syntax error", lang, err)
		}
	}
}

func TestLanguageSupportedAll(t *testing.T) {
	for _, lang := range []string{"en", "de", "ru", "uk", "be", "az", "fa"} {
		if err := CheckSupported(lang); err != nil {
			t.Errorf("CheckSupported(%s) = %v; want nil", lang, err)
		}
	}
}
