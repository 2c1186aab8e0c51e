package i18n

import (
	"fmt"
	"strings"
	"testing"

	"github.com/vigil-bot/vigil/cases"
)

// TestNPluralsPerLanguage checks every counted phrase's form for the
// numbers that tell CLDR's rules apart, in the real catalogues.
func TestNPluralsPerLanguage(t *testing.T) {
	start := Args{"Start": "X"}
	ns := []int{1, 2, 5, 11, 21, 22, 101}
	tests := []struct {
		lang, id string
		args     Args
		format   string   // with %s for the number as lang writes it and %s for the word
		words    []string // per number of ns
	}{
		{"ru", "card.strike.days", start, "с X, %s %s", []string{"день", "дня", "дней", "дней", "день", "дня", "день"}},
		{"ru", "post.arrest_anniversary", Args{"Name": "A"}, "A: сегодня исполняется %s %s со дня ареста.", []string{"год", "года", "лет", "лет", "год", "года", "год"}},
		{"ru", "reply.too_long", nil, "Сообщение слишком длинное (не более %s %s).", []string{"символа", "символов", "символов", "символов", "символа", "символов", "символа"}},
		{"uk", "card.strike.days", start, "з X, %s %s", []string{"день", "дні", "днів", "днів", "день", "дні", "день"}},
		{"uk", "post.sentence_anniversary", Args{"Name": "A"}, "A: сьогодні минає %s %s від дня вироку.", []string{"рік", "роки", "років", "років", "рік", "роки", "рік"}},
		{"be", "card.strike.days", start, "з X, %s %s", []string{"дзень", "дні", "дзён", "дзён", "дзень", "дні", "дзень"}},
		{"be", "post.detention_milestone", Args{"Name": "A"}, "A знаходзіцца пад вартай ужо %s %s.", []string{"дзень", "дні", "дзён", "дзён", "дзень", "дні", "дзень"}},
		{"az", "card.strike.days", start, "X etibarən, %s %s", []string{"gün", "gün", "gün", "gün", "gün", "gün", "gün"}},
		{"az", "post.detention_milestone", Args{"Name": "A"}, "A artıq %s %s həbsdədir.", []string{"gündür", "gündür", "gündür", "gündür", "gündür", "gündür", "gündür"}},
		{"fa", "card.strike.days", start, "از X، %s %s", []string{"روز", "روز", "روز", "روز", "روز", "روز", "روز"}},
		{"fa", "post.arrest_anniversary", Args{"Name": "A"}, "%s %s پیش در چنین روزی A بازداشت شد.", []string{"سال", "سال", "سال", "سال", "سال", "سال", "سال"}},
	}
	for _, tt := range tests {
		for i, n := range ns {
			want := fmt.Sprintf(tt.format, Number(tt.lang, n), tt.words[i])
			if tt.lang == "fa" {
				want = strings.ReplaceAll(want, "A", fsi+"A"+pdi)
				want = strings.ReplaceAll(want, "X", fsi+"X"+pdi)
			}
			if got := N(tt.lang, tt.id, n, tt.args); got != want {
				t.Errorf("N(%s, %s, %d) = %q; want %q", tt.lang, tt.id, n, got, want)
			}
		}
	}
}

func TestDateForms(t *testing.T) {
	tests := []struct {
		lang, in string
		form     DateForm
		want     string
	}{
		{"en", "2021-02", Standalone, "February 2021"},
		{"en", "2021-11", From, "November 2021"},
		{"en", "2022-05", In, "in May 2022"},
		{"en", "2021-02-14", In, "on 14 February 2021"},
		{"en", "2018", In, "in 2018"},
		{"de", "2022-05", In, "im Mai 2022"},
		{"de", "2021-02-14", In, "am 14. Februar 2021"},
		{"ru", "2018", Standalone, "2018 г."},
		{"ru", "2021-02", Standalone, "февраль 2021 г."},
		{"ru", "2021-02-14", Standalone, "14 февраля 2021 г."},
		{"ru", "2021-11", From, "ноября 2021 г."},
		{"ru", "2021-11-20", From, "20 ноября 2021 г."},
		{"ru", "2022-01", Until, "январь 2022 г."},
		{"ru", "2022-05", In, "в мае 2022 г."},
		{"ru", "2018", In, "в 2018 г."},
		{"ru", "2022-05-03", In, "3 мая 2022 г."},
		{"uk", "2021-02", Standalone, "лютий 2021 р."},
		{"uk", "2021-02-14", Standalone, "14 лютого 2021 р."},
		{"uk", "2021-11", From, "листопада 2021 р."},
		{"uk", "2022-05", In, "у травні 2022 р."},
		{"be", "2021-02", Standalone, "люты 2021 г."},
		{"be", "2021-02-14", Standalone, "14 лютага 2021 г."},
		{"be", "2021-11", From, "лістапада 2021 г."},
		{"be", "2022-05", In, "у траўні 2022 г."},
		{"az", "2021-02", Standalone, "fevral 2021"},
		{"az", "2021-02-14", Standalone, "14 fevral 2021"},
		{"az", "2021-11", From, "2021-ci ilin noyabrından"},
		{"az", "2026-11", From, "2026-cı ilin noyabrından"},
		{"az", "2019-04", From, "2019-cu ilin aprelindən"},
		{"az", "2023-01", Until, "2023-cü ilin yanvarınadək"},
		{"az", "2020-05", In, "2020-ci ilin mayında"},
		{"az", "2010", From, "2010-cu ildən"},
		{"az", "2026-11-20", From, "20 noyabr 2026-cı il tarixindən"},
		{"fa", "2021-02", Standalone, "فوریه ۲۰۲۱"},
		{"fa", "2021-02-14", Standalone, "۱۴ فوریه ۲۰۲۱"},
		{"fa", "2018", From, "سال ۲۰۱۸"},
		{"fa", "2022-05", In, "در مه ۲۰۲۲"},
		{"fr", "2021-02", In, "in February 2021"}, // no French catalogue: English
	}
	for _, tt := range tests {
		if got := DateAs(tt.lang, cases.MustParseDate(tt.in), tt.form); got != tt.want {
			t.Errorf("DateAs(%s, %s, %d) = %q; want %q", tt.lang, tt.in, tt.form, got, tt.want)
		}
	}
	if got := DateAs("ru", cases.Date{}, From); got != "" {
		t.Errorf("DateAs(zero) = %q; want empty", got)
	}
	if got, want := Date("ru", cases.MustParseDate("2021-02")), "февраль 2021 г."; got != want {
		t.Errorf("Date(ru) = %q; want %q", got, want)
	}
}

func TestAzOrdinalSuffix(t *testing.T) {
	for n, want := range map[int]string{0: "-cı", 1: "-ci", 2: "-ci", 3: "-cü", 4: "-cü", 5: "-ci", 6: "-cı", 7: "-ci",
		8: "-ci", 9: "-cu", 10: "-cu", 20: "-ci", 30: "-cu", 40: "-cı", 50: "-ci", 60: "-cı", 70: "-ci", 80: "-ci",
		90: "-cı", 100: "-cü", 1000: "-ci", 2000: "-ci", 2018: "-ci", 2019: "-cu", 2021: "-ci", 2026: "-cı", 2030: "-cu",
		1_000_000: "-cu"} {
		if got := azOrdinalSuffix(n); got != want {
			t.Errorf("azOrdinalSuffix(%d) = %q; want %q", n, got, want)
		}
	}
	// Through a message: the day number's suffix follows the number.
	for day, want := range map[int]string{6: "A aclıq aksiyasının 6-cı günündədir.", 9: "A aclıq aksiyasının 9-cu günündədir.",
		41: "A aclıq aksiyasının 41-ci günündədir.", 23: "A aclıq aksiyasının 23-cü günündədir."} {
		if got := F("az", "post.hunger_strike_day", Args{"Name": "A", "Day": day}); got != want {
			t.Errorf("F(az, post.hunger_strike_day, %d) = %q; want %q", day, got, want)
		}
	}
	// A number a user wrote keeps its text: only substituted numbers are fixed.
	if got, want := F("az", "post.alert", Args{"Message": "2026-ci il"}), "TƏCİLİ: 2026-ci il"; got != want {
		t.Errorf("F(az, post.alert) = %q; want %q", got, want)
	}
}

func TestPersianDigitsAndIsolation(t *testing.T) {
	if got, want := Number("fa", 1234567890), "۱۲۳۴۵۶۷۸۹۰"; got != want {
		t.Errorf("Number(fa) = %q; want %q", got, want)
	}
	if got, want := Number("ru", 41), "41"; got != want {
		t.Errorf("Number(ru) = %q; want %q", got, want)
	}
	if !RTL("fa") || RTL("ru") || RTL("en") {
		t.Errorf("RTL(fa, ru, en) = %v, %v, %v; want true, false, false", RTL("fa"), RTL("ru"), RTL("en"))
	}
	for _, tt := range []struct{ lang, in, want string }{
		{"fa", "Saleh Rustamov", fsi + "Saleh Rustamov" + pdi},
		{"fa", "https://example.org/x", fsi + "https://example.org/x" + pdi},
		{"fa", "#FreeJonas", fsi + "#FreeJonas" + pdi},
		{"fa", "09:30", fsi + "09:30" + pdi},
		{"fa", "Europe/Berlin", fsi + "Europe/Berlin" + pdi},
		{"fa", "نرگس محمدی", "نرگس محمدی"},                     // Persian alone: nothing to isolate
		{"fa", "نرگس Mohammadi", fsi + "نرگس Mohammadi" + pdi}, // mixed
		{"fa", fsi + "A" + pdi, fsi + "A" + pdi},               // not twice
		{"fa", "", ""},
		{"ru", "Saleh Rustamov", "Saleh Rustamov"},
		{"en", "#FreeJonas", "#FreeJonas"},
	} {
		if got := Isolate(tt.lang, tt.in); got != tt.want {
			t.Errorf("Isolate(%s, %q) = %q; want %q", tt.lang, tt.in, got, tt.want)
		}
	}
	// F and N: Persian digits for numbers, isolation for Latin values.
	got := N("fa", "reply.alert_queued", 21, Args{"Name": "Saleh Rustamov", "Country": "آذربایجان"})
	want := "هشدار فوری دربارهٔ " + fsi + "Saleh Rustamov" + pdi + " برای ۲۱ کانالی که آذربایجان را دنبال می\u200cکنند در صف ارسال قرار گرفت."
	if got != want {
		t.Errorf("N(fa, reply.alert_queued) = %q; want %q", got, want)
	}
	if got, want := F("fa", "reply.cases_page", Args{"Page": 2, "Pages": 12, "Next": "/cases IR 3"}),
		"صفحهٔ ۲ از ۱۲ — برای ادامه: "+fsi+"/cases IR 3"+pdi; got != want {
		t.Errorf("F(fa, reply.cases_page) = %q; want %q", got, want)
	}
	if got := F("en", "reply.cases_page", Args{"Page": 2, "Pages": 12, "Next": "/cases IR 3"}); strings.ContainsAny(got, fsi+pdi+"۲") {
		t.Errorf("F(en) = %q; want no isolation and ASCII digits", got)
	}
	// Numbers in dates are Persian too.
	if got, want := N("fa", "card.strike.days", 41, Args{"Start": DateAs("fa", cases.MustParseDate("2021-11"), From)}),
		"از نوامبر ۲۰۲۱، ۴۱ روز"; got != want {
		t.Errorf("N(fa, card.strike.days) = %q; want %q", got, want)
	}
}

func TestIsolateLeavesPersianNumbers(t *testing.T) {
	if got, want := Isolate("fa", "۲۰۱۸"), "۲۰۱۸"; got != want {
		t.Errorf("Isolate(fa, Persian digits) = %q; want %q", got, want)
	}
}

// TestPersianListsAndLines: lists isolate their Latin items around
// Persian commas and semicolons, a list so made is not isolated again as
// a whole, and a line that begins with a bullet or an isolated Latin
// value gets a right-to-left mark.
func TestPersianListsAndLines(t *testing.T) {
	list := List("fa", []string{"money laundering", "drug crimes"})
	if want := fsi + "money laundering" + pdi + "، " + fsi + "drug crimes" + pdi; list != want {
		t.Errorf("List(fa) = %q; want %q", list, want)
	}
	if got := Isolate("fa", list); got != list {
		t.Errorf("Isolate(fa, a list) = %q; want the list as it is (isolated per item)", got)
	}
	if got, want := ListLong("fa", []string{"از ژوئن ۲۰۲۵، ۱۲ روز", "از نوامبر ۲۰۲۱"}), "از ژوئن ۲۰۲۵، ۱۲ روز؛ از نوامبر ۲۰۲۱"; got != want {
		t.Errorf("ListLong(fa) = %q; want %q", got, want)
	}
	if got, want := ListLong("ru", []string{"a, b", "c"}), "a, b; c"; got != want {
		t.Errorf("ListLong(ru) = %q; want %q", got, want)
	}
	if got, want := List("en", []string{"a", "b"}), "a, b"; got != want {
		t.Errorf("List(en) = %q; want %q", got, want)
	}
	for _, tt := range []struct{ lang, in, want string }{
		{"fa", "• " + fsi + "Report" + pdi, rlm + "• " + fsi + "Report" + pdi},
		{"fa", fsi + "Saleh Rustamov" + pdi + " (آذربایجان)", rlm + fsi + "Saleh Rustamov" + pdi + " (آذربایجان)"},
		{"fa", "۴۱ روز", "۴۱ روز"},   // Persian first: nothing to add
		{"fa", "• +۴", rlm + "• +۴"}, // digits have no direction of their own
		{"fa", "منابع:\n• " + fsi + "R" + pdi + "\n\n", "منابع:\n" + rlm + "• " + fsi + "R" + pdi + "\n\n"},
		{"fa", "URGENT: act now", "URGENT: act now"},                       // a Latin line keeps its direction
		{"fa", rlm + "• " + fsi + "R" + pdi, rlm + "• " + fsi + "R" + pdi}, // not twice
		{"ru", "• " + fsi + "R" + pdi, "• " + fsi + "R" + pdi},
	} {
		if got := Align(tt.lang, tt.in); got != tt.want {
			t.Errorf("Align(%s, %q) = %q; want %q", tt.lang, tt.in, got, tt.want)
		}
	}
	if got := Close("ab" + fsi + "c" + lri + "d"); got != "ab"+fsi+"c"+lri+"d"+pdi+pdi {
		t.Errorf("Close = %q; want both isolates closed", got)
	}
	if n := Unclosed(fsi + "a" + pdi + pdi); n != 0 {
		t.Errorf("Unclosed(balanced) = %d; want 0", n)
	}
}
