package telegram

import (
	"bytes"
	"context"
	"encoding/binary"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/vigil-bot/vigil/bot/telegram/telegramtest"
	"github.com/vigil-bot/vigil/cases"
	"github.com/vigil-bot/vigil/store"
)

// letterCases are two invented people to write to, in a country no other
// test case is in.
const letterCases = `- {id: nino-pisma, name: Nino Pisma, country: GE, status: imprisoned, status_as_of: 2026-10,
   letters: {address: "Prison 8, Gldani", languages: [ka], rules: {en: "No politics."}, sample: {en: "Dear Nino"}}}
- {id: levan-pisma, name: Levan Pisma, country: GE, status: detained, status_as_of: 2026-10,
   letters: {address: "Detention centre, Tbilisi", sample: {en: "Dear Levan"}}}
`

// writerID is the Telegram user whose presses must leave no trace.
const writerID int64 = 987654321987

// idForms are the ways writerID could sit in a database file: its
// digits, its int64 bytes in either order, and SQLite's own record form
// of an integer that size (6 bytes, big-endian).
func idForms(id int64) [][]byte {
	le, be := make([]byte, 8), make([]byte, 8)
	binary.LittleEndian.PutUint64(le, uint64(id))
	binary.BigEndian.PutUint64(be, uint64(id))
	return [][]byte{[]byte(strconv.FormatInt(id, 10)), le, be, be[2:]}
}

// findID returns the first form of id in b, or "".
func findID(b []byte, id int64) string {
	for i, f := range idForms(id) {
		if bytes.Contains(b, f) {
			return []string{"decimal", "int64 little-endian", "int64 big-endian", "SQLite 6-byte integer"}[i]
		}
	}
	return ""
}

// dbFiles returns the database file and its side files.
func dbFiles(t *testing.T, st *store.Store) []string {
	t.Helper()
	var seq int
	var name, file string
	if err := st.DB().QueryRow("PRAGMA database_list").Scan(&seq, &name, &file); err != nil || file == "" {
		t.Fatalf("database file: %q, %v", file, err)
	}
	return []string{file, file + "-wal", file + "-shm", file + "-journal"}
}

// scanForID fails the test if any database file holds the id.
func scanForID(t *testing.T, files []string, id int64, when string) {
	t.Helper()
	scanned := 0
	for _, f := range files {
		b, err := os.ReadFile(f)
		if os.IsNotExist(err) {
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		scanned++
		if form := findID(b, id); form != "" {
			t.Errorf("%s: %s holds the writer's id (%s)", when, f, form)
		}
	}
	if scanned == 0 {
		t.Fatalf("%s: no database file to scan", when)
	}
}

func TestWriteAndIWroteButton(t *testing.T) {
	t.Parallel()
	// The scan can see an id: a file holding any of its forms is caught.
	for _, f := range idForms(writerID) {
		if findID(append([]byte("xx"), f...), writerID) == "" {
			t.Fatalf("findID misses %x", f)
		}
	}
	hs := newHarness(t, harnessOpts{})
	ctx := context.Background()
	if _, err := hs.st.Import(ctx, []cases.SourceFile{{Path: "letters.yaml", Data: []byte(letterCases), Hash: "l1"}},
		time.Now(), store.ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	group := telegramtest.Supergroup(-1001700, "Writers")
	press := func(user int64, msg telegramtest.Sent) telegramtest.Callback {
		t.Helper()
		if len(msg.Keyboard) != 1 || len(msg.Keyboard[0]) != 1 || msg.Keyboard[0][0].CallbackData == nil {
			t.Fatalf("/write reply keyboard %+v; want one callback button", msg.Keyboard)
		}
		b := msg.Keyboard[0][0]
		if b.Text != "✉️ I wrote" || !strings.HasPrefix(*b.CallbackData, "wrote:") {
			t.Fatalf("button %q with data %q; want \"✉️ I wrote\" and wrote:<case>", b.Text, *b.CallbackData)
		}
		id := hs.tg.Press(group, telegramtest.User{ID: user, LanguageCode: "en"}, msg.MessageID, *b.CallbackData)
		if !hs.tg.WaitFor(waitLong, func() bool { return hs.tg.Callback(id).Answered }) {
			t.Fatalf("press %s not answered", id)
		}
		return hs.tg.Callback(id)
	}
	first := hs.say(group, writerID, "/write Georgia")
	if !strings.Contains(first.Text, "Write to ") || !strings.Contains(first.Text, "Address:") {
		t.Fatalf("/write reply %q; want a person to write to with the address", first.Text)
	}
	if cb := press(writerID, first); !strings.Contains(cb.Text, "Thank you") {
		t.Errorf("first press answered %q; want thanks", cb.Text)
	}
	second := hs.say(group, 555, "/write GE")
	who := func(m telegramtest.Sent) string {
		switch {
		case strings.Contains(m.Text, "Nino Pisma"):
			return "nino-pisma"
		case strings.Contains(m.Text, "Levan Pisma"):
			return "levan-pisma"
		}
		return ""
	}
	if who(first) == "" || who(second) == "" || who(first) == who(second) {
		t.Fatalf("the two writers were sent to %q and %q; want two different people", who(first), who(second))
	}
	// The same user pressing again the same day does not count.
	if cb := press(writerID, first); !strings.Contains(cb.Text, "already counted today") {
		t.Errorf("second press by the same user answered %q; want it not counted", cb.Text)
	}
	if cb := press(555, second); !strings.Contains(cb.Text, "Thank you") {
		t.Errorf("the second writer's press answered %q; want thanks", cb.Text)
	}
	card := hs.say(group, 555, "/case "+who(first))
	if !strings.Contains(card.Text, "1 letter in the last 30 days") {
		t.Errorf("card %q; want \"1 letter in the last 30 days\"", card.Text)
	}
	counts, err := hs.st.LetterCounts(ctx, time.Now())
	if err != nil || counts[who(first)] != 1 || counts[who(second)] != 1 {
		t.Errorf("letter counts %v, %v; want one each", counts, err)
	}
	// Nor may the log tie the writer to a letter.
	for _, line := range strings.Split(hs.logs.String(), "\n") {
		if strings.Contains(line, "letter") && strings.Contains(line, strconv.FormatInt(writerID, 10)) {
			t.Errorf("a log line ties the writer to a letter: %s", line)
		}
	}
	// Nobody with the database may learn who wrote: the writer's id is
	// in none of its files, while it runs and after it is closed.
	files := dbFiles(t, hs.st)
	scanForID(t, files, writerID, "while running")
	hs.stop()
	hs.st.Close()
	scanForID(t, files, writerID, "after closing")
}

// TestWroteCommandLogsNoWriter: /wrote typed as a command (not the
// button) counts the letter, and no log line, the debug ones included,
// names the writer: the command line's "user" would tie them to the
// "letter counted" line that follows it.
func TestWroteCommandLogsNoWriter(t *testing.T) {
	t.Parallel()
	hs := newHarness(t, harnessOpts{})
	ctx := context.Background()
	if _, err := hs.st.Import(ctx, []cases.SourceFile{{Path: "letters.yaml", Data: []byte(letterCases), Hash: "l1"}},
		time.Now(), store.ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	group := telegramtest.Supergroup(-1001701, "Writers")
	if r := hs.say(group, writerID, "/write Georgia"); !strings.Contains(r.Text, "Address:") {
		t.Fatalf("/write reply %q; want an address", r.Text)
	}
	if r := hs.say(group, writerID, "/wrote nino-pisma"); !strings.Contains(r.Text, "Thank you") {
		t.Fatalf("/wrote reply %q; want thanks", r.Text)
	}
	if n, err := hs.st.LetterCount(ctx, "nino-pisma", time.Now()); err != nil || n != 1 {
		t.Fatalf("letters to nino-pisma: %d, %v; want 1", n, err)
	}
	id := strconv.FormatInt(writerID, 10)
	for _, line := range strings.Split(hs.logs.String(), "\n") {
		if strings.Contains(line, id) {
			t.Errorf("a log line names the writer: %s", line)
		}
	}
}
