package i18n

import (
	"embed"
	"fmt"
	"io/fs"
	"maps"
	"path"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"text/template/parse"

	goi18n "github.com/nicksnyder/go-i18n/v2/i18n"
	"golang.org/x/text/language"
	"gopkg.in/yaml.v3"
)

// locales holds one catalogue file per language, named by its code.
//
//go:embed locales/*.yaml
var locales embed.FS

// fallback is the language every catalogue is checked against and every
// lookup falls back to.
const fallback = "en"

// catalogue is a set of locale files, each parsed on first use of its
// language: a one-shot command that answers in one language (`vigil
// case`) parses that language's file and English, not all seven.
type catalogue struct {
	fsys      fs.FS
	languages []string          // fallback first, then by code
	files     map[string]*entry // by language code
}

// entry is one language's catalogue, loaded once.
type entry struct {
	file   string // path in the catalogue's fs.FS
	once   sync.Once
	loaded atomic.Bool
	// Set by the load, read after once.Do.
	messages  map[string]*goi18n.Message // by id
	localizer *goi18n.Localizer          // the language, then English
	err       error
}

// mustLoad returns the catalogue of the locale files of fsys, each to be
// parsed on first use. A malformed file is a bug of the build, which
// TestLoad catches first: it panics here when English is missing and at
// the first use of a language whose file does not parse.
func mustLoad(fsys fs.FS) *catalogue {
	c, err := open(fsys)
	if err != nil {
		panic(err)
	}
	return c
}

// open lists the locales/<code>.yaml files of fsys without parsing them.
func open(fsys fs.FS) (*catalogue, error) {
	files, err := fs.Glob(fsys, "locales/*.yaml")
	if err != nil {
		return nil, fmt.Errorf("i18n: load: %w", err)
	}
	c := &catalogue{fsys: fsys, files: map[string]*entry{}}
	for _, file := range files {
		lang := strings.TrimSuffix(path.Base(file), ".yaml")
		c.files[lang] = &entry{file: file}
		c.languages = append(c.languages, lang)
	}
	if c.files[fallback] == nil {
		return nil, fmt.Errorf("i18n: load: no locales/%s.yaml", fallback)
	}
	slices.SortFunc(c.languages, func(a, b string) int {
		switch {
		case a == fallback:
			return -1
		case b == fallback:
			return 1
		}
		return strings.Compare(a, b)
	})
	return c, nil
}

// load reads every locales/<code>.yaml of fsys now, as the tests and a
// warm start want. Its errors name the file and, for a bad placeholder,
// the message.
func load(fsys fs.FS) (*catalogue, error) {
	c, err := open(fsys)
	if err != nil {
		return nil, err
	}
	if err := c.loadAll(); err != nil {
		return nil, err
	}
	return c, nil
}

// loadAll parses every language's file that is not parsed yet.
func (c *catalogue) loadAll() error {
	for _, lang := range c.languages {
		if _, err := c.entry(lang); err != nil {
			return err
		}
	}
	return nil
}

// entry returns lang's catalogue, parsing its file (and English's) on
// first use; nil and no error when lang has no file.
func (c *catalogue) entry(lang string) (*entry, error) {
	e := c.files[lang]
	if e == nil {
		return nil, nil
	}
	e.once.Do(func() {
		e.messages, e.localizer, e.err = c.parse(lang, e.file)
		e.loaded.Store(true)
	})
	return e, e.err
}

// parse reads lang's file into its own go-i18n bundle, with English's
// messages as the fallback.
func (c *catalogue) parse(lang, file string) (map[string]*goi18n.Message, *goi18n.Localizer, error) {
	var en *entry
	if lang != fallback {
		var err error
		if en, err = c.entry(fallback); err != nil {
			return nil, nil, err
		}
	}
	buf, err := fs.ReadFile(c.fsys, file)
	if err != nil {
		return nil, nil, fmt.Errorf("i18n: load %s: %w", file, err)
	}
	mf, err := goi18n.ParseMessageFileBytes(buf, file, map[string]goi18n.UnmarshalFunc{"yaml": yaml.Unmarshal})
	if err != nil {
		return nil, nil, fmt.Errorf("i18n: load %s: %w", file, err)
	}
	if mf.Tag.String() != lang {
		return nil, nil, fmt.Errorf("i18n: load %s: %q is not a language code", file, lang)
	}
	msgs := map[string]*goi18n.Message{}
	for _, m := range mf.Messages {
		for form, src := range forms(m) {
			if _, err := placeholders(src); err != nil {
				return nil, nil, fmt.Errorf("i18n: load %s: %s (%s): %w", file, m.ID, form, err)
			}
		}
		msgs[m.ID] = m
	}
	// A bundle of this language and English answers as one bundle of all
	// languages did: each language's file matches its own code exactly,
	// and a message it lacks comes from English.
	bundle := goi18n.NewBundle(language.English)
	if en != nil {
		if err := bundle.AddMessages(language.English, slices.Collect(maps.Values(en.messages))...); err != nil {
			return nil, nil, fmt.Errorf("i18n: load %s: %w", file, err)
		}
	}
	if err := bundle.AddMessages(mf.Tag, mf.Messages...); err != nil {
		return nil, nil, fmt.Errorf("i18n: load %s: %w", file, err)
	}
	return msgs, goi18n.NewLocalizer(bundle, lang), nil
}

// messages returns lang's messages by id, parsing its file on first use;
// nil when lang has no catalogue. A file that does not parse panics, as
// mustLoad says.
func (c *catalogue) messages(lang string) map[string]*goi18n.Message {
	e, err := c.entry(lang)
	if err != nil {
		panic(err)
	}
	if e == nil {
		return nil
	}
	return e.messages
}

// localizer returns lang's localizer, or English's when lang has no
// catalogue. A file that does not parse panics, as mustLoad says.
func (c *catalogue) localizer(lang string) *goi18n.Localizer {
	e, err := c.entry(lang)
	if e == nil && err == nil {
		e, err = c.entry(fallback)
	}
	if err != nil {
		panic(err)
	}
	return e.localizer
}

// loaded returns the languages whose files are parsed so far, in the
// order of languages.
func (c *catalogue) loaded() []string {
	var out []string
	for _, lang := range c.languages {
		if c.files[lang].loaded.Load() {
			out = append(out, lang)
		}
	}
	return out
}

// localize returns message id in lang (or English) filled from data, in
// the plural form for count if count is not nil; id if no catalogue has
// the message. The values of data are written for lang first (see
// prepare): Persian digits and bidi isolation in fa, suffixes that
// harmonize with the number in az.
func (c *catalogue) localize(lang, id string, data Args, count any) string {
	loc := c.localizer(lang)
	cfg := &goi18n.LocalizeConfig{MessageID: id, PluralCount: count}
	if data != nil {
		cfg.TemplateData = map[string]any(prepare(lang, data))
	}
	// A message only English has comes with a MessageNotFoundErr; a
	// missing plural form falls back to "other" with an error too. Both
	// still give text, which is what the user should see.
	s, tag, err := loc.LocalizeWithTag(cfg)
	if tag == language.Und || err != nil && s == "" {
		return id
	}
	if lang == "az" {
		s = azFix(s)
	}
	return s
}

// count is N on c.
func (c *catalogue) count(lang, id string, n int, args Args) string {
	data := make(Args, len(args)+1)
	maps.Copy(data, args)
	data["Count"] = n
	return c.localize(lang, id, data, n)
}

// forms returns a message's texts by CLDR plural form; a message without
// plural forms has only "other".
func forms(m *goi18n.Message) map[string]string {
	out := map[string]string{}
	for form, src := range map[string]string{"zero": m.Zero, "one": m.One, "two": m.Two,
		"few": m.Few, "many": m.Many, "other": m.Other} {
		if src != "" {
			out[form] = src
		}
	}
	return out
}

// placeholders returns the names of the placeholders of a message text
// ("Name" for {{.Name}}), in order of appearance. Anything but plain text
// and {{.Name}} placeholders is an error: translators write text, not
// template logic.
func placeholders(src string) ([]string, error) {
	trees, err := parse.Parse("message", src, "", "")
	if err != nil {
		return nil, err
	}
	var names []string
	for _, n := range trees["message"].Root.Nodes {
		switch n := n.(type) {
		case *parse.TextNode:
		case *parse.ActionNode:
			name, ok := fieldName(n)
			if !ok {
				return nil, fmt.Errorf("%s: only placeholders like {{.Name}} are allowed", n)
			}
			names = append(names, name)
		default:
			return nil, fmt.Errorf("%s: only placeholders like {{.Name}} are allowed", n)
		}
	}
	return names, nil
}

func fieldName(a *parse.ActionNode) (string, bool) {
	if a.Pipe == nil || len(a.Pipe.Decl) > 0 || len(a.Pipe.Cmds) != 1 || len(a.Pipe.Cmds[0].Args) != 1 {
		return "", false
	}
	f, ok := a.Pipe.Cmds[0].Args[0].(*parse.FieldNode)
	if !ok || len(f.Ident) != 1 {
		return "", false
	}
	return f.Ident[0], true
}
