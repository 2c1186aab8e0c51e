package i18n

import (
	"maps"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/vigil-bot/vigil/cases"
)

// TestTypographyPerLanguage checks every message of the Cyrillic and
// Persian catalogues for the typographic conventions of its language:
// «ёлочки» rather than straight or English quotes in ru, uk and be; in
// fa Persian ی and ک (never Arabic ي, ك, ى), the Persian comma,
// semicolon and question mark, and the zero-width non-joiner in می‌ / نمی‌.
func TestTypographyPerLanguage(t *testing.T) {
	persianPunct := regexp.MustCompile(`[,;?]`)
	miWithoutZWNJ := regexp.MustCompile(`(^|[\s«(])ن?می[ \x{0600}-\x{06FF}]`)
	for _, lang := range []string{"ru", "uk", "be", "fa"} {
		for _, id := range slices.Sorted(maps.Keys(std.messages(lang))) {
			for form, src := range forms(std.messages(lang)[id]) {
				where := lang + " " + id + " (" + form + ")"
				if lang != "fa" {
					if strings.ContainsAny(src, "\"“”„") {
						t.Errorf("%s: %q has straight or English quotes; want «…»", where, src)
					}
					continue
				}
				if strings.ContainsAny(src, "\u064A\u0643\u0649") {
					t.Errorf("%s: %q has an Arabic ي, ك or ى; want Persian ی, ک", where, src)
				}
				if strings.HasPrefix(id, "months") || id == "list.sep" {
					continue // a comma-separated list, not text
				}
				// Latin runs isolated by LRI … PDI keep their own punctuation.
				plain := regexp.MustCompile("\u2066[^\u2069]*\u2069").ReplaceAllString(src, "")
				if persianPunct.MatchString(plain) {
					t.Errorf("%s: %q has a Latin comma, semicolon or question mark; want ، ؛ ؟", where, src)
				}
				if miWithoutZWNJ.MatchString(plain) {
					t.Errorf("%s: %q writes می without a zero-width non-joiner", where, src)
				}
			}
		}
	}
}

// TestBelarusianMay checks that Belarusian says «травень» for May in
// every form, as the standard language and Viasna write it, not «май».
func TestBelarusianMay(t *testing.T) {
	for _, tt := range []struct {
		in   string
		form DateForm
		want string
	}{
		{"2022-05", Standalone, "травень 2022 г."},
		{"2022-05-03", Standalone, "3 траўня 2022 г."},
		{"2022-05", From, "траўня 2022 г."},
		{"2022-05", Until, "травень 2022 г."},
		{"2022-05", In, "у траўні 2022 г."},
	} {
		if got := DateAs("be", cases.MustParseDate(tt.in), tt.form); got != tt.want {
			t.Errorf("DateAs(be, %s, %d) = %q; want %q", tt.in, tt.form, got, tt.want)
		}
	}
}

// TestReviewedPhrases pins the phrases the second read of ru, uk, be, az
// and fa rewrote, filled as the program fills them.
func TestReviewedPhrases(t *testing.T) {
	may := cases.MustParseDate("2022-05")
	tests := []struct {
		lang, id string
		count    int // 0: F, else N with this count
		args     Args
		want     string
	}{
		{"ru", "card.affiliation", 0, nil, "Организация"},
		{"ru", "help.intro", 0, nil, "vigil следит за судьбой узников совести и напоминает о них в этом канале."},
		{"ru", "reply.settings_language", 0, Args{"Word": "xx", "Languages": "ru, en"}, "Я не говорю на языке «xx». Доступные языки: ru, en."},
		// A name after «по делу» would need the genitive; the name leads instead.
		{"ru", "reply.alert_queued", 21, Args{"Name": "Салех Рустамов", "Country": "Азербайджан"},
			"Салех Рустамов: срочное сообщение поставлено в очередь для 21 канала, который следит за страной Азербайджан."},
		{"uk", "reply.alert_queued", 3, Args{"Name": "Салех Рустамов", "Country": "Азербайджан"},
			"Салех Рустамов: термінове повідомлення поставлено в чергу для 3 каналів, які стежать за країною Азербайджан."},
		{"be", "reply.alert_queued", 5, Args{"Name": "Салех Рустамаў", "Country": "Азербайджан"},
			"Салех Рустамаў: тэрміновае паведамленне пастаўлена ў чаргу для 5 каналаў, якія сочаць за краінай Азербайджан."},
		{"ru", "reply.cases_none", 0, Args{"Countries": "Азербайджан"}, "Азербайджан: дел нет."},
		{"uk", "card.affiliation", 0, nil, "Організація"},
		{"uk", "card.stale", 0, Args{"Date": DateAs("uk", may, In)}, "Ці відомості востаннє підтверджено у травні 2022 р., тож вони можуть бути застарілими."},
		{"uk", "reply.unknown_country", 0, Args{"Query": "xx"}, "Країни «xx» я не знаю. Укажіть код ISO (AZ, AZE) або назву (Азербайджан)."},
		{"be", "card.affiliation", 0, nil, "Арганізацыя"},
		// «у» after a consonant («раз»), never after a vowel.
		{"be", "card.stale", 0, Args{"Date": DateAs("be", may, In)}, "Гэтыя звесткі пацвярджаліся апошні раз у траўні 2022 г., таму могуць быць састарэлымі."},
		{"be", "help.intro", 0, nil, "vigil сочыць за лёсам вязняў сумлення і нагадвае пра іх у гэтым канале."},
		{"az", "card.affiliation", 0, nil, "Təşkilat"},
		{"az", "post.arrest_anniversary", 3, Args{"Name": "A"}, "A həbs ediləndən bu gün 3 il keçir."},
		{"az", "post.sentence_anniversary", 1, Args{"Name": "A"}, "A məhkum ediləndən bu gün 1 il keçir."},
		{"az", "reply.subscribed", 0, Args{"Country": "Azərbaycan", "Time": "10:00", "Timezone": "UTC"},
			"Bu kanal bundan sonra Azərbaycan üzrə paylaşımları və təcili bildirişləri alacaq. Göndərilmə vaxtı: 10:00 (UTC)."},
		{"az", "cmd.help", 0, nil, "bu mətn"},
		{"fa", "post.hunger_strike_day", 0, Args{"Name": "A", "Day": 12}, "امروز روز ۱۲ اعتصاب غذای " + fsi + "A" + pdi + " است."},
		{"fa", "cmd.unsubscribe", 0, nil, "لغو اشتراک"},
		{"fa", "action.share", 0, nil, "اشتراک\u200cگذاری"},
	}
	for _, tt := range tests {
		var got string
		if tt.count == 0 {
			got = F(tt.lang, tt.id, tt.args)
		} else {
			got = N(tt.lang, tt.id, tt.count, tt.args)
		}
		if got != tt.want {
			t.Errorf("%s %s = %q; want %q", tt.lang, tt.id, got, tt.want)
		}
	}
}
