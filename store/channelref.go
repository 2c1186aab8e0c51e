package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// The platforms whose chat ids the store knows how to spell.
const (
	platformTelegram = "telegram"
	platformDiscord  = "discord"
	platformConsole  = "console"
)

// Telegram's chat ids, as the Bot API numbers them: users and private
// chats are positive (at most 52 significant bits), basic groups are
// -1 … -999999999999, and supergroups and channels are -100 followed by
// their channel id (-1000000000001 … -1997852516352). Below that lie
// secret chats, which a bot never sees.
const (
	maxTelegramUser       = 1<<52 - 1
	minTelegramGroup      = -999_999_999_999
	maxTelegramSupergroup = -1_000_000_000_001
	minTelegramSupergroup = -1_997_852_516_352
)

// CanonicalChat returns the one spelling the store keeps for a chat id on
// platform, or an error saying in one line why the id is impossible. A
// Telegram chat id is a non-zero decimal integer within Telegram's ranges,
// written without '+' or leading zeros ("-0100123" is "-100123"); a
// Discord id is a non-zero snowflake (an unsigned 64-bit decimal) without
// leading zeros; the console has the one chat "console". Every path that
// names a chat (the CLI, the chat adapters, a group's migration, and the
// store's own entry points) goes through it, so one chat is one channel.
func CanonicalChat(platform, chat string) (string, error) {
	switch platform {
	case platformTelegram:
		return telegramChat(chat)
	case platformDiscord:
		return discordChat(chat)
	case platformConsole:
		if chat != platformConsole {
			return "", fmt.Errorf("console chat %q: the console has one chat, console", chat)
		}
		return chat, nil
	case "":
		return "", errors.New("no platform: want telegram, discord or console")
	}
	return "", fmt.Errorf("unknown platform %q: want telegram, discord or console", platform)
}

// TelegramChatID returns the canonical spelling of a Telegram chat id, or
// an error if Telegram has no such chat.
func TelegramChatID(id int64) (string, error) {
	return telegramChat(strconv.FormatInt(id, 10))
}

func telegramChat(chat string) (string, error) {
	id, err := strconv.ParseInt(chat, 10, 64)
	if err != nil {
		return "", fmt.Errorf("telegram chat id %q: not a whole number", chat)
	}
	// strconv takes only a sign and digits in base 10, so formatting the
	// number again drops just '+' and leading zeros.
	switch {
	case id == 0:
		return "", fmt.Errorf("telegram chat id %q: 0 is no chat", chat)
	case id > maxTelegramUser,
		id < minTelegramGroup && id > maxTelegramSupergroup,
		id < minTelegramSupergroup:
		return "", fmt.Errorf("telegram chat id %q: outside Telegram's chat ids", chat)
	}
	return strconv.FormatInt(id, 10), nil
}

func discordChat(chat string) (string, error) {
	id, err := strconv.ParseUint(chat, 10, 64)
	if err != nil {
		return "", fmt.Errorf("discord channel id %q: not a snowflake (a whole number without sign)", chat)
	}
	if id == 0 {
		return "", fmt.Errorf("discord channel id %q: 0 is no channel", chat)
	}
	return strconv.FormatUint(id, 10), nil
}

// ParseChannelRef reads a channel reference as the CLI writes it,
// "telegram:-1001234", "discord:112233445566" or "console", and returns
// its platform and canonical chat id.
func ParseChannelRef(s string) (platform, chat string, err error) {
	if s == platformConsole {
		return platformConsole, platformConsole, nil
	}
	platform, raw, ok := strings.Cut(s, ":")
	if !ok {
		return "", "", errors.New("want telegram:CHAT_ID, discord:CHANNEL_ID or console")
	}
	if platform == platformConsole {
		return "", "", errors.New("the console is just console, without an id")
	}
	chat, err = CanonicalChat(platform, raw)
	if err != nil {
		return "", "", err
	}
	return platform, chat, nil
}

// guardChat is CanonicalChat for the store's own entry points, their last
// guard. A platform the store does not know (a test's fake platform)
// keeps its ids as given; the CLI and the adapters name only known ones.
func guardChat(platform, chat string) (string, error) {
	switch platform {
	case platformTelegram, platformDiscord, platformConsole:
		return CanonicalChat(platform, chat)
	}
	if platform == "" || chat == "" {
		return "", errors.New("no platform or chat")
	}
	return chat, nil
}

// lookupChat is the chat id to look a channel up by: its canonical
// spelling when it has one, else chat as given, so that a row stored
// before ids were canonical can still be found and removed.
func lookupChat(platform, chat string) string {
	if c, err := CanonicalChat(platform, chat); err == nil {
		return c
	}
	return chat
}

// nonCanonicalChats selects the channels whose chat id may be spelled
// otherwise than CanonicalChat spells it: with a sign '+' or a leading
// zero. Only the CLI ever wrote such ids, before they were canonical.
const nonCanonicalChats = `SELECT platform, chat, created_at FROM channels
	WHERE platform IN ('telegram', 'discord') AND (chat LIKE '+%' OR chat LIKE '0%' OR chat LIKE '-0%')
	ORDER BY created_at, chat`

// canonicalizeChats merges every channel stored under a non-canonical
// spelling of its chat id into the channel of the canonical spelling, as
// MoveChannel does; the older of the two keeps its settings. Impossible
// ids (telegram:0) stay as they are, to be removed by hand. It runs as
// part of the schema migration, in its transaction.
func canonicalizeChats(ctx context.Context, tx *sql.Tx) error {
	type row struct {
		platform, chat string
		created        int64
	}
	var todo []row
	rows, err := tx.QueryContext(ctx, nonCanonicalChats)
	if err != nil {
		return fmt.Errorf("canonical chat ids: %w", err)
	}
	for rows.Next() {
		var r row
		if err := rows.Scan(&r.platform, &r.chat, &r.created); err != nil {
			rows.Close()
			return fmt.Errorf("canonical chat ids: %w", err)
		}
		todo = append(todo, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("canonical chat ids: %w", err)
	}
	for _, r := range todo {
		to, err := CanonicalChat(r.platform, r.chat)
		if err != nil || to == r.chat {
			continue
		}
		var created int64
		err = tx.QueryRowContext(ctx, `SELECT created_at FROM channels WHERE platform = ? AND chat = ?`, r.platform, to).Scan(&created)
		switch {
		case errors.Is(err, sql.ErrNoRows): // no duplicate: a plain rename
		case err != nil:
			return fmt.Errorf("canonical chat ids: %s:%s: %w", r.platform, r.chat, err)
		case r.created < created:
			// The other spelling is the older channel: its settings win.
			if _, err := tx.ExecContext(ctx, `UPDATE channels SET (timezone, post_time, language, paused_reason, paused_at, refusals, created_at) =
				(SELECT timezone, post_time, language, paused_reason, paused_at, refusals, created_at FROM channels WHERE platform = ? AND chat = ?)
				WHERE platform = ? AND chat = ?`, r.platform, r.chat, r.platform, to); err != nil {
				return fmt.Errorf("canonical chat ids: %s:%s: %w", r.platform, r.chat, err)
			}
		}
		if err := moveChannel(ctx, tx, r.platform, r.chat, to); err != nil {
			return fmt.Errorf("canonical chat ids: %s:%s to %s: %w", r.platform, r.chat, to, err)
		}
	}
	return nil
}
