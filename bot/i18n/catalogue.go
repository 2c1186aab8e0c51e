package i18n

import (
	"embed"
	"fmt"
	"io/fs"
	"maps"
	"path"
	"slices"
	"strings"
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

// catalogue is a loaded set of locale files.
type catalogue struct {
	languages  []string                              // fallback first, then by code
	localizers map[string]*goi18n.Localizer          // by language code
	messages   map[string]map[string]*goi18n.Message // by language code, then id
}

// mustLoad loads the embedded catalogues; a malformed file is a bug of
// the build, which TestLoad catches first.
func mustLoad(fsys fs.FS) *catalogue {
	c, err := load(fsys)
	if err != nil {
		panic(err)
	}
	return c
}

// load reads every locales/<code>.yaml of fsys into one go-i18n bundle.
// Its errors name the file and, for a bad placeholder, the message.
func load(fsys fs.FS) (*catalogue, error) {
	files, err := fs.Glob(fsys, "locales/*.yaml")
	if err != nil {
		return nil, fmt.Errorf("i18n: load: %w", err)
	}
	bundle := goi18n.NewBundle(language.English)
	bundle.RegisterUnmarshalFunc("yaml", yaml.Unmarshal)
	c := &catalogue{localizers: map[string]*goi18n.Localizer{}, messages: map[string]map[string]*goi18n.Message{}}
	for _, file := range files {
		lang := strings.TrimSuffix(path.Base(file), ".yaml")
		buf, err := fs.ReadFile(fsys, file)
		if err != nil {
			return nil, fmt.Errorf("i18n: load %s: %w", file, err)
		}
		mf, err := bundle.ParseMessageFileBytes(buf, file)
		if err != nil {
			return nil, fmt.Errorf("i18n: load %s: %w", file, err)
		}
		if mf.Tag.String() != lang {
			return nil, fmt.Errorf("i18n: load %s: %q is not a language code", file, lang)
		}
		msgs := map[string]*goi18n.Message{}
		for _, m := range mf.Messages {
			for form, src := range forms(m) {
				if _, err := placeholders(src); err != nil {
					return nil, fmt.Errorf("i18n: load %s: %s (%s): %w", file, m.ID, form, err)
				}
			}
			msgs[m.ID] = m
		}
		c.messages[lang] = msgs
		c.localizers[lang] = goi18n.NewLocalizer(bundle, lang)
		c.languages = append(c.languages, lang)
	}
	if c.messages[fallback] == nil {
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

// localize returns message id in lang (or English) filled from data, in
// the plural form for count if count is not nil; id if no catalogue has
// the message. The values of data are written for lang first (see
// prepare): Persian digits and bidi isolation in fa, suffixes that
// harmonize with the number in az.
func (c *catalogue) localize(lang, id string, data Args, count any) string {
	loc, ok := c.localizers[lang]
	if !ok {
		loc = c.localizers[fallback]
	}
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
