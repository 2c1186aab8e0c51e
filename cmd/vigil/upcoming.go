package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"text/tabwriter"
	"time"

	"github.com/vigil-bot/vigil/bot"
	"github.com/vigil-bot/vigil/cases"
	"github.com/vigil-bot/vigil/scheduler"
	"github.com/vigil-bot/vigil/store"
)

// upcomingJSON is one line of `vigil upcoming --json`.
type upcomingJSON struct {
	At       string     `json:"at"`
	Platform string     `json:"platform"`
	Channel  string     `json:"channel"`
	Case     string     `json:"case"`
	Kind     store.Kind `json:"kind"`
	Text     string     `json:"text"`
	Cases    []string   `json:"cases,omitempty"`
}

func cmdUpcoming(ctx context.Context, e *env, c *cli) error {
	if c.days < 1 || c.days > 366 {
		return &usageError{cmd: "upcoming", msg: fmt.Sprintf("--days %d: want 1 to 366", c.days)}
	}
	var from cases.Date
	if c.from != "" {
		d, err := cases.ParseDate(c.from)
		if err != nil || !d.HasDay() {
			return &usageError{cmd: "upcoming", msg: fmt.Sprintf("--from %q: want YYYY-MM-DD", c.from)}
		}
		from = d
	}
	cfg, st, err := c.openSynced(ctx, e)
	if err != nil {
		return err
	}
	defer st.Close()
	now := time.Now()
	if from.IsZero() {
		loc, _ := time.LoadLocation(cfg.Timezone)
		from = cases.DateOf(now.In(loc))
	}
	lib := bot.NewHandler(st, cfg, slog.New(slog.DiscardHandler)).Library
	all, err := lib.All(ctx)
	if err != nil {
		return err
	}
	chans, err := st.Channels(ctx)
	if err != nil {
		return err
	}
	occ := scheduler.Plan(all, chans, scheduler.PlanOptions{From: from, Days: c.days,
		StaleAfter: cfg.StaleAfter.D(), DailyLimit: cfg.DailyLimit})
	if c.from == "" {
		// From today on, leave out what is already later than catch_up:
		// the daemon will not send it.
		sendable := occ[:0]
		for _, o := range occ {
			if !o.At.Before(now.Add(-cfg.CatchUp.D())) {
				sendable = append(sendable, o)
			}
		}
		occ = sendable
	}
	if c.json {
		// One line per post, as writeJSON writes it, through one buffer:
		// a plan of 10,000 channels' digests is about 100 MB of JSON.
		w := bufio.NewWriterSize(e.stdout, 64<<10)
		enc := json.NewEncoder(w)
		for _, o := range occ {
			// A digest's text is written out line by line, never held for
			// the whole plan.
			line := upcomingJSON{At: o.At.Format(time.RFC3339), Platform: o.Platform, Channel: o.Chat,
				Case: o.CaseID, Kind: o.Kind, Text: o.Text}
			if o.Digest != nil {
				line.Text, line.Cases = o.Digest.Text(), o.Digest.Cases()
			}
			if err := enc.Encode(line); err != nil {
				return err
			}
		}
		return w.Flush()
	}
	tw := tabwriter.NewWriter(e.stdout, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "AT\tCHANNEL\tKIND\tCASE\tTEXT")
	for _, o := range occ {
		text := o.Text
		if o.Digest != nil {
			text = fmt.Sprintf("digest of %d reminders", o.Digest.Len())
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", o.At.Format("2006-01-02 15:04 MST"), o.Channel(), o.Kind, o.CaseID, text)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if len(occ) == 0 {
		fmt.Fprintln(e.stderr, "nothing planned in these days: reminders need a subscribed, active channel and fresh cases with day-precise dates (vigil subscriptions; vigil cases --stale)")
	}
	return nil
}
