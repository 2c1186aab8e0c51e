package main

import (
	"bytes"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestCardCommand: `vigil card QUERY --png FILE` draws the share card of
// the case found as `vigil case` finds it, in the size, language and day
// asked; the photo.file of a case file imported from another folder is
// still found; wrong flags and unknown cases are clear errors.
func TestCardCommand(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "v.db")
	// A fictional portrait: a plain green picture, easy to find on the card.
	var jb bytes.Buffer
	pic := image.NewRGBA(image.Rect(0, 0, 300, 400))
	for i := range pic.Pix {
		pic.Pix[i] = []byte{0x20, 0xc0, 0x40, 0xff}[i%4]
	}
	if err := jpeg.Encode(&jb, pic, nil); err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(dir, "cases", "photos", "amira.jpg"), jb.String())
	writeFile(t, filepath.Join(dir, "cases", "a.yaml"), goodCase+
		"arrested: 2024-03-15\nphoto: {file: photos/amira.jpg, credit: \"© Example\"}\n"+
		"actions:\n  - {kind: petition, label: Sign the petition, url: \"https://example.org/sign\"}\n")
	if code, stdout, stderr := vigil(t, dir, "import", "--db", db, "cases/a.yaml"); code != 0 {
		t.Fatalf("import: exit %d, %q %q", code, stdout, stderr)
	}

	// From another folder: the photo's path was stored absolute.
	out := filepath.Join(t.TempDir(), "card.png")
	code, stdout, stderr := vigil(t, t.TempDir(), "card", "amira", "--db", db, "--png", out, "--lang", "az", "--size", "square", "--at", "2026-12-01")
	if code != 0 || stderr != "" || stdout != out+": amira-testova, square 1080×1080, az, 2026-12-01\n" {
		t.Fatalf("card: exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	img := decodePNG(t, out)
	if img.Bounds() != image.Rect(0, 0, 1080, 1080) {
		t.Fatalf("card bounds %v; want 1080×1080", img.Bounds())
	}
	if !isGreen(img.At(200, 200)) {
		t.Errorf("the photo is not on the card: pixel %v at (200, 200)", img.At(200, 200))
	}

	// og, to the standard output, in the config's language.
	code, stdout, stderr = vigil(t, "", "card", "amira-testova", "--db", db, "--png", "-")
	if code != 0 || stderr != "" {
		t.Fatalf("card --png -: exit %d, %q", code, stderr)
	}
	og, err := png.Decode(strings.NewReader(stdout))
	if err != nil || og.Bounds() != image.Rect(0, 0, 1200, 630) {
		t.Fatalf("card --png -: %v, %v; want a 1200×630 PNG", err, og)
	}

	// A photo file gone: the card without it, and a word about it.
	if err := os.Remove(filepath.Join(dir, "cases", "photos", "amira.jpg")); err != nil {
		t.Fatal(err)
	}
	code, _, stderr = vigil(t, "", "card", "amira", "--db", db, "--png", out, "--size", "square")
	if code != 0 || !strings.Contains(stderr, "vigil card: the photo is left out:") {
		t.Errorf("card without its photo file: exit %d, stderr %q; want 0 and a note", code, stderr)
	}
	if img := decodePNG(t, out); isGreen(img.At(200, 200)) {
		t.Error("a missing photo is still drawn")
	}

	for _, tc := range []struct {
		args     []string
		code     int
		inStderr string
	}{
		{[]string{"card", "amira"}, 2, "vigil card: missing --png FILE (see vigil card -h)"},
		{[]string{"card", "--png", out}, 2, "vigil card: missing QUERY"},
		{[]string{"card", "amira", "--png", out, "--size", "a4"}, 2, `vigil card: --size: unknown size "a4" (want og or square)`},
		{[]string{"card", "amira", "--png", out, "--at", "2026-12"}, 2, `vigil card: --at: "2026-12" is not a day (YYYY-MM-DD)`},
		{[]string{"card", "amira", "--png", out, "--lang", "xx"}, 2, `vigil card: --lang:`},
		{[]string{"card", "nobody-at-all", "--png", out}, 1, `vigil card: no case matches "nobody-at-all" (see vigil cases)`},
		{[]string{"card", "amira", "--png", filepath.Join(dir, "no", "such", "dir", "c.png")}, 1, "vigil: card: open "},
	} {
		code, _, stderr := vigil(t, "", append(tc.args, "--db", db)...)
		if code != tc.code || !strings.Contains(stderr, tc.inStderr) {
			t.Errorf("vigil %s: exit %d, stderr %q; want %d and %q", strings.Join(tc.args, " "), code, stderr, tc.code, tc.inStderr)
		}
	}
	if code, stdout, _ := vigil(t, "", "card", "-h"); code != 0 || !strings.Contains(stdout, "Usage: vigil card [flags] QUERY") || !strings.Contains(stdout, "-png FILE") {
		t.Errorf("card -h: exit %d, %q", code, stdout)
	}
}

func decodePNG(t *testing.T, path string) image.Image {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	return img
}

func isGreen(c color.Color) bool {
	r, g, b, _ := c.RGBA()
	return g>>8 > 0x90 && r>>8 < 0x60 && b>>8 < 0x70
}
