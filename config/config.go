// Package config is vigil's configuration: its defaults, the YAML file
// decoded over them, tokens from the environment, and validation whose
// errors name the key. A Config is plain data passed down explicitly;
// nothing here has side effects beyond reading the file.
package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/vigil-bot/vigil/bot/i18n"
	"github.com/vigil-bot/vigil/internal/dburl"
	"golang.org/x/text/language"
	"gopkg.in/yaml.v3"
)

// Config is vigil's configuration; the yaml names are the keys of
// config.example.yaml and PRODUCT.md.
type Config struct {
	Database   string   `yaml:"database"` // a SQLite file, or a postgres:// URL (see IsPostgresURL)
	Cases      []string `yaml:"cases"`    // nil (no cases key): the bundled cases; empty (cases: []): none
	Timezone   string   `yaml:"timezone"`
	PostTime   string   `yaml:"post_time"`
	Language   string   `yaml:"language"`
	StaleAfter Duration `yaml:"stale_after"`
	CatchUp    Duration `yaml:"catch_up"`
	DailyLimit int      `yaml:"daily_limit"`
	// Images makes posts carry the case's share card picture (default
	// true); a channel's /settings images on|off overrides it.
	Images bool `yaml:"images"`
	HTTP   struct {
		Listen string `yaml:"listen"`
		// PublicURL is the address the world reaches http.listen at
		// ("https://vigil.example.org", no path); when set, the listener
		// also serves the public case pages and cards link to them.
		PublicURL string `yaml:"public_url"`
	} `yaml:"http"`
	Telegram struct {
		Token       string `yaml:"token"`
		APIEndpoint string `yaml:"api_endpoint"`
		WebhookURL  string `yaml:"webhook_url"`
	} `yaml:"telegram"`
	Discord struct {
		Token   string `yaml:"token"`
		APIBase string `yaml:"api_base"`
		GuildID string `yaml:"guild_id"`
		// Shards is how many gateway shards to run; ShardsAuto (the
		// default) asks Discord (GET /gateway/bot).
		Shards Shards `yaml:"shards"`
	} `yaml:"discord"`
	Editors struct {
		Telegram []string `yaml:"telegram"`
		Discord  []string `yaml:"discord"`
	} `yaml:"editors"`

	// File is the config file read, empty for built-in defaults.
	File string `yaml:"-"`
}

// Default returns the built-in configuration: a SQLite file in the
// working folder, the bundled cases and the console channel.
func Default() *Config {
	c := &Config{
		Database:   "vigil.db",
		Timezone:   "UTC",
		PostTime:   "10:00",
		Language:   "en",
		StaleAfter: Duration(365 * 24 * time.Hour),
		CatchUp:    Duration(time.Hour),
		DailyLimit: 3,
		Images:     true,
	}
	c.HTTP.Listen = "127.0.0.1:8080"
	return c
}

// DefaultFile is read when no --config is given and it exists.
const DefaultFile = "config.yaml"

// Load reads the configuration. With path empty it reads ./config.yaml if
// present and otherwise uses the defaults; a named file must exist. getenv
// supplies VIGIL_TELEGRAM_TOKEN and VIGIL_DISCORD_TOKEN (set but empty
// counts as unset). The result is validated.
func Load(path string, getenv func(string) string) (*Config, error) {
	c := Default()
	if path == "" {
		if _, err := os.Stat(DefaultFile); err == nil {
			path = DefaultFile
		}
	}
	if path != "" {
		data, err := os.ReadFile(path)
		if err != nil {
			return nil, fmt.Errorf("config: %w", err)
		}
		if err := c.decode(path, data); err != nil {
			return nil, err
		}
	}
	if tz, err := ParseTimezone(c.Timezone); err == nil {
		c.Timezone = tz // "utc" is "UTC", as /settings has it
	}
	c.HTTP.PublicURL = strings.TrimRight(c.HTTP.PublicURL, "/") // "https://x.org/" is "https://x.org"
	if v := getenv("VIGIL_TELEGRAM_TOKEN"); v != "" {
		c.Telegram.Token = v
	}
	if v := getenv("VIGIL_DISCORD_TOKEN"); v != "" {
		c.Discord.Token = v
	}
	if err := c.Validate(); err != nil {
		return nil, err
	}
	return c, nil
}

func (c *Config) decode(path string, data []byte) error {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err == nil && len(doc.Content) > 0 {
		// Unknown keys and values of the wrong kind, named by their key
		// path and line before the decoder below would name Go types.
		var errs []error
		checkNode(path, "", doc.Content[0], reflect.TypeFor[Config](), &errs)
		if len(errs) > 0 {
			return errors.Join(errs...)
		}
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(c); err != nil && !errors.Is(err, io.EOF) { // an empty file means all defaults
		return fmt.Errorf("config: %s: %s", path, strings.TrimPrefix(strings.ReplaceAll(err.Error(), "\n ", ""), "yaml: "))
	}
	c.File = path
	// Relative paths in a config file are relative to that file's folder.
	dir := filepath.Dir(path)
	if !IsPostgresURL(c.Database) {
		c.Database = relTo(dir, c.Database)
	}
	for i, p := range c.Cases {
		c.Cases[i] = relTo(dir, p)
	}
	return nil
}

// checkNode checks the YAML node n, the value of key (a dotted path, empty
// for the whole file), against the type t it decodes into, and adds an
// error naming file:line and the key for every key t does not have and
// every value that does not fit.
func checkNode(file, key string, n *yaml.Node, t reflect.Type, errs *[]error) {
	bad := func(n *yaml.Node, key, format string, args ...any) {
		msg := fmt.Sprintf(format, args...)
		if key != "" {
			msg = key + ": " + msg
		}
		*errs = append(*errs, fmt.Errorf("config: %s:%d: %s", file, n.Line, msg))
	}
	if n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	if t.Kind() != reflect.Struct {
		if err := n.Decode(reflect.New(t).Interface()); err != nil {
			bad(n, key, "%s", valueError(n, t, err))
		}
		return
	}
	known := yamlKeys(t)
	if n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
		return // "telegram:" with nothing under it: the defaults
	}
	if n.Kind != yaml.MappingNode {
		bad(n, key, "want keys (known: %s)", strings.Join(fieldOrder(t), ", "))
		return
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		path := k.Value
		if key != "" {
			path = key + "." + k.Value
		}
		f, ok := known[k.Value]
		if !ok {
			bad(k, path, "unknown key (known: %s)", strings.Join(fieldOrder(t), ", "))
			continue
		}
		checkNode(file, path, v, f.Type, errs)
	}
}

// yamlKeys returns t's fields by their YAML key.
func yamlKeys(t reflect.Type) map[string]reflect.StructField {
	out := map[string]reflect.StructField{}
	for _, f := range reflect.VisibleFields(t) {
		name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		if name != "" && name != "-" && f.IsExported() {
			out[name] = f
		}
	}
	return out
}

// fieldOrder returns t's YAML keys in the order of its fields, which is
// the order of config.example.yaml.
func fieldOrder(t reflect.Type) []string {
	var out []string
	for _, f := range reflect.VisibleFields(t) {
		name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		if name != "" && name != "-" && f.IsExported() {
			out = append(out, name)
		}
	}
	return out
}

// valueError says why n does not decode into a value of type t, in the
// words of the config file rather than of Go's types.
func valueError(n *yaml.Node, t reflect.Type, err error) string {
	var te *yaml.TypeError
	if !errors.As(err, &te) {
		return err.Error() // from the type's own UnmarshalYAML: Duration
	}
	switch {
	case t.Kind() == reflect.Slice && n.Kind != yaml.SequenceNode:
		return "want a list, e.g. [a, b]"
	case t.Kind() == reflect.Slice:
		return "want a list of single values, e.g. [a, b]"
	case n.Kind != yaml.ScalarNode:
		return "want a single value, not a list or keys"
	case t.Kind() == reflect.Int:
		return fmt.Sprintf("%q is not a whole number", n.Value)
	}
	return fmt.Sprintf("%q does not fit here", n.Value)
}

// IsPostgresURL reports whether database names a PostgreSQL database, a
// postgres:// or postgresql:// URL, rather than a SQLite file.
func IsPostgresURL(database string) bool { return dburl.IsPostgres(database) }

func relTo(dir, p string) string {
	if p == "" || filepath.IsAbs(p) || p == ":memory:" {
		return p
	}
	return filepath.Join(dir, p)
}

// webhookPath is what a webhook URL's path may be: not the root, and only
// plain characters, so it is a literal route.
var webhookPath = regexp.MustCompile(`^/[A-Za-z0-9._~-]+(/[A-Za-z0-9._~-]+)*/?$`)

// Validate checks every value; its error names the key at fault.
func (c *Config) Validate() error {
	var errs []error
	bad := func(key, format string, args ...any) {
		errs = append(errs, fmt.Errorf("config: %s: %s", key, fmt.Sprintf(format, args...)))
	}
	if c.Database == "" {
		bad("database", "required")
	}
	if IsPostgresURL(c.Database) {
		// The URL may hold a password: the message never quotes it.
		if u, err := url.Parse(c.Database); err != nil || u.Host == "" && u.Query().Get("host") == "" {
			bad("database", "not a valid PostgreSQL URL (postgres://user@host:port/database)")
		}
	}
	if _, err := ParseTimezone(c.Timezone); err != nil {
		bad("timezone", "%v", err)
	}
	if _, err := ParseClock(c.PostTime); err != nil {
		bad("post_time", "%v", err)
	}
	if err := CheckSupported(c.Language); err != nil {
		bad("language", "%v", err)
	}
	if c.StaleAfter < 0 {
		bad("stale_after", "must not be negative")
	}
	if c.CatchUp < 0 {
		bad("catch_up", "must not be negative")
	}
	if c.DailyLimit < 1 {
		bad("daily_limit", "must be at least 1")
	}
	if l := c.HTTP.Listen; l != "" {
		if _, _, err := net.SplitHostPort(l); err != nil {
			bad("http.listen", "%q is not host:port", l)
		}
	}
	if p := c.HTTP.PublicURL; p != "" {
		u, err := url.Parse(p)
		switch {
		case err != nil || u.Scheme != "https" && u.Scheme != "http" || u.Host == "" || u.User != nil:
			bad("http.public_url", "must be an http(s) URL, e.g. https://vigil.example.org")
		case strings.Trim(u.Path, "/") != "" || u.RawQuery != "" || u.Fragment != "":
			bad("http.public_url", "must be a base URL like https://vigil.example.org, without a path: the pages are served at /")
		case c.HTTP.Listen == "":
			bad("http.public_url", "needs http.listen, where the pages are served")
		}
	}
	if e := c.Telegram.APIEndpoint; e != "" {
		if strings.Count(e, "%s") != 2 || strings.Count(e, "%") != 2 {
			bad("telegram.api_endpoint", "must contain two %%s (token, method), e.g. http://127.0.0.1:8081/bot%%s/%%s")
		} else if u, err := url.Parse(strings.ReplaceAll(e, "%s", "x")); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			bad("telegram.api_endpoint", "must be an http(s) URL")
		}
	}
	if w := c.Telegram.WebhookURL; w != "" {
		u, err := url.Parse(w)
		switch {
		case err != nil || u.Scheme != "https" && u.Scheme != "http" || u.Host == "":
			bad("telegram.webhook_url", "must be an http(s) URL")
		case !webhookPath.MatchString(u.Path) || u.Path == "/healthz" || u.Path == "/metrics":
			// The path is where the daemon's HTTP listener receives the
			// updates, beside /healthz and /metrics.
			bad("telegram.webhook_url", "needs a path of its own, e.g. https://bot.example.org/telegram/webhook")
		case c.HTTP.Listen == "":
			bad("telegram.webhook_url", "needs http.listen, where the updates are received")
		}
	}
	if b := c.Discord.APIBase; b != "" {
		if u, err := url.Parse(b); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || strings.Trim(u.Path, "/") != "" {
			bad("discord.api_base", "must be a base URL like http://127.0.0.1:8082, without a path")
		}
	}
	if n := c.Discord.Shards; n < 0 || n > MaxShards {
		bad("discord.shards", "want auto or a number of shards from 1 to %d", MaxShards)
	}
	if g := c.Discord.GuildID; g != "" && !isDigits(g) {
		bad("discord.guild_id", "%q is not a snowflake id", g)
	}
	for i, id := range c.Editors.Telegram {
		if _, err := strconv.ParseInt(id, 10, 64); err != nil {
			bad(fmt.Sprintf("editors.telegram[%d]", i), "%q is not a Telegram user id", id)
		}
	}
	for i, id := range c.Editors.Discord {
		if !isDigits(id) {
			bad(fmt.Sprintf("editors.discord[%d]", i), "%q is not a Discord user id", id)
		}
	}
	return errors.Join(errs...)
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// ParseTimezone reads a time zone as the config file and the /settings
// command both take it: an IANA name ("Europe/Berlin") as the system's
// time zone database knows it, or UTC in any case ("utc"), and returns
// its one spelling. "Local" (whatever zone the server is in) is refused.
func ParseTimezone(s string) (string, error) {
	if strings.EqualFold(s, "UTC") {
		return "UTC", nil
	}
	if _, err := time.LoadLocation(s); err != nil || s == "" || s == "Local" {
		return "", fmt.Errorf("%q is not an IANA time zone (e.g. Europe/Berlin or UTC)", s)
	}
	return s, nil
}

// ParseClock parses a local time of day "HH:MM" into minutes after midnight.
func ParseClock(s string) (int, error) {
	t, err := time.Parse("15:04", s)
	if err != nil || len(s) != 5 {
		return 0, fmt.Errorf("%q is not a time of day (HH:MM, 24-hour)", s)
	}
	return t.Hour()*60 + t.Minute(), nil
}

// CheckLanguage accepts a two-letter ISO 639-1 language code.
func CheckLanguage(s string) error {
	if len(s) != 2 || strings.ToLower(s) != s {
		return fmt.Errorf("%q is not a two-letter language code (e.g. en, de)", s)
	}
	if _, err := language.ParseBase(s); err != nil {
		return fmt.Errorf("%q is not a known language code", s)
	}
	return nil
}

// CheckSupported accepts a language vigil speaks: a two-letter code
// (CheckLanguage) with a message catalogue. It is the one check of
// language: in config, /settings and a private chat's user language.
func CheckSupported(s string) error {
	if err := CheckLanguage(s); err != nil {
		return err
	}
	if !i18n.Supported(s) {
		return fmt.Errorf("%q is not a language vigil speaks (%s)", s, strings.Join(i18n.Languages, ", "))
	}
	return nil
}

// Duration is a time.Duration that also reads days: "365d", "36h", "1h30m".
type Duration time.Duration

// UnmarshalYAML reads "365d" as well as Go duration syntax; its error
// says what is expected (the caller names the key and line).
func (d *Duration) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind != yaml.ScalarNode {
		return errors.New("want a duration such as 365d, 12h or 90m")
	}
	v, err := ParseDuration(n.Value)
	if err != nil {
		return err
	}
	*d = Duration(v)
	return nil
}

// ParseDuration parses "Nd" (days) or Go duration syntax ("12h", "1h30m",
// "90m"); a negative duration is refused.
func ParseDuration(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	bad := fmt.Errorf("%q is not a duration (a number of days, hours or minutes, not negative, such as 365d, 12h or 90m)", s)
	if days, ok := strings.CutSuffix(s, "d"); ok {
		n, err := strconv.Atoi(days)
		if err != nil || n < 0 || days[0] == '+' || n > 100_000 {
			return 0, bad
		}
		return time.Duration(n) * 24 * time.Hour, nil
	}
	v, err := time.ParseDuration(s)
	if err != nil || v < 0 {
		return 0, bad
	}
	return v, nil
}

// Shards is discord.shards: "auto" (ShardsAuto, the default: Discord's
// recommended count) or a number of gateway shards.
type Shards int

// ShardsAuto is discord.shards: auto.
const ShardsAuto Shards = 0

// MaxShards bounds discord.shards: a bot needs one shard per 2,500
// guilds, and a number beyond this is a typing mistake.
const MaxShards = 4096

// UnmarshalYAML reads "auto" or a whole number from 1 to MaxShards; its
// error says what is expected (the caller names the key and line).
func (s *Shards) UnmarshalYAML(n *yaml.Node) error {
	v, err := ParseShards(n.Value)
	if n.Kind != yaml.ScalarNode || err != nil {
		return fmt.Errorf("want auto or a number of shards from 1 to %d", MaxShards)
	}
	*s = v
	return nil
}

// ParseShards parses "auto" or a number of shards from 1 to MaxShards.
func ParseShards(v string) (Shards, error) {
	v = strings.TrimSpace(v)
	if strings.EqualFold(v, "auto") || v == "" {
		return ShardsAuto, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > MaxShards || v[0] == '+' {
		return 0, fmt.Errorf("%q is not auto or a number of shards from 1 to %d", v, MaxShards)
	}
	return Shards(n), nil
}

// String returns "auto" or the number.
func (s Shards) String() string {
	if s == ShardsAuto {
		return "auto"
	}
	return strconv.Itoa(int(s))
}

// D returns d as a time.Duration.
func (d Duration) D() time.Duration { return time.Duration(d) }

// Redacted returns a copy of c with tokens masked, safe to log or print.
func (c *Config) Redacted() Config {
	r := *c
	if r.Telegram.Token != "" {
		r.Telegram.Token = "(set)"
	}
	if r.Discord.Token != "" {
		r.Discord.Token = "(set)"
	}
	r.Database = dburl.Redact(r.Database)
	return r
}
