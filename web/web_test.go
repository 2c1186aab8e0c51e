package web

import (
	"bytes"
	"image/png"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"github.com/vigil-bot/vigil/card"
	"github.com/vigil-bot/vigil/cases"
)

// noRedirect is a client that reports redirects instead of following them.
var noRedirect = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

// fetch GETs path on the site with headers given as name, value pairs.
func (s *site) fetch(t *testing.T, path string, headers ...string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest("GET", s.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := noRedirect.Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, string(body)
}

// meta returns the content of the <meta> with that property or name.
func meta(body, key string) string {
	m := regexp.MustCompile(`<meta (?:property|name)="` + regexp.QuoteMeta(key) + `" content="([^"]*)">`).FindStringSubmatch(body)
	if m == nil {
		return ""
	}
	return m[1]
}

func TestCasePage(t *testing.T) {
	s := newSite(t, true)
	resp, body := s.fetch(t, "/cases/amira-testova")
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "text/html; charset=utf-8" {
		t.Fatalf("status %d, Content-Type %q", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	if cc := resp.Header.Get("Cache-Control"); cc != "public, max-age=300" || resp.Header.Get("ETag") == "" {
		t.Errorf("Cache-Control %q, ETag %q; want a max-age and an ETag", cc, resp.Header.Get("ETag"))
	}
	if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'none'") || strings.Contains(csp, "script-src") {
		t.Errorf("Content-Security-Policy %q; want no scripts", csp)
	}
	for _, want := range []string{
		`<html lang="en" dir="ltr">`,
		`<meta name="viewport" content="width=device-width, initial-scale=1">`,
		`<title>Amira Testova — Azerbaijan</title>`,
		`<h1>Amira Testova</h1>`,
		"imprisoned (as of November 2026)",
		"Day 32 of the hunger strike", // 1 November to 2 December in Baku
		"992 days in detention",       // since 15 March 2024
		"as of 2 December 2026",
		`href="https://example.org/sign"`, "Sign the petition", "Petition",
		"Write to her", "Invented report with a very long title",
		"Undated note", "Example Watch",
		"Prison 12\nInvented Street 1\nBaku, Azerbaijan", "No politics.", "Dear Amira, we think of you.",
		"Letters in these languages reach them: Azerbaijani, Russian.",
		"3 letters in the last 30 days",
		"#FreeAmira",
		`href="/countries/AZ?lang=en"`,
		`<img src="/cases/amira-testova.png?lang=en"`,
		`href="/cases/amira-testova.png?lang=en&amp;size=square"`,
		`hreflang="fa" href="` + s.URL + `/cases/amira-testova?lang=fa"`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	if n := strings.Count(body, "3 letters in the last 30 days"); n != 1 {
		t.Errorf("the letter count is on the page %d times; want once, in the letters section", n)
	}
	// Every case text is escaped.
	for _, bad := range []string{"<script>", "<Union>", "<b>officials"} {
		if strings.Contains(body, bad) {
			t.Errorf("page has the case's markup %q unescaped", bad)
		}
	}
	for _, want := range []string{"&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;", "Invented &lt;Union&gt; &amp; Co"} {
		if !strings.Contains(body, want) {
			t.Errorf("page lacks the escaped %q", want)
		}
	}
	if strings.Contains(body, "<script") {
		t.Error("page has a script element")
	}
	// The link preview: the card picture, absolute, for this language.
	tags := map[string]string{
		"og:title":     "Amira Testova — Azerbaijan",
		"og:url":       s.URL + "/cases/amira-testova?lang=en",
		"og:image":     s.URL + "/cases/amira-testova.png?lang=en",
		"og:type":      "profile",
		"twitter:card": "summary_large_image",
		"og:locale":    "en_US",
	}
	for k, want := range tags {
		if got := meta(body, k); got != want {
			t.Errorf("%s = %q; want %q", k, got, want)
		}
	}
	if d := meta(body, "og:description"); !strings.HasPrefix(d, "imprisoned (as of November 2026) · Day 32 of the hunger strike · 992 days in detention. An invented journalist") {
		t.Errorf("og:description = %q", d)
	}

	// 304 when the client has it.
	if resp2, body2 := s.fetch(t, "/cases/amira-testova", "If-None-Match", resp.Header.Get("ETag")); resp2.StatusCode != 304 || body2 != "" {
		t.Errorf("revalidation: %d %q; want 304", resp2.StatusCode, body2)
	}
}

func TestCasePageLanguages(t *testing.T) {
	s := newSite(t, true)
	for _, tt := range []struct {
		lang, html, name, counter string
	}{
		{"fa", `<html lang="fa" dir="rtl">`, "امیرا تستوا", "روز ۳۲ اعتصاب غذا"},
		{"ru", `<html lang="ru" dir="ltr">`, "Амира Тестова", "32-й день голодовки"},
		{"az", `<html lang="az" dir="ltr">`, "Amirə Testova", "Aclıq aksiyasının 32-ci günü"},
		{"de", `<html lang="de" dir="ltr">`, "Amira Testova", "Tag 32 des Hungerstreiks"},
		{"uk", `<html lang="uk" dir="ltr">`, "Amira Testova", "32-й день голодування"},
		{"be", `<html lang="be" dir="ltr">`, "Amira Testova", "Галадоўка: дзень 32"},
		{"xx", `<html lang="en" dir="ltr">`, "Amira Testova", "Day 32 of the hunger strike"}, // unknown: the default
		{"", `<html lang="en" dir="ltr">`, "Amira Testova", "Day 32 of the hunger strike"},
	} {
		resp, body := s.fetch(t, "/cases/amira-testova?lang="+tt.lang)
		if resp.StatusCode != 200 {
			t.Errorf("%s: status %d", tt.lang, resp.StatusCode)
			continue
		}
		for _, want := range []string{tt.html, tt.name, tt.counter} {
			if !strings.Contains(body, want) {
				t.Errorf("%s: page lacks %q", tt.lang, want)
			}
		}
		lang := tt.lang
		if lang == "xx" || lang == "" {
			lang = "en"
		}
		if got := meta(body, "og:image"); got != s.URL+"/cases/amira-testova.png?lang="+lang {
			t.Errorf("%s: og:image %q", tt.lang, got)
		}
	}
	// Persian with an English-only text: marked as English, left to right.
	_, body := s.fetch(t, "/cases/amira-testova?lang=fa")
	if !strings.Contains(body, `<blockquote class="pre" lang="en" dir="ltr">`) {
		t.Error("fa: the English sample letter is not marked lang=en dir=ltr")
	}
	// The switcher offers all seven languages, each in its own name.
	for _, name := range []string{">English<", ">Deutsch<", ">Русский<", ">Українська<", ">Беларуская<", ">Azərbaycan<", ">فارسی<"} {
		if !strings.Contains(body, name) {
			t.Errorf("language switcher lacks %s", name)
		}
	}
}

func TestPicture(t *testing.T) {
	s := newSite(t, true)
	for _, tt := range []struct {
		query string
		w, h  int
		lang  string
		size  card.Size
	}{
		{"", 1200, 630, "en", card.OG},
		{"?lang=fa", 1200, 630, "fa", card.OG},
		{"?lang=ru&size=square", 1080, 1080, "ru", card.Square},
		{"?lang=zz&size=og", 1200, 630, "en", card.OG},
	} {
		resp, body := s.fetch(t, "/cases/amira-testova.png"+tt.query)
		if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "image/png" {
			t.Fatalf("%s: %d %q", tt.query, resp.StatusCode, resp.Header.Get("Content-Type"))
		}
		if cc := resp.Header.Get("Cache-Control"); cc != "public, max-age=3600" || resp.Header.Get("ETag") == "" {
			t.Errorf("%s: Cache-Control %q, ETag %q", tt.query, cc, resp.Header.Get("ETag"))
		}
		img, err := png.Decode(bytes.NewReader([]byte(body)))
		if err != nil {
			t.Fatalf("%s: %v", tt.query, err)
		}
		if b := img.Bounds(); b.Dx() != tt.w || b.Dy() != tt.h {
			t.Errorf("%s: %v; want %d×%d", tt.query, b, tt.w, tt.h)
		}
		want := card.Options{Lang: tt.lang, Size: tt.size, Today: cases.MustParseDate("2026-12-02"), PublicURL: s.URL}
		if got := s.cards.last(); got != want {
			t.Errorf("%s: rendered with %+v; want %+v", tt.query, got, want)
		}
	}
	resp, body := s.fetch(t, "/cases/amira-testova.png?size=huge")
	if resp.StatusCode != 400 || !strings.Contains(body, `bad size "huge": want og (1200×630) or square (1080×1080)`) {
		t.Errorf("bad size: %d %q", resp.StatusCode, body)
	}
	if resp, body := s.fetch(t, "/cases/nobody-here.png"); resp.StatusCode != 404 || !strings.Contains(body, `no case "nobody-here"`) {
		t.Errorf("unknown case: %d %q", resp.StatusCode, body)
	}
	if resp, _ := s.fetch(t, "/cases/leyla-arxivova.png"); resp.StatusCode != 410 {
		t.Errorf("archived case: %d; want 410", resp.StatusCode)
	}
	// Without a renderer, the picture is unavailable, not broken.
	none := *s.web
	none.Card = nil
	mux := http.NewServeMux()
	none.Register(mux)
	rec := httptest.NewRecorder()
	mux.ServeHTTP(rec, httptest.NewRequest("GET", "/cases/amira-testova.png", nil))
	if rec.Code != 503 {
		t.Errorf("no renderer: %d; want 503", rec.Code)
	}
}

func TestNotFoundAndGone(t *testing.T) {
	s := newSite(t, true)
	for _, tt := range []struct {
		path string
		code int
		want string
	}{
		{"/cases/nobody-here", 404, "There is no case at this address."},
		{"/cases/nobody-here?lang=ru", 404, "По этому адресу нет дела."},
		{"/cases/leyla-arxivova", 410, "This case has been archived and is no longer published."},
		{"/cases/leyla-arxivova?lang=fa", 410, "این پرونده بایگانی شده"},
		{"/countries/XX", 404, "Page not found"},
	} {
		resp, body := s.fetch(t, tt.path)
		if resp.StatusCode != tt.code || resp.Header.Get("Content-Type") != "text/html; charset=utf-8" || !strings.Contains(body, tt.want) {
			t.Errorf("%s: %d %q; want %d with %q", tt.path, resp.StatusCode, resp.Header.Get("Content-Type"), tt.code, tt.want)
		}
		if strings.Contains(body, "og:image") || strings.Contains(body, "Leyla") {
			t.Errorf("%s: an error page shows a case", tt.path)
		}
	}
}

func TestHomeAndCountries(t *testing.T) {
	s := newSite(t, true)
	resp, body := s.fetch(t, "/")
	if resp.StatusCode != 200 {
		t.Fatalf("/: %d", resp.StatusCode)
	}
	for _, want := range []string{`<form class="search" method="get" action="/"`, `name="q"`, "Azerbaijan", "Belarus",
		`href="/cases/amira-testova?lang=en"`, `href="/countries/BY?lang=en"`, "1 case", "Day 32 of the hunger strike"} {
		if !strings.Contains(body, want) {
			t.Errorf("/ lacks %q", want)
		}
	}
	if strings.Contains(body, "Leyla") {
		t.Error("/ lists an archived case")
	}
	if strings.Index(body, "Azerbaijan") > strings.Index(body, "Belarus") {
		t.Error("countries are not in alphabetical order")
	}
	_, body = s.fetch(t, "/countries/by?lang=ru")
	if !strings.Contains(body, "<h1>Беларусь</h1>") || !strings.Contains(body, "Йонас Фиктив") || strings.Contains(body, "Амира") {
		t.Errorf("/countries/by?lang=ru: %s", body)
	}
	if resp, body := s.fetch(t, "/no/such/page?lang=az"); resp.StatusCode != 404 || !strings.Contains(body, "Səhifə tapılmadı") {
		t.Errorf("/no/such/page: %d; want the 404 page", resp.StatusCode)
	}
	_, body = s.fetch(t, "/countries/DE")
	if !strings.Contains(body, "No cases are published for Germany.") {
		t.Error("/countries/DE does not say it has no cases")
	}
}

func TestSearch(t *testing.T) {
	s := newSite(t, true)
	// A typo'd name: one case, its page.
	for _, q := range []string{"amira testva", "Амира", "TESTOVA", "amira-testova"} {
		resp, _ := s.fetch(t, "/?lang=ru&q="+strings.ReplaceAll(q, " ", "+"))
		if resp.StatusCode != 303 || resp.Header.Get("Location") != "/cases/amira-testova?lang=ru" {
			t.Errorf("q=%s: %d %q; want 303 to the case in ru", q, resp.StatusCode, resp.Header.Get("Location"))
		}
	}
	// Several: listed, each with its country, the query kept in the box.
	resp, body := s.fetch(t, "/?q=fiktv&lang=de")
	for _, want := range []string{"Ergebnisse für „fiktv“", `href="/cases/joanna-fiktiv?lang=de"`, `href="/cases/jonas-fiktiv?lang=de"`,
		"Belarus · im Exil", `value="fiktv"`} {
		if resp.StatusCode != 200 || !strings.Contains(body, want) {
			t.Errorf("several matches: %d, lacks %q", resp.StatusCode, want)
		}
	}
	resp, body = s.fetch(t, "/?q=%3Cb%3Ezzzz")
	if resp.StatusCode != 200 || !strings.Contains(body, "No one matches “&lt;b&gt;zzzz”") || !strings.Contains(body, `value="&lt;b&gt;zzzz"`) {
		t.Errorf("no match: %d, body lacks the escaped query", resp.StatusCode)
	}
}

func TestPicturesOnlyWithoutPublicURL(t *testing.T) {
	s := newSite(t, false)
	for _, path := range []string{"/", "/cases/amira-testova", "/countries/AZ"} {
		if resp, _ := s.fetch(t, path); resp.StatusCode != 404 {
			t.Errorf("%s without public_url: %d; want 404", path, resp.StatusCode)
		}
	}
	if resp, _ := s.fetch(t, "/cases/amira-testova.png"); resp.StatusCode != 200 {
		t.Errorf("picture without public_url: %d; want 200", resp.StatusCode)
	}
	if got := s.cards.last().PublicURL; got != "" {
		t.Errorf("card rendered with PublicURL %q; want none", got)
	}
}

// TestHomeCanonicalNotSearch checks that the home page has its canonical
// address, its other languages and link-preview tags, and that a
// search's results page has none of them.
func TestHomeCanonicalNotSearch(t *testing.T) {
	s := newSite(t, true)
	_, home := s.fetch(t, "/?lang=de")
	if !strings.Contains(home, `<link rel="canonical" href="`+s.URL+`/?lang=de">`) ||
		!strings.Contains(home, `<link rel="alternate" hreflang="fa" href="`+s.URL+`/?lang=fa">`) ||
		meta(home, "og:url") != s.URL+"/?lang=de" || meta(home, "og:type") != "website" {
		t.Errorf("the home page lacks its canonical, alternate or og tags")
	}
	resp, results := s.fetch(t, "/?q=fiktv&lang=de")
	if resp.StatusCode != 200 || strings.Contains(results, `rel="canonical"`) || strings.Contains(results, `rel="alternate"`) ||
		strings.Contains(results, "og:") || !strings.Contains(results, "<title>Ergebnisse für") {
		t.Errorf("search results: %d; want a page titled with the query, without canonical, alternate or og tags", resp.StatusCode)
	}
}
