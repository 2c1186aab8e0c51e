package main

import (
	"bytes"
	"cmp"
	"context"
	"fmt"
	"image/png"
	"os"
	"strings"
	"time"

	"github.com/vigil-bot/vigil/card"
	"github.com/vigil-bot/vigil/cases"
	"github.com/vigil-bot/vigil/config"
)

// cmdCard draws a case's share card as a PNG file (--png FILE, or - for
// the standard output), finding the case as `vigil case` does.
func cmdCard(ctx context.Context, e *env, c *cli) error {
	// The flags are checked before the database is opened.
	if c.png == "" {
		return &usageError{cmd: "card", msg: "missing --png FILE"}
	}
	if c.lang != "" {
		if err := config.CheckSupported(c.lang); err != nil {
			return &usageError{cmd: "card", msg: "--lang: " + err.Error()}
		}
	}
	size, err := card.ParseSize(c.size)
	if err != nil {
		return &usageError{cmd: "card", msg: "--size: " + strings.TrimPrefix(err.Error(), "card: ")}
	}
	today := cases.DateOf(time.Now())
	if c.at != "" {
		d, err := cases.ParseDate(c.at)
		if err != nil || !d.HasDay() {
			return &usageError{cmd: "card", msg: fmt.Sprintf("--at: %q is not a day (YYYY-MM-DD)", c.at)}
		}
		today = d
	}
	cfg, st, err := c.openSynced(ctx, e)
	if err != nil {
		return err
	}
	defer st.Close()
	lang := cmp.Or(c.lang, cfg.Language)
	cs, err := findOneCase(ctx, e, st, "card", lang, strings.Join(c.args, " "))
	if err != nil {
		return err
	}
	if cs.Photo != nil && cs.Photo.File != "" {
		if _, err := os.Stat(cs.Photo.File); err != nil {
			fmt.Fprintf(e.stderr, "vigil card: the photo is left out: %v\n", err)
		}
	}
	data, err := card.Render(cs, card.Options{Lang: lang, Size: size, Today: today, PublicURL: cfg.HTTP.PublicURL})
	if err != nil {
		return err
	}
	if c.png == "-" {
		_, err := e.stdout.Write(data)
		return err
	}
	if err := os.WriteFile(c.png, data, 0o644); err != nil {
		return fmt.Errorf("card: %w", err)
	}
	cfgImg, _ := png.DecodeConfig(bytes.NewReader(data))
	fmt.Fprintf(e.stdout, "%s: %s, %s %d×%d, %s, %s\n", c.png, cs.ID, size, cfgImg.Width, cfgImg.Height, lang, today)
	return nil
}
