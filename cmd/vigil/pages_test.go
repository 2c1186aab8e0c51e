package main

import (
	"bytes"
	"image/png"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
)

// TestServePublicPages: with http.public_url set, `vigil serve` serves
// the case pages on http.listen without login, their og:image pointing at
// the share card under the public address; the share card's route
// answers; archived and unknown cases answer 410 and 404; and the CLI's
// card links the page.
func TestServePublicPages(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "cases", "a.yaml"), goodCase)
	writeFile(t, filepath.Join(dir, "cases", "b.yaml"), "id: leyla-arxivova\nname: Leyla Arxivova\ncountry: AZ\nstatus: released\nstatus_as_of: 2025-01\n")
	cfg := filepath.Join(dir, "vigil.yaml")
	writeFile(t, cfg, "database: v.db\ncases: [cases]\nhttp: {listen: \"127.0.0.1:0\", public_url: \"https://vigil.example.org/\"}\n")
	if code, out, stderr := vigil(t, "", "archive", "--config", cfg, "leyla-arxivova"); code != 0 {
		t.Fatalf("archive: exit %d\n%s%s", code, out, stderr)
	}
	code, out, stderr := vigil(t, "", "case", "--config", cfg, "amira-testova", "--lang", "de")
	if code != 0 || !strings.Contains(out, "Mehr: https://vigil.example.org/cases/amira-testova?lang=de") {
		t.Errorf("case: exit %d, the card does not link its page:\n%s%s", code, out, stderr)
	}

	s := startServe(t, noEnv, "--config", cfg)
	code, body := s.httpGet(t, "/cases/amira-testova?lang=ru")
	for _, want := range []string{`<html lang="ru" dir="ltr">`, "Amira Testova",
		`<meta property="og:image" content="https://vigil.example.org/cases/amira-testova.png?lang=ru">`,
		`<meta property="og:url" content="https://vigil.example.org/cases/amira-testova?lang=ru">`,
		`<meta name="twitter:card" content="summary_large_image">`} {
		if code != 200 || !strings.Contains(body, want) {
			t.Errorf("/cases/amira-testova: %d, lacks %q", code, want)
		}
	}
	if code, body := s.httpGet(t, "/?q=amira+testva"); code != 200 || !strings.Contains(body, "Amira Testova") {
		t.Errorf("search: %d", code) // the redirect was followed to the case page
	}
	if code, _ := s.httpGet(t, "/cases/leyla-arxivova"); code != 410 {
		t.Errorf("archived case: %d; want 410", code)
	}
	if code, _ := s.httpGet(t, "/cases/nobody-here"); code != 404 {
		t.Errorf("unknown case: %d; want 404", code)
	}
	if code, body := s.httpGet(t, "/cases/amira-testova.png?size=poster"); code != 400 || !strings.Contains(body, "want og") {
		t.Errorf("bad size: %d %q; want 400", code, body)
	}
	// The share card, rendered by the card package: a square PNG.
	resp := s.rawGet(t, "/cases/amira-testova.png?lang=fa&size=square")
	if img, err := png.Decode(bytes.NewReader(resp.body)); resp.code != 200 || resp.contentType != "image/png" || err != nil ||
		img.Bounds().Dx() != 1080 || img.Bounds().Dy() != 1080 {
		t.Errorf("share card: %d %q %v; want a 1080×1080 PNG", resp.code, resp.contentType, err)
	}
	// /healthz and /metrics still answer beside the pages.
	if code, body := s.httpGet(t, "/healthz"); code != 200 || body != "ok\n" {
		t.Errorf("/healthz: %d %q", code, body)
	}
}

// TestServeNoPublicURL: without http.public_url, no page is served, the
// share card's route is, and the card has no link.
func TestServeNoPublicURL(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "cases", "a.yaml"), goodCase)
	cfg := filepath.Join(dir, "vigil.yaml")
	writeFile(t, cfg, "database: v.db\ncases: [cases]\nhttp: {listen: \"127.0.0.1:0\"}\n")
	if code, out, _ := vigil(t, "", "case", "--config", cfg, "amira-testova"); code != 0 || strings.Contains(out, "More:") {
		t.Errorf("case: exit %d, a link without public_url:\n%s", code, out)
	}
	s := startServe(t, noEnv, "--config", cfg)
	for _, path := range []string{"/", "/cases/amira-testova", "/countries/AZ"} {
		if code, _ := s.httpGet(t, path); code != 404 {
			t.Errorf("%s without public_url: %d; want 404", path, code)
		}
	}
	if code, _ := s.httpGet(t, "/cases/nobody-here.png"); code != 404 {
		t.Errorf("share card of an unknown case: %d; want 404", code)
	}
}

type rawResponse struct {
	code        int
	contentType string
	body        []byte
}

// rawGet is httpGet keeping the body's bytes and the Content-Type.
func (s *serveRun) rawGet(t *testing.T, path string) rawResponse {
	t.Helper()
	waitFor(t, &s.stderr, `msg="http listening"`)
	m := httpAddr.FindStringSubmatch(s.stderr.String())
	resp, err := http.Get("http://" + m[1] + path)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return rawResponse{resp.StatusCode, resp.Header.Get("Content-Type"), body}
}
