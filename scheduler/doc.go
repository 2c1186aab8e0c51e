// Package scheduler decides what is due and when, and delivers it. It
// owns the plan (plan.go: Plan, a pure function from case records and
// channels to each channel's posts of a local day, shared by the daemon
// and `vigil upcoming`), the Planner (planner.go) that queues each day's
// plan in the store's outbox once and re-plans the days not begun when
// cases or channels change, and the delivery engine (delivery.go) that
// takes posts from the outbox, builds each for its channel and sends it
// through the channel's platform, exactly once per (occurrence, channel)
// across restarts, retrying what failed for a while and pausing channels
// that refuse the bot.
//
// Post kinds and their payloads live in store, next to the outbox. Of
// vigil's packages the scheduler imports only bot (for the Platform seam
// and message building), bot/i18n, store, cases and config; it must not
// import a platform package (bot/console, bot/telegram, bot/discord) or
// cmd, and outside tests only cmd imports it.
package scheduler
