package main

import (
	"bytes"
	"context"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/vigil-bot/vigil/internal/testutil"
)

// TestMain lets the test binary act as vigil itself when re-executed
// with VIGIL_AS_MAIN=1, so tests can signal a real process, as the
// small parent that measures one (see rusageShim), and as a vigil that
// reports the catalogues it parsed (see runReportingLoaded).
func TestMain(m *testing.M) {
	if os.Getenv("VIGIL_AS_MAIN") == "1" {
		main()
		return
	}
	if out := os.Getenv(rusageShimEnv); out != "" {
		os.Exit(rusageShim(out))
	}
	if out := os.Getenv(loadedLangsEnv); out != "" {
		os.Exit(runReportingLoaded(out))
	}
	os.Exit(m.Run())
}

type syncBuffer = testutil.SyncBuffer

// waitFor polls until buf contains want, failing after a generous bound.
func waitFor(t *testing.T, buf *syncBuffer, want string) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for !strings.Contains(buf.String(), want) {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %q in output:\n%s", want, buf.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func noEnv(string) string { return "" }

// vigil runs the CLI in-process and returns its exit status and output.
func vigil(t *testing.T, dir string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	wd, _ := os.Getwd()
	if dir != "" {
		t.Chdir(dir)
	}
	err := run(context.Background(), args, strings.NewReader(""), &out, &errOut, noEnv)
	code = exitCode(err, &errOut)
	if dir != "" {
		t.Chdir(wd)
	}
	return code, out.String(), errOut.String()
}

func writeFile(t testing.TB, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

const goodCase = `id: amira-testova
name: Amira Testova
country: AZ
status: imprisoned
status_as_of: 2026-10
sentenced: 2025-02
`

func TestUsage(t *testing.T) {
	db := filepath.Join(t.TempDir(), "v.db")
	tests := []struct {
		args     []string
		code     int
		inStderr string
		inStdout string
	}{
		{nil, 2, "vigil: missing command (see vigil -h)", ""},
		{[]string{"frobnicate"}, 2, `vigil: unknown command "frobnicate"`, ""},
		{[]string{"-h"}, 0, "", "Usage: vigil COMMAND"},
		{[]string{"case", "-h"}, 0, "", "Usage: vigil case [flags] QUERY"},
		{[]string{"import", "--db", db}, 2, "vigil import: missing FILE|DIR...", ""},
		{[]string{"case", "--db", db}, 2, "vigil case: missing QUERY", ""},
		{[]string{"case", "x", "--bogus"}, 2, "vigil case: flag provided but not defined: -bogus", ""},
		{[]string{"subscribe", "--db", db, "slack:1", "AZ"}, 2, `"slack:1" is not a channel`, ""},
		{[]string{"subscribe", "--db", db, "telegram:abc", "AZ"}, 2, `"telegram:abc" is not a channel`, ""},
		{[]string{"subscribe", "--db", db, "console", "Atlantis"}, 2, `"Atlantis" is not a country`, ""},
		{[]string{"alert", "--db", db, "amira"}, 2, "vigil alert: missing --message", ""},
		{[]string{"version"}, 0, "", "vigil "},
		{[]string{"serve", "--config", "/nonexistent/vigil.yaml"}, 1, "config: open /nonexistent/vigil.yaml", ""},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			code, stdout, stderr := vigil(t, "", tt.args...)
			if code != tt.code {
				t.Errorf("exit %d; want %d (stderr %q)", code, tt.code, stderr)
			}
			if !strings.Contains(stderr, tt.inStderr) || !strings.Contains(stdout, tt.inStdout) {
				t.Errorf("stdout %q, stderr %q; want %q and %q", stdout, stderr, tt.inStdout, tt.inStderr)
			}
			if tt.code == 2 && strings.Count(strings.TrimSpace(stderr), "\n") != 0 {
				t.Errorf("usage error is not one line: %q", stderr)
			}
		})
	}
}

// TestImportBrokenChangesNothing: a broken file is named with its line and
// nothing is imported, not even the good file beside it.
func TestImportBrokenChangesNothing(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "v.db")
	writeFile(t, filepath.Join(dir, "cases", "a.yaml"), goodCase)
	code, stdout, stderr := vigil(t, "", "import", "--db", db, filepath.Join(dir, "cases"))
	if code != 0 || !strings.Contains(stdout, "1 added") {
		t.Fatalf("import: exit %d, %q %q", code, stdout, stderr)
	}
	code, stdout, _ = vigil(t, "", "import", "--db", db, filepath.Join(dir, "cases"))
	if code != 0 || !strings.Contains(stdout, "1 unchanged") {
		t.Errorf("re-import: exit %d, %q; want 1 unchanged", code, stdout)
	}
	before, _ := os.ReadFile(db)

	writeFile(t, filepath.Join(dir, "cases", "a.yaml"), strings.Replace(goodCase, "imprisoned", "released", 1))
	writeFile(t, filepath.Join(dir, "cases", "b.yaml"), "id: jonas-fiktiv\nname: Jonas Fiktiv\ncountry: BY\nstatus: detained\nstatus_as_of: 2026-10\narrested: 2021-13\n")
	code, stdout, stderr = vigil(t, "", "import", "--db", db, filepath.Join(dir, "cases"))
	if code != 1 {
		t.Errorf("broken import exit %d; want 1", code)
	}
	want := filepath.Join(dir, "cases", "b.yaml") + ":6: arrested: month 13 out of range"
	if !strings.Contains(stderr, want) || !strings.Contains(stderr, "nothing was imported") {
		t.Errorf("stderr %q; want %q", stderr, want)
	}
	if stdout != "" {
		t.Errorf("stdout %q; want nothing", stdout)
	}
	// Read before "cases", which loads the bundled cases and may grow the file.
	after, _ := os.ReadFile(db)
	code, stdout, _ = vigil(t, "", "cases", "--db", db, "--json")
	if code != 0 || !strings.Contains(stdout, `"status":"imprisoned"`) || strings.Contains(stdout, "jonas") {
		t.Errorf("after the broken import the cases are %q; want Amira still imprisoned and no Jonas", stdout)
	}
	if len(before) == 0 || !bytes.Equal(before[:100], after[:100]) {
		t.Errorf("database header changed")
	}

	// Mend the file: both import, and the status change is reported.
	writeFile(t, filepath.Join(dir, "cases", "b.yaml"), "id: jonas-fiktiv\nname: Jonas Fiktiv\ncountry: BY\nstatus: detained\nstatus_as_of: 2026-10\narrested: 2021-12\n")
	code, stdout, _ = vigil(t, "", "import", "--db", db, filepath.Join(dir, "cases"))
	if code != 0 || !strings.Contains(stdout, "status of amira-testova: imprisoned → released") {
		t.Errorf("mended import: exit %d, %q", code, stdout)
	}
}

func TestCaseCommand(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "v.db")
	// With no config file, the bundled cases are loaded.
	code, stdout, stderr := vigil(t, dir, "case", "--db", db, "rustanov")
	if code != 0 || !strings.Contains(stdout, "Sentenced: February 2021") || !strings.Contains(stdout, "Saleh Rustamov — Azerbaijan") {
		t.Fatalf("case rustanov: exit %d\n%s\n%s", code, stdout, stderr)
	}
	code, stdout, _ = vigil(t, dir, "case", "Рустамов", "--lang", "de", "--db", db)
	if code != 0 || !strings.Contains(stdout, "Verurteilt: Februar 2021") {
		t.Errorf("case Рустамов --lang de: exit %d\n%s", code, stdout)
	}
	code, stdout, _ = vigil(t, dir, "case", "--json", "--db", db, "rüstəmov")
	if code != 0 || !strings.Contains(stdout, `"sentenced":"2021-02"`) || !strings.Contains(stdout, `"arrested":"2018"`) {
		t.Errorf("case --json: exit %d\n%s", code, stdout)
	}
	code, _, stderr = vigil(t, dir, "case", "--db", db, "nobody-here-xyz")
	if code != 1 || !strings.Contains(stderr, "no case matches \"nobody-here-xyz\" (see vigil cases)") {
		t.Errorf("no match: exit %d, %q", code, stderr)
	}
	code, _, stderr = vigil(t, dir, "case", "--db", db, "--lang", "german", "x")
	if code != 2 || !strings.Contains(stderr, "--lang") {
		t.Errorf("bad --lang: exit %d, %q", code, stderr)
	}
	code, stdout, _ = vigil(t, dir, "cases", "--db", db, "--country", "Aserbaidschan")
	if code != 0 || !strings.Contains(stdout, "saleh-rustamov") {
		t.Errorf("cases --country: exit %d, %q", code, stdout)
	}
	// Confirmed May 2022, the bundled case is stale with the default 365d.
	code, stdout, _ = vigil(t, dir, "cases", "--db", db, "--stale")
	if code != 0 || !strings.Contains(stdout, "saleh-rustamov") {
		t.Errorf("cases --stale: exit %d, %q", code, stdout)
	}
}

func TestConfigFile(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "etc", "vigil.yaml"), "database: state/v.db\ncases: [cases]\nlanguage: de\n")
	writeFile(t, filepath.Join(dir, "etc", "cases", "a.yaml"), goodCase)
	if err := os.MkdirAll(filepath.Join(dir, "etc", "state"), 0o755); err != nil {
		t.Fatal(err)
	}
	cfg := filepath.Join(dir, "etc", "vigil.yaml")
	code, stdout, stderr := vigil(t, "", "case", "--config", cfg, "testova")
	if code != 0 || !strings.Contains(stdout, "Amira Testova — Aserbaidschan") || !strings.Contains(stdout, "Verurteilt: Februar 2025") {
		t.Fatalf("case with config: exit %d\n%s\n%s", code, stdout, stderr)
	}
	if _, err := os.Stat(filepath.Join(dir, "etc", "state", "v.db")); err != nil {
		t.Errorf("database not relative to the config file: %v", err)
	}
	writeFile(t, cfg, "post_time: \"25:00\"\ntelegram:\n  tokn: x\n")
	code, _, stderr = vigil(t, "", "cases", "--config", cfg)
	if code != 1 || !strings.Contains(stderr, "vigil.yaml:3: telegram.tokn: unknown key (known: token, api_endpoint, webhook_url)") {
		t.Errorf("unknown key: exit %d, %q", code, stderr)
	}
	writeFile(t, cfg, "post_time: \"25:00\"\n")
	code, _, stderr = vigil(t, "", "cases", "--config", cfg)
	if code != 1 || !strings.Contains(stderr, `config: post_time: "25:00" is not a time of day`) {
		t.Errorf("bad post_time: exit %d, %q", code, stderr)
	}
}

// TestServeConsole runs the daemon with the console channel end to end:
// a lookup, a subscription, and an alert queued by the CLI from outside
// that the daemon delivers to the console once.
func TestServeConsole(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "v.db")
	t.Chdir(dir)
	writeFile(t, filepath.Join(dir, "config.yaml"), "http: {listen: \"127.0.0.1:0\"}\n") // bundled cases, free port
	stdinR, stdinW := io.Pipe()
	var out, errOut syncBuffer
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- run(ctx, []string{"serve", "--db", db}, stdinR, &out, &errOut, noEnv) }()

	waitFor(t, &out, "no platform token configured")
	if first, _, _ := strings.Cut(out.String(), "\n"); !strings.Contains(first, "console") {
		t.Errorf("first line %q does not say it runs the console", first)
	}
	io.WriteString(stdinW, "/case rustanov\n")
	waitFor(t, &out, "Sentenced: February 2021")
	io.WriteString(stdinW, "/subscribe Azerbaijan\n")
	waitFor(t, &out, "This channel now gets posts and alerts about Azerbaijan")

	var cliOut, cliErr bytes.Buffer
	err := run(context.Background(), []string{"alert", "--db", db, "rustamov", "--message", "Write to him today"}, strings.NewReader(""), &cliOut, &cliErr, noEnv)
	if err != nil || !strings.Contains(cliOut.String(), "queued for 1 channel") {
		t.Fatalf("vigil alert: %v, %q %q", err, cliOut.String(), cliErr.String())
	}
	waitFor(t, &out, "URGENT: Write to him today")
	time.Sleep(1500 * time.Millisecond) // more than a poll: a second delivery would show
	if n := strings.Count(out.String(), "URGENT: Write to him today"); n != 1 {
		t.Errorf("alert printed %d times; want once", n)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("serve returned %v; want nil", err)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("serve did not stop after cancel")
	}
	if strings.Contains(errOut.String(), "level=ERROR") {
		t.Errorf("errors logged:\n%s", errOut.String())
	}
}

// TestServeSignal: the real process stops cleanly with exit 0 on SIGINT
// and on SIGTERM.
func TestServeSignal(t *testing.T) {
	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM} {
		t.Run(sig.String(), func(t *testing.T) {
			dir := t.TempDir()
			writeFile(t, filepath.Join(dir, "config.yaml"), "http: {listen: \"127.0.0.1:0\"}\n")
			cmd := exec.Command(os.Args[0], "serve", "--db", filepath.Join(dir, "v.db"))
			cmd.Dir = dir
			cmd.Env = append(os.Environ(), "VIGIL_AS_MAIN=1", "VIGIL_TELEGRAM_TOKEN=", "VIGIL_DISCORD_TOKEN=")
			stdin, err := cmd.StdinPipe()
			if err != nil {
				t.Fatal(err)
			}
			defer stdin.Close()
			var out syncBuffer
			cmd.Stdout = &out
			cmd.Stderr = &out
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			waitFor(t, &out, "cases loaded")
			if err := cmd.Process.Signal(sig); err != nil {
				t.Fatal(err)
			}
			errc := make(chan error, 1)
			go func() { errc <- cmd.Wait() }()
			select {
			case err := <-errc:
				if err != nil {
					t.Errorf("exit: %v; want status 0\n%s", err, out.String())
				}
			case <-time.After(20 * time.Second):
				cmd.Process.Kill()
				t.Fatalf("no exit after %v\n%s", sig, out.String())
			}
			if !strings.Contains(out.String(), "msg=stopped") {
				t.Errorf("no clean stop logged:\n%s", out.String())
			}
		})
	}
}
