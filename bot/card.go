package bot

import (
	"net/url"
	"strings"

	"github.com/vigil-bot/vigil/bot/i18n"
	"github.com/vigil-bot/vigil/cases"
)

// Card is a case's profile card, localized and platform-neutral: the
// console prints Text, Telegram renders HTML, Discord an embed. Every
// string in it is case-supplied or catalogue text and still unescaped;
// each renderer escapes for its own format.
//
// In a right-to-left language (Persian) the card's texts are ready for
// right-to-left lines: each case-supplied value that has Latin letters
// or ASCII digits (a Latin name, a source's title, a hashtag, a charge)
// is isolated (i18n.Isolate), lists are joined with the language's own
// commas and semicolons (i18n.List, i18n.ListLong), and numbers are in
// Persian digits. URLs (Photo.URL, Link.URL) stay raw: renderers link
// them. A renderer only gives each line it makes the mark it needs
// (i18n.Align).
type Card struct {
	CaseID  string
	Lang    string
	Title   string // the person's name in Lang (Case.NameIn)
	Country string // the country's name in Lang
	Status  string // "imprisoned (as of May 2022)"
	Fields  []Field
	Summary string
	// SummaryNote says that the summary is in another language ("(summary
	// in English)"); empty when it is in Lang.
	SummaryNote string
	Photo       *cases.Photo // a copy; Credit isolated like the other values
	Sources     []Link
	Actions     []Link // live calls to action only
	Hashtags    []string
	Stale       string // a warning when the record is out of date
	// PageURL is the case's public page in Lang ("https://vigil.example.org/cases/saleh-rustamov?lang=en"),
	// empty when no http.public_url is configured. A raw URL: renderers link it.
	PageURL string
}

// Field is one labelled line of a card.
type Field struct {
	Label, Value string
}

// Link is a titled URL; URL may be empty for a source without one.
type Link struct {
	Kind string // for actions: petition, letter, …
	Text string
	URL  string
}

// CardOptions are the context a card is built in.
type CardOptions struct {
	Lang  string
	Today cases.Date // for live actions and ongoing day counts
	Stale bool       // the record is older than stale_after
	// Letters is the number of letters recorded in the last 30 days, for
	// a case with a letters address; nil: the card shows no count.
	Letters *int
	// PublicURL is the base of the public case pages (http.public_url,
	// "https://vigil.example.org"); when set, the card links its case's
	// page (Card.PageURL). Empty: no link.
	PublicURL string
}

// PageURL returns the address of the public page of the case id in lang
// under base (http.public_url), or "" when base is empty.
func PageURL(base, id, lang string) string {
	if base == "" {
		return ""
	}
	u := strings.TrimRight(base, "/") + "/cases/" + url.PathEscape(id)
	if lang != "" {
		u += "?lang=" + url.QueryEscape(lang)
	}
	return u
}

// NewCard builds the card of c. Dates keep their precision ("February
// 2021"); the summary is in opts.Lang if the case has it, else English.
func NewCard(c *cases.Case, opts CardOptions) *Card {
	lang := opts.Lang
	iso := func(s string) string { return i18n.Isolate(lang, s) }
	card := &Card{CaseID: c.ID, Lang: lang, Title: iso(c.NameIn(lang))}
	if co, ok := cases.CountryByCode(c.Country); ok {
		card.Country = iso(co.Name(lang))
	} else {
		card.Country = iso(c.Country)
	}
	if c.Photo != nil {
		p := *c.Photo
		p.Credit = iso(p.Credit)
		card.Photo = &p
	}
	for _, h := range c.Hashtags {
		card.Hashtags = append(card.Hashtags, iso(h))
	}
	card.Status = i18n.F(lang, "card.status", i18n.Args{"Status": i18n.Status(lang, c.Status), "Date": i18n.Date(lang, c.StatusAsOf)})
	add := func(key, value string) {
		if value != "" {
			card.Fields = append(card.Fields, Field{Label: i18n.T(lang, key), Value: iso(value)})
		}
	}
	add("card.affiliation", c.Affiliation)
	add("card.born", i18n.Date(lang, c.Born))
	add("card.arrested", i18n.Date(lang, c.Arrested))
	add("card.sentenced", i18n.Date(lang, c.Sentenced))
	add("card.sentence", c.Sentence)
	add("card.charges", i18n.List(lang, c.Charges))
	var strikes []string
	for _, h := range c.HungerStrikes {
		strikes = append(strikes, strikeLine(lang, h, opts.Today, c.Status))
	}
	add("card.hunger_strikes", i18n.ListLong(lang, strikes))
	if opts.Letters != nil {
		add("card.letters", i18n.N(lang, "card.letters_count", *opts.Letters, nil))
	}
	summary, used := c.SummaryIn(lang)
	card.Summary = summary
	if summary != "" && used != lang {
		card.Summary = iso(summary) // an English summary is a Latin paragraph of its own
		if i18n.Supported(lang) {
			card.SummaryNote = i18n.F(lang, "card.summary_lang", i18n.Args{"Language": i18n.LanguageName(lang, used)})
		}
	}
	for _, s := range c.Sources {
		text := iso(s.Title)
		var meta []string
		if s.Publisher != "" {
			meta = append(meta, s.Publisher)
		}
		if !s.Date.IsZero() {
			meta = append(meta, i18n.Date(lang, s.Date))
		}
		if len(meta) > 0 {
			text += " — " + i18n.List(lang, meta)
		}
		card.Sources = append(card.Sources, Link{Text: text, URL: s.URL})
	}
	for _, a := range c.LiveActions(opts.Today) {
		card.Actions = append(card.Actions, Link{Kind: string(a.Kind), Text: iso(a.Label), URL: a.URL})
	}
	card.PageURL = PageURL(opts.PublicURL, c.ID, lang)
	if opts.Stale {
		card.Stale = i18n.F(lang, "card.stale", i18n.Args{"Date": i18n.DateAs(lang, c.StatusAsOf, i18n.In)})
	}
	return card
}

func strikeLine(lang string, h cases.HungerStrike, today cases.Date, st cases.Status) string {
	start := i18n.DateAs(lang, h.Started, i18n.From) // after "from", "since"
	switch {
	case h.Days > 0:
		return i18n.N(lang, "card.strike.days", h.Days, i18n.Args{"Start": start})
	case !h.Ended.IsZero():
		return i18n.F(lang, "card.strike.ended", i18n.Args{"Start": start, "End": i18n.DateAs(lang, h.Ended, i18n.Until)})
	}
	if n, ok := h.DayOn(today); ok && !st.Free() {
		return i18n.F(lang, "card.strike.ongoing", i18n.Args{"Start": start, "Day": n})
	}
	return i18n.F(lang, "card.strike.since", i18n.Args{"Start": start})
}

// Text renders the card as plain text for the console and the CLI. In a
// right-to-left language the card's values are isolated already (see
// Card); Text isolates the URLs it shows, with their angle brackets, so
// that a terminal's link ends where the URL does, and gives each line
// its right-to-left mark (i18n.Align).
func (c *Card) Text() string {
	var b strings.Builder
	iso := func(s string) string { return i18n.Isolate(c.Lang, s) }
	b.WriteString(c.Title)
	if c.Country != "" {
		b.WriteString(" — " + c.Country)
	}
	b.WriteString("\n" + c.Status + "\n")
	for _, f := range c.Fields {
		b.WriteString(f.Label + ": " + f.Value + "\n")
	}
	if c.Summary != "" {
		b.WriteString("\n" + c.Summary + "\n")
		if c.SummaryNote != "" {
			b.WriteString(c.SummaryNote + "\n")
		}
	}
	if c.Photo != nil && c.Photo.URL != "" { // a local photo.file is for the share card only
		b.WriteString("\n" + i18n.T(c.Lang, "card.photo") + ": " + iso(c.Photo.URL))
		if c.Photo.Credit != "" {
			b.WriteString(" (" + c.Photo.Credit + ")")
		}
		b.WriteString("\n")
	}
	if len(c.Sources) > 0 {
		b.WriteString("\n" + i18n.T(c.Lang, "card.sources") + ":\n")
		for _, s := range c.Sources {
			b.WriteString("- " + s.Text)
			if s.URL != "" {
				b.WriteString(" " + iso("<"+s.URL+">"))
			}
			b.WriteString("\n")
		}
	}
	if len(c.Actions) > 0 {
		b.WriteString("\n" + i18n.T(c.Lang, "card.actions") + ":\n")
		for _, a := range c.Actions {
			b.WriteString("- " + a.Text + ": " + iso(a.URL) + "\n")
		}
	}
	if c.PageURL != "" {
		b.WriteString("\n" + i18n.T(c.Lang, "card.more") + ": " + iso(c.PageURL) + "\n")
	}
	if len(c.Hashtags) > 0 {
		b.WriteString("\n" + strings.Join(c.Hashtags, " ") + "\n")
	}
	if c.Stale != "" {
		b.WriteString("\n" + c.Stale + "\n")
	}
	return i18n.Align(c.Lang, strings.TrimRight(b.String(), "\n"))
}
