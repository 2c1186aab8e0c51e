package cases

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Precision says how much of a Date is known.
type Precision int

// The precisions of a Date, from none to a full day.
const (
	PrecisionNone Precision = iota
	PrecisionYear
	PrecisionMonth
	PrecisionDay
)

// Date is a calendar date that may be known only to the year or the month.
// Its zero value is the unknown date. A Date never invents what it does not
// know: "2021-02" stays February 2021 in the model, the database, JSON and
// cards.
type Date struct {
	Year  int
	Month time.Month // 0 when only the year is known
	Day   int        // 0 when only the year or month is known
}

// MinYear and MaxYear bound the years ParseDate accepts. Case files bound
// most dates further, to today (see ParseOptions).
const (
	MinYear = 1800
	MaxYear = 2200
)

// YearRangeError is ParseDate's error for a year outside [Min, Max].
type YearRangeError struct {
	Year     int
	Min, Max int
}

// Error says the year and the allowed range, e.g. "year 10000 out of
// range (1800–2026)".
func (e *YearRangeError) Error() string {
	return fmt.Sprintf("year %d out of range (%d–%d)", e.Year, e.Min, e.Max)
}

// ParseDate parses "", "YYYY", "YYYY-MM" or "YYYY-MM-DD". Its errors say
// what is wrong without naming the field; callers add that. A year outside
// MinYear–MaxYear (even one of more than four digits) gives a
// *YearRangeError.
func ParseDate(s string) (Date, error) {
	if s == "" {
		return Date{}, nil
	}
	bad := fmt.Errorf("%q is not a date: want YYYY, YYYY-MM or YYYY-MM-DD", s)
	num := func(part string) (int, bool) {
		for _, c := range part {
			if c < '0' || c > '9' {
				return 0, false
			}
		}
		n, err := strconv.Atoi(part)
		return n, err == nil
	}
	if y, _, _ := strings.Cut(s, "-"); len(y) > 4 {
		if n, ok := num(y); ok {
			return Date{}, &YearRangeError{Year: n, Min: MinYear, Max: MaxYear}
		}
	}
	if len(s) != 4 && len(s) != 7 && len(s) != 10 {
		return Date{}, bad
	}
	var d Date
	var ok bool
	if d.Year, ok = num(s[:4]); !ok {
		return Date{}, bad
	}
	if d.Year < MinYear || d.Year > MaxYear {
		return Date{}, &YearRangeError{Year: d.Year, Min: MinYear, Max: MaxYear}
	}
	if len(s) >= 7 {
		m, ok := num(s[5:7])
		if s[4] != '-' || !ok {
			return Date{}, bad
		}
		if m < 1 || m > 12 {
			return Date{}, fmt.Errorf("month %d out of range", m)
		}
		d.Month = time.Month(m)
	}
	if len(s) == 10 {
		day, ok := num(s[8:10])
		if s[7] != '-' || !ok {
			return Date{}, bad
		}
		if day < 1 || day > daysIn(d.Year, d.Month) {
			return Date{}, fmt.Errorf("day %d out of range for %s", day, Date{Year: d.Year, Month: d.Month})
		}
		d.Day = day
	}
	return d, nil
}

// MustParseDate is ParseDate for literals in code and tests; it panics on error.
func MustParseDate(s string) Date {
	d, err := ParseDate(s)
	if err != nil {
		panic(err)
	}
	return d
}

// DateOf returns the day-precise Date of t in t's location.
func DateOf(t time.Time) Date {
	y, m, d := t.Date()
	return Date{Year: y, Month: m, Day: d}
}

func daysIn(year int, m time.Month) int {
	return time.Date(year, m+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

// Precision reports how much of d is known.
func (d Date) Precision() Precision {
	switch {
	case d.Year == 0:
		return PrecisionNone
	case d.Month == 0:
		return PrecisionYear
	case d.Day == 0:
		return PrecisionMonth
	}
	return PrecisionDay
}

// IsZero reports whether d is unknown.
func (d Date) IsZero() bool { return d.Year == 0 }

// HasDay reports whether d is precise to the day, as day counts and
// anniversaries need.
func (d Date) HasDay() bool { return d.Precision() == PrecisionDay }

// String formats d at its precision: "", "2018", "2021-02" or "2021-02-14".
func (d Date) String() string {
	switch d.Precision() {
	case PrecisionYear:
		return fmt.Sprintf("%04d", d.Year)
	case PrecisionMonth:
		return fmt.Sprintf("%04d-%02d", d.Year, int(d.Month))
	case PrecisionDay:
		return fmt.Sprintf("%04d-%02d-%02d", d.Year, int(d.Month), d.Day)
	}
	return ""
}

// Time returns midnight of a day-precise d in loc; ok is false for a less
// precise date, so no caller can invent a day by accident.
func (d Date) Time(loc *time.Location) (t time.Time, ok bool) {
	if !d.HasDay() {
		return time.Time{}, false
	}
	return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, loc), true
}

// Before reports whether every day d may denote lies before every day e
// may denote; with partial dates "before" is only certain at the coarser
// precision.
func (d Date) Before(e Date) bool {
	if d.IsZero() || e.IsZero() {
		return false
	}
	if d.Year != e.Year {
		return d.Year < e.Year
	}
	if d.Month == 0 || e.Month == 0 {
		return false
	}
	if d.Month != e.Month {
		return d.Month < e.Month
	}
	if d.Day == 0 || e.Day == 0 {
		return false
	}
	return d.Day < e.Day
}

// Last returns the last day d may denote: 2022-05 gives 2022-05-31 and
// 2022 gives 2022-12-31. A staleness check uses it so that a month-precise
// confirmation is not counted older than it may be.
func (d Date) Last() Date {
	switch d.Precision() {
	case PrecisionYear:
		return Date{Year: d.Year, Month: time.December, Day: 31}
	case PrecisionMonth:
		return Date{Year: d.Year, Month: d.Month, Day: daysIn(d.Year, d.Month)}
	}
	return d
}

// First returns the first day d may denote: 2022-05 gives 2022-05-01 and
// 2022 gives 2022-01-01. A check against the future uses it, so that a
// partial date is refused only if it cannot mean a day up to today.
func (d Date) First() Date {
	switch d.Precision() {
	case PrecisionYear:
		return Date{Year: d.Year, Month: time.January, Day: 1}
	case PrecisionMonth:
		return Date{Year: d.Year, Month: d.Month, Day: 1}
	}
	return d
}

// MarshalJSON writes d as its string form, or null when unknown.
func (d Date) MarshalJSON() ([]byte, error) {
	if d.IsZero() {
		return []byte("null"), nil
	}
	return json.Marshal(d.String())
}

// UnmarshalJSON reads the string form written by MarshalJSON.
func (d *Date) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		*d = Date{}
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return errors.New("date: want a string")
	}
	v, err := ParseDate(s)
	if err != nil {
		return fmt.Errorf("date: %w", err)
	}
	*d = v
	return nil
}
