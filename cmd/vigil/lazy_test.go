package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/vigil-bot/vigil/bot/i18n"
)

// loadedLangsEnv names the file to which the test binary, started with
// it, runs vigil with its arguments and then writes the languages whose
// catalogues the run parsed (i18n.Loaded), one a line.
const loadedLangsEnv = "VIGIL_LOADED_LANGS_TO"

// runReportingLoaded is the test binary as vigil, reporting to the file
// out which catalogues the command parsed; it returns the exit code.
func runReportingLoaded(out string) int {
	code := exitCode(run(context.Background(), os.Args[1:], os.Stdin, os.Stdout, os.Stderr, os.Getenv), os.Stderr)
	if err := os.WriteFile(out, []byte(strings.Join(i18n.Loaded(), "\n")), 0o600); err != nil {
		return 125
	}
	return code
}

// TestCaseLoadsOnlyItsLanguages runs `vigil case` as a fresh process and
// checks that it parses only the catalogue of the language it answers in
// and English, its fallback, not all seven: one-shot commands should not
// pay for languages they do not speak. The daemon loads them all.
func TestCaseLoadsOnlyItsLanguages(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "a.yaml"), goodCase)
	writeFile(t, filepath.Join(dir, "vigil.yaml"), "database: v.db\ncases: [a.yaml]\n")
	writeFile(t, filepath.Join(dir, "de.yaml"), "database: v.db\ncases: [a.yaml]\nlanguage: de\n")
	loaded := func(t *testing.T, args ...string) (langs []string, stdout string) {
		t.Helper()
		report := filepath.Join(t.TempDir(), "loaded")
		cmd := exec.Command(os.Args[0], args...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), loadedLangsEnv+"="+report, "VIGIL_TELEGRAM_TOKEN=", "VIGIL_DISCORD_TOKEN=")
		var out, errOut strings.Builder
		cmd.Stdout, cmd.Stderr = &out, &errOut
		if err := cmd.Run(); err != nil {
			t.Fatalf("vigil %v: %v\n%s%s", args, err, out.String(), errOut.String())
		}
		data, err := os.ReadFile(report)
		if err != nil {
			t.Fatal(err)
		}
		if len(data) == 0 {
			return nil, out.String()
		}
		return strings.Split(string(data), "\n"), out.String()
	}
	// The first command imports the configured case.
	if _, stdout := loaded(t, "cases", "--config", "vigil.yaml"); !strings.Contains(stdout, "amira-testova") {
		t.Fatalf("vigil cases: %q; want amira-testova", stdout)
	}
	tests := []struct {
		args []string
		want []string
		text string // in the output
	}{
		{[]string{"version"}, nil, ""},
		{[]string{"case", "--config", "vigil.yaml", "Amira Testova"}, []string{"en"}, "Amira Testova — Azerbaijan"},
		{[]string{"case", "--config", "vigil.yaml", "amira-testova"}, []string{"en"}, "imprisoned"},
		{[]string{"case", "--config", "vigil.yaml", "Amira Testowa"}, []string{"en"}, "Amira Testova"},
		{[]string{"case", "--config", "vigil.yaml", "--lang", "ru", "Amira Testova"}, []string{"en", "ru"}, "Азербайджан"},
		{[]string{"case", "--config", "de.yaml", "amira-testova"}, []string{"en", "de"}, "Aserbaidschan"},
		{[]string{"case", "--config", "de.yaml", "--lang", "fa", "amira-testova"}, []string{"en", "fa"}, "جمهوری آذربایجان"},
	}
	for _, tt := range tests {
		got, stdout := loaded(t, tt.args...)
		if !slices.Equal(got, tt.want) {
			t.Errorf("vigil %s parsed the catalogues %v; want %v", strings.Join(tt.args, " "), got, tt.want)
		}
		if !strings.Contains(stdout, tt.text) {
			t.Errorf("vigil %s: %q; want %q in it", strings.Join(tt.args, " "), stdout, tt.text)
		}
	}
}
