package scheduler

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/vigil-bot/vigil/cases"
	"github.com/vigil-bot/vigil/store"
)

var planNow = time.Date(2026, 11, 27, 8, 0, 0, 0, time.UTC)

func mustCase(t testing.TB, yaml string) *cases.Case {
	t.Helper()
	cs, err := cases.Parse("t.yaml", []byte(yaml), cases.ParseOptions{Now: planNow})
	if err != nil {
		t.Fatal(err)
	}
	return &cs[0]
}

func d(s string) cases.Date { return cases.MustParseDate(s) }

func kinds(rs []reminder) string {
	var out []string
	for _, r := range rs {
		out = append(out, fmt.Sprintf("%s/%d", r.kind, r.n))
	}
	return strings.Join(out, " ")
}

func TestDayReminders(t *testing.T) {
	base := "id: amira-testova\nname: Amira Testova\ncountry: AZ\nstatus_as_of: 2026-11\n"
	tests := []struct {
		name, yaml, day, want string
	}{
		{"strike day 1 is the start", "status: imprisoned\nhunger_strikes: [{started: 2026-11-27}]\n", "2026-11-27", "hunger_strike_day/1"},
		{"strike day 30", "status: imprisoned\nhunger_strikes: [{started: 2026-10-29}]\n", "2026-11-27", "hunger_strike_day/30"},
		{"ended strike: no count", "status: imprisoned\nhunger_strikes: [{started: 2026-10-29, days: 10}]\n", "2026-11-01", ""},
		{"released: no day count", "status: released\nhunger_strikes: [{started: 2026-10-29}]\n", "2026-11-27", ""},
		{"deceased: no day count", "status: deceased\nhunger_strikes: [{started: 2026-10-29}]\n", "2026-11-27", ""},
		{"arrest anniversary", "status: imprisoned\narrested: 2023-11-27\n", "2026-11-27", "arrest_anniversary/3"},
		{"month-precise arrest: nothing", "status: imprisoned\narrested: 2023-11\n", "2026-11-27", ""},
		{"arrest day itself: nothing", "status: imprisoned\narrested: 2026-11-27\n", "2026-11-27", ""},
		{"29 February on 28 February", "status: imprisoned\narrested: 2024-02-29\n", "2025-02-28", "arrest_anniversary/1"},
		{"29 February in a leap year", "status: imprisoned\narrested: 2024-02-29\n", "2028-02-29", "arrest_anniversary/4"},
		{"not 28 February in a leap year", "status: imprisoned\narrested: 2024-02-29\n", "2028-02-28", ""},
		{"sentence anniversary", "status: imprisoned\nsentenced: 2025-11-27\n", "2026-11-27", "sentence_anniversary/1"},
		{"exiled: no anniversary", "status: exiled\narrested: 2023-11-27\n", "2026-11-27", ""},
		{"milestone 100", "status: detained\narrested: 2026-08-19\n", "2026-11-27", "detention_milestone/100"},
		{"milestone 500", "status: detained\narrested: 2025-07-15\n", "2026-11-27", "detention_milestone/500"},
		{"milestone 1500", "status: imprisoned\narrested: 2022-10-19\n", "2026-11-27", "detention_milestone/1500"},
		{"not a milestone: 1200", "status: imprisoned\narrested: 2023-08-12\n", "2026-11-27", ""},
		{"birthday in detention", "status: disappeared\nborn: 1990-11-27\n", "2026-11-27", "birthday/36"},
		{"no birthday once released", "status: released\nborn: 1990-11-27\n", "2026-11-27", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := mustCase(t, base+tt.yaml)
			if got := kinds(dayReminders(c, d(tt.day))); got != tt.want {
				t.Errorf("reminders on %s = %q; want %q", tt.day, got, tt.want)
			}
		})
	}
}

func TestPostInstantAcrossDST(t *testing.T) {
	berlin, _ := time.LoadLocation("Europe/Berlin")
	tests := []struct {
		day     string
		minutes int
		want    string
	}{
		{"2026-03-28", 10 * 60, "2026-03-28T10:00:00+01:00"},
		{"2026-03-29", 10 * 60, "2026-03-29T10:00:00+02:00"},   // local time stays 10:00
		{"2026-03-29", 2*60 + 30, "2026-03-29T03:00:00+02:00"}, // in the gap: first valid instant
		{"2026-10-25", 2*60 + 30, "2026-10-25T02:30:00+02:00"}, // repeated hour: the first, once
		{"2026-10-25", 10 * 60, "2026-10-25T10:00:00+01:00"},
	}
	for _, tt := range tests {
		if got := PostInstant(d(tt.day), tt.minutes, berlin).Format(time.RFC3339); got != tt.want {
			t.Errorf("PostInstant(%s, %d) = %s; want %s", tt.day, tt.minutes, got, tt.want)
		}
	}
}

func channel(chat, tz, postTime, lang string, countries ...string) store.Channel {
	return store.Channel{Platform: "telegram", Chat: chat, Timezone: tz, PostTime: postTime, Language: lang, Countries: countries}
}

func TestPlanAcrossDSTAndLanguages(t *testing.T) {
	c := mustCase(t, "id: amira-testova\nname: Amira Testova\ncountry: AZ\nstatus: imprisoned\nstatus_as_of: 2026-03\nhunger_strikes: [{started: 2026-03-27}]\n")
	chans := []store.Channel{
		channel("-1", "Europe/Berlin", "10:00", "de", "AZ"),
		channel("-2", "UTC", "09:00", "en", "AZ", "DE"),
		{Platform: "telegram", Chat: "-3", Timezone: "UTC", PostTime: "09:00", Language: "en", Countries: []string{"AZ"}, PausedReason: "kicked"},
		channel("-4", "UTC", "09:00", "en", "DE"),
	}
	occ := Plan([]*cases.Case{c}, chans, PlanOptions{From: d("2026-03-28"), Days: 2, StaleAfter: 365 * 24 * time.Hour, DailyLimit: 3})
	var got []string
	for _, o := range occ {
		got = append(got, o.At.Format(time.RFC3339)+" "+o.Chat+" "+o.Text)
	}
	want := []string{
		"2026-03-28T10:00:00+01:00 -1 Tag 2 des Hungerstreiks von Amira Testova.", // 09:00 UTC, same instant: by channel
		"2026-03-28T09:00:00Z -2 Day 2 of Amira Testova's hunger strike.",
		"2026-03-29T10:00:00+02:00 -1 Tag 3 des Hungerstreiks von Amira Testova.", // 08:00 UTC, before -2's 09:00 UTC
		"2026-03-29T09:00:00Z -2 Day 3 of Amira Testova's hunger strike.",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("plan:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	keys := map[string]bool{}
	for _, o := range occ {
		if keys[o.Key] {
			t.Errorf("key %s twice", o.Key)
		}
		keys[o.Key] = true
	}
}

func TestPlanSkipsStale(t *testing.T) {
	c := mustCase(t, "id: amira-testova\nname: Amira Testova\ncountry: AZ\nstatus: imprisoned\nstatus_as_of: 2024-01\nhunger_strikes: [{started: 2026-11-01}]\n")
	occ := Plan([]*cases.Case{c}, []store.Channel{channel("-1", "UTC", "10:00", "en", "AZ")},
		PlanOptions{From: d("2026-11-27"), Days: 1, StaleAfter: 365 * 24 * time.Hour, DailyLimit: 3})
	if len(occ) != 0 {
		t.Errorf("stale case planned: %+v", occ)
	}
}

// TestDailyLimitDigest: with more reminders than the limit, the top ones
// by priority go out alone and the rest as one digest; over days the
// cases take turns at the top.
func TestDailyLimitDigest(t *testing.T) {
	var all []*cases.Case
	for i := range 5 {
		all = append(all, mustCase(t, fmt.Sprintf("id: case-%d\nname: Person %c Testova\ncountry: AZ\nstatus: imprisoned\nstatus_as_of: 2026-11\narrested: 2020-%02d-01\n", i, 'A'+i, i+1)))
	}
	striker := mustCase(t, "id: striker\nname: Striker Testova\ncountry: AZ\nstatus: imprisoned\nstatus_as_of: 2026-11\nhunger_strikes: [{started: 2026-11-01}]\nreminders: [{cron: \"0 15 * * *\", text: Write to Striker}]\n")
	all = append(all, striker)
	// Every case has an anniversary-free day; give each a milestone-free
	// custom reminder instead so that all six have something each day.
	for _, c := range all[:5] {
		c.Reminders = []cases.Reminder{{Cron: "0 12 * * *", Text: "Remember " + c.Name}}
	}
	ch := channel("-1", "UTC", "10:00", "en", "AZ")
	top := map[string]int{}
	for day := range 5 {
		occ := Plan(all, []store.Channel{ch}, PlanOptions{From: addDays(d("2026-11-20"), day), Days: 1, StaleAfter: 365 * 24 * time.Hour, DailyLimit: 3})
		if len(occ) != 3 {
			t.Fatalf("day %d: %d posts; want 3 (limit)", day, len(occ))
		}
		var digest *Occurrence
		var strike bool
		for i, o := range occ {
			switch o.Kind {
			case store.KindDigest:
				digest = &occ[i]
			case store.KindHungerStrikeDay:
				strike = true
			case store.KindCustom:
				top[o.CaseID]++
			}
		}
		if !strike {
			t.Errorf("day %d: the hunger-strike day count was not among the posts: %+v", day, occ)
		}
		if digest == nil || digest.Digest == nil || len(digest.Digest.Cases()) != 5 || !strings.HasPrefix(digest.Digest.Text(), "Also today:\n• ") {
			t.Fatalf("day %d: digest = %+v; want the 5 remaining reminders", day, digest)
		}
		if digest.At.Format("15:04") != "10:00" {
			t.Errorf("digest at %s; want the post time", digest.At)
		}
	}
	if len(top) < 5 {
		t.Errorf("over 5 days only %v got a post of their own; want every case's turn", top)
	}
}

// TestCustomReminderDST: a cron time inside the repeated hour of a
// fall-back night is posted once; one in a spring-forward gap moves to
// the first valid instant, as post times do.
func TestCustomReminderDST(t *testing.T) {
	c := mustCase(t, "id: amira-testova\nname: Amira Testova\ncountry: AZ\nstatus: imprisoned\nstatus_as_of: 2026-10\nreminders: [{cron: \"30 2 * * *\", text: Night watch}]\n")
	ch := channel("-1", "Europe/Berlin", "10:00", "en", "AZ")
	occ := Plan([]*cases.Case{c}, []store.Channel{ch}, PlanOptions{From: d("2026-10-24"), Days: 3, StaleAfter: 365 * 24 * time.Hour, DailyLimit: 3})
	if len(occ) != 3 {
		t.Fatalf("got %d posts over 3 nights with a fall-back; want 3: %+v", len(occ), occ)
	}
	occ = Plan([]*cases.Case{c}, []store.Channel{ch}, PlanOptions{From: d("2026-03-28"), Days: 3, StaleAfter: 365 * 24 * time.Hour, DailyLimit: 3})
	var got []string
	for _, o := range occ {
		got = append(got, o.At.Format(time.RFC3339))
	}
	// 02:30 does not exist on 29 March: the reminder moves to 03:00.
	want := "2026-03-28T02:30:00+01:00 2026-03-29T03:00:00+02:00 2026-03-30T02:30:00+02:00"
	if strings.Join(got, " ") != want {
		t.Errorf("reminders around the spring-forward gap: %v; want %s", got, want)
	}
}
