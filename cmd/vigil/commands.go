package main

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/vigil-bot/vigil/bot"
	"github.com/vigil-bot/vigil/bot/i18n"
	"github.com/vigil-bot/vigil/cases"
	"github.com/vigil-bot/vigil/config"
	"github.com/vigil-bot/vigil/data"
	"github.com/vigil-bot/vigil/store"
)

// caseFiles reads the case files to import: the named paths, or the
// bundled cases when paths is nil (config without a cases key). An empty
// list ("cases: []") means no case files at all.
func caseFiles(paths []string) ([]cases.SourceFile, error) {
	if paths == nil {
		return data.Cases()
	}
	return cases.ReadFiles(paths)
}

// loadConfiguredCases imports the configured case files (by default the
// bundled ones), leaving out bad files, as every start of the daemon does.
// Unchanged files cost a hash.
func loadConfiguredCases(ctx context.Context, cfg *config.Config, st *store.Store) (store.ImportResult, error) {
	files, err := caseFiles(cfg.Cases)
	if err != nil {
		return store.ImportResult{}, fmt.Errorf("config: cases: %w", err)
	}
	return st.Import(ctx, files, time.Now(), store.ImportOptions{SkipBad: true})
}

// openSynced opens the store and loads the configured cases, so that
// lookups from the CLI work on a fresh database.
func (c *cli) openSynced(ctx context.Context, e *env) (*config.Config, *store.Store, error) {
	cfg, st, err := c.open(ctx, e)
	if err != nil {
		return nil, nil, err
	}
	// Configured files with the size and modification time of their last
	// import are not read again: hashing 100,000 cases' files would be
	// most of a lookup's time. (The bundled cases are in the binary.)
	if cfg.Cases != nil {
		if stats, err := cases.StatFiles(cfg.Cases); err == nil {
			if same, err := st.FilesUnchanged(ctx, stats); err == nil && same {
				return cfg, st, nil
			}
		}
	}
	res, err := loadConfiguredCases(ctx, cfg, st)
	if err != nil {
		st.Close()
		return nil, nil, err
	}
	if res.Rejected != nil {
		fmt.Fprintln(e.stderr, "vigil: some configured case files were not loaded:")
		fmt.Fprintln(e.stderr, res.Rejected.Error())
	}
	return cfg, st, nil
}

// caseMemoryLimit is the heap at which `vigil case`, which otherwise
// does not collect garbage, collects it.
const caseMemoryLimit = 256 << 20

// importGCPercent and importMemoryLimit pace the collector in `vigil
// import`: the heap may grow by 30% over what is live (the files, and on
// a re-import the stored cases' owners and hashes) before a collection,
// and the soft limit bounds it. A fixed limit alone (64 MiB before) left a
// re-import of 100,000 cases, with some 60 MiB live, collecting without
// pause: three times the first import's time.
const (
	importGCPercent   = 30
	importMemoryLimit = 128 << 20
)

func cmdImport(ctx context.Context, e *env, c *cli) error {
	_, st, err := c.open(ctx, e)
	if err != nil {
		return err
	}
	defer st.Close()
	files, err := cases.ReadFiles(c.args)
	if err != nil {
		return err
	}
	// Import streams the files; a low GOGC makes the collector return the
	// garbage of 100,000 parsed cases early instead of letting the heap
	// double, and the limit bounds it.
	defer debug.SetGCPercent(debug.SetGCPercent(importGCPercent))
	defer debug.SetMemoryLimit(debug.SetMemoryLimit(importMemoryLimit))
	res, err := st.Import(ctx, files, time.Now(), store.ImportOptions{Move: c.move})
	if err != nil {
		for _, line := range strings.Split(err.Error(), "\n") {
			fmt.Fprintln(e.stderr, line)
		}
		fmt.Fprintln(e.stderr, "vigil import: nothing was imported")
		return errSilent
	}
	if res.Added+res.Updated > 0 {
		// Build and save the lookup index now, so that the next vigil
		// case answers at once rather than paying for the build itself.
		// The import stands whatever happens here: a lookup builds the
		// index again if it is missing.
		if _, err := st.CaseIndex(ctx); err != nil {
			fmt.Fprintln(e.stderr, "vigil import: warning: the lookup index is built at the next lookup: "+err.Error())
		}
	}
	fmt.Fprintf(e.stdout, "files: %d read, %d unchanged; cases: %d added, %d updated, %d the same\n",
		res.Files, res.Unchanged, res.Added, res.Updated, res.Same)
	for _, sc := range res.StatusChanges {
		fmt.Fprintf(e.stdout, "status of %s: %s → %s\n", sc.CaseID, sc.Old, sc.New)
	}
	for _, m := range res.Missing {
		fmt.Fprintln(e.stderr, "vigil import: warning: "+m.String())
	}
	return nil
}

func cmdCase(ctx context.Context, e *env, c *cli) error {
	// A lookup is one short process that keeps most of what it allocates
	// (the lookup index) to the end: collecting garbage would cost more
	// time than it frees memory. The limit still bounds the heap.
	defer debug.SetGCPercent(debug.SetGCPercent(-1))
	defer debug.SetMemoryLimit(debug.SetMemoryLimit(caseMemoryLimit))
	// An unsupported --lang is refused before the database is opened.
	if c.lang != "" {
		if err := config.CheckSupported(c.lang); err != nil {
			return &usageError{cmd: "case", msg: "--lang: " + err.Error()}
		}
	}
	cfg, st, err := c.openSynced(ctx, e)
	if err != nil {
		return err
	}
	defer st.Close()
	lang := cmp.Or(c.lang, cfg.Language)
	h := bot.NewHandler(st, cfg, slog.New(slog.DiscardHandler))
	found, err := findOneCase(ctx, e, st, "case", lang, strings.Join(c.args, " "))
	if err != nil {
		return err
	}
	if c.json {
		return writeJSON(e, found)
	}
	ch := h.Defaults("cli", "cli")
	ch.Language = lang
	fmt.Fprintln(e.stdout, h.CardFor(ctx, found, ch).Text())
	return nil
}

// resolveCase answers as bot.Library.Resolve does, without loading every
// case: the case with exactly that id, else the Lookup matches of the
// saved lookup index (store.CaseIndex), read one by one.
func resolveCase(ctx context.Context, st *store.Store, query string) ([]*cases.Case, error) {
	if c, err := st.Case(ctx, query); err == nil {
		return []*cases.Case{&c}, nil
	} else if !errors.Is(err, store.ErrNotFound) {
		return nil, err
	}
	ix, err := st.CaseIndex(ctx)
	if err != nil {
		return nil, err
	}
	var out []*cases.Case
	for _, m := range ix.Lookup(query) {
		c, err := st.Case(ctx, m.ID)
		if errors.Is(err, store.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		out = append(out, &c)
	}
	return out, nil
}

func writeJSON(e *env, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintln(e.stdout, string(b))
	return err
}

func cmdCases(ctx context.Context, e *env, c *cli) error {
	cfg, st, err := c.openSynced(ctx, e)
	if err != nil {
		return err
	}
	defer st.Close()
	if c.archived {
		return listArchived(ctx, e, c, st)
	}
	var countries []string
	if c.country != "" {
		co, ok := cases.LookupCountry(c.country)
		if !ok {
			return &usageError{cmd: "cases", msg: fmt.Sprintf("--country: %q is not a country", c.country)}
		}
		countries = []string{co.Code}
	}
	list, err := st.Cases(ctx, countries...)
	if err != nil {
		return err
	}
	now := time.Now()
	tw := tabwriter.NewWriter(e.stdout, 2, 4, 2, ' ', 0)
	if !c.json {
		fmt.Fprintln(tw, "ID\tNAME\tCOUNTRY\tSTATUS\tAS OF")
	}
	for i := range list {
		cs := &list[i]
		if c.stale && !cs.Stale(now, cfg.StaleAfter.D()) {
			continue
		}
		if c.json {
			if err := writeJSON(e, cs); err != nil {
				return err
			}
			continue
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", cs.ID, cs.Name, cs.Country, cs.Status, cs.StatusAsOf)
	}
	return tw.Flush()
}

// parseChannel reads a CLI channel reference, "telegram:-1001234",
// "discord:112233445566" or "console", in the canonical spelling of its
// chat id (store.ParseChannelRef), so that "telegram:-0100123" and
// "telegram:-100123" are one channel and "telegram:0" none.
func parseChannel(cmd, s string) (platform, chat string, err error) {
	platform, chat, err = store.ParseChannelRef(s)
	if err != nil {
		return "", "", &usageError{cmd: cmd, msg: fmt.Sprintf("%q is not a channel: %v", s, err)}
	}
	return platform, chat, nil
}

func cmdSubscribe(ctx context.Context, e *env, c *cli) error {
	platform, chat, err := parseChannel("subscribe", c.args[0])
	if err != nil {
		return err
	}
	q := strings.Join(c.args[1:], " ")
	co, ok := cases.LookupCountry(q)
	if !ok {
		return &usageError{cmd: "subscribe", msg: fmt.Sprintf("%q is not a country", q)}
	}
	cfg, st, err := c.open(ctx, e)
	if err != nil {
		return err
	}
	defer st.Close()
	ch := bot.DefaultChannel(cfg, platform, chat)
	added, err := st.Subscribe(ctx, ch, co.Code, time.Now())
	if err != nil {
		return err
	}
	if !added {
		fmt.Fprintf(e.stdout, "%s already follows %s (%s)\n", ch, co.Name("en"), co.Code)
		return nil
	}
	fmt.Fprintf(e.stdout, "%s now follows %s (%s)\n", ch, co.Name("en"), co.Code)
	return nil
}

func cmdUnsubscribe(ctx context.Context, e *env, c *cli) error {
	platform, chat, err := parseChannel("unsubscribe", c.args[0])
	if err != nil {
		return err
	}
	q := strings.Join(c.args[1:], " ")
	code, name := "", "all countries"
	if !strings.EqualFold(q, "all") {
		co, ok := cases.LookupCountry(q)
		if !ok {
			return &usageError{cmd: "unsubscribe", msg: fmt.Sprintf("%q is not a country (or all)", q)}
		}
		code, name = co.Code, co.Name("en")
	}
	_, st, err := c.open(ctx, e)
	if err != nil {
		return err
	}
	defer st.Close()
	n, err := st.Unsubscribe(ctx, platform, chat, code)
	if err != nil {
		return err
	}
	ch := store.Channel{Platform: platform, Chat: chat}
	if n == 0 {
		fmt.Fprintf(e.stdout, "%s did not follow %s\n", ch, name)
		return nil
	}
	fmt.Fprintf(e.stdout, "%s no longer follows %s (%d removed)\n", ch, name, n)
	return nil
}

// subscriptionJSON is one line of `vigil subscriptions --json`.
type subscriptionJSON struct {
	Channel      string    `json:"channel"`
	Platform     string    `json:"platform"`
	Chat         string    `json:"chat"`
	Countries    []string  `json:"countries"`
	Timezone     string    `json:"timezone"`
	PostTime     string    `json:"post_time"`
	Language     string    `json:"language"`
	Images       bool      `json:"images"` // posts carry the share card picture
	Paused       bool      `json:"paused"`
	PausedReason string    `json:"paused_reason,omitempty"`
	PausedAt     time.Time `json:"paused_at,omitzero"`
}

func cmdSubscriptions(ctx context.Context, e *env, c *cli) error {
	cfg, st, err := c.open(ctx, e)
	if err != nil {
		return err
	}
	defer st.Close()
	chans, err := st.Channels(ctx)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(e.stdout, 2, 4, 2, ' ', 0)
	if !c.json {
		fmt.Fprintln(tw, "CHANNEL\tCOUNTRIES\tTIME ZONE\tPOST TIME\tLANGUAGE\tIMAGES\tSTATE")
	}
	h := bot.Handler{Config: cfg}
	for _, ch := range chans {
		if c.json {
			err := writeJSON(e, subscriptionJSON{Channel: ch.String(), Platform: ch.Platform, Chat: ch.Chat,
				Countries: append([]string{}, ch.Countries...), Timezone: ch.Timezone, PostTime: ch.PostTime,
				Language: ch.Language, Images: h.ImagesOn(ch), Paused: ch.Paused(), PausedReason: ch.PausedReason, PausedAt: ch.PausedAt})
			if err != nil {
				return err
			}
			continue
		}
		state := "active"
		if ch.Paused() {
			state = "paused since " + ch.PausedAt.Format(time.DateTime) + ": " + ch.PausedReason
		}
		countries := strings.Join(ch.Countries, ",")
		if countries == "" {
			countries = "-"
		}
		images := "on"
		if !h.ImagesOn(ch) {
			images = "off"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", ch, countries, ch.Timezone, ch.PostTime, ch.Language, images, state)
	}
	return tw.Flush()
}

func cmdAlert(ctx context.Context, e *env, c *cli) error {
	msg := strings.TrimSpace(c.message)
	if msg == "" {
		return &usageError{cmd: "alert", msg: "missing --message"}
	}
	if n := len([]rune(msg)); n > bot.MaxAlert {
		return &usageError{cmd: "alert", msg: fmt.Sprintf("--message is %d characters; at most %d", n, bot.MaxAlert)}
	}
	if c.followUp != 0 || c.correct != 0 {
		return alertOp(ctx, e, c, msg)
	}
	if len(c.args) == 0 {
		return &usageError{cmd: "alert", msg: "missing CASE (or --follow-up ID, --correct ID)"}
	}
	cfg, st, err := c.openSynced(ctx, e)
	if err != nil {
		return err
	}
	defer st.Close()
	h := bot.NewHandler(st, cfg, slog.New(slog.DiscardHandler))
	query := strings.Join(c.args, " ")
	found, err := h.Library.Resolve(ctx, query)
	if err != nil {
		return err
	}
	switch len(found) {
	case 0:
		return fmt.Errorf("alert: no case matches %q (see vigil cases)", query)
	case 1:
	default:
		ids := make([]string, len(found))
		for i, f := range found {
			ids[i] = f.ID
		}
		return fmt.Errorf("alert: %q matches several cases (%s): give the id", query, strings.Join(ids, ", "))
	}
	co, _ := cases.CountryByCode(found[0].Country)
	if c.dryRun {
		return alertPreview(ctx, e, h, found[0], co, msg)
	}
	id, n, err := st.QueueAlert(ctx, found[0].ID, msg, "cli", time.Now())
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "alert %d queued for %s (about %s, following %s); the running daemon sends it\n",
		id, count(n, "channel", "channels"), found[0].Name, co.Name("en"))
	if n == 0 {
		fmt.Fprintf(e.stdout, "no channel follows %s: subscribe one with vigil subscribe CHANNEL %s\n", co.Name("en"), co.Code)
	}
	return nil
}

// findOneCase resolves query for the CLI command cmd (case, card) to one
// case. No match, or several (listed as a pick list in lang, each with
// the command that shows it), is said on stderr and ends the command.
func findOneCase(ctx context.Context, e *env, st *store.Store, cmd, lang, query string) (*cases.Case, error) {
	found, err := resolveCase(ctx, st, query)
	if err != nil {
		return nil, err
	}
	switch len(found) {
	case 0:
		fmt.Fprintf(e.stderr, "vigil %s: no case matches %q (see vigil cases)\n", cmd, query)
		return nil, errSilent
	case 1:
		return found[0], nil
	}
	fmt.Fprintln(e.stderr, i18n.F(lang, "reply.pick", i18n.Args{"Query": query}))
	for _, f := range found {
		fmt.Fprintf(e.stderr, "  %s — vigil %s %s\n", f.Name, cmd, f.ID)
	}
	return nil, errSilent
}
