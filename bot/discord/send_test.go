package discord

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vigil-bot/vigil/bot"
	"github.com/vigil-bot/vigil/bot/discord/discordtest"
	"github.com/vigil-bot/vigil/config"
	"github.com/vigil-bot/vigil/store"
)

// newSender returns a client for Send only (no gateway) against srv.
func newSender(t *testing.T, srv *discordtest.Server, token string) *Client {
	t.Helper()
	st, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "v.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	cfg := config.Default()
	cfg.Discord.Token, cfg.Discord.APIBase = token, srv.URL
	log := slog.New(slog.DiscardHandler)
	c, err := New(cfg, bot.NewHandler(st, cfg, log), log)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

var post = bot.Message{Kind: "alert", Lead: "URGENT: test", Card: &bot.Card{Title: "Amira Testova", Country: "Azerbaijan",
	Status: "imprisoned (as of October 2026)", Lang: "en"}}

func TestSendClassifies(t *testing.T) {
	srv := discordtest.New(t, discordtest.Options{})
	c := newSender(t, srv, srv.Token)
	ch := func(n int) string { return fmt.Sprintf("86000000000000000%d", n) }
	srv.DenyChannel(ch(1), 50001)
	srv.DenyChannel(ch(2), 50013)
	srv.DeleteChannel(ch(3))
	srv.FailNext(ch(4), http.StatusBadRequest, 50035, "Invalid Form Body")
	srv.FailNext(ch(5), http.StatusBadGateway, 0, "502: Bad Gateway")
	srv.RateLimitNext(ch(6), 2500*time.Millisecond, false)
	srv.RateLimitNext(ch(7), 50*time.Millisecond, true)
	srv.FailNext(ch(8), http.StatusNotFound, 0, "404: Not Found")
	srv.FailNext(ch(10), http.StatusForbidden, 40002, "You need to verify your account in order to perform this action.")
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	tests := []struct {
		name      string
		ctx       context.Context
		chat      string
		failure   bot.SendFailure
		ok        bool
		reason    string
		minRetry  time.Duration
		noRequest bool
	}{
		{name: "ok", chat: ch(0), ok: true},
		{name: "missing access", chat: ch(1), failure: bot.ChannelGone, reason: "Missing Access (code 50001)"},
		{name: "missing permissions", chat: ch(2), failure: bot.ChannelGone, reason: "Missing Permissions (code 50013)"},
		{name: "unknown channel", chat: ch(3), failure: bot.ChannelGone, reason: "Unknown Channel (code 10003)"},
		{name: "invalid body", chat: ch(4), failure: bot.Rejected, reason: "50035"},
		{name: "bad gateway", chat: ch(5), failure: bot.Temporary},
		{name: "rate limited", chat: ch(6), failure: bot.Temporary, minRetry: 2 * time.Second},
		{name: "globally rate limited", chat: ch(7), failure: bot.Temporary, minRetry: 10 * time.Millisecond},
		{name: "unknown route", chat: ch(8), failure: bot.Temporary},
		{name: "other 403: not the channel's fault", chat: ch(10), failure: bot.Rejected, reason: "code 40002"},
		{name: "not a channel id", chat: "12/../../users/@me", failure: bot.ChannelGone, noRequest: true},
		{name: "cancelled", ctx: cancelled, chat: ch(9), failure: bot.Temporary, noRequest: true},
	}
	for _, tt := range tests {
		ctx := tt.ctx
		if ctx == nil {
			ctx = context.Background()
		}
		before := srv.Stats().Requests
		id, err := c.Send(ctx, tt.chat, post)
		if tt.ok {
			if err != nil || id == "" {
				t.Errorf("%s: Send = %q, %v; want a message id", tt.name, id, err)
			}
			continue
		}
		var se *bot.SendError
		if !errors.As(err, &se) {
			t.Errorf("%s: Send error %v; want a *bot.SendError", tt.name, err)
			continue
		}
		if se.Failure != tt.failure {
			t.Errorf("%s: failure %v (%v); want %v", tt.name, se.Failure, se, tt.failure)
		}
		if !strings.Contains(se.Error(), tt.reason) {
			t.Errorf("%s: error %q; want it to say %q", tt.name, se, tt.reason)
		}
		if se.RetryAfter < tt.minRetry {
			t.Errorf("%s: retry after %v; want at least %v", tt.name, se.RetryAfter, tt.minRetry)
		}
		if made := srv.Stats().Requests - before; tt.noRequest && made != 0 {
			t.Errorf("%s: %d requests made; want none", tt.name, made)
		}
	}
	if got := srv.Messages(ch(0)); len(got) != 1 {
		t.Errorf("channel 0 has %d messages; want 1", len(got))
	}
}

// TestSendBadToken: a refused token is not the channel's fault.
func TestSendBadToken(t *testing.T) {
	srv := discordtest.New(t, discordtest.Options{})
	c := newSender(t, srv, "not-the-token")
	_, err := c.Send(context.Background(), "860000000000000001", post)
	if se := bot.Classify(err); se.Failure != bot.Temporary || strings.Contains(se.Error(), "not-the-token") {
		t.Errorf("Send with a bad token = %v; want a temporary failure without the token", err)
	}
}

// TestSendPacesChannelBucket: the client waits for the channel's bucket as
// the headers describe it, instead of running into 429s.
func TestSendPacesChannelBucket(t *testing.T) {
	srv := discordtest.New(t, discordtest.Options{RouteLimit: 2, RouteWindow: 300 * time.Millisecond})
	c := newSender(t, srv, srv.Token)
	for i := range 7 {
		if _, err := c.Send(context.Background(), "870000000000000001", post); err != nil {
			t.Fatalf("send %d: %v", i, err)
		}
	}
	if s := srv.Stats(); s.TooManyRequests != 0 || s.Posts != 7 {
		t.Errorf("stats %+v; want 7 posts and no 429", s)
	}
}

// TestSendPacesGlobal: a fan-out never puts more than 50 requests into any
// second at the server.
func TestSendPacesGlobal(t *testing.T) {
	srv := discordtest.New(t, discordtest.Options{})
	c := newSender(t, srv, srv.Token)
	for i := range 70 {
		if _, err := c.Send(context.Background(), fmt.Sprintf("88%016d", i), post); err != nil {
			t.Fatalf("send %d: %v", i, err)
		}
	}
	if s := srv.Stats(); s.TooManyRequests != 0 || s.Posts != 70 {
		t.Errorf("stats %+v; want 70 posts and no 429", s)
	}
	if n := srv.MaxPerWindow(time.Second); n > 50 {
		t.Errorf("%d requests within one second; want at most 50", n)
	}
}

// TestSendHonoursContext: a send waiting for its bucket gives up when its
// context ends.
func TestSendHonoursContext(t *testing.T) {
	srv := discordtest.New(t, discordtest.Options{RouteLimit: 1, RouteWindow: time.Hour})
	c := newSender(t, srv, srv.Token)
	if _, err := c.Send(context.Background(), "890000000000000001", post); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	_, err := c.Send(ctx, "890000000000000001", post)
	if se := bot.Classify(err); se.Failure != bot.Temporary || !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Send past its deadline = %v; want a temporary failure from the context", err)
	}
	if s := srv.Stats(); s.TooManyRequests != 0 {
		t.Errorf("%d 429s; want the client to wait instead", s.TooManyRequests)
	}
}
