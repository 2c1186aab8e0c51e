package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"net"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/vigil-bot/vigil/bot"
	botconsole "github.com/vigil-bot/vigil/bot/console"
	"github.com/vigil-bot/vigil/bot/discord"
	"github.com/vigil-bot/vigil/bot/i18n"
	"github.com/vigil-bot/vigil/bot/telegram"
	"github.com/vigil-bot/vigil/card"
	"github.com/vigil-bot/vigil/config"
	"github.com/vigil-bot/vigil/scheduler"
	"github.com/vigil-bot/vigil/store"
)

// sendTimeout bounds one send; a send that times out is retried, so it
// must be long enough that a slow platform has surely not taken the
// post, or the retry would repeat it.
const sendTimeout = 20 * time.Second

// sendWorkers is how many sends per platform are in flight at once at
// least, so that network round trips do not cap a fan-out below the
// platform's rate; the delivery engine keeps more in flight as a paced
// platform's measured round trip needs (Delivery.InFlight).
const sendWorkers = 4

// maxSendWorkers bounds the sends in flight per platform however slow
// the round trips: 24 covers Discord's 50/s at 0.2 s a call (the engine
// wants 50 × 0.2 × 2 + 1 = 21) and Telegram's 30/s at 0.35 s. It is also
// the most a crash can repeat: a send the platform took whose outcome was
// not yet recorded is sent again after a restart.
const maxSendWorkers = 24

// shutdownGrace bounds how long serve waits for its parts to stop after
// a signal: a send in flight, then the platforms' own goodbyes.
const shutdownGrace = sendTimeout + 5*time.Second

// lockPoll is how often a standby serve tries to take over the database.
const lockPoll = time.Second

func cmdServe(ctx context.Context, e *env, c *cli) error {
	cfg, err := c.load(e)
	if err != nil {
		return err
	}
	console := cfg.Telegram.Token == "" && cfg.Discord.Token == ""
	if console {
		fmt.Fprintln(e.stdout, "vigil: no platform token configured (telegram.token, discord.token): running the console channel. Type /help.")
	}
	log := newLogger(e.stderr)
	// The daemon speaks every language: parse the catalogues now, not on
	// the first message in each (one-shot commands parse only theirs).
	if err := i18n.LoadAll(); err != nil {
		return err
	}
	// What the daemon runs with, tokens masked, for whoever reads the log.
	rc := cfg.Redacted()
	log.Info("config", "file", rc.File, "database", rc.Database, "timezone", rc.Timezone, "post_time", rc.PostTime,
		"language", rc.Language, "http", rc.HTTP.Listen, "public_url", rc.HTTP.PublicURL, "telegram_token", rc.Telegram.Token, "discord_token", rc.Discord.Token,
		"discord_shards", rc.Discord.Shards.String())

	st, err := store.Open(ctx, cfg.Database)
	if err != nil {
		return err
	}
	defer st.Close()

	// An import that changed cases wakes the planner.
	wake := make(chan struct{}, 1)
	changed := func() {
		select {
		case wake <- struct{}{}:
		default:
		}
	}

	// On PostgreSQL several serve share the database as replicas: each
	// delivers, one at a time leads (replica.go). On SQLite one serve
	// holds the database: the outbox's sends in flight are this
	// process's alone, so only now may the delivery requeue them.
	var (
		rep     *replica
		lock    *store.Lock
		watcher *caseWatcher
		share   *bot.Share
	)
	if st.Backend() == "postgres" {
		rep = newReplica(st, log)
		share = rep.share
		log = rep.log
		log.Info("joining the replicas on the database; the leader plans and holds the platform connections, every replica delivers",
			"database", store.Redact(cfg.Database))
	} else {
		lock, err = holdDatabase(ctx, cfg.Database, log)
		if err != nil || lock == nil {
			return err // nil, nil: stopped while standing by
		}
		defer lock.Release()

		watcher, err = watchAndLoad(ctx, cfg, st, log, changed)
		if err != nil {
			return err
		}
		if watcher != nil {
			defer watcher.w.Close() // Run closes it too; again is harmless
		}
	}

	h := bot.NewHandler(st, cfg, log)
	cards := card.NewCache(shareCardCache)
	h.Pictures = cards
	platforms := map[string]bot.Platform{}
	health := newPlatformHealth(nil)
	health.replica = rep
	if console {
		platforms[botconsole.Name] = botconsole.New(e.stdin, e.stdout, h)
	}
	if cfg.Discord.Token != "" {
		dc, err := discord.New(cfg, h, log, discord.WithShare(share))
		if err != nil {
			return err
		}
		platforms[dc.Name()] = dc
	}
	for _, p := range platforms {
		health.setStarted(p)
	}
	names := slices.Collect(maps.Keys(platforms))
	if cfg.Telegram.Token != "" {
		names = append(names, telegram.Name)
		health.setConnecting(telegram.Name, "connecting to "+telegram.EndpointHost(cfg)+"…")
	}
	reg, metrics := newRegistry(st, names...)

	runCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	var wg sync.WaitGroup
	errs := make(chan error, len(names)+5) // platforms, delivery, planner, http, case watcher, serve lock
	start := func(name string, fn func(context.Context) error) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := fn(runCtx); err != nil {
				errs <- fmt.Errorf("%s: %w", name, err)
				cancel()
			}
		}()
	}
	stop := func() { cancel(); wg.Wait() }

	// Health checks and metrics answer while the platforms connect.
	mux := http.NewServeMux()
	if cfg.HTTP.Listen != "" {
		mux.Handle("/", httpHandler(st, health, reg, log, newPages(cfg, st, h.Library, cards, log)))
		srv := &http.Server{Addr: cfg.HTTP.Listen, Handler: mux, ReadHeaderTimeout: 5 * time.Second}
		ln, err := net.Listen("tcp", cfg.HTTP.Listen)
		if err != nil {
			return fmt.Errorf("serve: http.listen: %w", err)
		}
		log.Info("http listening", "addr", ln.Addr().String())
		start("http", func(ctx context.Context) error {
			go func() {
				<-ctx.Done()
				shut, cancel := context.WithTimeout(context.Background(), 2*time.Second)
				defer cancel()
				srv.Shutdown(shut)
			}()
			if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
				return err
			}
			return nil
		})
	}

	if cfg.Telegram.Token != "" {
		tg, err := connectTelegram(runCtx, cfg, h, log, health, telegram.WithShare(share))
		if err != nil || tg == nil {
			stop()
			if err == nil {
				err = firstError(errs) // the http server failed, or nil: stopped while waiting
			}
			return err
		}
		platforms[tg.Name()] = tg
		health.setStarted(tg)
		// Empty unless telegram.webhook_url is set (config checks its path).
		if path, webhook := tg.WebhookHandler(); webhook != nil {
			mux.Handle("POST "+path, rep.leaderOnly(webhook))
		}
	}
	delivery := &scheduler.Delivery{Store: st, Composer: h, Platforms: platforms, Log: log, Now: time.Now,
		Poll: time.Second, SendTimeout: sendTimeout, Workers: sendWorkers, MaxWorkers: maxSendWorkers, PauseAfter: 3, CatchUp: cfg.CatchUp.D(), Metrics: metrics}
	planner := &scheduler.Planner{Store: st, Cases: h.Library, Log: log, Now: time.Now, CatchUp: cfg.CatchUp.D(),
		StaleAfter: cfg.StaleAfter.D(), DailyLimit: cfg.DailyLimit, Interval: 10 * time.Second}
	delivery.Check = planner.StillDue
	planner.Wake = wake
	if rep != nil && runCtx.Err() == nil {
		// Every replica delivers; the leader's parts run while it leads.
		start("delivery", rep.deliver(delivery.Run))
		start("replica", func(ctx context.Context) error {
			return rep.run(ctx, func(ctx context.Context) error {
				return lead(ctx, cfg, st, log, platforms, planner, changed)
			})
		})
	} else if runCtx.Err() == nil {
		for name, p := range platforms {
			start(name, p.Run)
		}
		start("serve lock", func(ctx context.Context) error { return lock.Watch(ctx, lockPoll) })
		start("delivery", delivery.Run)
		start("planner", planner.Run)
		if watcher != nil {
			start("case watcher", watcher.Run)
		}
	}

	<-runCtx.Done()
	log.Info("shutting down")
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(shutdownGrace):
		return errors.New("serve: shutdown timed out")
	}
	close(errs)
	var all []error
	for err := range errs {
		all = append(all, err)
	}
	if len(all) == 0 {
		log.Info("stopped")
	}
	return errors.Join(all...)
}

// firstError returns the first error sent on errs so far, or nil.
func firstError(errs chan error) error {
	select {
	case err := <-errs:
		return err
	default:
		return nil
	}
}

// holdDatabase takes the serve lock on the database at path. While
// another serve holds it, it says so and waits as a standby, taking over
// when that one stops; it returns nil, nil when ctx ends first.
func holdDatabase(ctx context.Context, path string, log *slog.Logger) (*store.Lock, error) {
	lock, err := store.WaitLock(ctx, path, lockPoll, func(held *store.LockedError) {
		log.Warn("another vigil serve holds the database; standing by until it stops", "pid", held.PID,
			"database", store.Redact(path), "lock", store.LockPath(path))
	})
	if ctx.Err() != nil {
		if lock != nil {
			lock.Release()
		}
		log.Info("stopped while standing by")
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("serve: %w", err)
	}
	log.Info("holding the database", "database", store.Redact(path), "lock", store.LockPath(path))
	return lock, nil
}

// connectTelegram creates the Telegram client, waiting with backoff while
// the Bot API cannot be reached, and saying why in health; a refused
// token ends it at once. It returns nil, nil when ctx ends first.
func connectTelegram(ctx context.Context, cfg *config.Config, h *bot.Handler, log *slog.Logger, health *platformHealth, opts ...telegram.Option) (*telegram.Client, error) {
	host := telegram.EndpointHost(cfg)
	for backoff := time.Second; ; backoff = min(2*backoff, time.Minute) {
		tg, err := telegram.New(cfg, h, log, append([]telegram.Option{telegram.WithContext(ctx)}, opts...)...)
		if err == nil || telegram.TokenRefused(err) {
			return tg, err
		}
		if ctx.Err() != nil {
			return nil, nil
		}
		log.Warn("telegram unreachable; retrying", "endpoint", host, "err", err, "in", backoff)
		health.setConnecting(telegram.Name, fmt.Sprintf("connecting to %s… (the last attempt: %s)", host,
			strings.TrimPrefix(err.Error(), telegram.Name+": ")))
		select {
		case <-ctx.Done():
			return nil, nil
		case <-time.After(backoff):
		}
	}
}

// lead runs the leader's parts of a replica until ctx ends or one of
// them fails: it imports the configured case files and watches them,
// plans, and holds the platforms' connections (Telegram's polling or
// webhook, Discord's gateway), whose sending every replica does.
func lead(ctx context.Context, cfg *config.Config, st *store.Store, log *slog.Logger, platforms map[string]bot.Platform,
	planner *scheduler.Planner, changed func()) error {
	watcher, err := watchAndLoad(ctx, cfg, st, log, changed)
	if err != nil {
		if ctx.Err() != nil {
			return nil
		}
		return err
	}
	if watcher != nil {
		defer watcher.w.Close()
	}
	g := newGroup(ctx)
	for name, p := range platforms {
		g.run(name, p.Run)
	}
	g.run("planner", planner.Run)
	if watcher != nil {
		g.run("case watcher", watcher.Run)
	}
	return g.wait()
}

// watchAndLoad starts watching the configured case files, calling
// changed after an import that changed cases, and then imports them:
// watched from before the first import, so that no edit falls between.
// A watch that cannot start is logged and the import runs all the same.
// The caller closes the watcher returned (nil: nothing watched); on an
// import error it is closed already.
func watchAndLoad(ctx context.Context, cfg *config.Config, st *store.Store, log *slog.Logger, changed func()) (*caseWatcher, error) {
	watcher, err := newCaseWatcher(cfg, st, log)
	if err != nil {
		log.Warn("case files are not watched: after a change, restart or run vigil import", "err", err)
	}
	if watcher != nil {
		watcher.changed = changed
	}
	res, err := loadConfiguredCases(ctx, cfg, st)
	if err != nil {
		if watcher != nil {
			watcher.w.Close()
		}
		return nil, err
	}
	logImport(log, res, "cases loaded")
	return watcher, nil
}
