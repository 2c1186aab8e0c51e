package main

import (
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/vigil-bot/vigil/bot/discord/discordtest"
)

// guildsOnShard returns n guild ids that Discord puts on shard of count.
func guildsOnShard(shard, count, n int) []string {
	var out []string
	for i := 0; len(out) < n; i++ {
		id := strconv.FormatUint(uint64(6000+i)<<22, 10)
		if discordtest.ShardOf(id, count) == shard {
			out = append(out, id)
		}
	}
	return out
}

// TestServeDiscordShards: `vigil serve` with discord.shards: 2 runs two
// gateway shards. When Discord refuses one (4011: it holds too many
// guilds), /healthz answers 503 naming that shard alone and why, the log
// says it, and the other shard answers its guild's commands; with the
// shards Discord asks for (auto), /healthz is ok once both are up.
func TestServeDiscordShards(t *testing.T) {
	srv := discordtest.New(t, discordtest.Options{Shards: 3, MaxConcurrency: 3, GuildsPerShard: 2})
	on0, on1 := guildsOnShard(0, 2, 1), guildsOnShard(1, 2, 3) // shard 1 of 2 holds one guild too many
	srv.AddGuilds(append(on0, on1...)...)
	env := func(k string) string {
		if k == "VIGIL_DISCORD_TOKEN" {
			return srv.Token
		}
		return ""
	}
	dir := t.TempDir()
	cfg := filepath.Join(dir, "vigil.yaml")
	writeFile(t, cfg, fmt.Sprintf("database: v.db\nhttp: {listen: \"127.0.0.1:0\"}\ndiscord: {api_base: %q, shards: 2}\n", srv.URL))
	s := startServe(t, env, "--config", cfg)
	waitFor(t, &s.stderr, "gateway shard refused")
	code, body := s.httpGet(t, "/healthz")
	if code != 503 || !strings.Contains(body, "discord: gateway shard 1 of 2 not connected: sharding required") ||
		!strings.Contains(body, "discord.shards") || strings.Contains(body, "shard 0 of 2") {
		t.Errorf("/healthz with shard 1 refused: %d %q; want 503 naming shard 1 of 2 alone, and why", code, body)
	}
	if !strings.Contains(s.stderr.String(), "shard=1 shards=2") {
		t.Errorf("the log does not name the refused shard:\n%s", s.stderr.String())
	}
	if err := srv.WaitShard(0, 2, 15*time.Second); err != nil {
		t.Fatal(err)
	}
	waitFor(t, &s.stderr, "commands registered")
	it, err := srv.SlashCommand(discordtest.Invoke{GuildID: on0[0], ChannelID: "830", UserID: "900"}, "help", nil)
	if err != nil {
		t.Fatal(err)
	}
	if m, err := it.Reply(10 * time.Second); err != nil || it.Shard != 0 || !strings.Contains(m.Content, "case") {
		t.Errorf("/help on shard 0: %q, %v (shard %d)", m.Content, err, it.Shard)
	}
	s.stop(t, 20*time.Second)

	// auto: the fake's three shards, each within the limit.
	writeFile(t, cfg, fmt.Sprintf("database: v.db\nhttp: {listen: \"127.0.0.1:0\"}\ndiscord: {api_base: %q}\n", srv.URL))
	s = startServe(t, env, "--config", cfg)
	if err := srv.WaitShards(3, 15*time.Second); err != nil {
		t.Fatalf("auto: %v\n%s", err, s.stderr.String())
	}
	code, body = s.healthzWithin(t, 15*time.Second)
	if code != 200 || strings.TrimSpace(body) != "ok" {
		t.Errorf("/healthz with three shards up: %d %q; want 200 ok", code, body)
	}
	s.stop(t, 20*time.Second)
	if strings.Contains(s.stdout.String()+s.stderr.String(), srv.Token) {
		t.Error("token in output")
	}
}
