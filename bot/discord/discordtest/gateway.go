package discordtest

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/gorilla/websocket"
)

// gateway is the fake's websocket gateway state; guarded by Server.mu.
type gateway struct {
	sessions   map[string]*gwSession
	current    *gwSession
	conns      []*gwConn
	identifies int
	resumes    int
	intents    []int
}

type gwSession struct {
	id     string
	seq    int64
	events [][]byte // dispatched events, for replay on RESUME
	seqs   []int64
	conn   *gwConn
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

func (c *gwConn) sendRaw(b []byte) error {
	c.mu.Lock()
	defer c.mu.Unlock()
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
			}
			json.Unmarshal(f.D, &d)
			if strings.TrimPrefix(d.Token, "Bot ") != s.Token {
				c.closeWith(4004, "Authentication failed.")
				return
			}
			s.identify(c, d.Intents)
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

func (s *Server) identify(c *gwConn, intents int) {
	s.mu.Lock()
	s.gw.identifies++
	s.gw.intents = append(s.gw.intents, intents)
	sess := &gwSession{id: "sess-" + s.id(), conn: c}
	s.gw.sessions[sess.id] = sess
	s.gw.current = sess
	sess.seq++
	seq := sess.seq
	ready := map[string]any{"op": 0, "s": seq, "t": "READY", "d": map[string]any{
		"v": 9, "session_id": sess.id, "resume_gateway_url": "ws" + strings.TrimPrefix(s.URL, "http") + "/gateway",
		"user":        map[string]any{"id": s.BotID, "username": "vigil-test", "discriminator": "0", "bot": true},
		"application": map[string]any{"id": s.AppID, "flags": 0},
		"guilds":      []any{}, "private_channels": []any{},
	}}
	s.mu.Unlock()
	c.send(ready)
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
	var replay [][]byte
	for i, q := range sess.seqs {
		if q > seq {
			replay = append(replay, sess.events[i])
		}
	}
	sess.seq++
	resumed := map[string]any{"op": 0, "s": sess.seq, "t": "RESUMED", "d": map[string]any{}}
	s.mu.Unlock()
	for _, b := range replay {
		c.sendRaw(b)
	}
	c.send(resumed)
}

// dispatch sends an event to the current session; an event sent while the
// bot is disconnected is replayed when it resumes.
func (s *Server) dispatch(t string, d any) error {
	s.mu.Lock()
	sess := s.gw.current
	if sess == nil {
		s.mu.Unlock()
		return errors.New("discordtest: no bot has identified on the gateway")
	}
	sess.seq++
	b, err := json.Marshal(map[string]any{"op": 0, "s": sess.seq, "t": t, "d": d})
	if err != nil {
		s.mu.Unlock()
		return err
	}
	sess.events = append(sess.events, b)
	sess.seqs = append(sess.seqs, sess.seq)
	c := sess.conn
	s.mu.Unlock()
	if c != nil {
		c.sendRaw(b) // a failed write is replayed on RESUME
	}
	return nil
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
