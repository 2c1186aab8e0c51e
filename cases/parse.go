package cases

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/url"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/robfig/cron/v3"
	"golang.org/x/text/language"
	"gopkg.in/yaml.v3"
)

// FieldError is one problem in a case file, at a line, in a field.
type FieldError struct {
	File  string // the file's path, its identity; Error shows it with DisplayPath
	Line  int
	Field string // dotted path, e.g. "hunger_strikes[0].started"; may be empty
	Msg   string
}

// Error formats e as "file:line: field: msg", the form editors' tools and
// eyes can jump to.
func (e *FieldError) Error() string {
	var b strings.Builder
	b.WriteString(DisplayPath(e.File))
	if e.Line > 0 {
		b.WriteString(":" + strconv.Itoa(e.Line))
	}
	b.WriteString(": ")
	if e.Field != "" {
		b.WriteString(e.Field + ": ")
	}
	b.WriteString(e.Msg)
	return b.String()
}

// maxErrors bounds how many problems one file reports, so that a file of
// garbage does not bury the first, most useful lines.
const maxErrors = 20

// Limits on case text. They are generous (a hostile 5000-character
// summary must still load and be rendered safely) but stop a runaway file.
const (
	maxName    = 200
	maxShort   = 500
	maxSummary = 20000
	// maxAddress and maxLetterText bound a letters address and each
	// language's rules and sample letter: a chat reply must hold them.
	maxAddress    = 500
	maxLetterText = 2000
)

var (
	idPattern       = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)
	langPattern     = regexp.MustCompile(`^[a-z]{2,3}$`)
	yamlLinePattern = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)
	cronParser      = cron.NewParser(cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow | cron.Descriptor)
)

// ParseOptions gives Parse what it must not take from the environment.
type ParseOptions struct {
	// Now is the current time; required. A case date after its day in its
	// location, plus one day's grace for other time zones, is refused
	// (except an action's until, a deadline). A partial date counts from
	// the first day it may denote.
	Now time.Time
}

// Parse reads the cases of one YAML file: a single case, a list of cases,
// or several YAML documents of either. name is used in errors only. All
// problems found are returned joined (errors.Join of *FieldError); on any
// error no case is returned, so a bad file imports nothing of itself.
func Parse(name string, data []byte, opts ParseOptions) ([]Case, error) {
	var out []Case
	if err := ParseEach(name, data, opts, func(c *Case) { out = append(out, *c) }); err != nil {
		return nil, err
	}
	return out, nil
}

// ParseEach reads the cases of one YAML file as Parse does, with the same
// errors, but hands each case to fn as soon as it is read instead of
// keeping them all: a file of 100,000 cases never has all of them, nor
// all of its YAML, in memory at once. fn is called in file order and only
// while the file has shown no error yet; when ParseEach returns an error,
// the cases already handed over must be discarded, as the file is bad.
//
// A file whose name ends in .csv is read as CSV, one case a row (see
// csv.go), with the same checks and errors that name its lines.
//
// A file that is one block list at column 0 ("- id: …" items) is decoded
// item by item; any other shape, or an item that does not decode on its
// own (an alias to another item's anchor, a syntax error), is decoded as
// whole documents, so that errors and line numbers are exactly Parse's.
func ParseEach(name string, data []byte, opts ParseOptions, fn func(*Case)) error {
	p := &parser{file: name, data: data, fn: fn, seen: map[string]int{},
		today: DateOf(opts.Now), latest: DateOf(opts.Now.AddDate(0, 0, 1))}
	if IsCSV(name) {
		p.parseCSV()
	} else if items, ok := topLevelItems(data); ok {
		p.parseItems(items)
	} else {
		p.parseDocuments(0)
	}
	if p.count == 0 && len(p.errs) == 0 {
		p.errs = append(p.errs, &FieldError{File: name, Msg: "no cases in file"})
	}
	p.errs = append(p.errs, p.dups...)
	if len(p.errs) > 0 {
		return p.err()
	}
	return nil
}

// item is one "- " entry of a top-level block list: its bytes and the
// line it starts on.
type item struct {
	start, end, line int
}

// topLevelItems splits data at its column-0 "- " lines if the file is a
// single block list with nothing else at column 0 but comments and blank
// lines; ok is false for every other shape.
func topLevelItems(data []byte) (items []item, ok bool) {
	line := 0
	for off := 0; off < len(data); {
		end := bytes.IndexByte(data[off:], '\n')
		next := off + end + 1
		if end < 0 {
			end, next = len(data)-off, len(data)
		}
		l := bytes.TrimRight(data[off:off+end], "\r")
		line++
		switch {
		case len(l) == 0 || l[0] == ' ' || l[0] == '#':
			// Blank, indented (an item's body) or a comment.
			if len(items) == 0 && len(bytes.TrimLeft(l, " ")) > 0 && l[0] == ' ' {
				return nil, false // indented content before the list
			}
		case l[0] == '-' && (len(l) == 1 || l[1] == ' '):
			if len(items) > 0 {
				items[len(items)-1].end = off
			}
			items = append(items, item{start: off, end: len(data), line: line})
		default:
			return nil, false
		}
		off = next
	}
	return items, len(items) > 0
}

// parseItems decodes the items of a top-level list one at a time. If one
// does not decode as a list of exactly that item, it starts over with the
// whole document, keeping only what was handed to fn.
func (p *parser) parseItems(items []item) {
	for i, it := range items {
		var doc yaml.Node
		err := yaml.Unmarshal(p.data[it.start:it.end], &doc)
		if err != nil || len(doc.Content) != 1 || doc.Content[0].Kind != yaml.SequenceNode || len(doc.Content[0].Content) != 1 {
			p.errs, p.dups, p.count, p.seen = nil, nil, 0, map[string]int{}
			p.parseDocuments(i)
			return
		}
		n := doc.Content[0].Content[0]
		shiftLines(n, it.line-1)
		p.listItem(i, n, true)
	}
}

// shiftLines adds d to the line of n and of everything below it.
func shiftLines(n *yaml.Node, d int) {
	n.Line += d
	for _, c := range n.Content {
		shiftLines(c, d)
	}
}

// parseDocuments decodes data as whole YAML documents. The first done
// items of a top-level list have already been handed to fn: they are
// checked again but not handed over twice.
func (p *parser) parseDocuments(done int) {
	dec := yaml.NewDecoder(bytes.NewReader(p.data))
	for {
		var doc yaml.Node
		err := dec.Decode(&doc)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			p.yamlError(err)
			break
		}
		if len(doc.Content) == 0 {
			continue
		}
		root := doc.Content[0]
		switch root.Kind {
		case yaml.MappingNode:
			p.emit(p.parseCase(root, ""), true)
		case yaml.SequenceNode:
			for i, n := range root.Content {
				p.listItem(i, n, i >= done)
			}
		case yaml.ScalarNode:
			if root.Tag == "!!null" {
				continue
			}
			fallthrough
		default:
			p.errorf(root, "", "want a case or a list of cases")
		}
		done = 0 // only the first document's items were handed over
	}
}

// listItem parses item i of a top-level list.
func (p *parser) listItem(i int, n *yaml.Node, hand bool) {
	if n.Kind != yaml.MappingNode {
		p.errorf(n, fmt.Sprintf("[%d]", i), "want a case (a mapping of fields)")
		return
	}
	p.emit(p.parseCase(n, fmt.Sprintf("[%d].", i)), hand)
}

// emit counts a parsed case, notes an id used twice in the file, and
// hands the case to fn while the file has no errors.
func (p *parser) emit(c Case, hand bool) {
	p.count++
	if c.ID != "" {
		if first, ok := p.seen[c.ID]; ok {
			p.dups = append(p.dups, &FieldError{File: p.file, Line: c.Line, Field: "id",
				Msg: fmt.Sprintf("%q is used twice (first at line %d)", c.ID, first)})
		}
		p.seen[c.ID] = c.Line
	}
	if hand && p.fn != nil && len(p.errs) == 0 && len(p.dups) == 0 {
		p.fn(&c)
	}
}

type parser struct {
	file   string
	data   []byte
	errs   []error
	dups   []error // ids used twice, reported after the other errors
	seen   map[string]int
	count  int
	fn     func(*Case)
	today  Date // for messages
	latest Date // the last day a past date may name: today plus a day's grace
}

func (p *parser) err() error {
	errs := p.errs
	if len(errs) > maxErrors {
		errs = append(errs[:maxErrors:maxErrors], &FieldError{File: p.file,
			Msg: fmt.Sprintf("and %d more errors", len(p.errs)-maxErrors)})
	}
	return errors.Join(errs...)
}

func (p *parser) errorf(n *yaml.Node, field, format string, args ...any) {
	line := 0
	if n != nil {
		line = n.Line
	}
	p.errs = append(p.errs, &FieldError{File: p.file, Line: line, Field: field, Msg: fmt.Sprintf(format, args...)})
}

// yamlError turns the YAML library's "yaml: line N: msg" into a FieldError
// so syntax errors read like every other error.
func (p *parser) yamlError(err error) {
	var te *yaml.TypeError
	if errors.As(err, &te) {
		for _, e := range te.Errors {
			p.yamlError(errors.New(e))
		}
		return
	}
	msg := err.Error()
	if m := yamlLinePattern.FindStringSubmatch(msg); m != nil {
		line, _ := strconv.Atoi(m[1])
		p.errs = append(p.errs, &FieldError{File: p.file, Line: p.syntaxLine(line, m[2]), Msg: "invalid YAML: " + m[2]})
		return
	}
	p.errs = append(p.errs, &FieldError{File: p.file, Msg: "invalid YAML: " + strings.TrimPrefix(msg, "yaml: ")})
}

// syntaxLine corrects the line yaml.v3 gives for some syntax errors: for
// parser errors ("did not find expected …") it names the construct's
// start counted from 0, and for a tab in the indentation it may name the
// line before. Editors need the line to look at.
func (p *parser) syntaxLine(line int, msg string) int {
	switch {
	case strings.HasPrefix(msg, "did not find expected") && line > 0:
		return line + 1
	case strings.Contains(msg, "tab character"):
		for i, l := range strings.Split(string(p.data), "\n") {
			indent := l[:len(l)-len(strings.TrimLeft(l, " \t"))]
			if i+1 >= line && strings.Contains(indent, "\t") {
				return i + 1
			}
		}
	}
	return line
}

// fields walks a mapping node, calling set for every key in known and
// reporting unknown and repeated keys, which are usually typos.
func (p *parser) fields(m *yaml.Node, prefix string, known map[string]func(*yaml.Node)) {
	seen := map[string]bool{}
	for i := 0; i+1 < len(m.Content); i += 2 {
		k, v := m.Content[i], m.Content[i+1]
		set, ok := known[k.Value]
		switch {
		case !ok:
			p.errorf(k, prefix+k.Value, "unknown field")
		case seen[k.Value]:
			p.errorf(k, prefix+k.Value, "given twice")
		default:
			seen[k.Value] = true
			set(v)
		}
	}
}

func isNull(n *yaml.Node) bool {
	return n.Kind == yaml.ScalarNode && n.Tag == "!!null"
}

// str reads a text field. It refuses the invisible characters that can
// reverse or hide text (see invisible); names, aliases and hashtags are
// read with name, which is stricter.
func (p *parser) str(n *yaml.Node, field string, limit int) string {
	return p.text(n, field, limit, false)
}

// name reads a text that identifies: an id, a name, an alias or a
// hashtag. Such a text must look like what it matches, so every invisible
// formatting character but the zero-width non-joiner is refused.
func (p *parser) name(n *yaml.Node, field string, limit int) string {
	return p.text(n, field, limit, true)
}

func (p *parser) text(n *yaml.Node, field string, limit int, strict bool) string {
	if isNull(n) {
		return ""
	}
	if n.Kind != yaml.ScalarNode {
		p.errorf(n, field, "want a text, not a %s", kindName(n))
		return ""
	}
	s := strings.TrimSpace(n.Value)
	if !utf8.ValidString(s) {
		p.errorf(n, field, "not valid UTF-8")
		return ""
	}
	if utf8.RuneCountInString(s) > limit {
		p.errorf(n, field, "longer than %d characters", limit)
		return ""
	}
	for _, r := range s {
		if unicode.IsControl(r) && r != '\n' && r != '\t' {
			p.errorf(n, field, "contains a control character (%U)", r)
			return ""
		}
		if what := invisible(r, strict); what != "" {
			p.errorf(n, field, "contains %s %U", what, r)
			return ""
		}
	}
	return s
}

// invisible says what r is if a case text must not contain it, or "".
// Direction embeddings, overrides and isolates (U+202A–U+202E,
// U+2066–U+2069) can show a text reversed, and zero-width characters
// (U+200B, U+2060, U+FEFF) can hide a word or split a name so that
// lookups miss it. The zero-width non-joiner U+200C is a normal part of
// Persian spelling and always allowed; the zero-width joiner U+200D
// (emoji sequences) and the direction marks LRM, RLM and ALM (U+200E,
// U+200F, U+061C, which right-to-left writers use) are allowed in
// running text. In identifying texts (strict) every Unicode format
// character but U+200C is refused.
func invisible(r rune, strict bool) string {
	switch {
	case r == 0x202D || r == 0x202E:
		return "an invisible direction override"
	case 0x202A <= r && r <= 0x202C:
		return "an invisible direction embedding"
	case 0x2066 <= r && r <= 0x2069:
		return "an invisible direction isolate"
	case r == 0x200B || r == 0x2060 || r == 0xFEFF:
		return "a zero-width character"
	case !strict || r == 0x200C || !unicode.Is(unicode.Cf, r):
		return ""
	case r == 0x200D:
		return "a zero-width character"
	case r == 0x200E || r == 0x200F || r == 0x061C:
		return "an invisible direction mark"
	}
	return "an invisible formatting character"
}

func (p *parser) strs(n *yaml.Node, field string, limit int) []string {
	return p.list1(n, field, limit, false)
}

func (p *parser) names(n *yaml.Node, field string, limit int) []string {
	return p.list1(n, field, limit, true)
}

func (p *parser) list1(n *yaml.Node, field string, limit int, strict bool) []string {
	if isNull(n) {
		return nil
	}
	if n.Kind != yaml.SequenceNode {
		p.errorf(n, field, "want a list, not a %s", kindName(n))
		return nil
	}
	var out []string
	for i, c := range n.Content {
		if s := p.text(c, fmt.Sprintf("%s[%d]", field, i), limit, strict); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// date reads a date that has happened: it may not lie after today (with
// a day's grace for time zones), and a year error names the years
// allowed.
func (p *parser) date(n *yaml.Node, field string) Date {
	d, ok := p.anyDate(n, field, p.latest.Year)
	if ok && p.latest.Before(d.First()) {
		p.errorf(n, field, "%s is in the future (today is %s)", d, p.today)
		return Date{}
	}
	return d
}

// deadline reads a date that may lie in the future, such as an action's
// until.
func (p *parser) deadline(n *yaml.Node, field string) Date {
	d, _ := p.anyDate(n, field, MaxYear)
	return d
}

func (p *parser) anyDate(n *yaml.Node, field string, maxYear int) (Date, bool) {
	if isNull(n) {
		return Date{}, false
	}
	if n.Kind != yaml.ScalarNode {
		p.errorf(n, field, "want a date (YYYY, YYYY-MM or YYYY-MM-DD), not a %s", kindName(n))
		return Date{}, false
	}
	d, err := ParseDate(strings.TrimSpace(n.Value))
	if ye := (*YearRangeError)(nil); errors.As(err, &ye) {
		ye.Max = min(ye.Max, maxYear)
	}
	if err != nil {
		p.errorf(n, field, "%v", err)
		return Date{}, false
	}
	return d, !d.IsZero()
}

func (p *parser) url(n *yaml.Node, field string) string {
	s := p.str(n, field, 2000)
	if s == "" {
		return ""
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		p.errorf(n, field, "%q is not an http(s) URL", s)
		return ""
	}
	return s
}

// photoFile returns the absolute path of a photo.file, which the case
// file gives relative to its own folder (or absolute): a JPEG or PNG
// file, read only when a share card is drawn.
func (p *parser) photoFile(n *yaml.Node, field string) string {
	s := p.str(n, field, 1000)
	if s == "" {
		return ""
	}
	switch strings.ToLower(filepath.Ext(s)) {
	case ".jpg", ".jpeg", ".png":
	default:
		p.errorf(n, field, "%q is not a .jpg, .jpeg or .png file", s)
		return ""
	}
	if strings.Contains(s, "://") {
		p.errorf(n, field, "%q is a URL, not a file (use photo.url)", s)
		return ""
	}
	if !filepath.IsAbs(s) {
		s = filepath.Join(filepath.Dir(p.file), s)
	}
	if abs, err := filepath.Abs(s); err == nil {
		s = abs
	}
	return filepath.Clean(s)
}

func (p *parser) list(n *yaml.Node, field string, each func(i int, item *yaml.Node, prefix string)) {
	if isNull(n) {
		return
	}
	if n.Kind != yaml.SequenceNode {
		p.errorf(n, field, "want a list, not a %s", kindName(n))
		return
	}
	for i, item := range n.Content {
		prefix := fmt.Sprintf("%s[%d]", field, i)
		if item.Kind != yaml.MappingNode {
			p.errorf(item, prefix, "want a mapping, not a %s", kindName(item))
			continue
		}
		each(i, item, prefix+".")
	}
}

func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "mapping"
	case yaml.SequenceNode:
		return "list"
	case yaml.AliasNode:
		return "alias"
	}
	return "scalar"
}

func (p *parser) required(m *yaml.Node, prefix string, fields map[string]bool, names ...string) {
	for _, f := range names {
		if !fields[f] {
			p.errorf(m, prefix+f, "required")
		}
	}
}

func (p *parser) parseCase(m *yaml.Node, prefix string) Case {
	c := Case{File: p.file, Line: m.Line}
	given := map[string]bool{}
	mark := func(name string, set func(*yaml.Node)) func(*yaml.Node) {
		return func(n *yaml.Node) {
			if !isNull(n) && !(n.Kind == yaml.ScalarNode && strings.TrimSpace(n.Value) == "") {
				given[name] = true
			}
			set(n)
		}
	}
	f := func(name string) string { return prefix + name }
	p.fields(m, prefix, map[string]func(*yaml.Node){
		"id": mark("id", func(n *yaml.Node) {
			c.ID = p.name(n, f("id"), 64)
			if c.ID != "" && !idPattern.MatchString(c.ID) {
				p.errorf(n, f("id"), "%q is not a slug: use a-z, 0-9 and single hyphens", c.ID)
			}
		}),
		"name":    mark("name", func(n *yaml.Node) { c.Name = p.name(n, f("name"), maxName) }),
		"aliases": func(n *yaml.Node) { c.Aliases = p.names(n, f("aliases"), maxName) },
		"names":   func(n *yaml.Node) { c.Names = p.parseNames(n, f("names")) },
		"country": mark("country", func(n *yaml.Node) {
			s := p.str(n, f("country"), 8)
			if s == "" {
				return
			}
			if len(s) != 2 {
				p.errorf(n, f("country"), "%q is not an ISO 3166-1 alpha-2 code", s)
				return
			}
			co, ok := CountryByCode(s)
			if !ok {
				p.errorf(n, f("country"), "%q is not an ISO 3166-1 country", s)
				return
			}
			c.Country = co.Code
		}),
		"status": mark("status", func(n *yaml.Node) {
			c.Status = Status(p.str(n, f("status"), 32))
			if c.Status != "" && !c.Status.Valid() {
				p.errorf(n, f("status"), "%q is not one of %s", c.Status, joinStatuses())
			}
		}),
		"status_as_of": mark("status_as_of", func(n *yaml.Node) { c.StatusAsOf = p.date(n, f("status_as_of")) }),
		"affiliation":  func(n *yaml.Node) { c.Affiliation = p.str(n, f("affiliation"), maxShort) },
		"arrested":     func(n *yaml.Node) { c.Arrested = p.date(n, f("arrested")) },
		"sentenced":    func(n *yaml.Node) { c.Sentenced = p.date(n, f("sentenced")) },
		"sentence":     func(n *yaml.Node) { c.Sentence = p.str(n, f("sentence"), maxShort) },
		"charges":      func(n *yaml.Node) { c.Charges = p.strs(n, f("charges"), maxShort) },
		"born":         func(n *yaml.Node) { c.Born = p.date(n, f("born")) },
		"hunger_strikes": func(n *yaml.Node) {
			p.list(n, f("hunger_strikes"), func(i int, item *yaml.Node, pre string) {
				c.HungerStrikes = append(c.HungerStrikes, p.parseStrike(item, pre))
			})
		},
		"summary": func(n *yaml.Node) { c.Summary = p.parseSummary(n, f("summary")) },
		"photo": func(n *yaml.Node) {
			if isNull(n) {
				return
			}
			if n.Kind != yaml.MappingNode {
				p.errorf(n, f("photo"), "want a mapping with url or file, and credit")
				return
			}
			ph := &Photo{}
			var hasURL, hasFile bool
			p.fields(n, f("photo."), map[string]func(*yaml.Node){
				"url":    func(v *yaml.Node) { ph.URL = p.url(v, f("photo.url")); hasURL = true },
				"file":   func(v *yaml.Node) { ph.File = p.photoFile(v, f("photo.file")); hasFile = true },
				"credit": func(v *yaml.Node) { ph.Credit = p.str(v, f("photo.credit"), maxShort) },
			})
			if !hasURL && !hasFile {
				p.errorf(n, f("photo.url"), "required (or photo.file)")
			}
			if ph.URL != "" || ph.File != "" {
				c.Photo = ph
			}
		},
		"sources": func(n *yaml.Node) {
			p.list(n, f("sources"), func(i int, item *yaml.Node, pre string) {
				var s Source
				p.fields(item, pre, map[string]func(*yaml.Node){
					"title":     func(v *yaml.Node) { s.Title = p.str(v, pre+"title", maxShort) },
					"publisher": func(v *yaml.Node) { s.Publisher = p.str(v, pre+"publisher", maxShort) },
					"date":      func(v *yaml.Node) { s.Date = p.date(v, pre+"date") },
					"url":       func(v *yaml.Node) { s.URL = p.url(v, pre+"url") },
				})
				if s.Title == "" && !p.reported(pre+"title") {
					p.errorf(item, pre+"title", "required")
				}
				c.Sources = append(c.Sources, s)
			})
		},
		"actions": func(n *yaml.Node) {
			p.list(n, f("actions"), func(i int, item *yaml.Node, pre string) {
				var a Action
				p.fields(item, pre, map[string]func(*yaml.Node){
					"kind": func(v *yaml.Node) {
						a.Kind = ActionKind(p.str(v, pre+"kind", 32))
						if !slices.Contains(ActionKinds, a.Kind) {
							p.errorf(v, pre+"kind", "%q is not one of %s", a.Kind, joinKinds())
						}
					},
					"label": func(v *yaml.Node) { a.Label = p.str(v, pre+"label", 80) },
					"url":   func(v *yaml.Node) { a.URL = p.url(v, pre+"url") },
					"until": func(v *yaml.Node) { a.Until = p.deadline(v, pre+"until") },
				})
				given := map[string]bool{"kind": a.Kind != "", "label": a.Label != "", "url": a.URL != ""}
				for _, k := range []string{"kind", "label", "url"} {
					if !given[k] && !p.reported(pre+k) {
						p.errorf(item, pre+k, "required")
					}
				}
				c.Actions = append(c.Actions, a)
			})
		},
		"hashtags": func(n *yaml.Node) {
			c.Hashtags = p.names(n, f("hashtags"), 100)
			for i, h := range c.Hashtags {
				if !strings.HasPrefix(h, "#") || len(h) < 2 || strings.ContainsFunc(h, unicode.IsSpace) {
					p.errorf(n, fmt.Sprintf("%s[%d]", f("hashtags"), i), "%q is not a hashtag: want # and no spaces", h)
				}
			}
		},
		"letters": func(n *yaml.Node) { c.Letters = p.parseLetters(n, f("letters")) },
		"reminders": func(n *yaml.Node) {
			p.list(n, f("reminders"), func(i int, item *yaml.Node, pre string) {
				var r Reminder
				p.fields(item, pre, map[string]func(*yaml.Node){
					"cron": func(v *yaml.Node) {
						r.Cron = p.str(v, pre+"cron", 200)
						if r.Cron == "" {
							return
						}
						if strings.HasPrefix(r.Cron, "CRON_TZ=") || strings.HasPrefix(r.Cron, "TZ=") {
							p.errorf(v, pre+"cron", "no time zone here: reminders run in each channel's time zone")
							r.Cron = ""
							return
						}
						sched, err := cronParser.Parse(r.Cron)
						if err != nil {
							p.errorf(v, pre+"cron", "%q: %v", r.Cron, err)
							r.Cron = ""
							return
						}
						// Next gives up (the zero time) when nothing matches
						// within five years: 30 February, 31 April.
						if sched.Next(cronSample).IsZero() {
							p.errorf(v, pre+"cron", "%q never fires: no date matches it", r.Cron)
							r.Cron = ""
							return
						}
						if firesOnADay(sched) > maxRemindersPerDay {
							p.errorf(v, pre+"cron", "%q fires more than %d times a day", r.Cron, maxRemindersPerDay)
							r.Cron = ""
						}
					},
					"text": func(v *yaml.Node) { r.Text = p.str(v, pre+"text", maxShort*4) },
				})
				if r.Cron == "" && !p.reported(pre+"cron") {
					p.errorf(item, pre+"cron", "required")
				}
				if r.Text == "" && !p.reported(pre+"text") {
					p.errorf(item, pre+"text", "required")
				}
				c.Reminders = append(c.Reminders, r)
			})
		},
	})
	p.required(m, prefix, given, "id", "name", "country", "status", "status_as_of")
	if c.Sentenced.Before(c.Arrested) {
		p.errorf(m, f("sentenced"), "%s is before the arrest (%s)", c.Sentenced, c.Arrested)
	}
	return c
}

// maxRemindersPerDay bounds how often a custom reminder may fire: it is
// a reminder to people, not a ticker ("@every 1s" would flood channels).
const maxRemindersPerDay = 4

// cronSample is where the cron checks start: a Monday.
var cronSample = time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC)

// firesOnADay counts how often sched fires on its busiest day of a
// sample week, up to one more than maxRemindersPerDay.
func firesOnADay(sched cron.Schedule) int {
	most := 0
	for d := range 7 {
		day := cronSample.AddDate(0, 0, d)
		n := 0
		for t := sched.Next(day.Add(-time.Second)); !t.IsZero() && t.Before(day.AddDate(0, 0, 1)) && n <= maxRemindersPerDay; t = sched.Next(t) {
			n++
		}
		most = max(most, n)
	}
	return most
}

// reported reports whether an error for field has been recorded already,
// so that a bad value is not also called missing.
func (p *parser) reported(field string) bool {
	for _, e := range p.errs {
		var fe *FieldError
		if errors.As(e, &fe) && fe.Field == field {
			return true
		}
	}
	return false
}

func (p *parser) parseStrike(m *yaml.Node, pre string) HungerStrike {
	var h HungerStrike
	var startNode *yaml.Node
	p.fields(m, pre, map[string]func(*yaml.Node){
		"started": func(v *yaml.Node) { h.Started = p.date(v, pre+"started"); startNode = v },
		"ended":   func(v *yaml.Node) { h.Ended = p.date(v, pre+"ended") },
		"days": func(v *yaml.Node) {
			if isNull(v) {
				return
			}
			n, err := strconv.Atoi(strings.TrimSpace(v.Value))
			if v.Kind != yaml.ScalarNode || err != nil || n < 1 || n > 10000 {
				p.errorf(v, pre+"days", "want a whole number of days from 1 to 10000")
				return
			}
			h.Days = n
		},
	})
	switch {
	case h.Started.IsZero():
		if !p.reported(pre + "started") {
			p.errorf(m, pre+"started", "required")
		}
	case h.Ongoing() && !h.Started.HasDay():
		p.errorf(startNode, pre+"started", "an ongoing strike needs a day-precise start (YYYY-MM-DD), or give days or ended")
	case !h.Ended.IsZero() && h.Ended.Before(h.Started):
		p.errorf(m, pre+"ended", "%s is before the start (%s)", h.Ended, h.Started)
	}
	return h
}

func (p *parser) parseSummary(n *yaml.Node, field string) map[string]string {
	return p.perLanguage(n, field, "want one entry per language, e.g. en: \"…\"", func(v *yaml.Node, key string) string {
		return p.str(v, key, maxSummary)
	})
}

// parseLetters reads a case's letters: an address (required when letters
// are given), the languages that reach the person (language codes), and
// rules and a sample letter per language.
func (p *parser) parseLetters(n *yaml.Node, field string) *Letters {
	if isNull(n) {
		return nil
	}
	if n.Kind != yaml.MappingNode {
		p.errorf(n, field, "want a mapping with address, languages, rules and sample")
		return nil
	}
	l := &Letters{}
	p.fields(n, field+".", map[string]func(*yaml.Node){
		"address": func(v *yaml.Node) { l.Address = p.str(v, field+".address", maxAddress) },
		"languages": func(v *yaml.Node) {
			if isNull(v) {
				return
			}
			if v.Kind != yaml.SequenceNode {
				p.errorf(v, field+".languages", "want a list of language codes, e.g. [ru, az]")
				return
			}
			for i, item := range v.Content {
				key := fmt.Sprintf("%s.languages[%d]", field, i)
				code := p.str(item, key, 8)
				switch _, err := language.ParseBase(code); {
				case code == "":
				case err != nil || !langPattern.MatchString(code):
					p.errorf(item, key, "%q is not a language code (ISO 639, e.g. ru, az)", code)
				case slices.Contains(l.Languages, code):
					p.errorf(item, key, "%q is given twice", code)
				default:
					l.Languages = append(l.Languages, code)
				}
			}
		},
		"rules":  func(v *yaml.Node) { l.Rules = p.letterTexts(v, field+".rules") },
		"sample": func(v *yaml.Node) { l.Sample = p.letterTexts(v, field+".sample") },
	})
	if l.Address == "" {
		if !p.reported(field + ".address") {
			p.errorf(n, field+".address", "required: the postal address letters go to")
		}
		return nil
	}
	return l
}

// letterTexts reads a letters text per language: the rules or the sample.
func (p *parser) letterTexts(n *yaml.Node, field string) map[string]string {
	return p.perLanguage(n, field, "want one entry per language, e.g. en: \"…\"", func(v *yaml.Node, key string) string {
		return p.str(v, key, maxLetterText)
	})
}

// parseNames reads the person's name per language: the keys are
// language codes as in summary, the values non-empty names.
func (p *parser) parseNames(n *yaml.Node, field string) map[string]string {
	return p.perLanguage(n, field, "want one name per language, e.g. ru: \"…\"", func(v *yaml.Node, key string) string {
		s := p.name(v, key, maxName)
		if s == "" && !p.reported(key) {
			p.errorf(v, key, "empty: give the name or leave the language out")
		}
		return s
	})
}

// perLanguage reads a mapping of language codes (ISO 639, each once) to
// texts, each read by value; an empty text is left out.
func (p *parser) perLanguage(n *yaml.Node, field, want string, value func(v *yaml.Node, key string) string) map[string]string {
	if isNull(n) {
		return nil
	}
	if n.Kind != yaml.MappingNode {
		p.errorf(n, field, "%s", want)
		return nil
	}
	out := map[string]string{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		key := field + "." + k.Value
		if _, err := language.ParseBase(k.Value); err != nil || !langPattern.MatchString(k.Value) {
			p.errorf(k, key, "not a language code (ISO 639, e.g. en, ru, az)")
			continue
		}
		if _, dup := out[k.Value]; dup {
			p.errorf(k, key, "given twice")
			continue
		}
		if s := value(v, key); s != "" {
			out[k.Value] = s
		}
	}
	return out
}

func joinStatuses() string {
	s := make([]string, len(Statuses))
	for i, st := range Statuses {
		s[i] = string(st)
	}
	return strings.Join(s, ", ")
}

func joinKinds() string {
	s := make([]string, len(ActionKinds))
	for i, k := range ActionKinds {
		s[i] = string(k)
	}
	return strings.Join(s, ", ")
}
