package main

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/vigil-bot/vigil/bot"
	"github.com/vigil-bot/vigil/cases"
	"github.com/vigil-bot/vigil/store"
	"golang.org/x/text/feature/plural"
	"golang.org/x/text/language"
)

// count writes n and the English noun in the form CLDR's plural rule for
// English picks ("1 channel", "3 channels"): the CLI speaks English.
func count(n int, one, other string) string {
	if plural.Cardinal.MatchPlural(language.English, n, 0, 0, 0, 0) == plural.One {
		return strconv.Itoa(n) + " " + one
	}
	return strconv.Itoa(n) + " " + other
}

// alertPreview prints what `vigil alert CASE --message TEXT` would queue:
// the channels per platform, and the post as each of their languages
// reads it. It queues nothing.
func alertPreview(ctx context.Context, e *env, h *bot.Handler, c *cases.Case, co cases.Country, msg string) error {
	chans, err := h.Store.Channels(ctx)
	if err != nil {
		return err
	}
	perPlatform := map[string]int{}
	byLang := map[string]store.Channel{}
	total := 0
	for _, ch := range chans {
		if ch.Paused() || !slices.Contains(ch.Countries, c.Country) {
			continue
		}
		total++
		perPlatform[ch.Platform]++
		if _, ok := byLang[ch.Language]; !ok {
			byLang[ch.Language] = ch
		}
	}
	fmt.Fprintf(e.stdout, "dry run: an alert about %s would go to %s following %s; nothing is queued\n",
		c.Name, count(total, "channel", "channels"), co.Name("en"))
	platforms := make([]string, 0, len(perPlatform))
	for p := range perPlatform {
		platforms = append(platforms, p)
	}
	slices.Sort(platforms)
	for _, p := range platforms {
		fmt.Fprintf(e.stdout, "  %-10s %d\n", p, perPlatform[p])
	}
	langs := make([]string, 0, len(byLang))
	for l := range byLang {
		langs = append(langs, l)
	}
	slices.Sort(langs)
	post := store.Post{Key: "dry-run", Kind: store.KindAlert, CaseID: c.ID,
		Payload: store.EncodePayload(store.AlertPayload{Message: msg})}
	for _, l := range langs {
		m, err := h.Compose(ctx, post, byLang[l])
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "\n--- %s ---\n%s\n", l, m.Text())
	}
	return nil
}

// alertOp queues a follow-up or a correction of an alert.
func alertOp(ctx context.Context, e *env, c *cli, msg string) error {
	if c.followUp != 0 && c.correct != 0 {
		return &usageError{cmd: "alert", msg: "--follow-up and --correct exclude each other"}
	}
	if len(c.args) > 0 {
		return &usageError{cmd: "alert", msg: fmt.Sprintf("unexpected argument %q: a follow-up or correction names the alert, not the case", c.args[0])}
	}
	if c.dryRun {
		return &usageError{cmd: "alert", msg: "--dry-run previews a new alert only"}
	}
	_, st, err := c.open(ctx, e)
	if err != nil {
		return err
	}
	defer st.Close()
	var res store.AlertOpResult
	what, id := "follow-up", c.followUp
	if id != 0 {
		res, err = st.QueueFollowUp(ctx, id, msg, "cli", time.Now())
	} else {
		what, id = "correction", c.correct
		res, err = st.QueueCorrection(ctx, id, msg, "cli", time.Now())
	}
	if err := alertError(id, err); err != nil {
		return fmt.Errorf("alert: %w", err)
	}
	switch {
	case res.Unchanged:
		fmt.Fprintf(e.stdout, "alert %d already reads so: nothing to correct\n", id)
	case res.New == 0 && res.Copies > 0:
		fmt.Fprintf(e.stdout, "%s of alert %d was queued before: nothing more to do\n", what, id)
	case what == "follow-up":
		fmt.Fprintf(e.stdout, "follow-up %d of alert %d queued for %s, each a reply to the alert's copy there\n",
			res.OpID, id, count(res.New, "channel", "channels"))
	default:
		fmt.Fprintf(e.stdout, "correction %d of alert %d queued: %s to edit; copies not yet sent go out corrected\n",
			res.OpID, id, count(res.New, "delivered copy", "delivered copies"))
	}
	return nil
}

// alertError explains the store's refusal of an operation on alert id.
func alertError(id int64, err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, store.ErrNotFound):
		return fmt.Errorf("there is no alert %d (see vigil alerts)", id)
	case errors.Is(err, store.ErrRetracted):
		return fmt.Errorf("alert %d was withdrawn: it can no longer be followed up or corrected", id)
	}
	return err
}

func cmdRetract(ctx context.Context, e *env, c *cli) error {
	id, err := strconv.ParseInt(strings.TrimPrefix(c.args[0], "#"), 10, 64)
	if err != nil || id <= 0 {
		return &usageError{cmd: "retract", msg: fmt.Sprintf("%q is not an alert id", c.args[0])}
	}
	_, st, err := c.open(ctx, e)
	if err != nil {
		return err
	}
	defer st.Close()
	res, err := st.QueueRetraction(ctx, id, time.Now())
	if err := alertError(id, err); err != nil {
		return fmt.Errorf("retract: %w", err)
	}
	if res.New == 0 && res.Cancelled == 0 && res.Copies > 0 {
		fmt.Fprintf(e.stdout, "alert %d was withdrawn before: nothing more to do\n", id)
		return nil
	}
	fmt.Fprintf(e.stdout, "alert %d withdrawn: %s to delete, %d unsent cancelled; the running daemon does it\n",
		id, count(res.New, "delivered copy", "delivered copies"), res.Cancelled)
	return nil
}

// alertJSON is one line of `vigil alerts --json`.
type alertJSON struct {
	ID        int64      `json:"id"`
	Case      string     `json:"case"`
	Message   string     `json:"message"`
	Author    string     `json:"author"`
	Created   time.Time  `json:"created"`
	Retracted *time.Time `json:"retracted,omitempty"`
	Queued    int        `json:"queued"`
	Delivered int        `json:"delivered"`
	Failed    int        `json:"failed"`
	Cancelled int        `json:"cancelled"`
	Corrected int        `json:"corrected"`
	Withdrawn int        `json:"withdrawn"`
	FollowUps int        `json:"follow_ups"`
}

func cmdAlerts(ctx context.Context, e *env, c *cli) error {
	_, st, err := c.open(ctx, e)
	if err != nil {
		return err
	}
	defer st.Close()
	alerts, err := st.Alerts(ctx)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(e.stdout, 2, 4, 2, ' ', 0)
	if !c.json {
		fmt.Fprintln(tw, "ID\tCASE\tCREATED\tSTATE\tQUEUED\tDELIVERED\tFAILED\tCANCELLED\tCORRECTED\tWITHDRAWN\tFOLLOW-UPS")
	}
	for _, a := range alerts {
		if c.json {
			j := alertJSON{ID: a.ID, Case: a.CaseID, Message: a.Message, Author: a.Author, Created: a.Created,
				Queued: a.Queued, Delivered: a.Delivered, Failed: a.Failed, Cancelled: a.Cancelled, Corrected: a.Corrected,
				Withdrawn: a.Withdrawn, FollowUps: a.FollowUps}
			if !a.Retracted.IsZero() {
				j.Retracted = &a.Retracted
			}
			if err := writeJSON(e, j); err != nil {
				return err
			}
			continue
		}
		state := "standing"
		if !a.Retracted.IsZero() {
			state = "withdrawn"
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%d\t%d\t%d\t%d\t%d\t%d\t%d\n", a.ID, a.CaseID, a.Created.Local().Format(time.DateTime), state,
			a.Queued, a.Delivered, a.Failed, a.Cancelled, a.Corrected, a.Withdrawn, a.FollowUps)
	}
	return tw.Flush()
}
