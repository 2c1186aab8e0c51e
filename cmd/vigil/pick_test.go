package main

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestPickList: a query that matches several cases equally well ends
// `vigil case` and `vigil card` with a pick list naming each case and the
// command that shows it, and exit status 1.
func TestPickList(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "cases", "a.yaml"), "- {id: lena-beispiel-a, name: Lena Beispiel, country: AZ, status: imprisoned, status_as_of: 2026-10}\n"+
		"- {id: lena-beispiel-b, name: Lena Beispiel, country: BY, status: imprisoned, status_as_of: 2026-10}\n")
	cfg := filepath.Join(dir, "vigil.yaml")
	writeFile(t, cfg, "database: v.db\ncases: [cases]\n")
	for _, cmd := range [][]string{{"case"}, {"card", "--png", filepath.Join(dir, "x.png")}} {
		args := append(append([]string{}, cmd...), "--config", cfg, "Lena Beispiel")
		code, _, errOut := vigil(t, "", args...)
		for _, want := range []string{"vigil " + cmd[0] + " lena-beispiel-a", "vigil " + cmd[0] + " lena-beispiel-b"} {
			if code != 1 || !strings.Contains(errOut, want) {
				t.Errorf("%v: exit %d, stderr %q; want a pick list with %q", args, code, errOut, want)
			}
		}
	}
}
