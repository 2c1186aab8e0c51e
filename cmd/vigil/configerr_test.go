package main

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestConfigErrorsInTheUsersWords runs the real CLI on bad config files:
// each error names the file, line and key, and says what is expected.
func TestConfigErrorsInTheUsersWords(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "config.yaml")
	for _, tt := range []struct{ yaml, want string }{
		{"database: v.db\npost_time: \"09:00\"\ntelegram:\n  tokn: abc\n",
			"config: " + cfg + ":4: telegram.tokn: unknown key (known: token, api_endpoint, webhook_url)"},
		{"stale_after: -5d\n",
			"config: " + cfg + `:1: stale_after: "-5d" is not a duration (a number of days, hours or minutes, not negative, such as 365d, 12h or 90m)`},
	} {
		writeFile(t, cfg, tt.yaml)
		code, _, stderr := vigil(t, "", "subscriptions", "--config", cfg)
		if code != 1 || strings.TrimSpace(stderr) != "vigil: "+tt.want {
			t.Errorf("%q: exit %d, stderr %q; want exit 1 and %q", tt.yaml, code, stderr, tt.want)
		}
	}
	// A time zone is read as /settings reads it.
	writeFile(t, cfg, "database: v.db\ntimezone: utc\n")
	if code, _, stderr := vigil(t, "", "subscribe", "--config", cfg, "console", "AZ"); code != 0 {
		t.Fatalf("timezone: utc: exit %d, %q", code, stderr)
	}
	if _, stdout, _ := vigil(t, "", "subscriptions", "--config", cfg); !strings.Contains(strings.Join(strings.Fields(stdout), " "), "console AZ UTC 10:00 en on active") {
		t.Errorf("subscriptions with timezone: utc:\n%s\nwant the console in UTC", stdout)
	}
}

// TestImportCronThatNeverFires: a reminder on 30 February is refused as
// one that never fires, naming file:line and the field.
func TestImportCronThatNeverFires(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "a.yaml")
	writeFile(t, file, goodCase+"reminders:\n  - {cron: \"0 0 30 2 *\", text: Write}\n")
	code, _, stderr := vigil(t, "", "import", "--db", filepath.Join(dir, "v.db"), file)
	want := file + `:8: reminders[0].cron: "0 0 30 2 *" never fires: no date matches it`
	if code != 1 || !strings.Contains(stderr, want) || strings.Contains(stderr, "times a day") {
		t.Errorf("import: exit %d, stderr %q; want exit 1 and %q", code, stderr, want)
	}
}
