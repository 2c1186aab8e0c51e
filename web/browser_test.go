package web

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
)

// The browser tests drive Debian's chromium, headless: one browser per
// test binary, a tab per test. Without chromium they skip, unless CI is
// "true": there a missing browser fails (.ci/run installs it).
//
// VIGIL_SCREENSHOTS=DIR saves the screenshots they take (phone and
// desktop widths, four languages) into DIR, to look at.

const chromiumPath = "/usr/bin/chromium"

var chrome struct {
	once sync.Once
	ctx  context.Context // the browser's context; tabs are its children
	stop func()
	err  error
}

func TestMain(m *testing.M) {
	code := m.Run()
	if chrome.stop != nil {
		chrome.stop()
	}
	os.Exit(code)
}

func startChrome() {
	dir, err := os.MkdirTemp("", "vigil-chromium-")
	if err != nil {
		chrome.err = err
		return
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromiumPath),
		chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("no-default-browser-check", true),
		// Loopback only: no name resolves, so no page can reach out.
		chromedp.Flag("host-resolver-rules", "MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"),
		chromedp.UserDataDir(dir),
	}
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(allocCtx)
	chrome.stop = func() {
		cancel()
		cancelAlloc()
		os.RemoveAll(dir)
	}
	if err := chromedp.Do(ctx); err != nil { // starts the browser
		chrome.err = err
		return
	}
	chrome.ctx = ctx
}

// tab returns a new tab of the test binary's browser, closed at the end
// of the test, or skips the test when there is no chromium.
func tab(t *testing.T) context.Context {
	t.Helper()
	if _, err := os.Stat(chromiumPath); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("browser tests: no chromium at %s, and CI=true: install it (apt-get install chromium)", chromiumPath)
		}
		t.Skipf("browser tests skipped: no chromium at %s (apt-get install chromium; with CI=true this fails)", chromiumPath)
	}
	chrome.once.Do(startChrome)
	if chrome.err != nil {
		t.Fatalf("browser tests: starting %s: %v", chromiumPath, chrome.err)
	}
	ctx, cancel := chromedp.NewContext(chrome.ctx)
	ctx, cancelTimeout := context.WithTimeout(ctx, time.Minute)
	t.Cleanup(func() { cancelTimeout(); cancel() })
	return ctx
}

// run runs an action on the tab, failing the test on error.
func run[T any](t *testing.T, ctx context.Context, what string, a chromedp.Action[T]) T {
	t.Helper()
	v, err := chromedp.Run(ctx, a)
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	return v
}

// open loads url in the tab and returns the HTTP status of the page.
func open(t *testing.T, ctx context.Context, url string) int64 {
	t.Helper()
	resp := run(t, ctx, "open "+url, chromedp.NavigateResponse(url))
	return resp.Status
}

// viewport sets the tab's size; phone says a mobile device, where the
// page's viewport meta counts.
func viewport(width, height int64, phone bool) chromedp.Action[chromedp.Void] {
	if phone {
		return chromedp.EmulateViewport(width, height, chromedp.EmulateMobile, chromedp.EmulateScale(2))
	}
	return chromedp.EmulateViewport(width, height)
}

// screenshot saves a full-page screenshot as DIR/name.png when
// VIGIL_SCREENSHOTS=DIR is set.
func screenshot(t *testing.T, ctx context.Context, name string) {
	dir := os.Getenv("VIGIL_SCREENSHOTS")
	if dir == "" {
		return
	}
	// Lazy pictures load before the shot, so that it shows the share card.
	run(t, ctx, "load pictures", chromedp.Evaluate[int](`Promise.all([...document.images].map(img => {
		img.loading = 'eager';
		return img.complete ? 0 : new Promise(done => { img.onload = img.onerror = () => done(0); });
	})).then(() => 0)`, chromedp.EvalAwaitPromise))
	buf := run(t, ctx, "screenshot", chromedp.FullScreenshot(100))
	if err := os.WriteFile(filepath.Join(dir, name+".png"), buf, 0o644); err != nil {
		t.Error(err)
	}
}

func TestBrowserCasePage(t *testing.T) {
	s := newSite(t, true)
	ctx := tab(t)
	if code := open(t, ctx, s.URL+"/cases/amira-testova"); code != 200 {
		t.Fatalf("case page: %d", code)
	}
	if title := run(t, ctx, "title", chromedp.Title()); title != "Amira Testova — Azerbaijan" {
		t.Errorf("title %q", title)
	}
	if h1 := run(t, ctx, "h1", chromedp.Text(chromedp.CSS("h1"))); h1 != "Amira Testova" {
		t.Errorf("h1 %q", h1)
	}
	tags := run(t, ctx, "meta tags", chromedp.Evaluate[map[string]string](`Object.fromEntries(
		[...document.querySelectorAll('meta[property], meta[name]')].map(m => [m.getAttribute('property') || m.getAttribute('name'), m.content]))`))
	for k, want := range map[string]string{
		"og:title":     "Amira Testova — Azerbaijan",
		"og:url":       s.URL + "/cases/amira-testova?lang=en",
		"og:image":     s.URL + "/cases/amira-testova.png?lang=en",
		"twitter:card": "summary_large_image",
	} {
		if tags[k] != want {
			t.Errorf("%s = %q; want %q", k, tags[k], want)
		}
	}
	if !strings.HasPrefix(tags["og:description"], "imprisoned (as of November 2026) · Day 32 of the hunger strike") {
		t.Errorf("og:description = %q", tags["og:description"])
	}
	// The case's hostile markup is text, not elements.
	if n := run(t, ctx, "script elements", chromedp.Evaluate[int](`document.querySelectorAll('script, b').length`)); n != 0 {
		t.Errorf("%d script or b elements on the page; the case's markup was not escaped", n)
	}
	if !strings.Contains(run(t, ctx, "summary", chromedp.Text(chromedp.CSS(".summary"))), "<script>alert('x')</script>") {
		t.Error("the summary does not show its markup as text")
	}
	// The page shows the share card: scrolled to, the picture loads.
	shown := run(t, ctx, "share picture", chromedp.Evaluate[int](`new Promise(done => {
		const img = document.querySelector('.share img');
		img.scrollIntoView();
		if (img.complete && img.naturalWidth) { done(img.naturalWidth); return; }
		img.onload = () => done(img.naturalWidth);
		img.onerror = () => done(-1);
	})`, chromedp.EvalAwaitPromise))
	if shown != 1200 {
		t.Errorf("the page's share picture: naturalWidth %d; want 1200", shown)
	}
	// og:image is a PNG of the og size that the browser loads.
	if code := open(t, ctx, tags["og:image"]); code != 200 {
		t.Fatalf("og:image: %d", code)
	}
	size := run(t, ctx, "image size", chromedp.Evaluate[[]int](`[document.images[0].naturalWidth, document.images[0].naturalHeight]`))
	if len(size) != 2 || size[0] != 1200 || size[1] != 630 {
		t.Errorf("og:image is %v; want 1200×630", size)
	}
}

func TestBrowserNoHorizontalOverflow(t *testing.T) {
	s := newSite(t, true)
	ctx := tab(t)
	pages := []struct{ name, path string }{
		{"case", "/cases/amira-testova"},
		{"home", "/"},
		{"search", "/?q=zzzz-no-one-with-a-very-long-query-that-does-not-break-0123456789"},
		{"results", "/?q=fiktiv"},
		{"country", "/countries/AZ"},
		{"notfound", "/cases/nobody-here"},
	}
	for _, lang := range []string{"en", "fa", "ru", "az"} {
		for _, p := range pages {
			for _, width := range []int64{360, 390} {
				run(t, ctx, "viewport", viewport(width, 800, true))
				url := s.URL + p.path
				if strings.Contains(url, "?") {
					url += "&lang=" + lang
				} else {
					url += "?lang=" + lang
				}
				open(t, ctx, url)
				got := run(t, ctx, "widths", chromedp.Evaluate[[]int](
					`[document.documentElement.scrollWidth, window.innerWidth, document.documentElement.clientWidth]`))
				// A phone zooms out to show an overflowing page, and
				// innerWidth follows; the device width does not.
				if got[0] > got[1] || got[0] > int(width) {
					t.Errorf("%s %s at %d px: scrollWidth %d > innerWidth %d (clientWidth %d): horizontal overflow",
						lang, p.name, width, got[0], got[1], got[2])
				}
				dir := run(t, ctx, "dir", chromedp.Evaluate[string](`document.documentElement.dir + ' ' + document.documentElement.lang`))
				want := "ltr " + lang
				if lang == "fa" {
					want = "rtl fa"
				}
				if dir != want {
					t.Errorf("%s %s: dir and lang %q; want %q", lang, p.name, dir, want)
				}
				if width == 390 && (p.name == "case" || p.name == "home" || p.name == "results" || p.name == "notfound") {
					screenshot(t, ctx, fmt.Sprintf("%s-%s-phone", p.name, lang))
				}
			}
		}
		if os.Getenv("VIGIL_SCREENSHOTS") != "" {
			run(t, ctx, "viewport", viewport(1280, 900, false))
			for _, p := range pages[:2] {
				open(t, ctx, s.URL+p.path+"?lang="+lang)
				screenshot(t, ctx, fmt.Sprintf("%s-%s-desktop", p.name, lang))
			}
		}
	}
	// The check can fail: a wide element makes the page overflow.
	run(t, ctx, "viewport", viewport(390, 800, true))
	open(t, ctx, s.URL+"/cases/amira-testova")
	got := run(t, ctx, "widths", chromedp.Evaluate[[]int](`document.querySelector('main').insertAdjacentHTML('beforeend', '<div style="width:900px">x</div>'),
		[document.documentElement.scrollWidth, window.innerWidth]`))
	if got[0] <= 390 {
		t.Errorf("a 900 px element does not overflow: scrollWidth %d, innerWidth %d; the overflow check cannot fail", got[0], got[1])
	}
}

// noScripts turns off JavaScript in the tab, so that what the tab does
// next works on a browser without it.
func noScripts(ctx context.Context, t *chromedp.Target) (chromedp.Void, error) {
	_, err := cdp.Call(ctx, t, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true})
	return chromedp.Void{}, err
}

func TestBrowserSearchForm(t *testing.T) {
	s := newSite(t, true)
	for _, tt := range []struct{ lang, query, want, h1 string }{
		{"en", "amira testva", "/cases/amira-testova?lang=en", "Amira Testova"}, // a typo
		{"ru", "Амира Тества", "/cases/amira-testova?lang=ru", "Амира Тестова"}, // a typo in Cyrillic
		{"fa", "amira tesstova", "/cases/amira-testova?lang=fa", "امیرا تستوا"}, // Latin on the Persian page
	} {
		ctx := tab(t)
		run(t, ctx, "no scripts", noScripts)
		if code := open(t, ctx, s.URL+"/?lang="+tt.lang); code != 200 {
			t.Fatalf("home: %d", code)
		}
		run(t, ctx, "type", chromedp.SendKeys(chromedp.ID("q"), tt.query))
		resp, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS("form.search button")))
		if err != nil {
			t.Fatalf("submit: %v", err)
		}
		if loc := run(t, ctx, "location", chromedp.Location()); resp.Status != 200 || loc != s.URL+tt.want {
			t.Errorf("%s %q: landed on %s (%d); want %s", tt.lang, tt.query, loc, resp.Status, tt.want)
		}
		if h1 := run(t, ctx, "h1", chromedp.Text(chromedp.CSS("h1"))); !strings.Contains(h1, tt.h1) {
			t.Errorf("%s %q: h1 %q; want %q", tt.lang, tt.query, h1, tt.h1)
		}
	}
	// Nothing found: the page says so, with the query still in the box.
	ctx := tab(t)
	run(t, ctx, "no scripts", noScripts)
	open(t, ctx, s.URL+"/")
	run(t, ctx, "type", chromedp.SendKeys(chromedp.ID("q"), "qqqq xxxx"))
	if _, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS("form.search button"))); err != nil {
		t.Fatal(err)
	}
	if text := run(t, ctx, "results", chromedp.Text(chromedp.CSS(".results"))); !strings.Contains(text, "No one matches “qqqq xxxx”") {
		t.Errorf("no match: %q", text)
	}
	if v := run(t, ctx, "query", chromedp.Value(chromedp.ID("q"))); v != "qqqq xxxx" {
		t.Errorf("the search box holds %q after the search", v)
	}
}

func TestBrowserErrorPages(t *testing.T) {
	s := newSite(t, true)
	ctx := tab(t)
	for _, tt := range []struct {
		path  string
		code  int64
		title string
	}{
		{"/cases/nobody-here", 404, "Page not found"},
		{"/cases/leyla-arxivova", 410, "Case archived"},
		{"/cases/leyla-arxivova?lang=de", 410, "Fall archiviert"},
	} {
		if code := open(t, ctx, s.URL+tt.path); code != tt.code {
			t.Errorf("%s: %d; want %d", tt.path, code, tt.code)
		}
		if h1 := run(t, ctx, "h1", chromedp.Text(chromedp.CSS("h1"))); h1 != tt.title {
			t.Errorf("%s: h1 %q; want %q", tt.path, h1, tt.title)
		}
		if n := run(t, ctx, "og tags", chromedp.Evaluate[int](`document.querySelectorAll('meta[property="og:image"]').length`)); n != 0 {
			t.Errorf("%s: an error page has og:image", tt.path)
		}
	}
}
