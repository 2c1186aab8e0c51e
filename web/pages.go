package web

import (
	"bytes"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/vigil-bot/vigil/bot"
	"github.com/vigil-bot/vigil/bot/i18n"
	"github.com/vigil-bot/vigil/card"
	"github.com/vigil-bot/vigil/cases"
)

// page is what every page's frame shows: the language and direction, the
// title, the link-preview tags and the language switcher.
type page struct {
	Lang, Dir   string
	Title       string // <title>
	Description string // meta description and og:description
	Home        string // the site-relative address of / in Lang
	// OpenGraph, when set, gives the page link-preview tags.
	OpenGraph *openGraph
	Langs     []langLink
	Canonical string // absolute; empty on error pages
	Alternate []langLink
}

// openGraph are a page's link-preview tags.
type openGraph struct {
	Type, Title, URL, Image, ImageAlt, SiteName string
	ImageWidth, ImageHeight                     int
}

// langLink is a language of the switcher: its own name, this page in it.
type langLink struct {
	Code, Name, Dir, URL string
	Current              bool
}

// caseItem is a case in a list: its page, name, status and counters.
type caseItem struct {
	URL, Name, Status string
	Counters          []string
	Country           string // in search results only
}

// countryItem is a country on the home page with its cases.
type countryItem struct {
	Code, Name, URL, Count string
	Cases                  []caseItem
}

// homeView is the home page: the search box, its results and every
// country with its cases.
type homeView struct {
	page
	Query     string
	Searched  bool
	Results   []caseItem
	Countries []countryItem
}

// countryView is one country's page.
type countryView struct {
	page
	Name  string
	Cases []caseItem
}

// caseView is a case's page: the card as bot.NewCard builds it, and what
// only the page shows (counters, letters, the share card).
type caseView struct {
	page
	Card                       *bot.Card
	CountryURL                 string
	Counters                   []string
	AsOf                       string
	SummaryLang                string // the summary's language when it is not Lang
	SummaryDir                 string
	ActionKinds                []string // per Card.Actions, the kind's name
	Letters                    *lettersView
	PictureWide, PictureSquare string
}

// lettersView is the letters section of a case's page.
type lettersView struct {
	Address                     string
	Languages                   string
	Rules, RulesNote, RulesLang string
	Sample, SampleNote          string
	SampleLang, SampleDir       string
	Count                       string
}

// errorView is the 404 or 410 page.
type errorView struct {
	page
	Message string
}

// frame fills the parts of a page every page has; path is the page's
// site-relative path without the query, q any other query values kept
// across languages.
func (s *Server) frame(lang, path string, q url.Values) page {
	p := page{Lang: lang, Dir: dir(lang), Home: href("/", lang)}
	for _, code := range i18n.Languages {
		v := url.Values{}
		for k, vs := range q {
			v[k] = vs
		}
		v.Set("lang", code)
		p.Langs = append(p.Langs, langLink{Code: code, Name: title(i18n.LanguageName(code, code)), Dir: dir(code),
			URL: path + "?" + v.Encode(), Current: code == lang})
	}
	return p
}

func dir(lang string) string {
	if i18n.RTL(lang) {
		return "rtl"
	}
	return "ltr"
}

// alternates gives a page its canonical address and one per language.
func (s *Server) alternates(p *page, path string) {
	p.Canonical = s.abs(href(path, p.Lang))
	for _, l := range p.Langs {
		p.Alternate = append(p.Alternate, langLink{Code: l.Code, URL: s.abs(l.URL)})
	}
}

// item is a case as a list shows it.
func (s *Server) item(c *cases.Case, lang string, today cases.Date) caseItem {
	return caseItem{URL: caseHref(c.ID, lang), Name: i18n.Isolate(lang, c.NameIn(lang)),
		Status: i18n.Status(lang, c.Status), Counters: counters(c, lang, today)}
}

// home serves /: the search box and its results, then every country
// with its cases. A search that finds one case clearly goes to its page.
func (s *Server) home(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	lang := s.lang(r)
	today := s.today()
	q := clip(strings.TrimSpace(r.URL.Query().Get("q")), maxQuery)
	v := homeView{Query: q, Searched: q != ""}
	if q == "" {
		// The home page has a canonical address and link-preview tags;
		// a search's results have neither.
		v.page = s.frame(lang, "/", nil)
		v.Title = i18n.T(lang, "page.home_title")
		s.alternates(&v.page, "/")
		v.OpenGraph = &openGraph{Type: "website", Title: v.Title, URL: v.Canonical, SiteName: s.siteName()}
	} else {
		found, err := s.Cases.Resolve(ctx, q)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		if len(found) == 1 {
			http.Redirect(w, r, caseHref(found[0].ID, lang), http.StatusSeeOther)
			return
		}
		v.page = s.frame(lang, "/", url.Values{"q": {q}})
		v.Title = i18n.F(lang, "page.search_results", i18n.Args{"Query": i18n.Isolate(lang, q)})
		for _, c := range found {
			it := s.item(c, lang, today)
			it.Country = countryName(c.Country, lang)
			v.Results = append(v.Results, it)
		}
	}
	v.Description = i18n.T(lang, "page.intro")
	all, err := s.Cases.All(ctx)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	col := newCollator(lang) // one for the request's sorting
	byCountry := map[string][]*cases.Case{}
	for _, c := range all {
		byCountry[c.Country] = append(byCountry[c.Country], c)
	}
	for code, list := range byCountry {
		ci := countryItem{Code: code, Name: countryName(code, lang), URL: href("/countries/"+url.PathEscape(code), lang),
			Count: i18n.N(lang, "page.cases_count", len(list), nil)}
		for _, c := range sortCases(list, lang, col) {
			ci.Cases = append(ci.Cases, s.item(c, lang, today))
		}
		v.Countries = append(v.Countries, ci)
	}
	slices.SortFunc(v.Countries, func(a, b countryItem) int { return col.CompareString(a.Name, b.Name) })
	s.render(w, r, "home", v, http.StatusOK)
}

// country serves /countries/{CC}: the cases of one country.
func (s *Server) country(w http.ResponseWriter, r *http.Request) {
	lang := s.lang(r)
	co, ok := cases.CountryByCode(strings.ToUpper(r.PathValue("cc")))
	if !ok {
		s.errorPage(w, r, lang, http.StatusNotFound)
		return
	}
	all, err := s.Cases.All(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	path := "/countries/" + co.Code
	v := countryView{page: s.frame(lang, path, nil), Name: co.Name(lang)}
	v.Title = v.Name
	v.Description = i18n.F(lang, "page.country_empty", i18n.Args{"Country": v.Name})
	today := s.today()
	var list []*cases.Case
	for _, c := range all {
		if c.Country == co.Code {
			list = append(list, c)
		}
	}
	if len(list) > 0 {
		v.Description = v.Name + ": " + i18n.N(lang, "page.cases_count", len(list), nil)
	}
	for _, c := range sortCases(list, lang, newCollator(lang)) {
		v.Cases = append(v.Cases, s.item(c, lang, today))
	}
	s.alternates(&v.page, path)
	v.OpenGraph = &openGraph{Type: "website", Title: v.Title, URL: v.Canonical, SiteName: s.siteName()}
	s.render(w, r, "country", v, http.StatusOK)
}

// casePage serves /cases/{id}: everything on the card, the counters as of
// today, the letters address, the sources and actions, and the share card.
func (s *Server) casePage(w http.ResponseWriter, r *http.Request, id string) {
	ctx := r.Context()
	lang := s.lang(r)
	c := s.find(w, r, id, lang, true)
	if c == nil {
		return
	}
	now, today := s.now(), s.today()
	opts := bot.CardOptions{Lang: lang, Today: today, Stale: c.Stale(now, s.StaleAfter), PublicURL: s.PublicURL}
	var count int
	if c.Letters != nil {
		n, err := s.Store.LetterCount(ctx, c.ID, now)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		count = n
		if !c.Writable() {
			opts.Letters = &n // else the letters section shows it, beside the address
		}
	}
	cd := bot.NewCard(c, opts)
	path := "/cases/" + url.PathEscape(c.ID)
	v := caseView{page: s.frame(lang, path, nil), Card: cd, Counters: counters(c, lang, today),
		AsOf:        i18n.F(lang, "page.as_of", i18n.Args{"Date": i18n.Date(lang, today)}),
		CountryURL:  href("/countries/"+url.PathEscape(c.Country), lang),
		PictureWide: pictureHref(c.ID, lang, card.OG), PictureSquare: pictureHref(c.ID, lang, card.Square)}
	if _, used := c.SummaryIn(lang); used != "" && used != lang {
		v.SummaryLang, v.SummaryDir = used, dir(used)
	}
	for _, a := range cd.Actions {
		v.ActionKinds = append(v.ActionKinds, i18n.ActionKind(lang, cases.ActionKind(a.Kind)))
	}
	if c.Writable() {
		v.Letters = letters(c, lang, count)
	}
	v.Title = cd.Title
	if cd.Country != "" {
		v.Title += " — " + cd.Country
	}
	v.Description = description(cd, v.Counters)
	s.alternates(&v.page, path)
	v.OpenGraph = &openGraph{Type: "profile", Title: v.Title, URL: cd.PageURL,
		Image: s.abs(v.PictureWide), ImageAlt: v.Title + ". " + cd.Status, ImageWidth: 1200, ImageHeight: 630,
		SiteName: s.siteName()}
	s.render(w, r, "case", v, http.StatusOK)
}

// description is a case's link-preview text: its status, its counters
// and the start of its summary.
func description(cd *bot.Card, counters []string) string {
	parts := append([]string{cd.Status}, counters...)
	d := strings.Join(parts, " · ")
	if cd.Summary != "" {
		d += ". " + cd.Summary
	}
	return clip(strings.Join(strings.Fields(d), " "), 300)
}

// letters is the letters section of a case's page.
func letters(c *cases.Case, lang string, count int) *lettersView {
	l := &lettersView{Address: c.Letters.Address, Count: i18n.N(lang, "card.letters_count", count, nil)}
	if len(c.Letters.Languages) > 0 {
		names := make([]string, len(c.Letters.Languages))
		for i, code := range c.Letters.Languages {
			names[i] = bot.LanguageName(lang, code)
		}
		l.Languages = i18n.F(lang, "write.languages", i18n.Args{"Languages": i18n.List(lang, names)})
	}
	note := func(used string) string {
		if used == "" || used == lang {
			return ""
		}
		return i18n.F(lang, "write.in_language", i18n.Args{"Language": bot.LanguageName(lang, used)})
	}
	var used string
	l.Rules, used = cases.TextIn(c.Letters.Rules, lang)
	l.RulesNote, l.RulesLang = note(used), used
	l.Sample, used = cases.TextIn(c.Letters.Sample, lang)
	l.SampleNote = note(used)
	if used != "" {
		l.SampleLang, l.SampleDir = used, dir(used)
	}
	return l
}

// siteName is the public address's host, the site's name in previews.
func (s *Server) siteName() string {
	if u, err := url.Parse(s.PublicURL); err == nil && u.Host != "" {
		return u.Host
	}
	return "vigil"
}

// errorPage answers code (404, 410) with a short page in lang.
func (s *Server) errorPage(w http.ResponseWriter, r *http.Request, lang string, code int) {
	v := errorView{page: s.frame(lang, r.URL.Path, nil)}
	switch code {
	case http.StatusGone:
		v.Title, v.Message = i18n.T(lang, "page.gone_title"), i18n.T(lang, "page.gone")
	default:
		v.Title, v.Message = i18n.T(lang, "page.not_found_title"), i18n.T(lang, "page.not_found")
	}
	s.render(w, r, "error", v, code)
}

// render executes the template name into a buffer and answers it: a 200
// with an ETag and a short max-age, any other code uncached.
func (s *Server) render(w http.ResponseWriter, r *http.Request, name string, v any, code int) {
	var b bytes.Buffer
	if err := templates().ExecuteTemplate(&b, name, v); err != nil {
		s.fail(w, r, err)
		return
	}
	h := w.Header()
	h.Set("Content-Security-Policy", csp)
	h.Set("Referrer-Policy", "strict-origin-when-cross-origin")
	if code == http.StatusOK {
		serve(w, r, "text/html; charset=utf-8", b.Bytes(), pageMaxAge)
		return
	}
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Cache-Control", "no-cache")
	w.WriteHeader(code)
	if r.Method != http.MethodHead {
		w.Write(b.Bytes())
	}
}
