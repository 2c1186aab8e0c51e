package discord

import (
	"context"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/vigil-bot/vigil/bot"
)

// Discord's global limit: 50 requests a second per bot, interaction
// endpoints exempt.
const (
	globalLimit  = 50
	globalWindow = time.Second
)

// transport is the http.RoundTripper under the discordgo session. It sends
// requests for https://discord.com to api_base (paths unchanged) and paces
// them: under the global limit, which discordgo does not enforce ahead of
// time, and under each route's bucket as the X-RateLimit-* headers of the
// previous response describe it. Waiting honours the request's context.
type transport struct {
	base   http.RoundTripper
	target *url.URL // nil: leave requests as they are
	global *bot.Window
	rtt    bot.RoundTrips

	mu          sync.Mutex
	globalUntil time.Time // a global 429 stops everything until then
	routes      map[string]*route
}

// route is what the last response told us about one route's bucket.
type route struct {
	remaining int
	resetAt   time.Time
}

func newTransport(base http.RoundTripper, target *url.URL, limit int) *transport {
	if base == nil {
		base = http.DefaultTransport
	}
	return &transport{base: base, target: target, global: bot.NewWindow(limit, globalWindow), routes: map[string]*route{}}
}

// RoundTrip paces, rewrites and sends one request, then records its
// rate-limit headers.
func (t *transport) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx := req.Context()
	key := routeKey(req.Method, req.URL.Path)
	exempt := exemptFromGlobal(req.URL.Path)
	if !exempt {
		if err := t.waitRoute(ctx, key); err != nil {
			return nil, err
		}
		if err := t.waitGlobalBan(ctx); err != nil {
			return nil, err
		}
		if err := t.global.Acquire(ctx); err != nil {
			return nil, err
		}
	}
	out := req
	if t.target != nil && req.URL.Host == "discord.com" {
		out = req.Clone(ctx)
		out.URL.Scheme = t.target.Scheme
		out.URL.Host = t.target.Host
		out.URL.Path = strings.TrimSuffix(t.target.Path, "/") + req.URL.Path
		out.URL.RawPath = ""
		out.Host = ""
	}
	sent := time.Now()
	resp, err := t.base.RoundTrip(out)
	back := time.Now()
	if err == nil {
		t.rtt.Observe(back.Sub(sent))
	}
	if !exempt {
		// The response is back, so the server has seen the request: a
		// slot released now + the window can never crowd that window;
		// the round trip's credit lets the next request leave while it
		// is still on its way there.
		t.global.Release(back, t.rtt.Low())
	}
	if err != nil {
		if out != req {
			err = &sentToError{url: out.URL.String(), err: err}
		}
		return nil, err
	}
	t.record(key, resp)
	// The pacing is done here, honouring contexts; discordgo's own buckets
	// would sleep on the same headers without a way to cancel, so they
	// never see them.
	for k := range resp.Header {
		if strings.HasPrefix(k, "X-Ratelimit-") {
			resp.Header.Del(k)
		}
	}
	return resp, nil
}

// routeKey names the rate-limit bucket of a request: its method and
// path, with a message id replaced, because Discord shares one bucket
// among the edits (or deletions) of a channel's messages.
func routeKey(method, path string) string {
	parts := strings.Split(path, "/")
	for i := 0; i+2 < len(parts); i++ {
		if parts[i] == "channels" && parts[i+2] == "messages" && i+3 < len(parts) {
			parts[i+3] = ":id"
		}
	}
	return method + " " + strings.Join(parts, "/")
}

// exemptFromGlobal reports whether path is an interaction endpoint, which
// Discord keeps out of the global limit.
func exemptFromGlobal(path string) bool {
	return strings.Contains(path, "/interactions/") || strings.Contains(path, "/webhooks/")
}

func (t *transport) waitRoute(ctx context.Context, key string) error {
	for {
		t.mu.Lock()
		r := t.routes[key]
		now := time.Now()
		if r == nil || r.remaining > 0 || !now.Before(r.resetAt) {
			if r != nil {
				if !now.Before(r.resetAt) {
					// The bucket has reset; the next response says by how much.
					delete(t.routes, key)
				} else {
					r.remaining--
				}
			}
			t.mu.Unlock()
			return nil
		}
		wait := r.resetAt.Sub(now)
		t.mu.Unlock()
		if err := bot.Sleep(ctx, wait); err != nil {
			return err
		}
	}
}

func (t *transport) waitGlobalBan(ctx context.Context) error {
	t.mu.Lock()
	until := t.globalUntil
	t.mu.Unlock()
	if d := time.Until(until); d > 0 {
		return bot.Sleep(ctx, d)
	}
	return nil
}

// record reads the X-RateLimit-* headers of a response into the route's
// state, and a 429's retry-after into the route or, if global, everything.
func (t *transport) record(key string, resp *http.Response) {
	h := resp.Header
	now := time.Now()
	t.mu.Lock()
	defer t.mu.Unlock()
	if resp.StatusCode == http.StatusTooManyRequests {
		retry := headerSeconds(h, "Retry-After")
		if ra := headerSeconds(h, "X-RateLimit-Reset-After"); ra > retry {
			retry = ra
		}
		if retry <= 0 {
			retry = time.Second
		}
		if h.Get("X-RateLimit-Global") != "" || h.Get("X-RateLimit-Scope") == "global" {
			t.globalUntil = now.Add(retry)
			return
		}
		t.routes[key] = &route{remaining: 0, resetAt: now.Add(retry)}
		return
	}
	rem := h.Get("X-RateLimit-Remaining")
	if rem == "" {
		return
	}
	n, err := strconv.Atoi(rem)
	if err != nil {
		return
	}
	reset := now.Add(headerSeconds(h, "X-RateLimit-Reset-After"))
	if len(t.routes) > 10000 {
		for k, r := range t.routes {
			if now.After(r.resetAt) {
				delete(t.routes, k)
			}
		}
	}
	t.routes[key] = &route{remaining: n, resetAt: reset}
}

// headerSeconds parses a header holding (fractional) seconds.
func headerSeconds(h http.Header, name string) time.Duration {
	v := h.Get(name)
	if v == "" {
		return 0
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil || f < 0 || math.IsInf(f, 0) || math.IsNaN(f) || f > 24*3600 {
		return 0
	}
	return time.Duration(f * float64(time.Second))
}

// sentToError is a failed request that the transport sent to api_base:
// the http.Client's error names the URL discordgo asked for, on
// discord.com, and redact puts this one in its place.
type sentToError struct {
	url string
	err error
}

func (e *sentToError) Error() string { return e.err.Error() }
func (e *sentToError) Unwrap() error { return e.err }
