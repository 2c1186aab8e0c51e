package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
)

// DigestBody is what the channels of one group (same countries, language
// and zone) share of a day's digest: its header and lines.
type DigestBody struct {
	Header string       `json:"header"`
	Lines  []DigestLine `json:"lines"`
}

// Text is the digest's whole post: the header and a line per reminder.
func (b DigestBody) Text() string {
	return DigestText(b.Header, b.Lines)
}

// DigestText writes a digest's post from its header and lines.
func DigestText(header string, lines []DigestLine) string {
	size := len(header)
	for _, l := range lines {
		size += len("\n•  — /case ") + len(l.Text) + len(l.CaseID)
	}
	var b strings.Builder
	b.Grow(size)
	b.WriteString(header)
	for _, l := range lines {
		b.WriteString("\n• ")
		b.WriteString(l.Text)
		b.WriteString(" — /case ")
		b.WriteString(l.CaseID)
	}
	return b.String()
}

// SharedDigest is a digest body encoded once for all the posts that
// carry it (Post.Digest). ID, a hash of Body, names it in the outbox.
type SharedDigest struct {
	ID   string
	Body json.RawMessage // an encoded DigestBody; nil on a post read back
}

// ShareDigest encodes a digest body for Post.Digest.
func ShareDigest(b DigestBody) *SharedDigest {
	body, err := json.Marshal(b)
	if err != nil {
		panic(fmt.Sprintf("store: encode digest: %v", err)) // strings and numbers only
	}
	sum := sha256.Sum256(body)
	return &SharedDigest{ID: hex.EncodeToString(sum[:16]), Body: body}
}

// expandDigests gives every post of ps that names a shared digest body
// its whole DigestPayload (text, cases, header and lines with the count
// and day of its own payload), reading each body once. A body that is
// gone leaves the payload without text or lines, which the planner's
// StillDue skips.
func (s *Store) expandDigests(ctx context.Context, ps []Post) error {
	var bodies map[string]*DigestBody
	for i := range ps {
		p := &ps[i]
		if p.Digest == nil {
			continue
		}
		id := p.Digest.ID
		p.Digest = nil
		body, ok := bodies[id]
		if !ok {
			var raw string
			err := s.db.QueryRowContext(ctx, `SELECT body FROM digests WHERE id = ?`, id).Scan(&raw)
			switch {
			case err == nil:
				body = new(DigestBody)
				if err := json.Unmarshal([]byte(raw), body); err != nil {
					return fmt.Errorf("digest %s: %w", id, err)
				}
			case !errors.Is(err, sql.ErrNoRows):
				return fmt.Errorf("digest %s: %w", id, err)
			}
			if bodies == nil {
				bodies = map[string]*DigestBody{}
			}
			bodies[id] = body
		}
		if body == nil {
			continue
		}
		pl, err := DecodePayload[DigestPayload](*p)
		if err != nil {
			return fmt.Errorf("post %s: %w", p.Key, err)
		}
		pl.Header, pl.Lines, pl.Text = body.Header, body.Lines, body.Text()
		pl.Cases = make([]string, len(body.Lines))
		for i, l := range body.Lines {
			pl.Cases[i] = l.CaseID
		}
		p.Payload = EncodePayload(pl)
	}
	return nil
}

// dropOrphanDigests deletes the digest bodies no outbox row names any
// more (their days were planned again) and older than an hour, so that a
// plan being written meanwhile keeps its own.
func dropOrphanDigests(ctx context.Context, db execer, now time.Time) error {
	_, err := db.ExecContext(ctx, `DELETE FROM digests WHERE created_at < ?
		AND NOT EXISTS (SELECT 1 FROM outbox WHERE outbox.digest_id = digests.id)`, ms(now.Add(-time.Hour)))
	return err
}
