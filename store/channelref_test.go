package store

import (
	"context"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestCanonicalChat(t *testing.T) {
	tests := []struct {
		platform, chat string
		want           string // canonical spelling; empty: refused
		why            string // part of the refusal
	}{
		{"telegram", "-100123", "-100123", ""},
		{"telegram", "-0100123", "-100123", ""},
		{"telegram", "-000100123", "-100123", ""},
		{"telegram", "+123", "123", ""},
		{"telegram", "0123", "123", ""},
		{"telegram", "123456789", "123456789", ""},
		{"telegram", "-1001234567890", "-1001234567890", ""},
		{"telegram", "-1997852516352", "-1997852516352", ""}, // the last channel id
		{"telegram", "-999999999999", "-999999999999", ""},   // the last basic group
		{"telegram", "4503599627370495", "4503599627370495", ""},
		{"telegram", "0", "", "0 is no chat"},
		{"telegram", "-0", "", "0 is no chat"},
		{"telegram", "+0", "", "0 is no chat"},
		{"telegram", "-1000000000000", "", "outside Telegram's chat ids"}, // channel id 0
		{"telegram", "-1997852516353", "", "outside Telegram's chat ids"}, // a secret chat
		{"telegram", "-9223372036854775808", "", "outside Telegram's chat ids"},
		{"telegram", "4503599627370496", "", "outside Telegram's chat ids"}, // 53 bits
		{"telegram", "9223372036854775808", "", "not a whole number"},
		{"telegram", "", "", "not a whole number"},
		{"telegram", "-", "", "not a whole number"},
		{"telegram", "1_000", "", "not a whole number"},
		{"telegram", " 123", "", "not a whole number"},
		{"telegram", "0x10", "", "not a whole number"},
		{"telegram", "@channel", "", "not a whole number"},
		{"discord", "112233445566778899", "112233445566778899", ""},
		{"discord", "0112233", "112233", ""},
		{"discord", "18446744073709551615", "18446744073709551615", ""},
		{"discord", "0", "", "0 is no channel"},
		{"discord", "000", "", "0 is no channel"},
		{"discord", "+112233", "", "not a snowflake"},
		{"discord", "-112233", "", "not a snowflake"},
		{"discord", "18446744073709551616", "", "not a snowflake"},
		{"discord", "", "", "not a snowflake"},
		{"console", "console", "console", ""},
		{"console", "other", "", "the console has one chat"},
		{"console", "", "", "the console has one chat"},
		{"slack", "C123", "", `unknown platform "slack"`},
		{"", "123", "", "no platform"},
	}
	for _, tt := range tests {
		got, err := CanonicalChat(tt.platform, tt.chat)
		switch {
		case tt.want != "" && (err != nil || got != tt.want):
			t.Errorf("CanonicalChat(%q, %q) = %q, %v; want %q", tt.platform, tt.chat, got, err, tt.want)
		case tt.want == "" && (err == nil || !strings.Contains(err.Error(), tt.why) || strings.Contains(err.Error(), "\n")):
			t.Errorf("CanonicalChat(%q, %q) = %q, %v; want a one-line error with %q", tt.platform, tt.chat, got, err, tt.why)
		}
	}
}

func TestParseChannelRef(t *testing.T) {
	for in, want := range map[string]string{
		"console":           "console:console",
		"telegram:-0100123": "telegram:-100123",
		"discord:0112233":   "discord:112233",
		"telegram:+42":      "telegram:42",
	} {
		p, c, err := ParseChannelRef(in)
		if err != nil || p+":"+c != want {
			t.Errorf("ParseChannelRef(%q) = %s:%s, %v; want %s", in, p, c, err, want)
		}
	}
	for _, in := range []string{"telegram:0", "telegram:+0", "discord:0", "console:console", "console:1", "telegram", "tg:-1", ":1", "telegram:"} {
		if p, c, err := ParseChannelRef(in); err == nil {
			t.Errorf("ParseChannelRef(%q) = %s:%s; want an error", in, p, c)
		}
	}
}

// TestStoreCanonicalizesChats checks the store's own entry points: every
// spelling of a chat is one channel, and impossible ids are refused.
func TestStoreCanonicalizesChats(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	subscribe(t, s, tgChannel("-100123"), "AZ")
	subscribe(t, s, tgChannel("-0100123"), "AZ", "DE")
	subscribe(t, s, Channel{Platform: "discord", Chat: "0112233", Timezone: "UTC", PostTime: "09:00", Language: "en"}, "BY")
	chans, err := s.Channels(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, ch := range chans {
		names = append(names, ch.String()+"="+strings.Join(ch.Countries, ","))
	}
	if want := []string{"discord:112233=BY", "telegram:-100123=AZ,DE"}; !slices.Equal(names, want) {
		t.Errorf("channels = %v; want %v", names, want)
	}
	if ch := channel(t, s, "telegram", "-00100123"); ch.Chat != "-100123" {
		t.Errorf("Channel(-00100123) = %s; want telegram:-100123", ch)
	}
	if n, err := s.Unsubscribe(ctx, "telegram", "-0100123", "DE"); err != nil || n != 1 {
		t.Errorf("Unsubscribe(-0100123, DE) = %d, %v; want 1", n, err)
	}
	for _, ch := range []Channel{tgChannel("0"), tgChannel("+0"), tgChannel("-1000000000000"), tgChannel("abc"),
		{Platform: "discord", Chat: "0"}, {Platform: "console", Chat: "other"}} {
		if _, err := s.Subscribe(ctx, ch, "AZ", t0); err == nil {
			t.Errorf("Subscribe(%s) succeeded; want a refusal", ch)
		}
		if _, err := s.UpdateSettings(ctx, Channel{Platform: ch.Platform, Chat: ch.Chat, Language: "de"}, bakuDefaults, t0); err == nil {
			t.Errorf("UpdateSettings(%s) succeeded; want a refusal", ch)
		}
	}
	if err := s.MoveChannel(ctx, "telegram", "-100123", "0"); err == nil {
		t.Error("MoveChannel to telegram:0 succeeded; want a refusal")
	}
	if err := s.MoveChannel(ctx, "telegram", "-100123", "-0100123"); err != nil || channel(t, s, "telegram", "-100123").Chat != "-100123" {
		t.Errorf("MoveChannel to another spelling of itself: %v; want a no-op", err)
	}
	if n := countRows(t, s, `SELECT count(*) FROM channels`); n != 2 {
		t.Errorf("%d channels after the refusals; want 2", n)
	}
}

// TestOpenMergesNonCanonicalChats checks that a database from before ids
// were canonical (the CLI stored "telegram:-0100123" as given) has its
// duplicates merged on open: the older channel's settings win, the
// subscriptions and the history join, and nothing is posted twice.
func TestOpenMergesNonCanonicalChats(t *testing.T) {
	path := filepath.Join(t.TempDir(), "vigil.db")
	s := openAt(t, path)
	seedCases(t, s)
	for _, q := range []string{
		// -0100123 is the older; -100123 was added later under its real id.
		`INSERT INTO channels (platform, chat, timezone, post_time, language, created_at) VALUES ('telegram', '-0100123', 'Europe/Berlin', '08:00', 'de', 1)`,
		`INSERT INTO channels (platform, chat, timezone, post_time, language, created_at) VALUES ('telegram', '-100123', 'Asia/Baku', '10:00', 'az', 2)`,
		`INSERT INTO subscriptions (platform, chat, country, created_at) VALUES ('telegram', '-0100123', 'DE', 1), ('telegram', '-100123', 'AZ', 2), ('telegram', '-0100123', 'AZ', 1)`,
		// Only the non-canonical spelling: renamed.
		`INSERT INTO channels (platform, chat, timezone, post_time, language, created_at) VALUES ('discord', '0112233', 'UTC', '09:00', 'en', 3)`,
		`INSERT INTO subscriptions (platform, chat, country, created_at) VALUES ('discord', '0112233', 'BY', 3)`,
		// An impossible id stays, for the operator to remove.
		`INSERT INTO channels (platform, chat, timezone, post_time, language, created_at) VALUES ('telegram', '0', 'UTC', '09:00', 'en', 4)`,
		// A sent post of the old spelling moves with it.
		`INSERT INTO outbox (key, platform, chat, kind, due_at, next_at, state, created_at) VALUES ('old', 'telegram', '-0100123', 'alert', 1, 1, 'sent', 1)`,
	} {
		if _, err := s.db.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	s.Close()

	s = openAt(t, path)
	chans, err := s.Channels(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, ch := range chans {
		got = append(got, ch.String()+" "+strings.Join(ch.Countries, ",")+" "+ch.Timezone+" "+ch.PostTime+" "+ch.Language)
	}
	want := []string{"discord:112233 BY UTC 09:00 en", "telegram:-100123 AZ,DE Europe/Berlin 08:00 de", "telegram:0  UTC 09:00 en"}
	if !slices.Equal(got, want) {
		t.Errorf("channels after open:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if n := countRows(t, s, `SELECT count(*) FROM outbox WHERE key = 'old' AND chat = '-100123'`); n != 1 {
		t.Errorf("the old spelling's sent post did not move to -100123")
	}
}
