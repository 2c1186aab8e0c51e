package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"runtime/debug"
	"strings"

	"github.com/vigil-bot/vigil/config"
	"github.com/vigil-bot/vigil/store"
)

// version is set at build time with -ldflags "-X main.version=…"; else it
// comes from the module's build info.
var version = ""

// usageError is wrong usage of the CLI: exit status 2 with a one-line reason.
type usageError struct{ cmd, msg string }

func (e *usageError) Error() string {
	if e.cmd == "" {
		return fmt.Sprintf("vigil: %s (see vigil -h)", e.msg)
	}
	return fmt.Sprintf("vigil %s: %s (see vigil %s -h)", e.cmd, e.msg, e.cmd)
}

// errHelp is returned after -h printed the usage: exit status 0.
var errHelp = errors.New("help shown")

// errSilent is a failure already explained on the output: exit status 1,
// nothing more to print.
var errSilent = errors.New("failed")

func exitCode(err error, stderr io.Writer) int {
	var ue *usageError
	switch {
	case err == nil, errors.Is(err, errHelp):
		return 0
	case errors.As(err, &ue):
		fmt.Fprintln(stderr, ue.Error())
		return 2
	case errors.Is(err, errSilent):
		return 1
	}
	fmt.Fprintln(stderr, "vigil: "+err.Error())
	return 1
}

// env is what every command gets: its streams and the environment.
type env struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	getenv         func(string) string
}

// command is one CLI command.
type command struct {
	name, args, summary string
	run                 func(ctx context.Context, e *env, c *cli) error
	flags               func(fs *flag.FlagSet, c *cli)
	minArgs, maxArgs    int // positional arguments; maxArgs < 0: any number
}

// cli holds the parsed common flags and the positional arguments.
type cli struct {
	cmd        *command
	configPath string
	dbPath     string
	args       []string

	json    bool
	lang    string
	country string
	stale   bool
	move    bool
	message string
	from    string
	days    int
	format  string

	force    bool   // backup: overwrite
	to       string // migrate: the target database
	undo     bool   // archive: bring back
	archived bool   // cases: the archived ones

	dryRun   bool
	followUp int64
	correct  int64

	png, at, size string // card: the output file, the day, the size
}

var commands []*command

func init() {
	commands = []*command{
		{name: "serve", summary: "run the daemon", run: cmdServe},
		{name: "import", args: "FILE|DIR...", summary: "validate and upsert case files; exit 1 naming file:line on error",
			run: cmdImport, minArgs: 1, maxArgs: -1,
			flags: func(fs *flag.FlagSet, c *cli) {
				fs.BoolVar(&c.move, "move", false, "let these files take case ids that belong to other files")
			}},
		{name: "export", args: "PATH", summary: "write every case: one YAML file per case into the folder PATH, or one CSV file PATH",
			run: cmdExport, minArgs: 1, maxArgs: 1,
			flags: func(fs *flag.FlagSet, c *cli) {
				fs.StringVar(&c.format, "format", "", "yaml or csv (default: csv if PATH ends in .csv or is -, else yaml)")
			}},
		{name: "case", args: "QUERY", summary: "print a case card (as text, or JSON)", run: cmdCase, minArgs: 1, maxArgs: -1,
			flags: func(fs *flag.FlagSet, c *cli) {
				fs.BoolVar(&c.json, "json", false, "print the case as JSON")
				fs.StringVar(&c.lang, "lang", "", "card language (default: the config's language)")
			}},
		{name: "card", args: "QUERY", summary: "draw a case's share card as a PNG picture", run: cmdCard, minArgs: 1, maxArgs: -1,
			flags: func(fs *flag.FlagSet, c *cli) {
				fs.StringVar(&c.png, "png", "", "write the card to `FILE` (- for the standard output); required")
				fs.StringVar(&c.lang, "lang", "", "card language (default: the config's language)")
				fs.StringVar(&c.at, "at", "", "the day the counters count to, `YYYY-MM-DD` (default: today)")
				fs.StringVar(&c.size, "size", "og", "og (1200×630, link previews) or square (1080×1080)")
			}},
		{name: "cases", summary: "list cases", run: cmdCases,
			flags: func(fs *flag.FlagSet, c *cli) {
				fs.StringVar(&c.country, "country", "", "only this country (ISO code or name)")
				fs.BoolVar(&c.stale, "stale", false, "only cases whose status is older than stale_after")
				fs.BoolVar(&c.json, "json", false, "print one JSON object per line")
				fs.BoolVar(&c.archived, "archived", false, "list the archived cases instead")
			}},
		{name: "upcoming", summary: "the posts that are planned, per channel, in order", run: cmdUpcoming,
			flags: func(fs *flag.FlagSet, c *cli) {
				fs.StringVar(&c.from, "from", "", "first day, YYYY-MM-DD, in each channel's time zone (default: today)")
				fs.IntVar(&c.days, "days", 7, "number of days")
				fs.BoolVar(&c.json, "json", false, "print one JSON object per line")
			}},
		{name: "alert", args: "CASE", summary: "queue an alert (or a follow-up or correction of one); the running daemon sends it",
			run: cmdAlert, maxArgs: -1,
			flags: func(fs *flag.FlagSet, c *cli) {
				fs.StringVar(&c.message, "message", "", "the alert's text (required)")
				fs.BoolVar(&c.dryRun, "dry-run", false, "show the channels per platform and the text in each language; queue nothing")
				fs.Int64Var(&c.followUp, "follow-up", 0, "follow up alert `ID`: a reply to each of its copies (no CASE)")
				fs.Int64Var(&c.correct, "correct", 0, "correct alert `ID`: every copy edited in place (no CASE)")
			}},
		{name: "retract", args: "ID", summary: "withdraw an alert: its copies deleted, the unsent ones cancelled", run: cmdRetract,
			minArgs: 1, maxArgs: 1},
		{name: "alerts", summary: "list alerts with the counts of their copies", run: cmdAlerts,
			flags: func(fs *flag.FlagSet, c *cli) {
				fs.BoolVar(&c.json, "json", false, "print one JSON object per line")
			}},
		{name: "subscribe", args: "CHANNEL COUNTRY", summary: "subscribe a channel (telegram:ID, discord:ID or console) to a country",
			run: cmdSubscribe, minArgs: 2, maxArgs: -1},
		{name: "unsubscribe", args: "CHANNEL COUNTRY|all", summary: "unsubscribe a channel", run: cmdUnsubscribe, minArgs: 2, maxArgs: -1},
		{name: "subscriptions", summary: "list channels, their countries and settings", run: cmdSubscriptions,
			flags: func(fs *flag.FlagSet, c *cli) {
				fs.BoolVar(&c.json, "json", false, "print one JSON object per line")
			}},
		{name: "backup", args: "FILE", summary: "write a checked copy of the database, also while serve runs", run: cmdBackup,
			minArgs: 1, maxArgs: 1,
			flags: func(fs *flag.FlagSet, c *cli) {
				fs.BoolVar(&c.force, "force", false, "overwrite FILE if it exists")
			}},
		{name: "migrate", summary: "copy the SQLite database into an empty PostgreSQL database (--to postgres://…)",
			run: cmdMigrate, flags: func(fs *flag.FlagSet, c *cli) {
				fs.StringVar(&c.to, "to", "", "the target: a postgres:// `URL` of an empty database")
			}},
		{name: "archive", args: "ID", summary: "archive a case: kept, but out of lookups, lists, plans and posts", run: cmdArchive,
			minArgs: 1, maxArgs: 1,
			flags: func(fs *flag.FlagSet, c *cli) {
				fs.BoolVar(&c.undo, "undo", false, "bring the archived case back")
			}},
		{name: "letters", summary: "the letters counted per case in the last 30 days", run: cmdLetters,
			flags: func(fs *flag.FlagSet, c *cli) {
				fs.BoolVar(&c.json, "json", false, "print one JSON object per line")
			}},
		{name: "version", summary: "print vigil's version", run: cmdVersion},
	}
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "vigil — an advocacy alert bot for prisoners of conscience.")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Usage: vigil COMMAND [flags] [arguments]")
	fmt.Fprintln(w)
	for _, c := range commands {
		fmt.Fprintf(w, "  %-14s %-20s %s\n", c.name, c.args, c.summary)
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Every command takes --config FILE (default ./config.yaml if present) and --db PATH (a SQLite file or a postgres:// URL).")
	fmt.Fprintln(w, "Run vigil COMMAND -h for a command's flags.")
}

// run is vigil's whole CLI; main only adds signals and the exit status.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer, getenv func(string) string) error {
	e := &env{stdin: stdin, stdout: stdout, stderr: stderr, getenv: getenv}
	if len(args) == 0 {
		return &usageError{cmd: "", msg: "missing command"}
	}
	name := args[0]
	if name == "-h" || name == "--help" || name == "help" {
		usage(stdout)
		return errHelp
	}
	var cmd *command
	for _, c := range commands {
		if c.name == name {
			cmd = c
		}
	}
	if cmd == nil {
		return &usageError{cmd: "", msg: fmt.Sprintf("unknown command %q", name)}
	}
	c := &cli{cmd: cmd}
	fs := flag.NewFlagSet("vigil "+cmd.name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.StringVar(&c.configPath, "config", "", "config file (default ./config.yaml if present, else built-in defaults)")
	fs.StringVar(&c.dbPath, "db", "", "database file or postgres:// URL (overrides the config's database)")
	if cmd.flags != nil {
		cmd.flags(fs, c)
	}
	pos, err := parseInterspersed(fs, args[1:])
	if errors.Is(err, flag.ErrHelp) {
		fmt.Fprintf(stdout, "Usage: vigil %s [flags] %s\n\n%s.\n\nFlags:\n", cmd.name, cmd.args, capitalize(cmd.summary))
		fs.SetOutput(stdout)
		fs.PrintDefaults()
		return errHelp
	}
	if err != nil {
		return &usageError{cmd: cmd.name, msg: err.Error()}
	}
	switch {
	case len(pos) < cmd.minArgs:
		return &usageError{cmd: cmd.name, msg: "missing " + strings.Fields(cmd.args)[len(pos)]}
	case cmd.maxArgs >= 0 && len(pos) > cmd.maxArgs:
		return &usageError{cmd: cmd.name, msg: fmt.Sprintf("unexpected argument %q", pos[cmd.maxArgs])}
	}
	c.args = pos
	return cmd.run(ctx, e, c)
}

// parseInterspersed parses flags anywhere among the positional arguments
// ("vigil case rustamov --json"), as users type them.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return pos, nil
		}
		if len(args) > len(rest) && args[len(args)-len(rest)-1] == "--" {
			return append(pos, rest...), nil
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// load reads the config and applies --db.
func (c *cli) load(e *env) (*config.Config, error) {
	cfg, err := config.Load(c.configPath, e.getenv)
	if err != nil {
		return nil, err
	}
	if c.dbPath != "" {
		cfg.Database = c.dbPath
	}
	return cfg, nil
}

// open reads the config and opens the store.
func (c *cli) open(ctx context.Context, e *env) (*config.Config, *store.Store, error) {
	cfg, err := c.load(e)
	if err != nil {
		return nil, nil, err
	}
	st, err := store.Open(ctx, cfg.Database)
	if err != nil {
		return nil, nil, err
	}
	return cfg, st, nil
}

func versionString() string {
	v := version
	goVersion := ""
	if bi, ok := debug.ReadBuildInfo(); ok {
		goVersion = bi.GoVersion
		if v == "" {
			v = bi.Main.Version
		}
	}
	if v == "" || v == "(devel)" {
		v = "dev"
	}
	return fmt.Sprintf("vigil %s (%s, database schema %d)", v, goVersion, store.SchemaVersion())
}

func cmdVersion(ctx context.Context, e *env, c *cli) error {
	fmt.Fprintln(e.stdout, versionString())
	return nil
}

func newLogger(w io.Writer) *slog.Logger {
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: slog.LevelInfo}))
}
