package store

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"
)

// bakuDefaults are the settings a new channel gets in these tests.
var bakuDefaults = Channel{Timezone: "Asia/Baku", PostTime: "10:00", Language: "az"}

func tgChannel(chat string) Channel {
	ch := bakuDefaults
	ch.Platform, ch.Chat = "telegram", chat
	return ch
}

func subscribe(t *testing.T, s *Store, ch Channel, countries ...string) {
	t.Helper()
	for _, c := range countries {
		if _, err := s.Subscribe(context.Background(), ch, c, t0); err != nil {
			t.Fatalf("Subscribe(%s, %s): %v", ch, c, err)
		}
	}
}

func channel(t *testing.T, s *Store, platform, chat string) Channel {
	t.Helper()
	ch, err := s.Channel(context.Background(), platform, chat)
	if err != nil {
		t.Fatalf("Channel(%s, %s): %v", platform, chat, err)
	}
	return ch
}

func chatsOf(chs []Channel) []string {
	var out []string
	for _, ch := range chs {
		out = append(out, ch.String())
	}
	return out
}

func TestSubscribeCreatesChannel(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	added, err := s.Subscribe(ctx, tgChannel("-1001"), "AZ", t0)
	if err != nil || !added {
		t.Fatalf("first Subscribe = %v, %v; want true, nil", added, err)
	}
	ch := channel(t, s, "telegram", "-1001")
	if ch.Platform != "telegram" || ch.Chat != "-1001" || ch.Timezone != "Asia/Baku" || ch.PostTime != "10:00" || ch.Language != "az" {
		t.Errorf("Channel = %+v; want telegram:-1001 with the defaults Asia/Baku 10:00 az", ch)
	}
	if ch.Paused() || ch.PausedReason != "" || !ch.PausedAt.IsZero() {
		t.Errorf("new channel paused: %+v; want active", ch)
	}
	if !slices.Equal(ch.Countries, []string{"AZ"}) {
		t.Errorf("Countries = %v; want [AZ]", ch.Countries)
	}

	// Again: nothing added, and other defaults do not overwrite settings.
	other := Channel{Platform: "telegram", Chat: "-1001", Timezone: "Europe/Berlin", PostTime: "08:00", Language: "de"}
	added, err = s.Subscribe(ctx, other, "AZ", t0.Add(time.Hour))
	if err != nil || added {
		t.Errorf("second Subscribe = %v, %v; want false, nil", added, err)
	}
	ch2 := channel(t, s, "telegram", "-1001")
	if ch2.Timezone != "Asia/Baku" || ch2.PostTime != "10:00" || ch2.Language != "az" || !slices.Equal(ch2.Countries, []string{"AZ"}) {
		t.Errorf("Channel after second Subscribe = %+v; want settings kept and Countries [AZ]", ch2)
	}
	if n := countRows(t, s, `SELECT count(*) FROM subscriptions`); n != 1 {
		t.Errorf("subscriptions rows: got %d; want 1", n)
	}
	// Another country on the same channel is added.
	added, err = s.Subscribe(ctx, other, "DE", t0)
	if err != nil || !added {
		t.Errorf("Subscribe to a second country = %v, %v; want true, nil", added, err)
	}
}

func TestChannelCountriesSorted(t *testing.T) {
	s := newStore(t)
	ch := tgChannel("-1002")
	subscribe(t, s, ch, "DE", "UA", "AZ", "BY", "GE")
	got := channel(t, s, "telegram", "-1002").Countries
	if want := []string{"AZ", "BY", "DE", "GE", "UA"}; !slices.Equal(got, want) {
		t.Errorf("Countries = %v; want %v", got, want)
	}
	// A channel without subscriptions has none.
	if _, err := s.Unsubscribe(context.Background(), "telegram", "-1002", ""); err != nil {
		t.Fatal(err)
	}
	if got := channel(t, s, "telegram", "-1002").Countries; got != nil {
		t.Errorf("Countries after unsubscribing all = %v; want nil", got)
	}
}

func TestChannelsAndSubscribers(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	subscribe(t, s, tgChannel("-2"), "AZ")
	subscribe(t, s, tgChannel("-1"), "AZ", "DE")
	subscribe(t, s, Channel{Platform: "discord", Chat: "555", Timezone: "UTC", PostTime: "12:00", Language: "en"}, "DE")
	subscribe(t, s, Channel{Platform: "console", Chat: "console", Timezone: "UTC", PostTime: "12:00", Language: "en"}, "AZ")
	// A channel with settings but no subscription.
	if _, err := s.UpdateSettings(ctx, Channel{Platform: "telegram", Chat: "-3", Language: "ru"}, bakuDefaults, t0); err != nil {
		t.Fatal(err)
	}
	if err := s.PauseChannel(ctx, "telegram", "-2", "kicked", t0); err != nil {
		t.Fatal(err)
	}

	all, err := s.Channels(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := chatsOf(all), []string{"console", "discord:555", "telegram:-1", "telegram:-2", "telegram:-3"}; !slices.Equal(got, want) {
		t.Errorf("Channels() = %v; want %v", got, want)
	}

	tests := []struct {
		country string
		want    []string
	}{
		{"AZ", []string{"console", "telegram:-1", "telegram:-2"}}, // paused included
		{"DE", []string{"discord:555", "telegram:-1"}},
		{"FR", nil},
	}
	for _, tt := range tests {
		got, err := s.Subscribers(ctx, tt.country)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(chatsOf(got), tt.want) {
			t.Errorf("Subscribers(%s) = %v; want %v", tt.country, chatsOf(got), tt.want)
		}
		for _, ch := range got {
			if !slices.Contains(ch.Countries, tt.country) {
				t.Errorf("Subscribers(%s): %s has Countries %v; want it to include %s", tt.country, ch, ch.Countries, tt.country)
			}
			if ch.String() == "telegram:-2" && !ch.Paused() {
				t.Errorf("Subscribers(%s): telegram:-2 not paused; want paused", tt.country)
			}
		}
	}
}

func TestUnsubscribe(t *testing.T) {
	tests := []struct {
		name          string
		platform      string
		chat, country string
		wantN         int
		wantCountries []string
	}{
		{"one", "telegram", "-1", "DE", 1, []string{"AZ", "GE"}},
		{"all", "telegram", "-1", "", 3, nil},
		{"not subscribed", "telegram", "-1", "FR", 0, []string{"AZ", "DE", "GE"}},
		{"other channel", "telegram", "-9", "", 0, []string{"AZ", "DE", "GE"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newStore(t)
			subscribe(t, s, tgChannel("-1"), "AZ", "DE", "GE")
			subscribe(t, s, tgChannel("-2"), "AZ", "DE")
			n, err := s.Unsubscribe(context.Background(), tt.platform, tt.chat, tt.country)
			if err != nil || n != tt.wantN {
				t.Errorf("Unsubscribe = %d, %v; want %d, nil", n, err, tt.wantN)
			}
			if got := channel(t, s, "telegram", "-1").Countries; !slices.Equal(got, tt.wantCountries) {
				t.Errorf("Countries of telegram:-1 = %v; want %v", got, tt.wantCountries)
			}
			// The other channel is untouched, and the channel itself stays.
			if got := channel(t, s, "telegram", "-2").Countries; !slices.Equal(got, []string{"AZ", "DE"}) {
				t.Errorf("Countries of telegram:-2 = %v; want [AZ DE]", got)
			}
		})
	}
}

func TestUpdateSettings(t *testing.T) {
	tests := []struct {
		name   string
		change Channel
		want   Channel // Timezone, PostTime, Language
	}{
		{"time zone only", Channel{Timezone: "Europe/Berlin"}, Channel{Timezone: "Europe/Berlin", PostTime: "10:00", Language: "az"}},
		{"post time only", Channel{PostTime: "07:30"}, Channel{Timezone: "Asia/Baku", PostTime: "07:30", Language: "az"}},
		{"language only", Channel{Language: "en"}, Channel{Timezone: "Asia/Baku", PostTime: "10:00", Language: "en"}},
		{"all", Channel{Timezone: "UTC", PostTime: "23:59", Language: "de"}, Channel{Timezone: "UTC", PostTime: "23:59", Language: "de"}},
		{"nothing", Channel{}, Channel{Timezone: "Asia/Baku", PostTime: "10:00", Language: "az"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newStore(t)
			subscribe(t, s, tgChannel("-1"), "AZ", "DE")
			if err := s.PauseChannel(context.Background(), "telegram", "-1", "flood", t0); err != nil {
				t.Fatal(err)
			}
			change := tt.change
			change.Platform, change.Chat = "telegram", "-1"
			// The defaults apply to new channels only.
			got, err := s.UpdateSettings(context.Background(), change, Channel{Timezone: "America/New_York", PostTime: "01:00", Language: "fr"}, t0)
			if err != nil {
				t.Fatal(err)
			}
			if got.Timezone != tt.want.Timezone || got.PostTime != tt.want.PostTime || got.Language != tt.want.Language {
				t.Errorf("UpdateSettings = %s %s %s; want %s %s %s", got.Timezone, got.PostTime, got.Language, tt.want.Timezone, tt.want.PostTime, tt.want.Language)
			}
			// Other fields are left alone.
			if !slices.Equal(got.Countries, []string{"AZ", "DE"}) || got.PausedReason != "flood" || !got.PausedAt.Equal(t0) {
				t.Errorf("UpdateSettings changed other fields: %+v; want Countries [AZ DE], paused for flood at %v", got, t0)
			}
			if stored := channel(t, s, "telegram", "-1"); stored.Timezone != got.Timezone || stored.PostTime != got.PostTime || stored.Language != got.Language {
				t.Errorf("stored channel %+v differs from the returned %+v", stored, got)
			}
		})
	}
}

func TestUpdateSettingsCreatesChannel(t *testing.T) {
	s := newStore(t)
	got, err := s.UpdateSettings(context.Background(), Channel{Platform: "discord", Chat: "777", Language: "de"},
		Channel{Platform: "ignored", Chat: "ignored", Timezone: "Europe/Berlin", PostTime: "09:00", Language: "en"}, t0)
	if err != nil {
		t.Fatal(err)
	}
	if got.Platform != "discord" || got.Chat != "777" || got.Timezone != "Europe/Berlin" || got.PostTime != "09:00" || got.Language != "de" || got.Countries != nil {
		t.Errorf("UpdateSettings of a new channel = %+v; want discord:777 Europe/Berlin 09:00 de with no countries", got)
	}
	if n := countRows(t, s, `SELECT count(*) FROM channels WHERE platform = 'ignored'`); n != 0 {
		t.Errorf("channels named by the defaults: got %d; want 0", n)
	}
}

func TestPauseResume(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	subscribe(t, s, tgChannel("-1"), "AZ")
	subscribe(t, s, tgChannel("-2"), "AZ")
	if _, err := s.db.Exec(`UPDATE channels SET refusals = 3 WHERE chat = '-1'`); err != nil {
		t.Fatal(err)
	}
	at := t0.Add(90 * time.Minute)
	if err := s.PauseChannel(ctx, "telegram", "-1", "bot was blocked", at); err != nil {
		t.Fatal(err)
	}
	ch := channel(t, s, "telegram", "-1")
	if !ch.Paused() || ch.PausedReason != "bot was blocked" || !ch.PausedAt.Equal(at) {
		t.Errorf("paused channel = %+v; want paused for %q at %v", ch, "bot was blocked", at)
	}
	if other := channel(t, s, "telegram", "-2"); other.Paused() {
		t.Errorf("telegram:-2 paused too; want only telegram:-1")
	}
	// Pausing an unknown channel is not an error and creates nothing.
	if err := s.PauseChannel(ctx, "telegram", "-404", "x", at); err != nil {
		t.Errorf("PauseChannel of an unknown channel: %v; want nil", err)
	}
	if n := countRows(t, s, `SELECT count(*) FROM channels`); n != 2 {
		t.Errorf("channels: got %d; want 2", n)
	}

	if err := s.ResumeChannel(ctx, "telegram", "-1"); err != nil {
		t.Fatal(err)
	}
	ch = channel(t, s, "telegram", "-1")
	if ch.Paused() || ch.PausedReason != "" || !ch.PausedAt.IsZero() {
		t.Errorf("resumed channel = %+v; want active", ch)
	}
	if n := countRows(t, s, `SELECT refusals FROM channels WHERE chat = '-1'`); n != 0 {
		t.Errorf("refusals after resume = %d; want 0", n)
	}
}

func TestSubscribeResumesPausedChannel(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	subscribe(t, s, tgChannel("-1"), "AZ")
	if err := s.PauseChannel(ctx, "telegram", "-1", "kicked", t0); err != nil {
		t.Fatal(err)
	}
	// Even re-subscribing to a country it has resumes the channel.
	added, err := s.Subscribe(ctx, tgChannel("-1"), "AZ", t0.Add(time.Hour))
	if err != nil || added {
		t.Errorf("Subscribe = %v, %v; want false, nil", added, err)
	}
	if ch := channel(t, s, "telegram", "-1"); ch.Paused() || !ch.PausedAt.IsZero() {
		t.Errorf("channel after Subscribe = %+v; want resumed", ch)
	}
}

func TestMoveChannel(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	seedCases(t, s)
	subscribe(t, s, tgChannel("-100"), "AZ", "DE")
	subscribe(t, s, tgChannel("-200"), "AZ")
	if _, err := s.UpdateSettings(ctx, Channel{Platform: "telegram", Chat: "-100", Language: "en"}, bakuDefaults, t0); err != nil {
		t.Fatal(err)
	}
	// Posts for the old chat in each state, and one for another channel.
	var posts []Post
	for _, key := range []string{"q", "s", "sent", "other"} {
		chat := "-100"
		if key == "other" {
			chat = "-200"
		}
		posts = append(posts, Post{Key: key, Platform: "telegram", Chat: chat, Kind: "test", DueAt: t0})
	}
	if _, err := s.Enqueue(ctx, t0, posts...); err != nil {
		t.Fatal(err)
	}
	if _, err := s.db.Exec(`UPDATE outbox SET state = CASE key WHEN 's' THEN 'sending' WHEN 'sent' THEN 'sent' ELSE state END`); err != nil {
		t.Fatal(err)
	}

	if err := s.MoveChannel(ctx, "telegram", "-100", "-100999"); err != nil {
		t.Fatalf("MoveChannel: %v", err)
	}
	if _, err := s.Channel(ctx, "telegram", "-100"); err == nil {
		t.Error("old channel still found after the move; want ErrNotFound")
	}
	moved := channel(t, s, "telegram", "-100999")
	if !slices.Equal(moved.Countries, []string{"AZ", "DE"}) || moved.Language != "en" || moved.Timezone != "Asia/Baku" {
		t.Errorf("moved channel = %+v; want Countries [AZ DE], language en, Asia/Baku", moved)
	}
	if n := countRows(t, s, `SELECT count(*) FROM subscriptions WHERE chat = '-100'`); n != 0 {
		t.Errorf("subscriptions left on the old chat: %d; want 0", n)
	}
	// Sent posts move too, so the chat's days stay planned as they were.
	wantChat := map[string]string{"q": "-100999", "s": "-100999", "sent": "-100999", "other": "-200"}
	for key, want := range wantChat {
		var chat string
		if err := s.db.QueryRow(`SELECT chat FROM outbox WHERE key = ?`, key).Scan(&chat); err != nil {
			t.Fatal(err)
		}
		if chat != want {
			t.Errorf("post %s: chat = %s; want %s", key, chat, want)
		}
	}
	other, err := s.Subscribers(ctx, "AZ")
	if err != nil {
		t.Fatal(err)
	}
	if got, want := chatsOf(other), []string{"telegram:-100999", "telegram:-200"}; !slices.Equal(got, want) {
		t.Errorf("Subscribers(AZ) = %v; want %v", got, want)
	}
}

func TestChannelString(t *testing.T) {
	tests := []struct {
		ch   Channel
		want string
	}{
		{Channel{Platform: "console", Chat: "console"}, "console"},
		{Channel{Platform: "telegram", Chat: "-1001234"}, "telegram:-1001234"},
		{Channel{Platform: "discord", Chat: "42"}, "discord:42"},
	}
	for _, tt := range tests {
		if got := tt.ch.String(); got != tt.want {
			t.Errorf("%#v.String() = %q; want %q", tt.ch, got, tt.want)
		}
	}
}

// TestMoveChannelOntoExisting: a move onto a chat that is a channel
// already merges the two: the target keeps its settings and gains the
// subscriptions and queued posts; the old chat is gone.
func TestMoveChannelOntoExisting(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	subscribe(t, s, tgChannel("-1"), "AZ")
	subscribe(t, s, tgChannel("-1"), "DE")
	subscribe(t, s, tgChannel("-2"), "DE")
	_, err := s.Enqueue(ctx, t0,
		Post{Key: "alert:1:telegram:-1", Platform: "telegram", Chat: "-1", Kind: KindAlert, DueAt: t0},
		Post{Key: "alert:2:telegram:-1", Platform: "telegram", Chat: "-1", Kind: KindAlert, DueAt: t0},
		Post{Key: "alert:2:telegram:-2", Platform: "telegram", Chat: "-2", Kind: KindAlert, DueAt: t0},                                    // -2 has alert 2 already
		Post{Key: "hunger_strike_day:x:2026-11-27:3:telegram:-1", Platform: "telegram", Chat: "-1", Kind: KindHungerStrikeDay, DueAt: t0}) // -2 has its own plan
	if err != nil {
		t.Fatal(err)
	}
	if err := s.MoveChannel(ctx, "telegram", "-1", "-2"); err != nil {
		t.Fatalf("MoveChannel onto an existing channel: %v", err)
	}
	if _, err := s.Channel(ctx, "telegram", "-1"); !errors.Is(err, ErrNotFound) {
		t.Errorf("old chat: %v; want ErrNotFound", err)
	}
	ch, err := s.Channel(ctx, "telegram", "-2")
	if err != nil || strings.Join(ch.Countries, ",") != "AZ,DE" {
		t.Errorf("merged channel = %+v, %v; want AZ,DE", ch, err)
	}
	posts, err := s.Claim(ctx, t0, 10, "telegram")
	if err != nil || !slices.Equal(keys(posts), []string{"alert:1:telegram:-2", "alert:2:telegram:-2"}) {
		t.Errorf("queued posts after merge = %v, %v; want alerts 1 and 2 once each on -2, no old plan", keys(posts), err)
	}
}
