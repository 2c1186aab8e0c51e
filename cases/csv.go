package cases

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/language"
	"gopkg.in/yaml.v3"
)

// The CSV case format: one case a row, under a header that names the
// fields as the YAML format does.
//
//   - A plain field is its own column: id, name, country, status, …
//   - A list of texts (aliases, charges, hashtags) is one column whose
//     items are separated by ";"; a ";" inside an item is written "\;"
//     and a backslash before ";" or "\" is doubled.
//   - A nested field has a dotted name: summary.en, names.ru, photo.url,
//     photo.file, photo.credit.
//   - letters is a mapping of its own: letters.address, letters.languages
//     (a list of language codes, items separated by ";"), and per
//     language letters.rules.en, letters.sample.ru, ….
//   - A list of records (sources, actions, hunger strikes, reminders) has
//     a group of columns per record: source.title, source.url, … for the
//     first, source.2.title, source.2.url, … for the second, and so on;
//     likewise action.*, hunger_strike.* and reminder.*.
//
// An empty cell is a field not given. A row becomes the same yaml.Node
// tree a YAML case file gives, with the row's line numbers, and is checked
// by parseCase: every rule of the YAML format applies, and no rule is
// written twice. The file may be UTF-8 with or without a byte order mark,
// with "," or ";" (or a tab) between cells, and with quoted cells that
// span lines.

// csvKind says how a CSV column maps onto the YAML tree.
type csvKind int

const (
	csvSkip   csvKind = iota // a column with no name: ignored while empty
	csvScalar                // id, name, …
	csvList                  // aliases: "a; b"
	csvLang                  // summary.en: a mapping keyed by language
	csvMap                   // photo.url: a mapping with fixed keys
	csvGroup                 // source.2.title: a list of mappings
)

// csvScalars, csvLists, csvLangMaps, csvMaps, csvGroups and csvNested
// are the CSV columns, in the order an export writes them
// (TestCSVSchemaCoversCase checks that they cover every field of Case).
var (
	csvScalars  = []string{"id", "name", "country", "status", "status_as_of", "affiliation", "arrested", "sentenced", "sentence", "born"}
	csvLists    = []string{"aliases", "charges", "hashtags"}
	csvLangMaps = []string{"names", "summary"}
	csvMaps     = map[string][]string{"photo": {"url", "file", "credit"}}
	csvGroups   = []recordGroup{
		{col: "hunger_strike", key: "hunger_strikes", fields: []string{"started", "days", "ended"}},
		{col: "source", key: "sources", fields: []string{"title", "publisher", "date", "url"}},
		{col: "action", key: "actions", fields: []string{"kind", "label", "url", "until"}},
		{col: "reminder", key: "reminders", fields: []string{"cron", "text"}},
	}
	// csvNested are the fields that are mappings with fields of each
	// kind: their columns are the field's name, a dot and a column of
	// the kinds above (letters.address, letters.rules.en).
	csvNested = []nestedField{
		{key: "letters", scalars: []string{"address"}, lists: []string{"languages"}, langMaps: []string{"rules", "sample"}},
	}
	// csvRequired are the columns every row needs (parseCase requires
	// these fields): a header without one is refused at line 1.
	csvRequired = []string{"id", "name", "country", "status", "status_as_of"}
)

// maxCSVGroup bounds the records of one kind a row may have (source.N).
const maxCSVGroup = 100

// nestedField is a mapping whose fields are plain, lists of texts and
// mappings keyed by language.
type nestedField struct {
	key      string // YAML field and column prefix: "letters"
	scalars  []string
	lists    []string
	langMaps []string
}

func nestedByKey(key string) *nestedField {
	for i := range csvNested {
		if csvNested[i].key == key {
			return &csvNested[i]
		}
	}
	return nil
}

// columns lists f's columns for messages: letters.address, …,
// letters.rules.LANG.
func (f *nestedField) columns() string {
	var s []string
	for _, n := range slices.Concat(f.scalars, f.lists) {
		s = append(s, f.key+"."+n)
	}
	for _, n := range f.langMaps {
		s = append(s, f.key+"."+n+".LANG")
	}
	return strings.Join(s, ", ")
}

// parseColumn reads the rest of a column name under f: parts is
// "address", or "rules", "en".
func (f *nestedField) parseColumn(c csvColumn, parts []string) (csvColumn, error) {
	c.parent = f.key
	switch {
	case len(parts) == 1 && slices.Contains(f.scalars, parts[0]):
		c.kind, c.key = csvScalar, parts[0]
		return c, nil
	case len(parts) == 1 && slices.Contains(f.lists, parts[0]):
		c.kind, c.key = csvList, parts[0]
		return c, nil
	case len(parts) == 2 && slices.Contains(f.langMaps, parts[0]):
		if !isLanguage(parts[1]) {
			return c, fmt.Errorf("%q is not a language code (ISO 639, e.g. en, de, az)", parts[1])
		}
		c.kind, c.key, c.sub = csvLang, parts[0], parts[1]
		return c, nil
	case len(parts) > 0 && slices.Contains(f.langMaps, parts[0]):
		return c, fmt.Errorf("unknown column: want %s.%s.LANG, e.g. %s.%s.en", f.key, parts[0], f.key, parts[0])
	case len(parts) > 1 && (slices.Contains(f.scalars, parts[0]) || slices.Contains(f.lists, parts[0])):
		return c, fmt.Errorf("unknown column: %s.%s has no parts", f.key, parts[0])
	}
	return c, fmt.Errorf("unknown column: %s has %s", f.key, f.columns())
}

// recordGroup is a list of records spread over groups of columns.
type recordGroup struct {
	col    string   // column prefix: "source"
	key    string   // YAML field: "sources"
	fields []string // the record's fields
}

func groupByCol(col string) *recordGroup {
	for i := range csvGroups {
		if csvGroups[i].col == col {
			return &csvGroups[i]
		}
	}
	return nil
}

func groupByKey(key string) *recordGroup {
	for i := range csvGroups {
		if csvGroups[i].key == key {
			return &csvGroups[i]
		}
	}
	return nil
}

// column names field of the n-th (0-based) record of g.
func (g *recordGroup) column(n int, field string) string {
	if n == 0 {
		return g.col + "." + field
	}
	return fmt.Sprintf("%s.%d.%s", g.col, n+1, field)
}

// csvColumn is one column of a CSV header.
type csvColumn struct {
	name   string // as written, trimmed
	kind   csvKind
	parent string // a field of csvNested the column is inside: "letters"
	key    string // the YAML field (in parent, if given)
	sub    string // the language, or the nested field
	index  int    // csvGroup: the record, from 0
}

// IsCSV reports whether a case file is read as CSV: its name ends in
// ".csv", in any case.
func IsCSV(name string) bool { return strings.EqualFold(filepath.Ext(name), ".csv") }

// isLanguage reports whether s is a language code as summary and names
// keys must be (the same test parseSummary makes).
func isLanguage(s string) bool {
	_, err := language.ParseBase(s)
	return err == nil && langPattern.MatchString(s)
}

// parseCSVColumn reads one header cell.
func parseCSVColumn(name string) (csvColumn, error) {
	c := csvColumn{name: name}
	if name == "" {
		return c, nil
	}
	parts := strings.Split(strings.ToLower(name), ".")
	top := parts[0]
	if f := nestedByKey(top); f != nil {
		return f.parseColumn(c, parts[1:])
	}
	switch {
	case len(parts) == 1 && slices.Contains(csvScalars, top):
		c.kind, c.key = csvScalar, top
		return c, nil
	case len(parts) == 1 && slices.Contains(csvLists, top):
		c.kind, c.key = csvList, top
		return c, nil
	case len(parts) == 2 && slices.Contains(csvLangMaps, top):
		if !isLanguage(parts[1]) {
			return c, fmt.Errorf("%q is not a language code (ISO 639, e.g. en, de, az)", parts[1])
		}
		c.kind, c.key, c.sub = csvLang, top, parts[1]
		return c, nil
	case len(parts) == 2 && csvMaps[top] != nil:
		if !slices.Contains(csvMaps[top], parts[1]) {
			return c, fmt.Errorf("unknown column: %s has %s", top, columnList(top, csvMaps[top]))
		}
		c.kind, c.key, c.sub = csvMap, top, parts[1]
		return c, nil
	}
	if g := groupByCol(top); g != nil && (len(parts) == 2 || len(parts) == 3) {
		n := 1
		if len(parts) == 3 {
			var err error
			n, err = strconv.Atoi(parts[1])
			if err != nil || n < 1 || n > maxCSVGroup || parts[1][0] == '0' {
				return c, fmt.Errorf("unknown column: want %s.FIELD, or %s.N.FIELD with N from 2 to %d", top, top, maxCSVGroup)
			}
		}
		field := parts[len(parts)-1]
		if !slices.Contains(g.fields, field) {
			return c, fmt.Errorf("unknown column: %s has %s", top, columnList(top, g.fields))
		}
		c.kind, c.key, c.sub, c.index = csvGroup, g.key, field, n-1
		return c, nil
	}
	switch g := groupByKey(top); {
	case g != nil:
		return c, fmt.Errorf("unknown column: one %s is %s, a second %s", strings.ReplaceAll(g.col, "_", " "),
			columnList(g.col, g.fields), columnList(g.col+".2", g.fields[:1]))
	case slices.Contains(csvLangMaps, top):
		return c, fmt.Errorf("unknown column: want %s.LANG, e.g. %s.en", top, top)
	case csvMaps[top] != nil:
		return c, fmt.Errorf("unknown column: want %s", columnList(top, csvMaps[top]))
	case len(parts) > 1 && (slices.Contains(csvScalars, top) || slices.Contains(csvLists, top)):
		return c, fmt.Errorf("unknown column: %s has no parts; lists are one column, items separated by ;", top)
	}
	return c, errors.New("unknown column")
}

func columnList(prefix string, fields []string) string {
	s := make([]string, len(fields))
	for i, f := range fields {
		s[i] = prefix + "." + f
	}
	return strings.Join(s, ", ")
}

// csvHeader reads the header row, reporting unknown and repeated columns
// and missing required ones at line 1.
func (p *parser) csvHeader(rec []string, line int) []csvColumn {
	cols := make([]csvColumn, len(rec))
	seen := map[string]bool{}
	for i, name := range rec {
		name = strings.TrimSpace(name)
		c, err := parseCSVColumn(name)
		if err != nil {
			p.errs = append(p.errs, &FieldError{File: p.file, Line: line, Field: name, Msg: err.Error()})
			continue
		}
		if c.kind == csvSkip {
			cols[i] = c
			continue
		}
		canon := strings.ToLower(name)
		if c.kind == csvGroup {
			canon = groupByKey(c.key).column(c.index, c.sub) // source.1.title is source.title
		}
		if seen[canon] {
			p.errs = append(p.errs, &FieldError{File: p.file, Line: line, Field: name, Msg: "column given twice"})
			continue
		}
		seen[canon] = true
		cols[i] = c
	}
	for _, r := range csvRequired {
		if !seen[r] {
			p.errs = append(p.errs, &FieldError{File: p.file, Line: line, Field: r, Msg: "required column missing"})
		}
	}
	return cols
}

// sniffComma picks the cell separator from the header line: the most
// frequent of ",", ";" and tab outside quotes, "," when none is there.
func sniffComma(data []byte) rune {
	counts := map[rune]int{}
	quoted := false
	for _, b := range data {
		if b == '"' {
			quoted = !quoted
		}
		if quoted {
			continue
		}
		if b == '\n' {
			break
		}
		if b == ',' || b == ';' || b == '\t' {
			counts[rune(b)]++
		}
	}
	comma := ','
	for _, r := range []rune{';', '\t'} {
		if counts[r] > counts[comma] {
			comma = r
		}
	}
	return comma
}

// parseCSV reads the cases of a CSV file, one a row, handing each to
// p.fn as ParseEach does for YAML.
func (p *parser) parseCSV() {
	data := bytes.TrimPrefix(p.data, []byte("\uFEFF"))
	if !utf8.Valid(data) {
		bad := len(data)
		for i := 0; i < len(data); {
			r, n := utf8.DecodeRune(data[i:])
			if r == utf8.RuneError && n == 1 {
				bad = i
				break
			}
			i += n
		}
		p.errs = append(p.errs, &FieldError{File: p.file, Line: 1 + bytes.Count(data[:bad], []byte("\n")),
			Msg: `not valid UTF-8: save the spreadsheet as "CSV UTF-8"`})
		return
	}
	r := csv.NewReader(bytes.NewReader(data))
	r.Comma = sniffComma(data)
	r.FieldsPerRecord = -1 // short rows are padded, see below
	r.ReuseRecord = true
	header, err := r.Read()
	if errors.Is(err, io.EOF) {
		return // "no cases in file"
	}
	if err != nil {
		p.csvError(err)
		return
	}
	hline, _ := r.FieldPos(0)
	cols := p.csvHeader(header, hline)
	if len(p.errs) > 0 {
		return
	}
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			return
		}
		if err != nil {
			p.csvError(err)
			return
		}
		p.csvRow(r, cols, rec)
	}
}

// csvError reports a CSV syntax error with its line.
func (p *parser) csvError(err error) {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		p.errs = append(p.errs, &FieldError{File: p.file, Line: pe.Line, Msg: "invalid CSV: " + pe.Err.Error()})
		return
	}
	p.errs = append(p.errs, &FieldError{File: p.file, Msg: "invalid CSV: " + err.Error()})
}

// csvRow turns one row into a case's YAML tree and parses it.
func (p *parser) csvRow(r *csv.Reader, cols []csvColumn, rec []string) {
	empty := true
	for _, v := range rec {
		if strings.TrimSpace(v) != "" {
			empty = false
			break
		}
	}
	if empty {
		return // a blank row, as spreadsheets leave at the end
	}
	line, _ := r.FieldPos(0)
	if len(rec) > len(cols) {
		for i := len(cols); i < len(rec); i++ {
			if strings.TrimSpace(rec[i]) != "" {
				l, _ := r.FieldPos(i)
				p.errs = append(p.errs, &FieldError{File: p.file, Line: l,
					Msg: fmt.Sprintf("%d cells, but the header names %d columns", len(rec), len(cols))})
				p.count++
				return
			}
		}
	}
	root := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Line: line, Column: 1}
	top := map[string]*yaml.Node{}
	type item struct {
		index int
		node  *yaml.Node
	}
	items := map[string][]item{} // group records by YAML key, in column order
	add := func(m *yaml.Node, key string, v *yaml.Node) {
		k := &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: key, Line: v.Line, Column: v.Column}
		m.Content = append(m.Content, k, v)
	}
	// container returns the mapping or list key of the mapping parent
	// ("" is the row's root), adding it at its first cell's line.
	container := func(parent, key string, kind yaml.Kind, l int) *yaml.Node {
		path, m := key, root
		if parent != "" {
			path, m = parent+"."+key, top[parent]
		}
		n := top[path]
		if n == nil {
			tag := "!!map"
			if kind == yaml.SequenceNode {
				tag = "!!seq"
			}
			n = &yaml.Node{Kind: kind, Tag: tag, Line: l, Column: 1}
			top[path] = n
			add(m, key, n)
		}
		return n
	}
	for i, c := range cols {
		if i >= len(rec) {
			break
		}
		v := strings.TrimSpace(rec[i])
		if v == "" {
			continue
		}
		l, col := r.FieldPos(i)
		if c.kind == csvSkip {
			p.errs = append(p.errs, &FieldError{File: p.file, Line: l, Field: fmt.Sprintf("column %d", i+1),
				Msg: "a value under a column with no name in the header"})
			continue
		}
		scalar := &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: v, Line: l, Column: col}
		m := root // the mapping the column's field is in
		if c.parent != "" {
			m = container("", c.parent, yaml.MappingNode, l)
		}
		switch c.kind {
		case csvScalar:
			if c.key == "id" {
				// The id outlives the row (the checks for ids used twice
				// keep it): a copy, not a slice of the whole row's text.
				scalar.Value = strings.Clone(v)
			}
			add(m, c.key, scalar)
		case csvList:
			seq := &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq", Line: l, Column: col}
			for _, s := range splitList(v) {
				seq.Content = append(seq.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: s, Line: l, Column: col})
			}
			add(m, c.key, seq)
		case csvLang, csvMap:
			add(container(c.parent, c.key, yaml.MappingNode, l), c.sub, scalar)
		case csvGroup:
			list := items[c.key]
			j := slices.IndexFunc(list, func(it item) bool { return it.index == c.index })
			if j < 0 {
				list = append(list, item{index: c.index, node: &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Line: l, Column: col}})
				j = len(list) - 1
				items[c.key] = list
			}
			add(list[j].node, c.sub, scalar)
		}
	}
	// The records of a group, in their order (source before source.2),
	// and where each came from, to name its columns in errors.
	origin := map[string][]int{}
	for _, g := range csvGroups {
		list := items[g.key]
		if len(list) == 0 {
			continue
		}
		slices.SortFunc(list, func(a, b item) int { return a.index - b.index })
		seq := container("", g.key, yaml.SequenceNode, list[0].node.Line)
		for _, it := range list {
			seq.Content = append(seq.Content, it.node)
			origin[g.key] = append(origin[g.key], it.index)
		}
	}
	before := len(p.errs)
	c := p.parseCase(root, "")
	for _, e := range p.errs[before:] {
		var fe *FieldError
		if errors.As(e, &fe) {
			fe.Field = csvField(fe.Field, origin)
			fe.Msg = dateHint(fe.Msg)
		}
	}
	p.emit(c, true)
}

// splitList splits a list cell at its unescaped ";", unescaping "\;" and
// "\\", and drops empty items.
func splitList(s string) []string {
	var out []string
	var b strings.Builder
	flush := func() {
		if t := strings.TrimSpace(b.String()); t != "" {
			out = append(out, t)
		}
		b.Reset()
	}
	for i := 0; i < len(s); i++ {
		switch {
		case s[i] == '\\' && i+1 < len(s) && (s[i+1] == ';' || s[i+1] == '\\'):
			b.WriteByte(s[i+1])
			i++
		case s[i] == ';':
			flush()
		default:
			b.WriteByte(s[i])
		}
	}
	flush()
	return out
}

// joinList is splitList's inverse.
func joinList(items []string) string {
	esc := make([]string, len(items))
	for i, s := range items {
		esc[i] = strings.NewReplacer(`\`, `\\`, `;`, `\;`).Replace(s)
	}
	return strings.Join(esc, "; ")
}

var yamlFieldPattern = regexp.MustCompile(`^([a-z_.]+)\[(\d+)\](?:\.(.+))?$`)

// csvField names a parseCase field path as the CSV column it came from:
// "sources[1].url" is the column source.2.url (or source.3.url, if the
// row left the second source empty), "aliases[2]" the column aliases,
// "letters.languages[1]" the column letters.languages.
func csvField(field string, origin map[string][]int) string {
	m := yamlFieldPattern.FindStringSubmatch(field)
	if m == nil {
		return field
	}
	g := groupByKey(m[1])
	if g == nil {
		return m[1] // a list of texts: its one column
	}
	n, _ := strconv.Atoi(m[2])
	if o := origin[m[1]]; n < len(o) {
		n = o[n]
	}
	if m[3] == "" {
		return g.column(n, g.fields[0])
	}
	return g.column(n, m[3])
}

var spreadsheetDate = regexp.MustCompile(`^"(\d{1,2})([./])(\d{1,2})[./](\d{4})" is not a date`)

// dateHint adds to a date error what the date probably is, when a
// spreadsheet wrote it in its own format: 15.03.2024 is day.month.year,
// and 3/15/2024 can only be month/day/year.
func dateHint(msg string) string {
	m := spreadsheetDate.FindStringSubmatch(msg)
	if m == nil {
		return msg
	}
	a, _ := strconv.Atoi(m[1])
	b, _ := strconv.Atoi(m[3])
	day, month := a, b // 15.03.2024 and 15/03/2024
	switch {
	case m[2] == "/" && a <= 12 && b > 12:
		day, month = b, a // 3/15/2024
	case m[2] == "/" && a <= 12 && b <= 12:
		return msg + " (a spreadsheet's date: format the column as text, and write day and month as YYYY-MM-DD)"
	}
	if month < 1 || month > 12 || day < 1 || day > 31 {
		return msg
	}
	return fmt.Sprintf("%s (a spreadsheet's date? write %s-%02d-%02d, and format the column as text)", msg, m[4], month, day)
}
