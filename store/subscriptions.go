package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Channel is a chat, group or channel on one platform, with its settings
// and the countries it is subscribed to.
type Channel struct {
	Platform     string // "telegram", "discord", "console"
	Chat         string // the platform's id of the chat
	Timezone     string // IANA name
	PostTime     string // "HH:MM", local to Timezone
	Language     string // two-letter code
	PausedReason string // why deliveries are paused; empty when active
	PausedAt     time.Time
	Countries    []string // ISO alpha-2 codes, sorted
	// Images says whether its posts carry the share card picture; nil
	// follows the config (SetImages).
	Images *bool
}

// Paused reports whether deliveries to the channel are paused.
func (c Channel) Paused() bool { return c.PausedReason != "" }

// String names the channel as the CLI does: "telegram:-1001234", "console".
func (c Channel) String() string {
	if c.Platform == c.Chat {
		return c.Platform
	}
	return c.Platform + ":" + c.Chat
}

const channelColumns = `c.platform, c.chat, c.timezone, c.post_time, c.language, c.paused_reason, c.paused_at,
	coalesce((SELECT group_concat(country, ',' ORDER BY country) FROM subscriptions s
		WHERE s.platform = c.platform AND s.chat = c.chat), ''), c.images`

func scanChannel(sc interface{ Scan(...any) error }) (Channel, error) {
	var ch Channel
	var paused int64
	var countries string
	var images sql.NullBool
	if err := sc.Scan(&ch.Platform, &ch.Chat, &ch.Timezone, &ch.PostTime, &ch.Language, &ch.PausedReason, &paused, &countries, &images); err != nil {
		return Channel{}, err
	}
	if images.Valid {
		ch.Images = &images.Bool
	}
	ch.PausedAt = fromMS(paused)
	if countries != "" {
		ch.Countries = strings.Split(countries, ",")
	}
	return ch, nil
}

// Channel returns the channel with its settings and subscriptions, or
// ErrNotFound if it was never configured. chat may be spelled in any way
// CanonicalChat accepts.
func (s *Store) Channel(ctx context.Context, platform, chat string) (Channel, error) {
	chat = lookupChat(platform, chat)
	row := s.db.QueryRowContext(ctx, `SELECT `+channelColumns+` FROM channels c WHERE c.platform = ? AND c.chat = ?`, platform, chat)
	ch, err := scanChannel(row)
	if errors.Is(err, sql.ErrNoRows) {
		return Channel{}, fmt.Errorf("store: channel %s:%s: %w", platform, chat, ErrNotFound)
	}
	if err != nil {
		return Channel{}, fmt.Errorf("store: channel %s:%s: %w", platform, chat, err)
	}
	return ch, nil
}

// Channels returns every known channel, with or without subscriptions,
// ordered by platform and chat.
func (s *Store) Channels(ctx context.Context) ([]Channel, error) {
	return s.channels(ctx, `SELECT `+channelColumns+` FROM channels c ORDER BY c.platform, c.chat`)
}

// Subscribers returns the channels subscribed to country, paused ones
// included (callers decide), ordered by platform and chat.
func (s *Store) Subscribers(ctx context.Context, country string) ([]Channel, error) {
	return s.channels(ctx, `SELECT `+channelColumns+` FROM channels c
		WHERE EXISTS (SELECT 1 FROM subscriptions s WHERE s.platform = c.platform AND s.chat = c.chat AND s.country = ?)
		ORDER BY c.platform, c.chat`, country)
}

func (s *Store) channels(ctx context.Context, q string, args ...any) ([]Channel, error) {
	rows, err := s.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("store: channels: %w", err)
	}
	defer rows.Close()
	var out []Channel
	for rows.Next() {
		ch, err := scanChannel(rows)
		if err != nil {
			return nil, fmt.Errorf("store: channels: %w", err)
		}
		out = append(out, ch)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: channels: %w", err)
	}
	return out, nil
}

// ensureChannel creates the channel with the settings of defaults if it
// does not exist yet; an existing channel keeps its settings.
func ensureChannel(ctx context.Context, tx *sql.Tx, defaults Channel, now time.Time) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO channels (platform, chat, timezone, post_time, language, created_at)
		VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (platform, chat) DO NOTHING`,
		defaults.Platform, defaults.Chat, defaults.Timezone, defaults.PostTime, defaults.Language, ms(now))
	return err
}

// Subscribe subscribes the channel to country, creating the channel with
// the settings of ch if it is new. added is false if it was subscribed
// already. Subscribing a paused channel resumes it: an admin acting on it
// shows the bot is welcome again.
func (s *Store) Subscribe(ctx context.Context, ch Channel, country string, now time.Time) (added bool, err error) {
	chat, err := guardChat(ch.Platform, ch.Chat)
	if err != nil {
		return false, fmt.Errorf("store: subscribe %s to %s: %w", ch, country, err)
	}
	ch.Chat = chat
	err = s.tx(ctx, func(tx *sql.Tx) error {
		if err := ensureChannel(ctx, tx, ch, now); err != nil {
			return err
		}
		r, err := tx.ExecContext(ctx, `INSERT INTO subscriptions (platform, chat, country, created_at) VALUES (?, ?, ?, ?)
			ON CONFLICT DO NOTHING`, ch.Platform, ch.Chat, country, ms(now))
		if err != nil {
			return err
		}
		n, _ := r.RowsAffected()
		added = n > 0
		if _, err = tx.ExecContext(ctx, `UPDATE channels SET paused_reason = '', paused_at = 0, refusals = 0
			WHERE platform = ? AND chat = ?`, ch.Platform, ch.Chat); err != nil {
			return err
		}
		return channelChanged(ctx, tx, ch.Platform, ch.Chat)
	})
	if err != nil {
		return false, fmt.Errorf("store: subscribe %s to %s: %w", ch, country, err)
	}
	return added, nil
}

// Unsubscribe removes the channel's subscription to country, or all of
// them when country is empty, and returns how many were removed. The
// queued posts about that country are dropped, whatever their day, and
// the days not begun are planned again.
func (s *Store) Unsubscribe(ctx context.Context, platform, chat, country string) (int, error) {
	chat = lookupChat(platform, chat)
	var n int64
	err := s.tx(ctx, func(tx *sql.Tx) error {
		q := `DELETE FROM subscriptions WHERE platform = ? AND chat = ?`
		args := []any{platform, chat}
		if country != "" {
			q += ` AND country = ?`
			args = append(args, country)
		}
		r, err := tx.ExecContext(ctx, q, args...)
		if err != nil {
			return err
		}
		n, _ = r.RowsAffected()
		if err := dropCountry(ctx, tx, platform, chat, country); err != nil {
			return err
		}
		return channelChanged(ctx, tx, platform, chat)
	})
	if err != nil {
		return 0, fmt.Errorf("store: unsubscribe %s:%s: %w", platform, chat, err)
	}
	return int(n), nil
}

// UpdateSettings sets the channel's time zone, post time and language,
// creating the channel from ch's platform and chat if it is new. Empty
// fields of ch keep their value.
func (s *Store) UpdateSettings(ctx context.Context, ch Channel, defaults Channel, now time.Time) (Channel, error) {
	chat, err := guardChat(ch.Platform, ch.Chat)
	if err != nil {
		return Channel{}, fmt.Errorf("store: settings of %s: %w", ch, err)
	}
	ch.Chat = chat
	err = s.tx(ctx, func(tx *sql.Tx) error {
		defaults.Platform, defaults.Chat = ch.Platform, ch.Chat
		if err := ensureChannel(ctx, tx, defaults, now); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `UPDATE channels SET
			timezone = coalesce(nullif(?, ''), timezone),
			post_time = coalesce(nullif(?, ''), post_time),
			language = coalesce(nullif(?, ''), language)
			WHERE platform = ? AND chat = ?`, ch.Timezone, ch.PostTime, ch.Language, ch.Platform, ch.Chat)
		if err != nil {
			return err
		}
		return channelChanged(ctx, tx, ch.Platform, ch.Chat)
	})
	if err != nil {
		return Channel{}, fmt.Errorf("store: settings of %s: %w", ch, err)
	}
	return s.Channel(ctx, ch.Platform, ch.Chat)
}

// PauseChannel stops deliveries to the channel and records why; queued
// posts stay queued and go out if the channel is resumed.
func (s *Store) PauseChannel(ctx context.Context, platform, chat, reason string, now time.Time) error {
	chat = lookupChat(platform, chat)
	_, err := s.db.ExecContext(ctx, `UPDATE channels SET paused_reason = ?, paused_at = ? WHERE platform = ? AND chat = ?`,
		reason, ms(now), platform, chat)
	if err == nil {
		// Its queued posts wait; the planner plans nothing more for it.
		err = bumpChannelsVersion(ctx, s.db)
	}
	if err != nil {
		return fmt.Errorf("store: pause %s:%s: %w", platform, chat, err)
	}
	return nil
}

// RecordRefusal counts one more refusal in a row by the platform to let
// the bot post in the channel and returns the count; a successful send
// resets it.
func (s *Store) RecordRefusal(ctx context.Context, platform, chat string) (int, error) {
	chat = lookupChat(platform, chat)
	var n int
	err := s.db.QueryRowContext(ctx, `UPDATE channels SET refusals = refusals + 1 WHERE platform = ? AND chat = ? RETURNING refusals`,
		platform, chat).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("store: refusal of %s:%s: %w", platform, chat, err)
	}
	return n, nil
}

// ResumeChannel lets deliveries to the channel go on.
func (s *Store) ResumeChannel(ctx context.Context, platform, chat string) error {
	chat = lookupChat(platform, chat)
	_, err := s.db.ExecContext(ctx, `UPDATE channels SET paused_reason = '', paused_at = 0, refusals = 0 WHERE platform = ? AND chat = ?`,
		platform, chat)
	if err == nil {
		// The planner plans its days again from now on.
		err = bumpChannelsVersion(ctx, s.db)
	}
	if err != nil {
		return fmt.Errorf("store: resume %s:%s: %w", platform, chat, err)
	}
	return nil
}

// MoveChannel gives a channel a new chat id, with its subscriptions and
// posts, as when a Telegram group becomes a supergroup. Every post moves,
// sent ones too, so that the chat's days stay planned as they were. If the
// new chat is a channel already (the bot was added to the supergroup too),
// the two merge: the new chat keeps its settings and its own plan, gains
// the old one's subscriptions, and gets the old one's queued alerts and
// status posts unless it has them already. The new chat id must be one
// CanonicalChat accepts.
func (s *Store) MoveChannel(ctx context.Context, platform, from, to string) error {
	to, err := guardChat(platform, to)
	if err != nil {
		return fmt.Errorf("store: move %s:%s: %w", platform, from, err)
	}
	from = lookupChat(platform, from)
	if from == to {
		return nil
	}
	err = s.tx(ctx, func(tx *sql.Tx) error { return moveChannel(ctx, tx, platform, from, to) })
	if err != nil {
		return fmt.Errorf("store: move %s:%s to %s: %w", platform, from, to, err)
	}
	return nil
}

// moveChannel is MoveChannel in the transaction tx.
func moveChannel(ctx context.Context, tx *sql.Tx, platform, from, to string) error {
	var exists int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM channels WHERE platform = ? AND chat = ?`, platform, to).Scan(&exists); err != nil {
		return err
	}
	if exists == 0 {
		// ON UPDATE CASCADE carries the subscriptions along.
		if _, err := tx.ExecContext(ctx, `UPDATE channels SET chat = ? WHERE platform = ? AND chat = ?`, to, platform, from); err != nil {
			return err
		}
	} else {
		if _, err := tx.ExecContext(ctx, `INSERT INTO subscriptions (platform, chat, country, created_at)
			SELECT platform, ?, country, created_at FROM subscriptions WHERE platform = ? AND chat = ?
			ON CONFLICT DO NOTHING`, to, platform, from); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM channels WHERE platform = ? AND chat = ?`, platform, from); err != nil {
			return err
		}
		// The new chat has its own plan: the old one's would double it.
		if _, err := tx.ExecContext(ctx, `DELETE FROM outbox WHERE state = 'queued' AND platform = ? AND chat = ?
			AND kind NOT IN `+immediateKinds, platform, from); err != nil {
			return err
		}
		// Alert and status keys end in the chat: rename them, and drop
		// those the new chat has already.
		if _, err := tx.ExecContext(ctx, `UPDATE outbox SET chat = ?, key = substr(key, 1, length(key) - length(?)) || ?
			WHERE state = 'queued' AND platform = ? AND chat = ? AND kind IN `+immediateKinds+`
			AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.key = substr(outbox.key, 1, length(outbox.key) - length(?)) || ?)`,
			to, from, to, platform, from, from, to); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM outbox WHERE state = 'queued' AND platform = ? AND chat = ?`, platform, from); err != nil {
			return err
		}
	}
	if _, err := tx.ExecContext(ctx, `UPDATE outbox SET chat = ? WHERE platform = ? AND chat = ?`, to, platform, from); err != nil {
		return err
	}
	return channelChanged(ctx, tx, platform, to)
}
