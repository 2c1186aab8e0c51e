package main

import (
	"context"
	"io"
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
