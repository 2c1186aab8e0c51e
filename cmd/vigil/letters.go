package main

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"text/tabwriter"
	"time"

	"github.com/vigil-bot/vigil/cases"
	"github.com/vigil-bot/vigil/store"
)

// letterJSON is one line of `vigil letters --json`.
type letterJSON struct {
	Case    string       `json:"case"`
	Name    string       `json:"name"`
	Country string       `json:"country"`
	Status  cases.Status `json:"status"`
	// Letters are those counted in the last 30 days (store.LetterWindow).
	Letters int `json:"letters"`
	// Writable says whether /write may send writers to the person: in
	// detention and not stale.
	Writable bool `json:"writable"`
}

// cmdLetters lists the cases with a letters address and the letters
// counted to each in the last 30 days, the fewest first, as /write picks
// them. It shows counts only: vigil has no record of who wrote.
func cmdLetters(ctx context.Context, e *env, c *cli) error {
	cfg, st, err := c.openSynced(ctx, e)
	if err != nil {
		return err
	}
	defer st.Close()
	list, err := st.Cases(ctx)
	if err != nil {
		return err
	}
	now := time.Now()
	counts, err := st.LetterCounts(ctx, now)
	if err != nil {
		return err
	}
	var rows []letterJSON
	for i := range list {
		cs := &list[i]
		if cs.Letters == nil {
			continue
		}
		rows = append(rows, letterJSON{Case: cs.ID, Name: cs.Name, Country: cs.Country, Status: cs.Status,
			Letters: counts[cs.ID], Writable: cs.Writable() && !cs.Stale(now, cfg.StaleAfter.D())})
	}
	slices.SortStableFunc(rows, func(a, b letterJSON) int {
		return cmp.Or(cmp.Compare(a.Letters, b.Letters), cmp.Compare(a.Case, b.Case))
	})
	if c.json {
		for _, r := range rows {
			if err := writeJSON(e, r); err != nil {
				return err
			}
		}
		return nil
	}
	tw := tabwriter.NewWriter(e.stdout, 2, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "CASE\tNAME\tCOUNTRY\tSTATUS\tLETTERS (%d DAYS)\tWRITE\n", store.LetterWindow)
	for _, r := range rows {
		write := "yes"
		if !r.Writable {
			write = "no"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d\t%s\n", r.Case, r.Name, r.Country, r.Status, r.Letters, write)
	}
	return tw.Flush()
}
