package cases

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"io"
	"maps"
	"slices"
	"strconv"

	"gopkg.in/yaml.v3"
)

// MarshalYAML writes c as a case file in the YAML format, fields in the
// format's order and empty ones left out, so that Parse reads back the
// same case. Dates keep their precision.
func MarshalYAML(c *Case) ([]byte, error) {
	m := &yaml.Node{Kind: yaml.MappingNode}
	str := func(s string) *yaml.Node { return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: s} }
	// A date is written plain (2021-02, not "2021-02"); the parser reads
	// its text whatever YAML would resolve it to.
	date := func(d Date) *yaml.Node { return &yaml.Node{Kind: yaml.ScalarNode, Value: d.String()} }
	put := func(m *yaml.Node, key string, v *yaml.Node) { m.Content = append(m.Content, str(key), v) }
	text := func(m *yaml.Node, key, s string) {
		if s != "" {
			put(m, key, str(s))
		}
	}
	day := func(m *yaml.Node, key string, d Date) {
		if !d.IsZero() {
			put(m, key, date(d))
		}
	}
	list := func(m *yaml.Node, key string, items []string) {
		if len(items) == 0 {
			return
		}
		seq := &yaml.Node{Kind: yaml.SequenceNode, Style: yaml.FlowStyle}
		for _, s := range items {
			seq.Content = append(seq.Content, str(s))
		}
		put(m, key, seq)
	}
	langs := func(m *yaml.Node, key string, byLang map[string]string) {
		if len(byLang) == 0 {
			return
		}
		mm := &yaml.Node{Kind: yaml.MappingNode}
		for _, l := range slices.Sorted(maps.Keys(byLang)) {
			text(mm, l, byLang[l])
		}
		put(m, key, mm)
	}
	records := func(key string, n int, each func(i int, r *yaml.Node)) {
		if n == 0 {
			return
		}
		seq := &yaml.Node{Kind: yaml.SequenceNode}
		for i := range n {
			r := &yaml.Node{Kind: yaml.MappingNode}
			each(i, r)
			seq.Content = append(seq.Content, r)
		}
		put(m, key, seq)
	}
	text(m, "id", c.ID)
	text(m, "name", c.Name)
	list(m, "aliases", c.Aliases)
	langs(m, "names", c.Names)
	text(m, "country", c.Country)
	text(m, "status", string(c.Status))
	day(m, "status_as_of", c.StatusAsOf)
	text(m, "affiliation", c.Affiliation)
	day(m, "arrested", c.Arrested)
	day(m, "sentenced", c.Sentenced)
	text(m, "sentence", c.Sentence)
	list(m, "charges", c.Charges)
	day(m, "born", c.Born)
	records("hunger_strikes", len(c.HungerStrikes), func(i int, r *yaml.Node) {
		h := c.HungerStrikes[i]
		day(r, "started", h.Started)
		if h.Days > 0 {
			put(r, "days", &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!int", Value: strconv.Itoa(h.Days)})
		}
		day(r, "ended", h.Ended)
	})
	langs(m, "summary", c.Summary)
	if c.Photo != nil {
		ph := &yaml.Node{Kind: yaml.MappingNode}
		text(ph, "url", c.Photo.URL)
		text(ph, "file", c.Photo.File)
		text(ph, "credit", c.Photo.Credit)
		put(m, "photo", ph)
	}
	records("sources", len(c.Sources), func(i int, r *yaml.Node) {
		s := c.Sources[i]
		text(r, "title", s.Title)
		text(r, "publisher", s.Publisher)
		day(r, "date", s.Date)
		text(r, "url", s.URL)
	})
	records("actions", len(c.Actions), func(i int, r *yaml.Node) {
		a := c.Actions[i]
		text(r, "kind", string(a.Kind))
		text(r, "label", a.Label)
		text(r, "url", a.URL)
		day(r, "until", a.Until)
	})
	list(m, "hashtags", c.Hashtags)
	records("reminders", len(c.Reminders), func(i int, r *yaml.Node) {
		text(r, "cron", c.Reminders[i].Cron)
		text(r, "text", c.Reminders[i].Text)
	})
	if l := c.Letters; l != nil {
		lm := &yaml.Node{Kind: yaml.MappingNode}
		text(lm, "address", l.Address)
		list(lm, "languages", l.Languages)
		langs(lm, "rules", l.Rules)
		langs(lm, "sample", l.Sample)
		put(m, "letters", lm)
	}
	var b bytes.Buffer
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(m); err != nil {
		return nil, fmt.Errorf("cases: marshal %s: %w", c.ID, err)
	}
	if err := enc.Close(); err != nil {
		return nil, fmt.Errorf("cases: marshal %s: %w", c.ID, err)
	}
	return b.Bytes(), nil
}

// CSVLayout is the set of columns a CSV export needs: every plain field,
// the languages of names, summaries and letters' rules and samples that
// the cases use (summary.en, letters.rules.en and letters.sample.en at
// least), and as many column groups for sources, actions, hunger strikes
// and reminders as the case with the most of them has (one at least).
// Add every case before writing, then write them in a second pass, so
// that the cases need not be held in memory.
type CSVLayout struct {
	langs  map[string]map[string]bool // column prefix (summary, letters.rules) → languages
	groups map[string]int             // YAML key → records
	// photoFile: a case has a local photo (photo.file), so the layout
	// has its column; the CSV of cases without one keeps the template's
	// columns.
	photoFile bool
}

// byLanguage returns c's texts per language by column prefix: names,
// summary, letters.rules and letters.sample.
func byLanguage(c *Case) map[string]map[string]string {
	m := map[string]map[string]string{"names": c.Names, "summary": c.Summary}
	if c.Letters != nil {
		m["letters.rules"], m["letters.sample"] = c.Letters.Rules, c.Letters.Sample
	}
	return m
}

// Add widens l to hold c.
func (l *CSVLayout) Add(c *Case) {
	if l.groups == nil {
		l.langs = map[string]map[string]bool{"names": {}, "summary": {"en": true},
			"letters.rules": {"en": true}, "letters.sample": {"en": true}}
		l.groups = map[string]int{}
		for _, g := range csvGroups {
			l.groups[g.key] = 1
		}
	}
	for prefix, texts := range byLanguage(c) {
		for k := range texts {
			l.langs[prefix][k] = true
		}
	}
	for key, n := range map[string]int{"hunger_strikes": len(c.HungerStrikes), "sources": len(c.Sources),
		"actions": len(c.Actions), "reminders": len(c.Reminders)} {
		l.groups[key] = max(l.groups[key], n)
	}
	if c.Photo != nil && c.Photo.File != "" {
		l.photoFile = true
	}
}

// holds reports whether every field of c has its column in l.
func (l *CSVLayout) holds(c *Case) bool {
	if l.groups == nil {
		l.Add(&Case{})
	}
	for prefix, texts := range byLanguage(c) {
		for k := range texts {
			if !l.langs[prefix][k] {
				return false
			}
		}
	}
	if c.Photo != nil && c.Photo.File != "" && !l.photoFile {
		return false
	}
	return len(c.HungerStrikes) <= l.groups["hunger_strikes"] && len(c.Sources) <= l.groups["sources"] &&
		len(c.Actions) <= l.groups["actions"] && len(c.Reminders) <= l.groups["reminders"]
}

// columns lists the layout's columns in export order.
func (l *CSVLayout) columns() []csvColumn {
	if l.groups == nil {
		l.Add(&Case{})
	}
	var cols []csvColumn
	scalar := func(names ...string) {
		for _, n := range names {
			cols = append(cols, csvColumn{name: n, kind: csvScalar, key: n})
		}
	}
	listCol := func(n string) { cols = append(cols, csvColumn{name: n, kind: csvList, key: n}) }
	langs := func(parent, key string) {
		prefix := key
		if parent != "" {
			prefix = parent + "." + key
		}
		for _, lang := range slices.Sorted(maps.Keys(l.langs[prefix])) {
			cols = append(cols, csvColumn{name: prefix + "." + lang, kind: csvLang, parent: parent, key: key, sub: lang})
		}
	}
	group := func(key string) {
		g := groupByKey(key)
		for i := range l.groups[key] {
			for _, f := range g.fields {
				cols = append(cols, csvColumn{name: g.column(i, f), kind: csvGroup, key: key, sub: f, index: i})
			}
		}
	}
	scalar("id", "name")
	listCol("aliases")
	langs("", "names")
	scalar("country", "status", "status_as_of", "affiliation", "arrested", "sentenced", "sentence")
	listCol("charges")
	scalar("born")
	group("hunger_strikes")
	langs("", "summary")
	for _, f := range csvMaps["photo"] {
		if f == "file" && !l.photoFile {
			continue
		}
		cols = append(cols, csvColumn{name: "photo." + f, kind: csvMap, key: "photo", sub: f})
	}
	group("sources")
	group("actions")
	listCol("hashtags")
	group("reminders")
	for _, f := range csvNested {
		for _, n := range f.scalars {
			cols = append(cols, csvColumn{name: f.key + "." + n, kind: csvScalar, parent: f.key, key: n})
		}
		for _, n := range f.lists {
			cols = append(cols, csvColumn{name: f.key + "." + n, kind: csvList, parent: f.key, key: n})
		}
		for _, n := range f.langMaps {
			langs(f.key, n)
		}
	}
	return cols
}

// CSVWriter writes cases as CSV rows under the header of a CSVLayout:
// UTF-8 with a byte order mark (so that spreadsheets take it for UTF-8),
// comma-separated, one case a row. Importing the file gives the same
// cases back.
type CSVWriter struct {
	w      *csv.Writer
	layout *CSVLayout
	cols   []csvColumn
	row    []string
}

// NewCSVWriter writes the byte order mark and the header of l to w.
func NewCSVWriter(w io.Writer, l *CSVLayout) (*CSVWriter, error) {
	if _, err := io.WriteString(w, "\uFEFF"); err != nil {
		return nil, fmt.Errorf("cases: write csv: %w", err)
	}
	cw := &CSVWriter{w: csv.NewWriter(w), layout: l, cols: l.columns()}
	cw.row = make([]string, len(cw.cols))
	for i, c := range cw.cols {
		cw.row[i] = c.name
	}
	if err := cw.w.Write(cw.row); err != nil {
		return nil, fmt.Errorf("cases: write csv: %w", err)
	}
	return cw, nil
}

// Write writes c as a row. Its layout must have been widened by c: a
// case with a language or a record that has no column is refused rather
// than written in part.
func (cw *CSVWriter) Write(c *Case) error {
	if !cw.layout.holds(c) {
		return fmt.Errorf("cases: write csv: case %s has more fields than the columns chosen for it", c.ID)
	}
	for i, col := range cw.cols {
		v, err := csvCell(c, col)
		if err != nil {
			return err
		}
		cw.row[i] = v
	}
	if err := cw.w.Write(cw.row); err != nil {
		return fmt.Errorf("cases: write csv: %w", err)
	}
	return nil
}

// Flush writes what is buffered and reports any error of the writes.
func (cw *CSVWriter) Flush() error {
	cw.w.Flush()
	if err := cw.w.Error(); err != nil {
		return fmt.Errorf("cases: write csv: %w", err)
	}
	return nil
}

// csvCell returns c's value for the column col.
func csvCell(c *Case, col csvColumn) (string, error) {
	if col.parent == "letters" {
		l := c.Letters
		if l == nil {
			l = &Letters{}
		}
		switch col.key {
		case "address":
			return l.Address, nil
		case "languages":
			return joinList(l.Languages), nil
		case "rules":
			return l.Rules[col.sub], nil
		case "sample":
			return l.Sample[col.sub], nil
		}
		return "", fmt.Errorf("cases: write csv: no column %s", col.name)
	}
	switch col.key {
	case "id":
		return c.ID, nil
	case "name":
		return c.Name, nil
	case "country":
		return c.Country, nil
	case "status":
		return string(c.Status), nil
	case "status_as_of":
		return c.StatusAsOf.String(), nil
	case "affiliation":
		return c.Affiliation, nil
	case "arrested":
		return c.Arrested.String(), nil
	case "sentenced":
		return c.Sentenced.String(), nil
	case "sentence":
		return c.Sentence, nil
	case "born":
		return c.Born.String(), nil
	case "aliases":
		return joinList(c.Aliases), nil
	case "charges":
		return joinList(c.Charges), nil
	case "hashtags":
		return joinList(c.Hashtags), nil
	case "names":
		return c.Names[col.sub], nil
	case "summary":
		return c.Summary[col.sub], nil
	case "photo":
		if c.Photo == nil {
			return "", nil
		}
		switch col.sub {
		case "url":
			return c.Photo.URL, nil
		case "file":
			return c.Photo.File, nil
		}
		return c.Photo.Credit, nil
	}
	var rec map[string]string
	switch i := col.index; col.key {
	case "hunger_strikes":
		if i < len(c.HungerStrikes) {
			h := c.HungerStrikes[i]
			days := ""
			if h.Days > 0 {
				days = strconv.Itoa(h.Days)
			}
			rec = map[string]string{"started": h.Started.String(), "days": days, "ended": h.Ended.String()}
		}
	case "sources":
		if i < len(c.Sources) {
			s := c.Sources[i]
			rec = map[string]string{"title": s.Title, "publisher": s.Publisher, "date": s.Date.String(), "url": s.URL}
		}
	case "actions":
		if i < len(c.Actions) {
			a := c.Actions[i]
			rec = map[string]string{"kind": string(a.Kind), "label": a.Label, "url": a.URL, "until": a.Until.String()}
		}
	case "reminders":
		if i < len(c.Reminders) {
			rec = map[string]string{"cron": c.Reminders[i].Cron, "text": c.Reminders[i].Text}
		}
	default:
		return "", fmt.Errorf("cases: write csv: no column %s", col.name)
	}
	return rec[col.sub], nil
}
