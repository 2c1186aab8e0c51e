package discordtest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gorilla/websocket"
)

// gateway is the fake's websocket gateway state; guarded by Server.mu.
type gateway struct {
	sessions   map[string]*gwSession
	current    *gwSession         // the session that identified or resumed last
	byShard    map[int]*gwSession // the latest session of each shard
	count      int                // the shard count of the latest IDENTIFY
	conns      []*gwConn
	identifies int
	resumes    int
	intents    []int
	log        []Identify
	lastByKey  map[int]time.Time // rate-limit key → the last IDENTIFY
	tooSoon    int
	closes     []int
	guildsSent map[int][]string // shard → guilds sent in GUILD_CREATE
}

// Identify is an IDENTIFY the gateway accepted: the shard it named (0 of
// 1 without one) and when it came.
type Identify struct {
	Shard, Count int
	At           time.Time
}

type gwSession struct {
	id           string
	shard, count int
	seq          int64
	events       [][]byte // dispatched events, for replay on RESUME
	seqs         []int64
	conn         *gwConn
}

// ShardOf returns the shard that receives a guild's events when a bot
// runs count shards: (guild_id >> 22) % count, as Discord computes it.
func ShardOf(guildID string, count int) int {
	id, err := strconv.ParseUint(guildID, 10, 64)
	if err != nil || count <= 1 {
		return 0
	}
	return int((id >> 22) % uint64(count))
}

type gwConn struct {
	ws *websocket.Conn
	mu sync.Mutex // one writer at a time
}

func (c *gwConn) send(v any) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.ws.SetWriteDeadline(time.Now().Add(5 * time.Second))
	return c.ws.WriteJSON(v)
}

// writeLocked and writeRawLocked write with c.mu held by the caller.
func (c *gwConn) writeLocked(v any) error {
	c.ws.SetWriteDeadline(time.Now().Add(5 * time.Second))
	return c.ws.WriteJSON(v)
}

func (c *gwConn) writeRawLocked(b []byte) error {
	c.ws.SetWriteDeadline(time.Now().Add(5 * time.Second))
	return c.ws.WriteMessage(websocket.TextMessage, b)
}

var upgrader = websocket.Upgrader{CheckOrigin: func(*http.Request) bool { return true }}

type frame struct {
	Op int             `json:"op"`
	D  json.RawMessage `json:"d"`
	S  *int64          `json:"s,omitempty"`
	T  string          `json:"t,omitempty"`
}

func (s *Server) serveGateway(w http.ResponseWriter, r *http.Request) {
	if r.URL.Query().Get("v") != "9" && r.URL.Query().Get("v") != "10" {
		http.Error(w, "unsupported gateway version", http.StatusBadRequest)
		return
	}
	ws, err := upgrader.Upgrade(w, r, nil)
	if err != nil {
		return
	}
	c := &gwConn{ws: ws}
	s.mu.Lock()
	s.gw.conns = append(s.gw.conns, c)
	s.mu.Unlock()
	defer func() {
		ws.Close()
		s.mu.Lock()
		for _, sess := range s.gw.sessions {
			if sess.conn == c {
				sess.conn = nil
			}
		}
		s.mu.Unlock()
	}()
	if c.send(map[string]any{"op": 10, "d": map[string]any{"heartbeat_interval": s.opts.HeartbeatInterval.Milliseconds()}}) != nil {
		return
	}
	for {
		_, data, err := ws.ReadMessage()
		if err != nil {
			return
		}
		var f frame
		if json.Unmarshal(data, &f) != nil {
			c.closeWith(4002, "Error while decoding payload.")
			return
		}
		switch f.Op {
		case 1:
			if c.send(map[string]any{"op": 11}) != nil {
				return
			}
		case 2:
			var d struct {
				Token   string `json:"token"`
				Intents int    `json:"intents"`
				Shard   *[]int `json:"shard"`
			}
			json.Unmarshal(f.D, &d)
			if strings.TrimPrefix(d.Token, "Bot ") != s.Token {
				c.closeWith(4004, "Authentication failed.")
				return
			}
			shard, count := 0, 1
			if d.Shard != nil {
				if len(*d.Shard) != 2 {
					s.refuse(c, 4010, "Invalid shard.")
					return
				}
				shard, count = (*d.Shard)[0], (*d.Shard)[1]
			}
			if count < 1 || shard < 0 || shard >= count {
				s.refuse(c, 4010, "Invalid shard.")
				return
			}
			if s.guildsOn(shard, count) > s.opts.GuildsPerShard {
				s.refuse(c, 4011, "Sharding required.")
				return
			}
			s.identify(c, d.Intents, shard, count)
		case 6:
			var d struct {
				Token     string `json:"token"`
				SessionID string `json:"session_id"`
				Seq       int64  `json:"seq"`
			}
			json.Unmarshal(f.D, &d)
			if strings.TrimPrefix(d.Token, "Bot ") != s.Token {
				c.closeWith(4004, "Authentication failed.")
				return
			}
			s.resume(c, d.SessionID, d.Seq)
		}
	}
}

func (c *gwConn) closeWith(code int, text string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.ws.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(code, text), time.Now().Add(time.Second))
	c.ws.Close()
}

// refuse closes a connection with a gateway close code, and counts it.
func (s *Server) refuse(c *gwConn, code int, text string) {
	s.mu.Lock()
	s.gw.closes = append(s.gw.closes, code)
	s.mu.Unlock()
	c.closeWith(code, text)
}

// guildsOn counts the guilds of shard of count.
func (s *Server) guildsOn(shard, count int) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, g := range s.guilds {
		if ShardOf(g, count) == shard {
			n++
		}
	}
	return n
}

func (s *Server) identify(c *gwConn, intents, shard, count int) {
	s.mu.Lock()
	now := time.Now()
	// Discord lets each rate-limit key (shard_id % max_concurrency)
	// identify once every 5 seconds.
	key := shard % s.opts.MaxConcurrency
	if last, ok := s.gw.lastByKey[key]; ok && now.Sub(last) < s.opts.IdentifySpacing {
		s.gw.tooSoon++
	}
	s.gw.lastByKey[key] = now
	s.gw.identifies++
	s.gw.intents = append(s.gw.intents, intents)
	s.gw.log = append(s.gw.log, Identify{Shard: shard, Count: count, At: now})
	sess := &gwSession{id: "sess-" + s.id(), conn: c, shard: shard, count: count}
	s.gw.sessions[sess.id] = sess
	s.gw.current = sess
	s.gw.byShard[shard] = sess
	s.gw.count = count
	sess.seq++
	seq := sess.seq
	var guilds []string
	unavailable := []any{}
	for _, g := range s.guilds {
		if ShardOf(g, count) == shard {
			guilds = append(guilds, g)
			unavailable = append(unavailable, map[string]any{"id": g, "unavailable": true})
		}
	}
	ready := map[string]any{"op": 0, "s": seq, "t": "READY", "d": map[string]any{
		"v": 9, "session_id": sess.id, "resume_gateway_url": "ws" + strings.TrimPrefix(s.URL, "http") + "/gateway",
		"user":        map[string]any{"id": s.BotID, "username": "vigil-test", "discriminator": "0", "bot": true},
		"application": map[string]any{"id": s.AppID, "flags": 0},
		"guilds":      unavailable, "private_channels": []any{}, "shard": []int{shard, count},
	}}
	// Then each of the shard's guilds, as Discord sends them.
	var creates [][]byte
	for _, g := range guilds {
		sess.seq++
		b, _ := json.Marshal(map[string]any{"op": 0, "s": sess.seq, "t": "GUILD_CREATE", "d": map[string]any{
			"id": g, "name": "Guild " + g, "unavailable": false, "member_count": 2, "channels": []any{}, "roles": []any{}}})
		sess.events = append(sess.events, b)
		sess.seqs = append(sess.seqs, sess.seq)
		creates = append(creates, b)
	}
	s.gw.guildsSent[shard] = append(s.gw.guildsSent[shard], guilds...)
	// The connection's writer is taken before s.mu is let go, so that no
	// event dispatched meanwhile overtakes these on the wire.
	c.mu.Lock()
	s.mu.Unlock()
	defer c.mu.Unlock()
	c.writeLocked(ready)
	for _, b := range creates {
		c.writeRawLocked(b)
	}
}

func (s *Server) resume(c *gwConn, sessionID string, seq int64) {
	s.mu.Lock()
	sess := s.gw.sessions[sessionID]
	if sess == nil {
		s.mu.Unlock()
		c.send(map[string]any{"op": 9, "d": false})
		return
	}
	s.gw.resumes++
	sess.conn = c
	s.gw.current = sess
	s.gw.byShard[sess.shard] = sess
	var replay [][]byte
	for i, q := range sess.seqs {
		if q > seq {
			replay = append(replay, sess.events[i])
		}
	}
	sess.seq++
	resumed := map[string]any{"op": 0, "s": sess.seq, "t": "RESUMED", "d": map[string]any{}}
	c.mu.Lock()
	s.mu.Unlock()
	defer c.mu.Unlock()
	for _, b := range replay {
		c.writeRawLocked(b)
	}
	c.writeLocked(resumed)
}

// dispatch sends an event to shard 0's session (DMs and events of no
// guild go there).
func (s *Server) dispatch(t string, d any) error {
	_, err := s.dispatchGuild("", t, d)
	return err
}

// dispatchGuild sends an event to the session of the shard that holds
// guild, and returns the shard; an event sent while the bot is
// disconnected is replayed when it resumes.
func (s *Server) dispatchGuild(guild, t string, d any) (int, error) {
	s.mu.Lock()
	shard := ShardOf(guild, s.gw.count)
	sess := s.gw.byShard[shard]
	if sess == nil || sess.count != s.gw.count {
		s.mu.Unlock()
		return shard, fmt.Errorf("discordtest: shard %d of %d has not identified on the gateway", shard, max(s.gw.count, 1))
	}
	sess.seq++
	b, err := json.Marshal(map[string]any{"op": 0, "s": sess.seq, "t": t, "d": d})
	if err != nil {
		s.mu.Unlock()
		return shard, err
	}
	sess.events = append(sess.events, b)
	sess.seqs = append(sess.seqs, sess.seq)
	c := sess.conn
	if c == nil {
		s.mu.Unlock()
		return shard, nil
	}
	c.mu.Lock() // before s.mu is let go: events go out in their order
	s.mu.Unlock()
	defer c.mu.Unlock()
	c.writeRawLocked(b) // a failed write is replayed on RESUME
	return shard, nil
}

// WaitConnected waits until a bot has identified (or resumed) and holds a
// gateway connection.
func (s *Server) WaitConnected(timeout time.Duration) error {
	return s.waitFor(timeout, func() bool { return s.gw.current != nil && s.gw.current.conn != nil })
}

// DropConnection cuts the bot's gateway connection without a close frame,
// as a network failure would; the bot should reconnect and RESUME.
func (s *Server) DropConnection() {
	s.mu.Lock()
	var c *gwConn
	if s.gw.current != nil {
		c, s.gw.current.conn = s.gw.current.conn, nil
	}
	s.mu.Unlock()
	if c != nil {
		c.ws.UnderlyingConn().Close()
	}
}

// WaitShards waits until every shard of count holds a gateway
// connection, identified with that count.
func (s *Server) WaitShards(count int, timeout time.Duration) error {
	return s.waitFor(timeout, func() bool {
		for i := range count {
			if !s.shardUp(i, count) {
				return false
			}
		}
		return true
	})
}

// WaitShard waits until shard of count holds a gateway connection.
func (s *Server) WaitShard(shard, count int, timeout time.Duration) error {
	return s.waitFor(timeout, func() bool { return s.shardUp(shard, count) })
}

// shardUp reports whether shard of count is connected; s.mu is held.
func (s *Server) shardUp(shard, count int) bool {
	sess := s.gw.byShard[shard]
	return sess != nil && sess.conn != nil && sess.count == count
}

// AddGuilds makes the bot a member of the guilds: each is sent, in
// GUILD_CREATE, to the shard that holds it when that shard identifies,
// and a bot that identifies with more than Options.GuildsPerShard of them
// on one shard is refused (4011).
func (s *Server) AddGuilds(ids ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.guilds = append(s.guilds, ids...)
}

// Recommend changes the shard count GET /gateway/bot recommends, as
// Discord's does when a bot joins more guilds.
func (s *Server) Recommend(shards int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.opts.Shards = shards
}

// IdentifyLog returns the accepted IDENTIFYs, oldest first.
func (s *Server) IdentifyLog() []Identify {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Identify(nil), s.gw.log...)
}

// IdentifiesTooSoon returns how many IDENTIFYs came within
// Options.IdentifySpacing of the last one of the same rate-limit key
// (shard_id % max_concurrency): Discord allows one each 5 seconds.
func (s *Server) IdentifiesTooSoon() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.gw.tooSoon
}

// CloseCodes returns the close codes the gateway refused connections
// with (4010 invalid shard, 4011 sharding required), oldest first.
func (s *Server) CloseCodes() []int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]int(nil), s.gw.closes...)
}

// GuildsSent returns the guilds sent in GUILD_CREATE to sessions of shard.
func (s *Server) GuildsSent(shard int) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.gw.guildsSent[shard]...)
}

// Identifies returns how many IDENTIFYs the gateway accepted.
func (s *Server) Identifies() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.gw.identifies
}

// Resumes returns how many RESUMEs the gateway accepted.
func (s *Server) Resumes() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.gw.resumes
}

// Intents returns the intents of each IDENTIFY.
func (s *Server) Intents() []int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]int(nil), s.gw.intents...)
}

func (s *Server) closeGateway() {
	s.mu.Lock()
	conns := s.gw.conns
	s.gw.conns = nil
	s.mu.Unlock()
	for _, c := range conns {
		c.ws.Close()
	}
}
