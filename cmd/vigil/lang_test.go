package main

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vigil-bot/vigil/bot/i18n"
)

// TestConfigLanguageSupported: language: in the config takes only the
// languages vigil speaks, and the error names them.
func TestConfigLanguageSupported(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "vigil.yaml")
	writeFile(t, cfg, "database: v.db\nlanguage: fr\n")
	code, _, stderr := vigil(t, "", "cases", "--config", cfg)
	spoken := strings.Join(i18n.Languages, ", ")
	if code != 1 || !strings.Contains(stderr, `config: language: "fr" is not a language vigil speaks (`+spoken+`)`) {
		t.Errorf("language: fr: exit %d, %q; want a refusal naming %s", code, stderr, spoken)
	}
}

// TestServeConsoleLanguage: on the console, /settings refuses a language
// vigil does not speak and, after /settings ru, answers in Russian.
func TestServeConsoleLanguage(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	writeFile(t, filepath.Join(dir, "config.yaml"), "http: {listen: \"127.0.0.1:0\"}\n")
	stdinR, stdinW := io.Pipe()
	var out, errOut syncBuffer
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"serve", "--db", filepath.Join(dir, "v.db")}, stdinR, &out, &errOut, noEnv)
	}()
	waitFor(t, &out, "no platform token configured")
	io.WriteString(stdinW, "/settings fr\n")
	waitFor(t, &out, i18n.F("en", "reply.settings_language", i18n.Args{"Word": "fr", "Languages": strings.Join(i18n.Languages, ", ")}))
	io.WriteString(stdinW, "/settings ru\n")
	waitFor(t, &out, i18n.F("ru", "reply.settings", i18n.Args{"Timezone": "UTC", "Time": "10:00", "Language": "ru"}))
	io.WriteString(stdinW, "/subscribe Азербайджан\n")
	waitFor(t, &out, "Азербайджан")
	cancel()
	stdinW.Close()
	select {
	case <-done:
	case <-time.After(15 * time.Second):
		t.Fatal("serve did not stop after cancel")
	}
}

// TestCaseLangSupported: vigil case --lang refuses, in one line and with
// exit status 2, a well-formed language vigil does not speak, naming the
// ones it does; it does not open the database first.
func TestCaseLangSupported(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "v.db")
	spoken := strings.Join(i18n.Languages, ", ")
	for _, lang := range []string{"fr", "tr"} {
		code, stdout, stderr := vigil(t, dir, "case", "saleh-rustamov", "--lang", lang, "--db", db)
		want := `vigil case: --lang: "` + lang + `" is not a language vigil speaks (` + spoken + `) (see vigil case -h)` + "\n"
		if code != 2 || stderr != want || stdout != "" {
			t.Errorf("case --lang %s: exit %d, stdout %q, stderr %q; want exit 2 and %q", lang, code, stdout, stderr, want)
		}
	}
	if _, err := os.Stat(db); !os.IsNotExist(err) {
		t.Errorf("the refused command created the database: %v", err)
	}
	code, stdout, stderr := vigil(t, dir, "case", "saleh-rustamov", "--lang", "fa", "--db", db)
	if code != 0 || !strings.Contains(stdout, "آذربایجان") {
		t.Errorf("case --lang fa: exit %d, %q, %q; want the Persian card", code, stdout, stderr)
	}
}
