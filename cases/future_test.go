package cases

import (
	"strings"
	"testing"
	"time"
)

// TestParseFutureDates: a date that has not happened yet is refused with
// file:line and field (a day's grace for time zones; a partial date by
// its first day), except an action's until, which is a deadline.
func TestParseFutureDates(t *testing.T) {
	base := "id: x-y\nname: X Y\ncountry: AZ\nstatus: imprisoned\nstatus_as_of: 2026-01\n"
	// at: 1 November 2026, midday UTC.
	tests := []struct {
		name, yaml, want string // want "": accepted
	}{
		{"status_as_of far ahead", strings.Replace(base, "2026-01", "2099-12", 1),
			"x.yaml:5: status_as_of: 2099-12 is in the future (today is 2026-11-01)"},
		{"born in the future", base + "born: 2030-12-03\n", "x.yaml:6: born: 2030-12-03 is in the future (today is 2026-11-01)"},
		{"arrested the day after tomorrow", base + "arrested: 2026-11-03\n", "x.yaml:6: arrested: 2026-11-03 is in the future (today is 2026-11-01)"},
		{"arrested tomorrow: a day's grace", base + "arrested: 2026-11-02\n", ""},
		{"arrested today", base + "arrested: 2026-11-01\n", ""},
		{"arrested next month", base + "arrested: 2026-12\n", "x.yaml:6: arrested: 2026-12 is in the future (today is 2026-11-01)"},
		{"arrested this month", base + "arrested: 2026-11\n", ""},
		{"arrested this year", base + "arrested: 2026\n", ""},
		{"arrested next year", base + "arrested: 2027\n", "x.yaml:6: arrested: 2027 is in the future (today is 2026-11-01)"},
		{"sentenced in the future", base + "arrested: 2026-01\nsentenced: 2026-11-20\n", "x.yaml:7: sentenced: 2026-11-20 is in the future (today is 2026-11-01)"},
		{"year of five digits", base + "arrested: 10000\n", "x.yaml:6: arrested: year 10000 out of range (1800–2026)"},
		{"year of five digits with a month", base + "born: 10000-01\n", "x.yaml:6: born: year 10000 out of range (1800–2026)"},
		{"year too early", base + "born: 1700\n", "x.yaml:6: born: year 1700 out of range (1800–2026)"},
		{"strike started in the future", base + "hunger_strikes:\n  - started: 2026-12-01\n",
			"x.yaml:7: hunger_strikes[0].started: 2026-12-01 is in the future (today is 2026-11-01)"},
		{"strike ends in the future", base + "hunger_strikes:\n  - {started: 2026-10-01, ended: 2026-12-24}\n",
			"x.yaml:7: hunger_strikes[0].ended: 2026-12-24 is in the future (today is 2026-11-01)"},
		{"source published in the future", base + "sources:\n  - {title: T, date: 2027-01}\n",
			"x.yaml:7: sources[0].date: 2027-01 is in the future (today is 2026-11-01)"},
		{"action deadline in the future", base + "actions:\n  - {kind: petition, label: S, url: \"https://example.org\", until: 2030-01-31}\n", ""},
		{"action deadline year out of range", base + "actions:\n  - {kind: petition, label: S, url: \"https://example.org\", until: 10000}\n",
			"x.yaml:7: actions[0].until: year 10000 out of range (1800–2200)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("x.yaml", []byte(tt.yaml), at)
			switch {
			case tt.want == "" && err != nil:
				t.Errorf("Parse: %v; want no error", err)
			case tt.want != "" && (err == nil || err.Error() != tt.want):
				t.Errorf("Parse error = %v; want %q", err, tt.want)
			}
		})
	}
}

// TestParseFutureUsesGivenNow: "today" is what the caller passes, in its
// location, not the machine's clock.
func TestParseFutureUsesGivenNow(t *testing.T) {
	y := "id: x-y\nname: X Y\ncountry: AZ\nstatus: imprisoned\nstatus_as_of: 2030-05-02\n"
	if _, err := Parse("x.yaml", []byte(y), ParseOptions{Now: time.Date(2030, 5, 1, 8, 0, 0, 0, time.UTC)}); err != nil {
		t.Errorf("Parse with now 2030-05-01: %v; want no error", err)
	}
	// 23:00 on 29 April in UTC-10 is 30 April in UTC; today is 29 April
	// there, so 2 May is more than a day ahead.
	loc := time.FixedZone("UTC-10", -10*3600)
	_, err := Parse("x.yaml", []byte(y), ParseOptions{Now: time.Date(2030, 4, 29, 23, 0, 0, 0, loc)})
	if want := "x.yaml:5: status_as_of: 2030-05-02 is in the future (today is 2030-04-29)"; err == nil || err.Error() != want {
		t.Errorf("Parse error = %v; want %q", err, want)
	}
}
