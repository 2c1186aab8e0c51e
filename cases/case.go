package cases

import (
	"maps"
	"slices"
	"time"
)

// Status is where a person stands, from the fixed set of the case format.
type Status string

// The statuses a case may have.
const (
	Detained    Status = "detained"
	Imprisoned  Status = "imprisoned"
	Released    Status = "released"
	Exiled      Status = "exiled"
	Disappeared Status = "disappeared"
	Deceased    Status = "deceased"
)

// Statuses lists every valid Status in the order the format names them.
var Statuses = []Status{Detained, Imprisoned, Released, Exiled, Disappeared, Deceased}

// Valid reports whether s is one of Statuses.
func (s Status) Valid() bool { return slices.Contains(Statuses, s) }

// Free reports whether the person is out of detention (released or
// deceased), so that day counts and milestones no longer apply.
func (s Status) Free() bool { return s == Released || s == Deceased }

// Held reports whether a person with this status is in detention
// (detained, imprisoned or disappeared): the statuses that count days
// held and get detention anniversaries and milestones.
func (s Status) Held() bool { return s == Detained || s == Imprisoned || s == Disappeared }

// ActionKind is the kind of a call to action.
type ActionKind string

// ActionKinds lists the kinds of calls to action the format allows.
var ActionKinds = []ActionKind{"petition", "letter", "email", "call", "share", "donate", "read"}

// Case is one person's record. Field names follow the YAML case format;
// the JSON form (CLI --json, database) uses the same names.
type Case struct {
	ID            string            `json:"id"`
	Name          string            `json:"name"`
	Aliases       []string          `json:"aliases,omitempty"`
	Names         map[string]string `json:"names,omitempty"` // the name per language; Name is the fallback
	Country       string            `json:"country"`
	Status        Status            `json:"status"`
	StatusAsOf    Date              `json:"status_as_of"`
	Affiliation   string            `json:"affiliation,omitempty"`
	Arrested      Date              `json:"arrested,omitzero"`
	Sentenced     Date              `json:"sentenced,omitzero"`
	Sentence      string            `json:"sentence,omitempty"`
	Charges       []string          `json:"charges,omitempty"`
	Born          Date              `json:"born,omitzero"`
	HungerStrikes []HungerStrike    `json:"hunger_strikes,omitempty"`
	Summary       map[string]string `json:"summary,omitempty"`
	Photo         *Photo            `json:"photo,omitempty"`
	Sources       []Source          `json:"sources,omitempty"`
	Actions       []Action          `json:"actions,omitempty"`
	Hashtags      []string          `json:"hashtags,omitempty"`
	Reminders     []Reminder        `json:"reminders,omitempty"`
	Letters       *Letters          `json:"letters,omitempty"`

	// File and Line say where the case was read from, for errors and logs.
	File string `json:"file,omitempty"`
	Line int    `json:"line,omitempty"`
}

// HungerStrike is one hunger strike: ongoing when it has neither Days nor
// Ended, in which case Started is day-precise.
type HungerStrike struct {
	Started Date `json:"started"`
	Days    int  `json:"days,omitempty"`
	Ended   Date `json:"ended,omitzero"`
}

// Ongoing reports whether the strike has not ended.
func (h HungerStrike) Ongoing() bool { return h.Days == 0 && h.Ended.IsZero() }

// DayOn returns the strike's day number on day (the start day is day 1)
// for an ongoing strike with a day-precise start; ok is false otherwise or
// before the start.
func (h HungerStrike) DayOn(day Date) (n int, ok bool) {
	start, ok1 := h.Started.Time(time.UTC)
	now, ok2 := day.Time(time.UTC)
	if !h.Ongoing() || !ok1 || !ok2 || now.Before(start) {
		return 0, false
	}
	// Both are UTC midnights, so the difference is a whole number of days.
	return int(now.Sub(start).Hours()/24) + 1, true
}

// DaysHeld returns the whole days from a day-precise arrest to day for a
// person in detention (Status.Held), as the detention milestones count
// them; ok is false for anyone else, for an arrest known only to the
// month or year, and before the arrest.
func (c *Case) DaysHeld(day Date) (n int, ok bool) {
	if !c.Status.Held() || !c.Arrested.HasDay() {
		return 0, false
	}
	a, ok1 := c.Arrested.Time(time.UTC)
	b, ok2 := day.Time(time.UTC)
	if !ok1 || !ok2 || b.Before(a) {
		return 0, false
	}
	// Both are UTC midnights, so the difference is a whole number of days.
	return int(b.Sub(a).Hours() / 24), true
}

// Photo is a portrait and its credit line: a URL (shown as a link, never
// fetched) or a local File for the share card, or both.
type Photo struct {
	URL string `json:"url,omitempty"`
	// File is the picture's absolute path: the case file gives it
	// relative to its own folder, and the parser resolves it, so that it
	// is found later whatever the working directory.
	File   string `json:"file,omitempty"`
	Credit string `json:"credit,omitempty"`
}

// Source is where the facts of a case come from.
type Source struct {
	Title     string `json:"title"`
	Publisher string `json:"publisher,omitempty"`
	Date      Date   `json:"date,omitzero"`
	URL       string `json:"url,omitempty"`
}

// Action is a call to action, shown as a button where the platform has them.
type Action struct {
	Kind  ActionKind `json:"kind"`
	Label string     `json:"label"`
	URL   string     `json:"url"`
	Until Date       `json:"until,omitzero"`
}

// Letters is what people need to write to the person: the postal
// address, the languages that reach them, what not to write and a
// sample letter (both per language).
type Letters struct {
	Address   string            `json:"address"`
	Languages []string          `json:"languages,omitempty"`
	Rules     map[string]string `json:"rules,omitempty"`
	Sample    map[string]string `json:"sample,omitempty"`
}

// Writable reports whether people may be sent to write to the person
// (/write): in detention (detained or imprisoned), with a letters
// address.
func (c *Case) Writable() bool {
	return (c.Status == Detained || c.Status == Imprisoned) && c.Letters != nil && c.Letters.Address != ""
}

// TextIn returns the entry of a per-language text in lang, falling back
// to English and then to the first language given, in a stable order,
// like SummaryIn; used is the language of the text returned.
func TextIn(texts map[string]string, lang string) (text, used string) {
	if s := texts[lang]; s != "" {
		return s, lang
	}
	if s := texts["en"]; s != "" {
		return s, "en"
	}
	for _, k := range slices.Sorted(maps.Keys(texts)) {
		if texts[k] != "" {
			return texts[k], k
		}
	}
	return "", ""
}

// Reminder is a custom reminder in robfig/cron syntax, evaluated in each
// channel's time zone.
type Reminder struct {
	Cron string `json:"cron"`
	Text string `json:"text"`
}

// LiveActions returns the calls to action still open on day: none once the
// person is released, and none past its Until date.
func (c *Case) LiveActions(day Date) []Action {
	if c.Status == Released {
		return nil
	}
	var out []Action
	for _, a := range c.Actions {
		if !a.Until.IsZero() && a.Until.Last().Before(day) {
			continue
		}
		out = append(out, a)
	}
	return out
}

// SummaryIn returns the summary in lang, falling back to English and then
// to any language, in a stable order.
func (c *Case) SummaryIn(lang string) (text, used string) {
	if s, ok := c.Summary[lang]; ok && s != "" {
		return s, lang
	}
	if s, ok := c.Summary["en"]; ok && s != "" {
		return s, "en"
	}
	keys := make([]string, 0, len(c.Summary))
	for k := range c.Summary {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		if c.Summary[k] != "" {
			return c.Summary[k], k
		}
	}
	return "", ""
}

// Stale reports whether the status was last confirmed more than staleAfter
// before now, so that the case gets no scheduled posts.
func (c *Case) Stale(now time.Time, staleAfter time.Duration) bool {
	if staleAfter <= 0 {
		return false
	}
	if c.StatusAsOf.IsZero() {
		return true
	}
	last, _ := c.StatusAsOf.Last().Time(now.Location())
	return now.Sub(last) > staleAfter+24*time.Hour
}

// NameIn returns the person's name as written in lang (Names), falling
// back to Name: every text that names the person to a channel uses it.
func (c *Case) NameIn(lang string) string {
	if n := c.Names[lang]; n != "" {
		return n
	}
	return c.Name
}

// Entry returns what the matcher needs of c: the name, and the aliases
// and the names per language (in language order) as aliases, so that a
// query in any of them finds the person.
func (c *Case) Entry() Entry {
	aliases := c.Aliases
	if len(c.Names) > 0 {
		aliases = slices.Clone(c.Aliases)
		for _, lang := range slices.Sorted(maps.Keys(c.Names)) {
			if n := c.Names[lang]; n != "" && n != c.Name && !slices.Contains(aliases, n) {
				aliases = append(aliases, n)
			}
		}
	}
	return Entry{ID: c.ID, Name: c.Name, Aliases: aliases}
}
