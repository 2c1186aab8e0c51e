package main

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vigil-bot/vigil/internal/pgtest"
	"github.com/vigil-bot/vigil/store"
)

// TestSubscribeCanonicalChannel: every spelling of a chat is one channel,
// and an impossible id is a usage error naming the reason.
func TestSubscribeCanonicalChannel(t *testing.T) {
	pgtest.Each(t, func(t *testing.T, db string) {
		for _, args := range [][]string{
			{"subscribe", "--db", db, "telegram:-0100123", "AZ"},
			{"subscribe", "--db", db, "telegram:-100123", "BY"},
			{"subscribe", "--db", db, "discord:0112233", "AZ"},
			{"subscribe", "--db", db, "discord:112233", "BY"},
		} {
			if code, stdout, stderr := vigil(t, "", args...); code != 0 || !strings.Contains(stdout, "now follows") {
				t.Fatalf("%v: exit %d, %q %q", args, code, stdout, stderr)
			}
		}
		code, stdout, stderr := vigil(t, "", "subscriptions", "--db", db)
		if code != 0 {
			t.Fatalf("subscriptions: exit %d, %q", code, stderr)
		}
		lines := strings.Split(strings.TrimSpace(stdout), "\n")
		if len(lines) != 3 || !strings.HasPrefix(lines[1], "discord:112233 ") || !strings.Contains(lines[1], " AZ,BY ") ||
			!strings.HasPrefix(lines[2], "telegram:-100123 ") || !strings.Contains(lines[2], " AZ,BY ") {
			t.Errorf("subscriptions:\n%s\nwant discord:112233 and telegram:-100123, each following AZ,BY", stdout)
		}
		code, stdout, _ = vigil(t, "", "unsubscribe", "--db", db, "telegram:-00100123", "all")
		if code != 0 || !strings.Contains(stdout, "telegram:-100123 no longer follows all countries (2 removed)") {
			t.Errorf("unsubscribe by another spelling: exit %d, %q", code, stdout)
		}

		for _, tt := range []struct{ ref, why string }{
			{"telegram:0", `telegram chat id "0": 0 is no chat`},
			{"telegram:+0", `0 is no chat`},
			{"telegram:-1000000000000", `outside Telegram's chat ids`},
			{"discord:0", `discord channel id "0": 0 is no channel`},
			{"discord:+112233", `not a snowflake`},
			{"console:x", `the console is just console`},
		} {
			for _, cmd := range []string{"subscribe", "unsubscribe"} {
				code, _, stderr := vigil(t, "", cmd, "--db", db, tt.ref, "AZ")
				want := "vigil " + cmd + ": \"" + tt.ref + "\" is not a channel: "
				if code != 2 || !strings.Contains(stderr, want) || !strings.Contains(stderr, tt.why) ||
					strings.Count(strings.TrimSpace(stderr), "\n") != 0 {
					t.Errorf("%s %s: exit %d, %q; want exit 2 and one line with %q and %q", cmd, tt.ref, code, stderr, want, tt.why)
				}
			}
		}
	})
}

// TestSubscriptionsShowImages: `vigil subscriptions` shows whether a
// channel's posts carry pictures: the config's images setting unless the
// channel chose (/settings images on|off).
func TestSubscriptionsShowImages(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "vigil.yaml")
	writeFile(t, cfg, "database: v.db\nimages: false\n")
	for _, ch := range []string{"console", "telegram:-100123"} {
		if code, _, stderr := vigil(t, "", "subscribe", "--config", cfg, ch, "AZ"); code != 0 {
			t.Fatalf("subscribe %s: exit %d, %q", ch, code, stderr)
		}
	}
	st, err := store.Open(context.Background(), filepath.Join(dir, "v.db"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.SetImages(context.Background(), "telegram", "-100123", new(true), store.Channel{}, time.Now()); err != nil {
		t.Fatal(err)
	}
	st.Close()
	_, stdout, _ := vigil(t, "", "subscriptions", "--config", cfg)
	text := strings.Join(strings.Fields(stdout), " ")
	if !strings.Contains(text, "IMAGES STATE") || !strings.Contains(text, "console AZ UTC 10:00 en off active") ||
		!strings.Contains(text, "telegram:-100123 AZ UTC 10:00 en on active") {
		t.Errorf("subscriptions:\n%s\nwant the console off (config) and the chat on (its choice)", stdout)
	}
	_, stdout, _ = vigil(t, "", "subscriptions", "--config", cfg, "--json")
	if !strings.Contains(stdout, `"channel":"console"`) || strings.Count(stdout, `"images":false`) != 1 || strings.Count(stdout, `"images":true`) != 1 {
		t.Errorf("subscriptions --json:\n%s\nwant images false for the console and true for the chat", stdout)
	}
}
