package cases

import (
	"strings"
	"testing"
	"time"
)

func TestParseDate(t *testing.T) {
	tests := []struct {
		in      string
		want    Precision
		wantErr string
	}{
		{"", PrecisionNone, ""},
		{"2018", PrecisionYear, ""},
		{"2021-02", PrecisionMonth, ""},
		{"2021-02-14", PrecisionDay, ""},
		{"2024-02-29", PrecisionDay, ""},
		{"2023-02-29", 0, "day 29 out of range for 2023-02"},
		{"2021-13", 0, "month 13 out of range"},
		{"2021-00-10", 0, "month 0 out of range"},
		{"21-02", 0, "not a date"},
		{"2021/02", 0, "not a date"},
		{"2021-2-3", 0, "not a date"},
		{"+021", 0, "not a date"},
		{"1700", 0, "year 1700 out of range (1800–2200)"},
		{"10000", 0, "year 10000 out of range (1800–2200)"},
		{"10000-01-01", 0, "year 10000 out of range (1800–2200)"},
		{"2201-01", 0, "year 2201 out of range (1800–2200)"},
		{"1x000", 0, "not a date"},
	}
	for _, tt := range tests {
		d, err := ParseDate(tt.in)
		if tt.wantErr != "" {
			if err == nil || !contains(err.Error(), tt.wantErr) {
				t.Errorf("ParseDate(%q) error = %v; want %q", tt.in, err, tt.wantErr)
			}
			continue
		}
		if err != nil {
			t.Errorf("ParseDate(%q): %v", tt.in, err)
			continue
		}
		if d.Precision() != tt.want || d.String() != tt.in {
			t.Errorf("ParseDate(%q) = %v (precision %d); want precision %d and the same string", tt.in, d, d.Precision(), tt.want)
		}
	}
}

func contains(s, sub string) bool { return strings.Contains(s, sub) }

func TestDateNeverInventsADay(t *testing.T) {
	if _, ok := MustParseDate("2021-02").Time(time.UTC); ok {
		t.Error("Time of a month-precise date succeeded; want ok=false")
	}
	if got, ok := MustParseDate("2021-02-14").Time(time.UTC); !ok || got.Day() != 14 {
		t.Errorf("Time(2021-02-14) = %v, %v", got, ok)
	}
	if got := MustParseDate("2024-02").First().String(); got != "2024-02-01" {
		t.Errorf("First(2024-02) = %s; want 2024-02-01", got)
	}
	if got := MustParseDate("2024").First().String(); got != "2024-01-01" {
		t.Errorf("First(2024) = %s; want 2024-01-01", got)
	}
	if got := MustParseDate("2024-02").Last().String(); got != "2024-02-29" {
		t.Errorf("Last(2024-02) = %s; want 2024-02-29", got)
	}
}

func TestDateBefore(t *testing.T) {
	tests := []struct {
		a, b string
		want bool
	}{
		{"2020", "2021-01", true},
		{"2021", "2021-05", false}, // unknown: 2021 may be after May
		{"2021-04", "2021-05-01", true},
		{"2021-05", "2021-05-20", false},
		{"2021-05-19", "2021-05-20", true},
		{"2021-05-20", "2021-05-20", false},
	}
	for _, tt := range tests {
		if got := MustParseDate(tt.a).Before(MustParseDate(tt.b)); got != tt.want {
			t.Errorf("%s.Before(%s) = %v; want %v", tt.a, tt.b, got, tt.want)
		}
	}
}

func TestHungerStrikeDay(t *testing.T) {
	h := HungerStrike{Started: MustParseDate("2026-10-30")}
	tests := []struct {
		day  string
		want int
		ok   bool
	}{
		{"2026-10-29", 0, false},
		{"2026-10-30", 1, true},
		{"2026-11-27", 29, true},
		{"2027-03-28", 150, true}, // across a DST change: whole days regardless
	}
	for _, tt := range tests {
		n, ok := h.DayOn(MustParseDate(tt.day))
		if n != tt.want || ok != tt.ok {
			t.Errorf("DayOn(%s) = %d, %v; want %d, %v", tt.day, n, ok, tt.want, tt.ok)
		}
	}
	if _, ok := (HungerStrike{Started: MustParseDate("2026-10-30"), Days: 5}).DayOn(MustParseDate("2026-11-01")); ok {
		t.Error("an ended strike has a day count")
	}
}

func TestStaleAndLiveActions(t *testing.T) {
	c := Case{StatusAsOf: MustParseDate("2025-11"), Status: Imprisoned, Actions: []Action{
		{Kind: "petition", URL: "https://example.org/a", Until: MustParseDate("2026-10")},
		{Kind: "share", URL: "https://example.org/b"},
	}}
	now := time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)
	// Confirmed in November 2025: its last day is the 30th, less than a year ago.
	if c.Stale(now, 365*24*time.Hour) {
		t.Error("case confirmed 2025-11 is stale on 2026-11-27 with 365d; want fresh")
	}
	if !c.Stale(now, 300*24*time.Hour) {
		t.Error("case confirmed 2025-11 is fresh with 300d; want stale")
	}
	if got := c.LiveActions(DateOf(now)); len(got) != 1 || got[0].Kind != "share" {
		t.Errorf("LiveActions = %+v; want only the share (petition ended 2026-10)", got)
	}
	c.Status = Released
	if got := c.LiveActions(DateOf(now)); len(got) != 0 {
		t.Errorf("LiveActions of a released person = %+v; want none", got)
	}
}

func FuzzParseDate(f *testing.F) {
	for _, s := range []string{"2018", "2021-02", "2021-02-14", "", "2021-13", "x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := ParseDate(s)
		if err != nil {
			return
		}
		if d.String() != s {
			t.Fatalf("ParseDate(%q).String() = %q", s, d.String())
		}
	})
}
