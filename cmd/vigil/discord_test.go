package main

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vigil-bot/vigil/bot"
	"github.com/vigil-bot/vigil/bot/discord/discordtest"
)

// TestServeDiscord: `vigil serve` with a Discord token and api_base
// registers the commands in the guild, answers /case query:rustanov with
// Rustamov's embed and delivers an alert queued by the CLI.
func TestServeDiscord(t *testing.T) {
	srv := discordtest.New(t, discordtest.Options{})
	dir := t.TempDir()
	cfg := filepath.Join(dir, "vigil.yaml")
	writeFile(t, cfg, fmt.Sprintf("database: v.db\nhttp: {listen: \"127.0.0.1:0\"}\ndiscord: {api_base: %q, guild_id: \"700\"}\n", srv.URL))
	env := func(k string) string {
		if k == "VIGIL_DISCORD_TOKEN" {
			return srv.Token
		}
		return ""
	}
	if code, _, stderr := vigil(t, "", "subscribe", "--config", cfg, "discord:800", "AZ"); code != 0 {
		t.Fatal(stderr)
	}
	var stdout, stderr syncBuffer
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"serve", "--config", cfg}, strings.NewReader(""), &stdout, &stderr, env)
	}()
	if err := srv.WaitConnected(15 * time.Second); err != nil {
		t.Fatalf("gateway: %v\n%s", err, stderr.String())
	}
	deadline := time.Now().Add(10 * time.Second)
	want := len(bot.CommandNames()) // every command of the table
	for len(srv.Commands("700")) < want && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if n := len(srv.Commands("700")); n != want || want < 11 {
		t.Fatalf("%d guild commands registered; want %d (at least 11)", n, want)
	}
	it, err := srv.SlashCommand(discordtest.Invoke{GuildID: "700", ChannelID: "800", UserID: "900"}, "case", map[string]string{"query": "rustanov"})
	if err != nil {
		t.Fatal(err)
	}
	msg, err := it.Reply(10 * time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if len(msg.Embeds) == 0 || !strings.Contains(string(msg.Raw), "February 2021") || !strings.Contains(string(msg.Raw), "Saleh Rustamov") {
		t.Errorf("reply to /case query:rustanov: %s", msg.Raw)
	}
	if code, out, stderr := vigil(t, "", "alert", "--config", cfg, "saleh-rustamov", "--message", "Write today"); code != 0 || !strings.Contains(out, "queued for 1 channel") {
		t.Fatalf("alert: %s %s", out, stderr)
	}
	if msgs, err := srv.WaitMessages("800", 1, 15*time.Second); err != nil || !strings.Contains(string(msgs[0].Raw), "Write today") {
		t.Errorf("alert in channel 800: %v %v", msgs, err)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("serve: %v", err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("serve did not stop")
	}
	if strings.Contains(stdout.String()+stderr.String(), srv.Token) {
		t.Error("token in output")
	}
}
