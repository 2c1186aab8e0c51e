package cases

import "testing"

// TestDaysHeld: days held count from a day-precise arrest for a person in
// detention only; a month- or year-only arrest gives no count, as dates
// keep their precision.
func TestDaysHeld(t *testing.T) {
	day := func(s string) Date {
		d, err := ParseDate(s)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	today := day("2026-12-02")
	tests := []struct {
		status   Status
		arrested string
		n        int
		ok       bool
	}{
		{Imprisoned, "2026-11-02", 30, true},
		{Detained, "2026-12-02", 0, true},
		{Disappeared, "2025-12-02", 365, true},
		{Imprisoned, "2026-11", 0, false},
		{Imprisoned, "2024", 0, false},
		{Released, "2026-11-02", 0, false},
		{Exiled, "2026-11-02", 0, false},
		{Imprisoned, "2026-12-03", 0, false},
	}
	for _, tt := range tests {
		c := &Case{Status: tt.status, Arrested: day(tt.arrested)}
		if n, ok := c.DaysHeld(today); n != tt.n || ok != tt.ok {
			t.Errorf("%s arrested %s: DaysHeld = %d, %v; want %d, %v", tt.status, tt.arrested, n, ok, tt.n, tt.ok)
		}
	}
}
