package main

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"
)

// TestUpcomingRussianPlurals: `vigil upcoming --json` for a Russian
// channel writes every counted phrase in the plural form CLDR's Russian
// rule picks: 1 год, 2 года, 5 лет, 21 год (one, few, many, one again),
// for arrest anniversaries, birthdays and days-in-detention milestones.
func TestUpcomingRussianPlurals(t *testing.T) {
	dir := t.TempDir()
	people := []struct{ id, name, arrested, born string }{
		{"olga-odna", "Olga Odna", "2025-12-03", "1980-12-03"},   // 1 год; 46 лет
		{"pavel-dva", "Pavel Dva", "2024-12-03", "1984-12-03"},   // 2 года; 42 года
		{"roman-pyat", "Roman Pyat", "2021-12-03", "2005-12-03"}, // 5 лет; 21 год
		{"sofia-dvadtsat", "Sofia Dvadtsat", "2005-12-03", ""},   // 21 год
		{"timur-tysyacha", "Timur Tysyacha", "2024-03-08", ""},   // 1000 дней
	}
	var b strings.Builder
	for _, p := range people {
		fmt.Fprintf(&b, "- id: %s\n  name: %s\n  country: BY\n  status: imprisoned\n  status_as_of: 2026-11\n  arrested: %s\n", p.id, p.name, p.arrested)
		if p.born != "" {
			fmt.Fprintf(&b, "  born: %s\n", p.born)
		}
	}
	writeFile(t, filepath.Join(dir, "cases", "people.yaml"), "# Fictional people.\n"+b.String())
	writeFile(t, filepath.Join(dir, "vigil.yaml"), "database: v.db\ncases: [cases]\nlanguage: ru\ndaily_limit: 20\n")
	cfg := filepath.Join(dir, "vigil.yaml")
	if code, out, errOut := vigil(t, "", "subscribe", "--config", cfg, "console", "BY"); code != 0 {
		t.Fatalf("subscribe: %d %s %s", code, out, errOut)
	}
	code, out, errOut := vigil(t, "", "upcoming", "--config", cfg, "--from", "2026-12-03", "--days", "1", "--json")
	if code != 0 {
		t.Fatalf("upcoming: %d %s %s", code, out, errOut)
	}
	for _, want := range []string{
		"Olga Odna: сегодня исполняется 1 год со дня ареста.",
		"Pavel Dva: сегодня исполняется 2 года со дня ареста.",
		"Roman Pyat: сегодня исполняется 5 лет со дня ареста.",
		"Sofia Dvadtsat: сегодня исполняется 21 год со дня ареста.",
		"исполняется 46 лет",
		"исполняется 42 года",
		"исполняется 21 год",
		"1000 дней",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("upcoming for a Russian channel lacks %q:\n%s", want, out)
		}
	}
}
