package main

import (
	"context"
	"errors"
	"fmt"
	"text/tabwriter"
	"time"

	"github.com/vigil-bot/vigil/cases"
	"github.com/vigil-bot/vigil/store"
)

// cmdArchive archives a case by its id, or brings it back with --undo
// (store.Archive, store.Unarchive).
func cmdArchive(ctx context.Context, e *env, c *cli) error {
	id := c.args[0]
	_, st, err := c.openSynced(ctx, e)
	if err != nil {
		return err
	}
	defer st.Close()
	if c.undo {
		res, err := st.Unarchive(ctx, id)
		if errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("archive: no case has the id %q (see vigil cases --archived)", id)
		}
		if err != nil {
			return err
		}
		if !res.Changed {
			fmt.Fprintf(e.stdout, "%s (%s) is not archived\n", id, res.Name)
			return nil
		}
		fmt.Fprintf(e.stdout, "%s (%s) is back in lookups, lists and plans\n", id, res.Name)
		return nil
	}
	res, err := st.Archive(ctx, id, time.Now())
	if errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("archive: no case has the id %q (see vigil cases)", id)
	}
	if err != nil {
		return err
	}
	if !res.Changed {
		fmt.Fprintf(e.stdout, "%s (%s) is archived already, since %s\n", id, res.Name, res.Since.Local().Format(time.DateTime))
		return nil
	}
	fmt.Fprintf(e.stdout, "archived %s (%s): kept with its history, out of lookups, lists, plans and posts; %s cancelled\n",
		id, res.Name, count(res.Cancelled, "queued post", "queued posts"))
	fmt.Fprintf(e.stdout, "to bring it back: vigil archive --undo %s\n", id)
	return nil
}

// listArchived prints the archived cases, for `vigil cases --archived`.
func listArchived(ctx context.Context, e *env, c *cli, st *store.Store) error {
	list, err := st.ArchivedCases(ctx)
	if err != nil {
		return err
	}
	country := ""
	if c.country != "" {
		co, ok := cases.LookupCountry(c.country)
		if !ok {
			return &usageError{cmd: "cases", msg: fmt.Sprintf("--country: %q is not a country", c.country)}
		}
		country = co.Code
	}
	tw := tabwriter.NewWriter(e.stdout, 2, 4, 2, ' ', 0)
	if !c.json {
		fmt.Fprintln(tw, "ID\tNAME\tCOUNTRY\tSTATUS\tARCHIVED")
	}
	for _, a := range list {
		if country != "" && a.Country != country {
			continue
		}
		if c.json {
			if err := writeJSON(e, a); err != nil {
				return err
			}
			continue
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", a.ID, a.Name, a.Country, a.Status, a.ArchivedAt.Local().Format(time.DateOnly))
	}
	return tw.Flush()
}
