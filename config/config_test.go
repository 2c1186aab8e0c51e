package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func env(vars map[string]string) func(string) string {
	return func(k string) string { return vars[k] }
}

func write(t *testing.T, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "conf", "vigil.yaml")
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestDefaults(t *testing.T) {
	t.Chdir(t.TempDir()) // no config.yaml
	c, err := Load("", env(nil))
	if err != nil {
		t.Fatal(err)
	}
	if c.Database != "vigil.db" || c.Cases != nil || c.Timezone != "UTC" || c.PostTime != "10:00" || c.Language != "en" ||
		c.StaleAfter.D() != 365*24*time.Hour || c.CatchUp.D() != time.Hour || c.DailyLimit != 3 || c.HTTP.Listen != "127.0.0.1:8080" {
		t.Errorf("defaults = %+v", c)
	}
}

func TestLoadFile(t *testing.T) {
	path := write(t, `database: data/v.db
cases: [cases, /abs/cases]
timezone: Europe/Berlin
post_time: "09:30"
language: de
stale_after: 30d
catch_up: 90m
daily_limit: 5
http: {listen: ""}
telegram: {token: "from-file", api_endpoint: "http://127.0.0.1:8081/bot%s/%s"}
discord: {api_base: "http://127.0.0.1:8082", guild_id: "123"}
editors:
  telegram: [123456789]
  discord: ["112233445566778899"]
`)
	c, err := Load(path, env(map[string]string{"VIGIL_DISCORD_TOKEN": "from-env", "VIGIL_TELEGRAM_TOKEN": ""}))
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Dir(path)
	checks := []struct{ name, got, want string }{
		{"database", c.Database, filepath.Join(dir, "data/v.db")},
		{"cases[0]", c.Cases[0], filepath.Join(dir, "cases")},
		{"cases[1]", c.Cases[1], "/abs/cases"},
		{"telegram token (empty env is unset)", c.Telegram.Token, "from-file"},
		{"discord token (env)", c.Discord.Token, "from-env"},
		{"editor", c.Editors.Telegram[0], "123456789"},
		{"stale_after", c.StaleAfter.D().String(), (30 * 24 * time.Hour).String()},
		{"catch_up", c.CatchUp.D().String(), "1h30m0s"},
	}
	for _, ch := range checks {
		if ch.got != ch.want {
			t.Errorf("%s = %q; want %q", ch.name, ch.got, ch.want)
		}
	}
	r := c.Redacted()
	if r.Telegram.Token == "from-file" || r.Discord.Token == "from-env" || c.Telegram.Token != "from-file" {
		t.Errorf("Redacted leaks or mutates: %+v / %+v", r.Telegram, c.Telegram)
	}
}

func TestValidateNamesTheKey(t *testing.T) {
	tests := []struct{ yaml, want string }{
		{`timezone: Mars/Base`, `config: timezone: "Mars/Base" is not an IANA time zone`},
		{`post_time: "9:30"`, `config: post_time: "9:30" is not a time of day`},
		{`language: english`, `config: language: "english" is not a two-letter language code`},
		{`daily_limit: 0`, `config: daily_limit: must be at least 1`},
		{`http: {listen: "8080"}`, `config: http.listen: "8080" is not host:port`},
		{`telegram: {api_endpoint: "http://127.0.0.1:8081/bot%s"}`, `config: telegram.api_endpoint: must contain two %s`},
		{`discord: {api_base: "http://127.0.0.1:8082/api/v9"}`, `config: discord.api_base: must be a base URL`},
		{`editors: {discord: ["me"]}`, `config: editors.discord[0]: "me" is not a Discord user id`},
		{`editors: {telegram: ["@me"]}`, `config: editors.telegram[0]: "@me" is not a Telegram user id`},
		{`stale_after: a year`, `line 1: "a year" is not a duration`},
		{`databse: x.db`, `line 1: field databse not found`},
		{`telegram: {webhook_url: "https://bot.example.org/"}`, `config: telegram.webhook_url: needs a path of its own`},
		{`telegram: {webhook_url: "https://bot.example.org/{x}"}`, `config: telegram.webhook_url: needs a path of its own`},
		{"http: {listen: \"\"}\ntelegram: {webhook_url: \"https://bot.example.org/tg\"}", `config: telegram.webhook_url: needs http.listen`},
		{"cases: [a\n", `vigil.yaml: `},
	}
	for _, tt := range tests {
		path := write(t, tt.yaml)
		_, err := Load(path, env(nil))
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: error %v; want %q", tt.yaml, err, tt.want)
		}
	}
}

func TestEmptyFileIsDefaults(t *testing.T) {
	c, err := Load(write(t, ""), env(nil))
	if err != nil || c.PostTime != "10:00" {
		t.Errorf("empty file: %+v, %v", c, err)
	}
}

func TestParseDuration(t *testing.T) {
	for in, want := range map[string]time.Duration{"365d": 365 * 24 * time.Hour, "0d": 0, "12h": 12 * time.Hour, "1h30m": 90 * time.Minute} {
		if got, err := ParseDuration(in); err != nil || got != want {
			t.Errorf("ParseDuration(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, in := range []string{"", "d", "-1d", "1y", "soon"} {
		if _, err := ParseDuration(in); err == nil {
			t.Errorf("ParseDuration(%q) succeeded; want error", in)
		}
	}
}
