package web

import (
	"embed"
	"html/template"
	"sync"

	"github.com/vigil-bot/vigil/bot/i18n"
)

//go:embed templates/pages.html templates/style.css
var files embed.FS

// templates returns the pages: "home", "country", "case" and "error",
// parsed on first use (Register parses them when a server starts), not
// at the start of every command of the binary.
var templates = sync.OnceValue(func() *template.Template {
	// style is the pages' one stylesheet, inlined into each page.
	b, err := files.ReadFile("templates/style.css")
	if err != nil {
		panic(err)
	}
	style := string(b)
	return template.Must(template.New("").Funcs(template.FuncMap{
		"t":   i18n.T,
		"tf":  func(lang, id, k string, v any) string { return i18n.F(lang, id, i18n.Args{k: v}) },
		"css": func() template.CSS { return template.CSS(style) },
		"oglocale": func(lang string) string {
			if l, ok := ogLocales[lang]; ok {
				return l
			}
			return lang
		},
	}).ParseFS(files, "templates/pages.html"))
})

// csp is the pages' Content-Security-Policy: no scripts at all, the
// inline stylesheet, pictures and forms of this site only.
const csp = "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"

// ogLocales are the og:locale values of the languages.
var ogLocales = map[string]string{"en": "en_US", "de": "de_DE", "ru": "ru_RU", "uk": "uk_UA", "be": "be_BY", "az": "az_AZ", "fa": "fa_IR"}
