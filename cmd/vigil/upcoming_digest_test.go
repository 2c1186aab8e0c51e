package main

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestUpcomingDigest: the reminders of a day past daily_limit come as one
// digest, which `vigil upcoming --json` writes whole (its header, a line
// per reminder naming the case, and the cases in the same order) and the
// table names by how many reminders it holds.
func TestUpcomingDigest(t *testing.T) {
	dir := t.TempDir()
	ids := []string{"anna-testova", "boris-testov", "clara-testova", "dmitri-testov"}
	var b strings.Builder
	for i, id := range ids {
		fmt.Fprintf(&b, "- id: %s\n  name: Person %d Testova\n  country: BY\n  status: imprisoned\n  status_as_of: 2026-11\n  arrested: 202%d-12-03\n", id, i, i)
	}
	writeFile(t, filepath.Join(dir, "cases", "people.yaml"), "# Fictional people.\n"+b.String())
	writeFile(t, filepath.Join(dir, "vigil.yaml"), "database: v.db\ncases: [cases]\nlanguage: en\ndaily_limit: 2\n")
	cfg := filepath.Join(dir, "vigil.yaml")
	if code, out, errOut := vigil(t, "", "subscribe", "--config", cfg, "console", "BY"); code != 0 {
		t.Fatalf("subscribe: %d %s %s", code, out, errOut)
	}
	code, out, errOut := vigil(t, "", "upcoming", "--config", cfg, "--from", "2026-12-03", "--days", "1", "--json")
	if code != 0 {
		t.Fatalf("upcoming: %d %s %s", code, out, errOut)
	}
	var digests []upcomingJSON
	var single []string
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		var u upcomingJSON
		if err := json.Unmarshal([]byte(line), &u); err != nil {
			t.Fatalf("%v: %s", err, line)
		}
		if u.Kind == "digest" {
			digests = append(digests, u)
		} else {
			single = append(single, u.Case)
		}
	}
	// A limit of 2: one post of its own and a digest of the other three.
	if len(single) != 1 || len(digests) != 1 {
		t.Fatalf("upcoming: %d posts and %d digests; want 1 and 1:\n%s", len(single), len(digests), out)
	}
	dg := digests[0]
	lines := strings.Split(dg.Text, "\n")
	if dg.Case != "" || len(dg.Cases) != 3 || len(lines) != 4 || lines[0] != "Also today:" {
		t.Fatalf("digest %+v; want the header and 3 lines for 3 cases", dg)
	}
	for i, c := range dg.Cases {
		if !strings.HasPrefix(lines[i+1], "• ") || !strings.HasSuffix(lines[i+1], " — /case "+c) || !strings.Contains(lines[i+1], "arrest") {
			t.Errorf("digest line %d %q; want the arrest anniversary of %s", i+1, lines[i+1], c)
		}
	}
	all := append(slices.Clone(dg.Cases), single...)
	slices.Sort(all)
	if !slices.Equal(all, ids) {
		t.Errorf("the posts name %v; want each of %v once", all, ids)
	}
	code, out, errOut = vigil(t, "", "upcoming", "--config", cfg, "--from", "2026-12-03", "--days", "1")
	if code != 0 || !strings.Contains(out, "digest of 3 reminders") {
		t.Errorf("upcoming: %d %s %s; want a row for the digest of 3 reminders", code, out, errOut)
	}
}
