package discord

import (
	"context"
	"log/slog"
	"net/http"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/vigil-bot/vigil/bot"
	"github.com/vigil-bot/vigil/bot/discord/discordtest"
	"github.com/vigil-bot/vigil/config"
	"github.com/vigil-bot/vigil/store"
)

// fastSpacing stands in for Discord's 5 s between IDENTIFYs of one
// rate-limit key: the fake counts an IDENTIFY within fakeSpacing of the
// last of its key as too soon, and the client waits a little longer.
const (
	fakeSpacing = 150 * time.Millisecond
	fastSpacing = 200 * time.Millisecond
)

// guildsOn returns n guild ids for each shard of count, as Discord
// assigns them ((id >> 22) % count).
func guildsOn(count, n int) [][]string {
	out := make([][]string, count)
	for i := range n * count {
		id := strconv.FormatUint(uint64(5000+i)<<22, 10)
		sh := discordtest.ShardOf(id, count)
		if len(out[sh]) < n {
			out[sh] = append(out[sh], id)
		}
	}
	return out
}

// TestShardsAnswerTheirGuilds: with discord.shards auto, the client runs
// the fake's recommended three shards through the real discordgo, each
// identifying with its [id, 3] one after the other (max_concurrency 1),
// never too soon; each shard gets its own guilds and the interactions of
// its guilds, and answers them through its own session; /healthz's
// source says all is well.
func TestShardsAnswerTheirGuilds(t *testing.T) {
	const count = 3
	srv := discordtest.New(t, discordtest.Options{Shards: count, GuildsPerShard: 2, IdentifySpacing: fakeSpacing})
	guilds := guildsOn(count, 2)
	for _, g := range guilds {
		srv.AddGuilds(g...)
	}
	e := startWith(t, "", srv, nil, nil, WithIdentifySpacing(fastSpacing))
	if err := srv.WaitShards(count, wait); err != nil {
		t.Fatalf("shards: %v; identifies %v", err, srv.IdentifyLog())
	}
	log := srv.IdentifyLog()
	var order []int
	for _, id := range log {
		if id.Count != count {
			t.Errorf("IDENTIFY with shard [%d, %d]; want a count of %d", id.Shard, id.Count, count)
		}
		order = append(order, id.Shard)
	}
	if slices.Sort(order); !slices.Equal(order, []int{0, 1, 2}) {
		t.Errorf("identified shards %v; want 0, 1 and 2 once each", order)
	}
	if n := srv.IdentifiesTooSoon(); n != 0 {
		t.Errorf("%d IDENTIFYs within %v of the last; want none", n, fakeSpacing)
	}
	for sh, want := range guilds {
		if got := srv.GuildsSent(sh); !slices.Equal(got, want) {
			t.Errorf("shard %d got guilds %v; want %v", sh, got, want)
		}
	}
	if err := waitUntil(func() bool { return e.c.Healthy() == nil }); err != nil {
		t.Errorf("Healthy with every shard up: %v", e.c.Healthy())
	}
	perShard := make([]int64, count)
	for sh, gs := range guilds {
		for _, g := range gs {
			it, err := srv.SlashCommand(discordtest.Invoke{GuildID: g, ChannelID: "810000000000000001", UserID: memberID}, "help", nil)
			if err != nil {
				t.Fatal(err)
			}
			if it.Shard != sh {
				t.Errorf("guild %s's interaction went to shard %d; want %d", g, it.Shard, sh)
			}
			m, err := it.Reply(wait)
			if err != nil || !strings.Contains(m.Content, "case") {
				t.Errorf("/help in guild %s (shard %d): %q, %v", g, sh, m.Content, err)
			}
			perShard[sh]++
		}
	}
	status := e.c.Shards()
	if len(status) != count {
		t.Fatalf("Shards() = %+v; want %d", status, count)
	}
	for i, st := range status {
		if st.ID != i || st.Count != count || !st.Connected || st.Err != nil {
			t.Errorf("shard %d: %+v; want connected, %d of %d", i, st, i, count)
		}
		if st.Received != perShard[i] || st.Answered != perShard[i] {
			t.Errorf("shard %d received %d and answered %d interactions; want %d of each, on their own shard",
				i, st.Received, st.Answered, perShard[i])
		}
	}
}

// TestShardsConfigured: discord.shards: 2 runs two shards whatever the
// fake recommends, and with max_concurrency 2 both identify at once
// (rate-limit keys 0 and 1), none too soon.
func TestShardsConfigured(t *testing.T) {
	srv := discordtest.New(t, discordtest.Options{Shards: 5, MaxConcurrency: 2, IdentifySpacing: time.Hour})
	e := startWith(t, "", srv, func(c *config.Config) { c.Discord.Shards = 2 }, nil, WithIdentifySpacing(time.Hour))
	if err := srv.WaitShards(2, wait); err != nil {
		t.Fatalf("shards: %v; identifies %v", err, srv.IdentifyLog())
	}
	if n, log := srv.IdentifiesTooSoon(), srv.IdentifyLog(); n != 0 || len(log) != 2 {
		t.Errorf("%d IDENTIFYs (%d too soon); want 2, both at once under max_concurrency 2: %v", len(log), n, log)
	}
	if got := len(e.c.Shards()); got != 2 {
		t.Errorf("%d shards; want 2", got)
	}
}

// TestShardingRequired: a bot in more guilds than one shard may hold that
// runs one shard is closed with 4011. The client says so in the log and
// in Healthy, naming the shard and the setting, and does not try again;
// REST (the sends) goes on working.
func TestShardingRequired(t *testing.T) {
	srv := discordtest.New(t, discordtest.Options{Shards: 2, GuildsPerShard: 2})
	for _, g := range guildsOn(2, 2) {
		srv.AddGuilds(g...)
	}
	st, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "v.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	cfg := config.Default()
	cfg.Discord.Token, cfg.Discord.APIBase, cfg.Discord.Shards = srv.Token, srv.URL, 1
	logs := &syncBuffer{}
	c, err := New(cfg, bot.NewHandler(st, cfg, slog.New(slog.NewTextHandler(logs, nil))), slog.New(slog.NewTextHandler(logs, nil)))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- c.Run(ctx) }()
	if err := waitUntil(func() bool { return len(srv.CloseCodes()) > 0 }); err != nil {
		t.Fatalf("the fake never refused the bot: %v\n%s", err, logs)
	}
	if err := waitUntil(func() bool { return strings.Contains(logs.String(), "gateway shard refused") }); err != nil {
		t.Fatalf("no log of the refusal:\n%s", logs)
	}
	herr := c.Healthy()
	for _, want := range []string{"gateway shard 0 of 1 not connected: sharding required", "close 4011", "discord.shards"} {
		if herr == nil || !strings.Contains(herr.Error(), want) {
			t.Errorf("Healthy = %v; want it to name %q", herr, want)
		}
	}
	if out := logs.String(); !strings.Contains(out, "shard=0 shards=1") || !strings.Contains(out, "sharding required") {
		t.Errorf("log does not explain the refusal:\n%s", out)
	}
	// Not a reconnect loop: the same single refusal a while later.
	time.Sleep(1500 * time.Millisecond)
	if got := srv.CloseCodes(); !slices.Equal(got, []int{4011}) {
		t.Errorf("close codes %v; want one 4011 and no retry", got)
	}
	if _, err := c.Send(ctx, "820000000000000001", bot.Message{Lead: "Still delivering"}); err != nil {
		t.Errorf("Send without a gateway: %v", err)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Run: %v", err)
		}
	case <-time.After(wait):
		t.Fatal("Run did not stop")
	}
	if out := logs.String(); strings.Contains(out, srv.Token) {
		t.Errorf("the token leaked into the logs:\n%s", out)
	}
}

// TestShardingRequiredAuto: with discord.shards auto, a 4011 makes the
// client ask Discord again; when it now recommends more shards, the
// client reconnects with them, every shard comes up with its guilds, and
// no IDENTIFY comes too soon, across the restart either.
func TestShardingRequiredAuto(t *testing.T) {
	srv := discordtest.New(t, discordtest.Options{Shards: 1, GuildsPerShard: 2, IdentifySpacing: fakeSpacing})
	guilds := guildsOn(2, 2)
	for _, g := range guilds {
		srv.AddGuilds(g...)
	}
	logs := &syncBuffer{}
	st, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "v.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	cfg := config.Default()
	cfg.Discord.Token, cfg.Discord.APIBase = srv.Token, srv.URL
	log := slog.New(slog.NewTextHandler(logs, nil))
	// Discord recommends 1 shard until the bot asks a second time.
	var calls atomic.Int32
	recommend := roundTripFunc(func(req *http.Request) (*http.Response, error) {
		if strings.HasSuffix(req.URL.Path, "/gateway/bot") && calls.Add(1) == 2 {
			srv.Recommend(2)
		}
		return http.DefaultTransport.RoundTrip(req)
	})
	c, err := New(cfg, bot.NewHandler(st, cfg, log), log, WithIdentifySpacing(fastSpacing), WithTransport(recommend))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- c.Run(ctx) }()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
	}()
	if err := srv.WaitShards(2, wait); err != nil {
		t.Fatalf("after the 4011: %v; identifies %v\n%s", err, srv.IdentifyLog(), logs)
	}
	if got := srv.CloseCodes(); !slices.Equal(got, []int{4011}) {
		t.Errorf("close codes %v; want the one 4011", got)
	}
	if n := srv.IdentifiesTooSoon(); n != 0 {
		t.Errorf("%d IDENTIFYs too soon; want none, across the restart too", n)
	}
	for sh, want := range guilds {
		if got := srv.GuildsSent(sh); !slices.Equal(got, want) {
			t.Errorf("shard %d got guilds %v; want %v", sh, got, want)
		}
	}
	if err := waitUntil(func() bool { return c.Healthy() == nil }); err != nil {
		t.Errorf("Healthy after resharding: %v", c.Healthy())
	}
	if !strings.Contains(logs.String(), "Discord asks for more shards") {
		t.Errorf("the restart is not logged:\n%s", logs)
	}
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(req *http.Request) (*http.Response, error) { return f(req) }
