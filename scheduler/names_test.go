package scheduler

import (
	"strings"
	"testing"
	"time"

	"github.com/vigil-bot/vigil/bot/i18n"
	"github.com/vigil-bot/vigil/cases"
	"github.com/vigil-bot/vigil/store"
)

// TestPlanNamesPerLanguage: reminder posts, on their own and in a digest,
// name the person as the case file writes the name in the channel's
// language, and by name where it gives none.
func TestPlanNamesPerLanguage(t *testing.T) {
	c := mustCase(t, "id: lale-testqizi\nname: Lale Testqizi\nnames: {de: Lale Testkysy, ru: Лале Тестгызы, fa: لاله تستقیزی}\n"+
		"country: AZ\nstatus: imprisoned\nstatus_as_of: 2026-03\nhunger_strikes: [{started: 2026-03-27}]\n")
	other := mustCase(t, "id: amira-testova\nname: Amira Testova\ncountry: AZ\nstatus: imprisoned\nstatus_as_of: 2026-03\nhunger_strikes: [{started: 2026-03-20}]\n")
	langs := append([]string{}, i18n.Languages...)
	for _, l := range []string{"ru", "fa"} {
		if !i18n.Supported(l) {
			langs = append(langs, l) // a card in ru or fa without its catalogue still names the person so
		}
	}
	want := map[string]string{"en": "Lale Testqizi", "de": "Lale Testkysy", "ru": "Лале Тестгызы", "fa": "لاله تستقیزی",
		"uk": "Lale Testqizi", "be": "Lale Testqizi", "az": "Lale Testqizi"}
	for _, lang := range langs {
		for _, limit := range []int{3, 1} { // alone, and in a digest
			occ := Plan([]*cases.Case{c, other}, []store.Channel{channel("-1", "UTC", "10:00", lang, "AZ")},
				PlanOptions{From: d("2026-03-28"), Days: 1, StaleAfter: 365 * 24 * time.Hour, DailyLimit: limit})
			var text string
			for _, o := range occ {
				text += o.Text + "\n"
				if o.Digest != nil {
					text += o.Digest.Text() + "\n"
				}
			}
			if !strings.Contains(text, want[lang]) {
				t.Errorf("%s (limit %d): posts %q; want the name %q", lang, limit, text, want[lang])
			}
			if want[lang] != "Lale Testqizi" && strings.Contains(text, "Lale Testqizi") {
				t.Errorf("%s (limit %d): posts %q use the fallback name", lang, limit, text)
			}
		}
	}
}
