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

// TestRedactedDatabase: Redacted hides a PostgreSQL URL's password, in
// the user info or as a parameter, and leaves a file name as it is.
func TestRedactedDatabase(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"postgres://vigil:s3cret@db.example:5432/vigil", "postgres://vigil:xxxxx@db.example:5432/vigil"},
		{"postgresql://vigil@db.example/vigil?password=s3cret", "postgresql://vigil@db.example/vigil?password=xxxxx"},
		{"/var/lib/vigil/v.db", "/var/lib/vigil/v.db"},
	} {
		c := Default()
		c.Database = tt.in
		if got := c.Redacted().Database; got != tt.want || c.Database != tt.in {
			t.Errorf("Redacted().Database of %q = %q (original now %q); want %q", tt.in, got, c.Database, tt.want)
		}
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
		{`stale_after: a year`, `vigil.yaml:1: stale_after: "a year" is not a duration`},
		{`databse: x.db`, `vigil.yaml:1: databse: unknown key (known: database, cases, timezone,`},
		{`telegram: {webhook_url: "https://bot.example.org/"}`, `config: telegram.webhook_url: needs a path of its own`},
		{`telegram: {webhook_url: "https://bot.example.org/{x}"}`, `config: telegram.webhook_url: needs a path of its own`},
		{"http: {listen: \"\"}\ntelegram: {webhook_url: \"https://bot.example.org/tg\"}", `config: telegram.webhook_url: needs http.listen`},
		{`http: {public_url: "vigil.example.org"}`, `config: http.public_url: must be an http(s) URL`},
		{`http: {public_url: "javascript:alert(1)"}`, `config: http.public_url: must be an http(s) URL`},
		{`http: {public_url: "https://vigil.example.org/pages"}`, `config: http.public_url: must be a base URL like https://vigil.example.org, without a path`},
		{`http: {public_url: "https://vigil.example.org/?a=1"}`, `config: http.public_url: must be a base URL`},
		{`http: {listen: "", public_url: "https://vigil.example.org"}`, `config: http.public_url: needs http.listen`},
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
	for _, in := range []string{"", "d", "-1d", "1y", "soon", "-5h", "+1d", "999999999d"} {
		if _, err := ParseDuration(in); err == nil {
			t.Errorf("ParseDuration(%q) succeeded; want error", in)
		}
	}
}

// TestLoadErrorsInTheUsersWords checks that every error of a config file
// names the file, the line and the full key, says what is expected, and
// never shows a Go type.
func TestLoadErrorsInTheUsersWords(t *testing.T) {
	tests := []struct{ yaml, want string }{
		{"database: v.db\ntelegram:\n  tokn: abc\n",
			`vigil.yaml:3: telegram.tokn: unknown key (known: token, api_endpoint, webhook_url)`},
		{"discord: {token: x, guild: 1}\n",
			`vigil.yaml:1: discord.guild: unknown key (known: token, api_base, guild_id, shards)`},
		{"discord: {shards: -1}\n", `vigil.yaml:1: discord.shards: want auto or a number of shards from 1 to 4096`},
		{"discord: {shards: many}\n", `vigil.yaml:1: discord.shards: want auto or a number of shards from 1 to 4096`},
		{"discord: {shards: [2]}\n", `vigil.yaml:1: discord.shards: want auto or a number of shards from 1 to 4096`},
		{"http:\n  listen: 127.0.0.1:1\n  port: 80\n",
			`vigil.yaml:3: http.port: unknown key (known: listen, public_url)`},
		{"editors:\n  telegram: [1]\n  slack: [2]\n",
			`vigil.yaml:3: editors.slack: unknown key (known: telegram, discord)`},
		{"stale_after: -5d\n",
			`vigil.yaml:1: stale_after: "-5d" is not a duration (a number of days, hours or minutes, not negative, such as 365d, 12h or 90m)`},
		{"post_time: \"10:00\"\ncatch_up: -2h\n",
			`vigil.yaml:2: catch_up: "-2h" is not a duration (a number of days, hours or minutes, not negative, such as 365d, 12h or 90m)`},
		{"catch_up: [1h]\n", `vigil.yaml:1: catch_up: want a duration such as 365d, 12h or 90m`},
		{"daily_limit: many\n", `vigil.yaml:1: daily_limit: "many" is not a whole number`},
		{"cases: a.yaml\n", `vigil.yaml:1: cases: want a list, e.g. [a, b]`},
		{"telegram: abc\n", `vigil.yaml:1: telegram: want keys (known: token, api_endpoint, webhook_url)`},
		{"timezone: [UTC]\n", `vigil.yaml:1: timezone: want a single value, not a list or keys`},
		{"timezone: Local\n", `config: timezone: "Local" is not an IANA time zone (e.g. Europe/Berlin or UTC)`},
	}
	for _, tt := range tests {
		_, err := Load(write(t, tt.yaml), env(nil))
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%q: error %v;\nwant %q", tt.yaml, err, tt.want)
			continue
		}
		if msg := err.Error(); strings.Contains(msg, "struct") || strings.Contains(msg, "!!") || strings.Contains(msg, "int64") ||
			strings.Count(msg, "\n") != 0 {
			t.Errorf("%q: error %q shows Go types or more than one line", tt.yaml, msg)
		}
	}
	// Two unknown keys: both named, each on its line.
	_, err := Load(write(t, "telegram:\n  tokn: a\ndiscord:\n  tokn: b\n"), env(nil))
	if err == nil || !strings.Contains(err.Error(), "vigil.yaml:2: telegram.tokn: unknown key") || !strings.Contains(err.Error(), "vigil.yaml:4: discord.tokn: unknown key") {
		t.Errorf("two unknown keys: %v", err)
	}
}

// TestDiscordShards: discord.shards is auto by default, "auto" or a
// number from 1 to MaxShards.
func TestDiscordShards(t *testing.T) {
	c, err := Load(write(t, ""), env(nil))
	if err != nil || c.Discord.Shards != ShardsAuto || c.Discord.Shards.String() != "auto" {
		t.Errorf("default shards = %v, %v; want auto", c.Discord.Shards, err)
	}
	for in, want := range map[string]Shards{"auto": ShardsAuto, "AUTO": ShardsAuto, "1": 1, "16": 16, "4096": 4096} {
		c, err := Load(write(t, "discord: {shards: "+in+"}\n"), env(nil))
		if err != nil || c.Discord.Shards != want {
			t.Errorf("shards: %s = %v, %v; want %v", in, c.Discord.Shards, err, want)
		}
	}
	for _, in := range []string{"0", "4097", "+2", "2.5", "two"} {
		if _, err := ParseShards(in); err == nil {
			t.Errorf("ParseShards(%q) succeeded; want an error", in)
		}
	}
}

// TestParseTimezone is the one reading of a time zone, shared by the
// config file and /settings.
func TestParseTimezone(t *testing.T) {
	for in, want := range map[string]string{"UTC": "UTC", "utc": "UTC", "Utc": "UTC", "Europe/Berlin": "Europe/Berlin", "Asia/Baku": "Asia/Baku"} {
		if got, err := ParseTimezone(in); err != nil || got != want {
			t.Errorf("ParseTimezone(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, in := range []string{"", "Local", "Mars/Base", "../../etc/passwd", "/etc/localtime"} {
		if got, err := ParseTimezone(in); err == nil {
			t.Errorf("ParseTimezone(%q) = %q; want an error", in, got)
		}
	}
	c, err := Load(write(t, "timezone: utc\n"), env(nil))
	if err != nil || c.Timezone != "UTC" {
		t.Errorf("timezone: utc loads as %v, %v; want UTC", c, err)
	}
}

// TestPublicURL: http.public_url is read, a trailing slash dropped, and
// it is empty by default (no public pages).
func TestPublicURL(t *testing.T) {
	t.Chdir(t.TempDir())
	if c, err := Load("", env(nil)); err != nil || c.HTTP.PublicURL != "" {
		t.Fatalf("default public_url = %q, %v; want empty", c.HTTP.PublicURL, err)
	}
	path := write(t, "http: {listen: \"127.0.0.1:0\", public_url: \"https://vigil.example.org/\"}\n")
	c, err := Load(path, env(nil))
	if err != nil {
		t.Fatal(err)
	}
	if c.HTTP.PublicURL != "https://vigil.example.org" {
		t.Errorf("public_url = %q; want https://vigil.example.org", c.HTTP.PublicURL)
	}
}

func TestLoadPostgresDatabase(t *testing.T) {
	const dsn = "postgres://vigil:s3cret@127.0.0.1:5432/vigil?sslmode=disable"
	c, err := Load(write(t, "database: "+dsn+"\n"), env(nil))
	if err != nil {
		t.Fatal(err)
	}
	if c.Database != dsn {
		t.Errorf("database = %q; want the URL as written, not made relative to the config's folder", c.Database)
	}
	_, err = Load(write(t, "database: \"postgres://vigil:s3cret@%zz/vigil\"\n"), env(nil))
	if err == nil || !strings.Contains(err.Error(), "database: not a valid PostgreSQL URL") {
		t.Fatalf("Load of a bad URL: %v; want database: not a valid PostgreSQL URL", err)
	}
	if strings.Contains(err.Error(), "s3cret") {
		t.Errorf("error %q shows the password", err)
	}
}
