// Package discordtest is a fake Discord for tests, on 127.0.0.1: the REST
// API the bot uses (gateway lookup, users/@me, application commands,
// interaction callbacks, webhook edits and follow-ups, channel messages)
// on an httptest server, and a real websocket gateway (HELLO, IDENTIFY,
// READY, heartbeat ACKs, RESUME, dispatch). It refuses what Discord
// refuses — a bad token, bodies over Discord's limits (400, code 50035), a
// second or late interaction callback — and enforces the global and
// per-channel rate limits with real X-RateLimit-* headers and 429s. It
// shards as Discord does: GET /gateway/bot recommends a shard count and
// max_concurrency, IDENTIFY's shard is checked (4010), a shard with too
// many guilds is closed with 4011 "Sharding required", each guild's
// GUILD_CREATE and interactions go to shard (guild_id >> 22) % count, and
// IDENTIFYs of one rate-limit key too close together are counted. A
// per-request delay stands in for a real network. Tests drive it:
// dispatch interactions from members with given permissions, deny or
// delete channels, and read what the bot posted.
//
// It is test support, for this module's tests only: it imports no vigil
// package and no Discord library (it speaks the wire format itself), and
// non-test code must never import it.
package discordtest

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// Options configure a Server; zero fields take Discord's values.
type Options struct {
	Token string // the bot token accepted (without "Bot "); default "test-token"
	AppID string // the application id; default "900000000000000001"
	BotID string // the bot user's id; default AppID
	// GlobalLimit is the requests per second allowed across all routes
	// except interaction endpoints (default 50).
	GlobalLimit int
	// RouteLimit requests per RouteWindow are allowed per channel's
	// message bucket (default 5 per 5 s).
	RouteLimit  int
	RouteWindow time.Duration
	// HeartbeatInterval is sent in HELLO (default 41.25 s).
	HeartbeatInterval time.Duration
	// InteractionDeadline is how long after dispatch the first callback
	// is accepted (default 3 s).
	InteractionDeadline time.Duration
	// Shards is the shard count GET /gateway/bot recommends (default 1).
	Shards int
	// MaxConcurrency is session_start_limit.max_concurrency: how many
	// rate-limit keys (shard_id % max_concurrency) may identify in the
	// same 5 seconds (default 1).
	MaxConcurrency int
	// GuildsPerShard is how many guilds one shard may hold: a bot that
	// identifies with more on a shard (or, unsharded, in all) is closed
	// with 4011 "Sharding required" (default 2,500, Discord's figure).
	GuildsPerShard int
	// IdentifySpacing is how soon after an IDENTIFY another of the same
	// rate-limit key counts as too soon (IdentifiesTooSoon; default 5 s).
	IdentifySpacing time.Duration
	// Delay is added to every REST request's round trip, as a network
	// between the bot and Discord would: half before the request is
	// handled (and counted against the limits), half before its answer
	// is sent.
	Delay time.Duration
}

// Server is the fake Discord.
type Server struct {
	// URL is the base URL to configure as discord.api_base.
	URL                 string
	Token, AppID, BotID string

	opts Options
	hs   *httptest.Server

	mu           sync.Mutex
	nextID       int64
	commands     map[string][]Command // by guild id, "" for global
	channels     map[string]*channel
	interactions map[string]*Interaction // by id
	byToken      map[string]*Interaction
	global       []time.Time // accepted requests within the last second
	accepted     []time.Time // every request that counted against the global limit
	posts        []time.Time // accepted channel messages
	stats        Stats
	guilds       []string // the guilds the bot is in (AddGuilds)

	gw gateway
}

// Stats counts what the fake saw.
type Stats struct {
	Requests        int // every REST request
	TooManyRequests int // 429s sent
	GlobalLimited   int // of which global
	Unauthorized    int // 401s
	Forbidden       int // 403s
	NotFound        int // 404s
	Invalid         int // 400s
	Posts           int // channel messages accepted
	Edits           int // channel message edits accepted
	Deletes         int // channel messages deleted
	Attachments     int // files attached to accepted channel messages
}

type channel struct {
	messages    []Message
	denied      int // 50001 or 50013 when the bot may not post
	deleted     bool
	bucketCount int
	bucketReset time.Time
	faults      []fault
	// buckets are the rate limits of the channel's other message routes
	// (edits, deletions), by route.
	buckets map[string]*bucket
}

// bucket is one route's rate limit in one channel.
type bucket struct {
	count int
	reset time.Time
}

type fault struct {
	status, code int
	message      string
	retryAfter   time.Duration
	global       bool
}

// New starts a fake Discord; t's cleanup stops it.
func New(t testing.TB, opts Options) *Server {
	if opts.Token == "" {
		opts.Token = "test-token"
	}
	if opts.AppID == "" {
		opts.AppID = "900000000000000001"
	}
	if opts.BotID == "" {
		opts.BotID = opts.AppID
	}
	if opts.GlobalLimit == 0 {
		opts.GlobalLimit = 50
	}
	if opts.RouteLimit == 0 {
		opts.RouteLimit = 5
	}
	if opts.RouteWindow == 0 {
		opts.RouteWindow = 5 * time.Second
	}
	if opts.HeartbeatInterval == 0 {
		opts.HeartbeatInterval = 41250 * time.Millisecond
	}
	if opts.InteractionDeadline == 0 {
		opts.InteractionDeadline = 3 * time.Second
	}
	if opts.Shards == 0 {
		opts.Shards = 1
	}
	if opts.MaxConcurrency == 0 {
		opts.MaxConcurrency = 1
	}
	if opts.GuildsPerShard == 0 {
		opts.GuildsPerShard = 2500
	}
	if opts.IdentifySpacing == 0 {
		opts.IdentifySpacing = 5 * time.Second
	}
	s := &Server{Token: opts.Token, AppID: opts.AppID, BotID: opts.BotID, opts: opts,
		nextID: 1_100_000_000_000_000_000, commands: map[string][]Command{}, channels: map[string]*channel{},
		interactions: map[string]*Interaction{}, byToken: map[string]*Interaction{}}
	s.gw.sessions = map[string]*gwSession{}
	s.gw.byShard = map[int]*gwSession{}
	s.gw.lastByKey = map[int]time.Time{}
	s.gw.guildsSent = map[int][]string{}
	s.gw.count = 1
	s.hs = httptest.NewServer(http.HandlerFunc(s.serve))
	s.URL = s.hs.URL
	t.Cleanup(s.Close)
	return s
}

// Close drops the gateway connections and stops the server.
func (s *Server) Close() {
	s.closeGateway()
	s.hs.CloseClientConnections()
	s.hs.Close()
}

func (s *Server) id() string {
	s.nextID++
	return strconv.FormatInt(s.nextID, 10)
}

func (s *Server) channel(id string) *channel {
	c := s.channels[id]
	if c == nil {
		c = &channel{}
		s.channels[id] = c
	}
	return c
}

// DenyChannel makes posting to the channel fail with 403 and code
// 50001 (Missing Access) or 50013 (Missing Permissions).
func (s *Server) DenyChannel(id string, code int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.channel(id).denied = code
}

// DeleteChannel makes the channel unknown: 404, code 10003.
func (s *Server) DeleteChannel(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.channel(id).deleted = true
}

// FailNext makes the next post to the channel fail with status and a JSON
// error {code, message}.
func (s *Server) FailNext(channelID string, status, code int, message string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.channel(channelID)
	c.faults = append(c.faults, fault{status: status, code: code, message: message})
}

// RateLimitNext makes the next post to the channel get a 429 with the
// given retry_after, global or for the channel's bucket.
func (s *Server) RateLimitNext(channelID string, retryAfter time.Duration, global bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.channel(channelID)
	c.faults = append(c.faults, fault{status: http.StatusTooManyRequests, retryAfter: retryAfter, global: global})
}

// Messages returns the messages posted to the channel, oldest first.
func (s *Server) Messages(channelID string) []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	if c := s.channels[channelID]; c != nil {
		return slices.Clone(c.messages)
	}
	return nil
}

// Stats returns the counts so far.
func (s *Server) Stats() Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.stats
}

// PostTimes returns when each accepted channel message arrived.
func (s *Server) PostTimes() []time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.posts)
}

// MaxPerWindow returns the most requests counted against the global limit
// that arrived within any span of d.
func (s *Server) MaxPerWindow(d time.Duration) int {
	s.mu.Lock()
	times := slices.Clone(s.accepted)
	s.mu.Unlock()
	best, lo := 0, 0
	for hi := range times {
		for times[hi].Sub(times[lo]) >= d {
			lo++
		}
		best = max(best, hi-lo+1)
	}
	return best
}

// Commands returns the commands registered for the guild ("" for global).
func (s *Server) Commands(guildID string) []Command {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.commands[guildID])
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

// fail writes Discord's error body and counts it; s.mu must be held.
func (s *Server) fail(w http.ResponseWriter, status, code int, message string) {
	switch status {
	case http.StatusUnauthorized:
		s.stats.Unauthorized++
	case http.StatusForbidden:
		s.stats.Forbidden++
	case http.StatusNotFound:
		s.stats.NotFound++
	case http.StatusBadRequest:
		s.stats.Invalid++
	}
	body := map[string]any{"code": code, "message": message}
	if code == 50035 {
		body["message"] = "Invalid Form Body"
		body["errors"] = map[string]any{"_errors": []map[string]string{{"code": "BASE_TYPE_INVALID", "message": message}}}
	}
	writeJSON(w, status, body)
}

// tooMany writes a 429; s.mu must be held.
func (s *Server) tooMany(w http.ResponseWriter, retry time.Duration, global bool, bucket string) {
	s.stats.TooManyRequests++
	secs := math.Max(retry.Seconds(), 0.001)
	h := w.Header()
	h.Set("Retry-After", strconv.Itoa(int(math.Ceil(secs))))
	if global {
		s.stats.GlobalLimited++
		h.Set("X-RateLimit-Global", "true")
		h.Set("X-RateLimit-Scope", "global")
	} else {
		h.Set("X-RateLimit-Scope", "user")
		h.Set("X-RateLimit-Bucket", bucket)
		h.Set("X-RateLimit-Limit", strconv.Itoa(s.opts.RouteLimit))
		h.Set("X-RateLimit-Remaining", "0")
		h.Set("X-RateLimit-Reset-After", strconv.FormatFloat(secs, 'f', 3, 64))
		h.Set("X-RateLimit-Reset", strconv.FormatFloat(float64(time.Now().Add(retry).UnixMilli())/1000, 'f', 3, 64))
	}
	writeJSON(w, http.StatusTooManyRequests, map[string]any{"message": "You are being rate limited.",
		"retry_after": secs, "global": global})
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Date", time.Now().UTC().Format(http.TimeFormat))
	if r.URL.Path == "/gateway" || r.URL.Path == "/gateway/" {
		s.serveGateway(w, r)
		return
	}
	if d := s.opts.Delay; d > 0 {
		time.Sleep(d / 2)
		defer time.Sleep(d - d/2)
	}
	rest, ok := strings.CutPrefix(r.URL.Path, "/api/v9")
	if !ok {
		rest, ok = strings.CutPrefix(r.URL.Path, "/api/v10")
	}
	body, files, bodyErr := readBody(r)
	parts := strings.Split(strings.Trim(rest, "/"), "/")
	s.mu.Lock()
	defer s.mu.Unlock()
	s.stats.Requests++
	if !ok {
		s.fail(w, http.StatusNotFound, 0, "404: Not Found")
		return
	}
	switch {
	case errors.Is(bodyErr, errTooLarge):
		s.fail(w, http.StatusRequestEntityTooLarge, 40005, "Request entity too large")
		return
	case bodyErr != nil:
		s.fail(w, http.StatusBadRequest, 50035, bodyErr.Error())
		return
	}
	// Interaction endpoints: authorized by the interaction token, outside
	// the global limit.
	switch {
	case len(parts) == 4 && parts[0] == "interactions" && parts[3] == "callback" && r.Method == http.MethodPost:
		s.callback(w, parts[1], parts[2], body)
		return
	case len(parts) >= 3 && parts[0] == "webhooks":
		s.webhook(w, r, parts[1:], body)
		return
	}
	if r.Header.Get("Authorization") != "Bot "+s.Token {
		s.fail(w, http.StatusUnauthorized, 0, "401: Unauthorized")
		return
	}
	now := time.Now()
	for len(s.global) > 0 && now.Sub(s.global[0]) >= time.Second {
		s.global = s.global[1:]
	}
	if len(s.global) >= s.opts.GlobalLimit {
		s.tooMany(w, s.global[0].Add(time.Second).Sub(now), true, "")
		return
	}
	s.global = append(s.global, now)
	s.accepted = append(s.accepted, now)

	switch {
	case rest == "/gateway" || rest == "/gateway/bot":
		writeJSON(w, 200, map[string]any{"url": "ws" + strings.TrimPrefix(s.URL, "http") + "/gateway",
			"shards": s.opts.Shards, "session_start_limit": map[string]int{"total": 1000, "remaining": 1000 - s.gw.identifies,
				"reset_after": 86_400_000, "max_concurrency": s.opts.MaxConcurrency}})
	case rest == "/users/@me" && r.Method == http.MethodGet:
		writeJSON(w, 200, map[string]any{"id": s.BotID, "username": "vigil-test", "discriminator": "0", "bot": true})
	case len(parts) >= 3 && parts[0] == "applications" && parts[len(parts)-1] == "commands":
		s.commandsRoute(w, r, parts, body)
	case len(parts) == 3 && parts[0] == "channels" && parts[2] == "messages" && r.Method == http.MethodPost:
		s.post(w, parts[1], body, files, now)
	case len(parts) == 4 && parts[0] == "channels" && parts[2] == "messages" && r.Method == http.MethodPatch:
		s.editMessage(w, parts[1], parts[3], body, files, now)
	case len(parts) == 4 && parts[0] == "channels" && parts[2] == "messages" && r.Method == http.MethodDelete:
		s.deleteMessage(w, parts[1], parts[3], now)
	default:
		s.fail(w, http.StatusNotFound, 0, "404: Not Found")
	}
}

func (s *Server) commandsRoute(w http.ResponseWriter, r *http.Request, parts []string, body []byte) {
	if parts[1] != s.AppID {
		s.fail(w, http.StatusForbidden, 50001, "Missing Access")
		return
	}
	guild := ""
	switch {
	case len(parts) == 3:
	case len(parts) == 5 && parts[2] == "guilds":
		guild = parts[3]
	default:
		s.fail(w, http.StatusNotFound, 0, "404: Not Found")
		return
	}
	switch r.Method {
	case http.MethodGet:
		writeJSON(w, 200, s.commands[guild])
	case http.MethodPut:
		var cmds []Command
		if err := json.Unmarshal(body, &cmds); err != nil {
			s.fail(w, http.StatusBadRequest, 50109, "The request body contains invalid JSON.")
			return
		}
		if err := checkCommands(cmds); err != nil {
			s.fail(w, http.StatusBadRequest, 50035, err.Error())
			return
		}
		for i := range cmds {
			cmds[i].ID, cmds[i].ApplicationID, cmds[i].GuildID = s.id(), s.AppID, guild
			if cmds[i].Type == 0 {
				cmds[i].Type = 1
			}
		}
		s.commands[guild] = cmds
		writeJSON(w, 200, cmds)
	default:
		s.fail(w, http.StatusMethodNotAllowed, 0, "405: Method Not Allowed")
	}
}

// post handles POST /channels/{id}/messages.
func (s *Server) post(w http.ResponseWriter, channelID string, body []byte, files []Attachment, now time.Time) {
	c := s.channel(channelID)
	bucket := "msg-" + channelID
	if len(c.faults) > 0 {
		f := c.faults[0]
		c.faults = c.faults[1:]
		if f.status == http.StatusTooManyRequests {
			s.tooMany(w, f.retryAfter, f.global, bucket)
		} else {
			s.fail(w, f.status, f.code, f.message)
		}
		return
	}
	if !now.Before(c.bucketReset) {
		c.bucketCount, c.bucketReset = 0, now.Add(s.opts.RouteWindow)
	}
	if c.bucketCount >= s.opts.RouteLimit {
		s.tooMany(w, c.bucketReset.Sub(now), false, bucket)
		return
	}
	c.bucketCount++
	h := w.Header()
	h.Set("X-RateLimit-Limit", strconv.Itoa(s.opts.RouteLimit))
	h.Set("X-RateLimit-Remaining", strconv.Itoa(s.opts.RouteLimit-c.bucketCount))
	h.Set("X-RateLimit-Reset", strconv.FormatFloat(float64(c.bucketReset.UnixMilli())/1000, 'f', 3, 64))
	h.Set("X-RateLimit-Reset-After", strconv.FormatFloat(c.bucketReset.Sub(now).Seconds(), 'f', 3, 64))
	h.Set("X-RateLimit-Bucket", bucket)
	switch {
	case c.deleted:
		s.fail(w, http.StatusNotFound, 10003, "Unknown Channel")
		return
	case c.denied == 50013:
		s.fail(w, http.StatusForbidden, 50013, "Missing Permissions")
		return
	case c.denied != 0:
		s.fail(w, http.StatusForbidden, 50001, "Missing Access")
		return
	}
	m, ok := s.message(w, body, len(files) == 0)
	if !ok {
		return
	}
	for i := range files {
		files[i].ID = s.id()
	}
	if errs := attachmentRefs(&m, files); len(errs) > 0 {
		s.fail(w, http.StatusBadRequest, 50035, strings.Join(errs, "; "))
		return
	}
	m.Attachments = files
	if ref := m.MessageReference; ref != nil {
		// A reply must answer a message of this channel that exists,
		// unless fail_if_not_exists is false (then it goes out plain).
		if (ref.ChannelID != "" && ref.ChannelID != channelID) || c.find(ref.MessageID) == nil {
			if ref.FailIfNotExists == nil || *ref.FailIfNotExists {
				s.fail(w, http.StatusBadRequest, 50035, "message_reference: Unknown message")
				return
			}
			m.MessageReference = nil
		}
	}
	m.ChannelID = channelID
	c.messages = append(c.messages, m)
	s.posts = append(s.posts, now)
	s.stats.Posts++
	s.stats.Attachments += len(files)
	writeJSON(w, 200, s.echo(m))
}

// find returns the channel's message id, or nil if there is none (or it
// was deleted).
func (c *channel) find(id string) *Message {
	for i := range c.messages {
		if c.messages[i].ID == id && !c.messages[i].Deleted {
			return &c.messages[i]
		}
	}
	return nil
}

// limit counts a request against the channel's bucket for route and
// answers 429 if it is spent; s.mu must be held.
func (s *Server) limit(w http.ResponseWriter, channelID, route string, now time.Time) bool {
	c := s.channel(channelID)
	if c.buckets == nil {
		c.buckets = map[string]*bucket{}
	}
	b := c.buckets[route]
	if b == nil {
		b = &bucket{}
		c.buckets[route] = b
	}
	name := route + "-" + channelID
	if !now.Before(b.reset) {
		b.count, b.reset = 0, now.Add(s.opts.RouteWindow)
	}
	if b.count >= s.opts.RouteLimit {
		s.tooMany(w, b.reset.Sub(now), false, name)
		return false
	}
	b.count++
	h := w.Header()
	h.Set("X-RateLimit-Limit", strconv.Itoa(s.opts.RouteLimit))
	h.Set("X-RateLimit-Remaining", strconv.Itoa(s.opts.RouteLimit-b.count))
	h.Set("X-RateLimit-Reset", strconv.FormatFloat(float64(b.reset.UnixMilli())/1000, 'f', 3, 64))
	h.Set("X-RateLimit-Reset-After", strconv.FormatFloat(b.reset.Sub(now).Seconds(), 'f', 3, 64))
	h.Set("X-RateLimit-Bucket", name)
	return true
}

// access answers as Discord does for a channel the bot may not use;
// s.mu must be held.
func (s *Server) access(w http.ResponseWriter, c *channel) bool {
	switch {
	case c.deleted:
		s.fail(w, http.StatusNotFound, 10003, "Unknown Channel")
	case c.denied == 50013:
		s.fail(w, http.StatusForbidden, 50013, "Missing Permissions")
	case c.denied != 0:
		s.fail(w, http.StatusForbidden, 50001, "Missing Access")
	default:
		return true
	}
	return false
}

// editMessage handles PATCH /channels/{id}/messages/{id}: the fields
// given replace the message's, and the result must be a valid message.
func (s *Server) editMessage(w http.ResponseWriter, channelID, messageID string, body []byte, files []Attachment, now time.Time) {
	if !s.limit(w, channelID, "edit", now) {
		return
	}
	c := s.channel(channelID)
	if !s.access(w, c) {
		return
	}
	m := c.find(messageID)
	if m == nil {
		s.fail(w, http.StatusNotFound, 10008, "Unknown Message")
		return
	}
	var fields map[string]json.RawMessage
	var patch Message
	if json.Unmarshal(body, &fields) != nil || json.Unmarshal(body, &patch) != nil {
		s.fail(w, http.StatusBadRequest, 50109, "The request body contains invalid JSON.")
		return
	}
	next := *m
	if _, ok := fields["content"]; ok {
		next.Content = patch.Content
	}
	if _, ok := fields["embeds"]; ok {
		next.Embeds = patch.Embeds
	}
	if _, ok := fields["components"]; ok {
		next.Components = patch.Components
	}
	kept, err := keptAttachments(m.Attachments, fields)
	if err != nil {
		s.fail(w, http.StatusBadRequest, 50035, "attachments: "+err.Error())
		return
	}
	for i := range files {
		files[i].ID = s.id()
	}
	next.Attachments = append(kept[:len(kept):len(kept)], files...)
	var errs formErrors
	checkMessage(&next, &errs)
	errs = append(errs, attachmentRefs(&next, next.Attachments)...)
	if len(errs) > 0 {
		s.fail(w, http.StatusBadRequest, 50035, strings.Join(errs, "; "))
		return
	}
	if next.Content == "" && len(next.Embeds) == 0 && len(next.Components) == 0 && len(next.Attachments) == 0 {
		s.fail(w, http.StatusBadRequest, 50006, "Cannot send an empty message")
		return
	}
	next.Edits++
	*m = next
	s.stats.Edits++
	out := s.echo(*m)
	out["content"], out["embeds"], out["components"] = m.Content, m.Embeds, m.Components
	out["attachments"] = s.attachmentJSON(channelID, m.Attachments)
	out["edited_timestamp"] = now.UTC().Format(time.RFC3339)
	writeJSON(w, 200, out)
}

// deleteMessage handles DELETE /channels/{id}/messages/{id}.
func (s *Server) deleteMessage(w http.ResponseWriter, channelID, messageID string, now time.Time) {
	if !s.limit(w, channelID, "delete", now) {
		return
	}
	c := s.channel(channelID)
	if !s.access(w, c) {
		return
	}
	m := c.find(messageID)
	if m == nil {
		s.fail(w, http.StatusNotFound, 10008, "Unknown Message")
		return
	}
	m.Deleted = true
	s.stats.Deletes++
	w.WriteHeader(http.StatusNoContent)
}

// message decodes and validates a message body, answering 400 if it is
// invalid; s.mu must be held.
func (s *Server) message(w http.ResponseWriter, body []byte, requireContent bool) (Message, bool) {
	var m Message
	if err := json.Unmarshal(body, &m); err != nil {
		s.fail(w, http.StatusBadRequest, 50109, "The request body contains invalid JSON.")
		return m, false
	}
	var errs formErrors
	checkMessage(&m, &errs)
	if len(errs) > 0 {
		s.fail(w, http.StatusBadRequest, 50035, strings.Join(errs, "; "))
		return m, false
	}
	if requireContent && m.Content == "" && len(m.Embeds) == 0 && len(m.Components) == 0 {
		s.fail(w, http.StatusBadRequest, 50006, "Cannot send an empty message")
		return m, false
	}
	m.ID = s.id()
	m.Raw = slices.Clone(body)
	return m, true
}

// echo is the message object Discord returns.
func (s *Server) echo(m Message) map[string]any {
	out := map[string]any{}
	json.Unmarshal(m.Raw, &out)
	out["id"], out["channel_id"], out["timestamp"] = m.ID, m.ChannelID, time.Now().UTC().Format(time.RFC3339)
	out["author"] = map[string]any{"id": s.BotID, "username": "vigil-test", "bot": true}
	out["attachments"] = s.attachmentJSON(m.ChannelID, m.Attachments)
	delete(out, "allowed_mentions")
	return out
}

var errTimeout = errors.New("discordtest: timed out")

// waitFor polls cond (called with s.mu held) until it holds or timeout.
func (s *Server) waitFor(timeout time.Duration, cond func() bool) error {
	deadline := time.Now().Add(timeout)
	for {
		s.mu.Lock()
		ok := cond()
		s.mu.Unlock()
		if ok {
			return nil
		}
		if time.Now().After(deadline) {
			return errTimeout
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// WaitMessages waits until the channel has at least n messages.
func (s *Server) WaitMessages(channelID string, n int, timeout time.Duration) ([]Message, error) {
	err := s.waitFor(timeout, func() bool { c := s.channels[channelID]; return c != nil && len(c.messages) >= n })
	msgs := s.Messages(channelID)
	if err != nil {
		return msgs, fmt.Errorf("channel %s: %d messages, want %d: %w", channelID, len(msgs), n, err)
	}
	return msgs, nil
}
