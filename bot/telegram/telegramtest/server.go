// Package telegramtest is a strict fake of the Telegram Bot API for tests:
// an httptest server on 127.0.0.1 that speaks the methods vigil's Telegram
// adapter uses, refuses what Telegram refuses (unknown token, over-long
// text and captions, HTML it cannot parse, over-long callback data),
// enforces Telegram's rate limits with 429 and retry_after, and lets a
// test inject updates, set members' statuses, kick the bot from chats and
// migrate groups, and read back what the bot sent.
//
// It is a test helper: it imports only the standard library and the
// testing package, and nothing of vigil.
package telegramtest

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"
)

// DefaultToken is the token the server accepts unless Options say otherwise.
const DefaultToken = "123456789:AAFakeTokenForTestsOnly_x0x0x0x0x0x0"

// Telegram's limits.
const (
	MaxText         = 4096
	MaxCaption      = 1024
	MaxCallbackData = 64
)

// Limit allows at most N successful sends in any window of Window.
type Limit struct {
	N      int
	Window time.Duration
}

// Limits are the rate limits the server enforces; a zero Limit is off.
type Limits struct {
	Global  Limit // every chat together
	PerChat Limit // one chat
	Group   Limit // one group, supergroup or channel (negative chat id)
}

// RealLimits are Telegram's documented limits: about 30 messages a second
// overall, 1 a second per chat (with a small burst), 20 a minute per group.
func RealLimits() Limits {
	return Limits{
		Global:  Limit{N: 30, Window: time.Second},
		PerChat: Limit{N: 3, Window: 3 * time.Second},
		Group:   Limit{N: 20, Window: time.Minute},
	}
}

// Options configure a Server.
type Options struct {
	Token       string // default DefaultToken
	BotID       int64  // default 1000
	BotUsername string // default "vigil_test_bot"
	// Limits are the rate limits; nil means RealLimits. Use &Limits{} for none.
	Limits *Limits
	// Delay is added to every request's round trip, as a network between
	// the bot and Telegram would: half before the request is handled (and
	// counted against the limits), half before its answer is sent.
	Delay time.Duration
}

// Chat is a chat the bot is in.
type Chat struct {
	ID       int64  `json:"id"`
	Type     string `json:"type"` // private, group, supergroup, channel
	Title    string `json:"title,omitempty"`
	Username string `json:"username,omitempty"`
}

// User is a Telegram user.
type User struct {
	ID        int64  `json:"id"`
	IsBot     bool   `json:"is_bot"`
	FirstName string `json:"first_name"`
	Username  string `json:"username,omitempty"`
	// LanguageCode is the IETF tag of the user's app language ("uk",
	// "pt-br"), as Telegram sends it with the user's messages.
	LanguageCode string `json:"language_code,omitempty"`
}

// Private returns the private chat with user id.
func Private(id int64) Chat { return Chat{ID: id, Type: "private"} }

// Group returns a basic group.
func Group(id int64, title string) Chat { return Chat{ID: id, Type: "group", Title: title} }

// Supergroup returns a supergroup.
func Supergroup(id int64, title string) Chat { return Chat{ID: id, Type: "supergroup", Title: title} }

// Channel returns a channel.
func Channel(id int64, title string) Chat { return Chat{ID: id, Type: "channel", Title: title} }

// Button is an inline keyboard button as the bot sent it.
type Button struct {
	Text         string  `json:"text"`
	URL          *string `json:"url,omitempty"`
	CallbackData *string `json:"callback_data,omitempty"`
}

// Sent is a message the bot sent (or edited) in a chat, as accepted.
type Sent struct {
	MessageID int
	Method    string // sendMessage, sendPhoto
	Raw       string // the text or caption as sent (HTML source in HTML mode)
	Text      string // the text or caption as users see it
	ParseMode string
	Photo     string // the photo's URL or file_id (an upload's: the largest size's)
	// Upload is set for a photo uploaded as a file; PhotoWidth and
	// PhotoHeight are the size of an uploaded or reused picture, and
	// PhotoBytes an upload's size.
	Upload                              bool
	PhotoWidth, PhotoHeight, PhotoBytes int
	Keyboard                            [][]Button
	ReplyTo                             int
	Edits                               int // how many times editMessageText or editMessageCaption changed it
	Params                              url.Values
	Date                                time.Time // when it was sent, by the server's clock (Advance)
	Deleted                             bool      // deleteMessage removed it
}

// Callback is a callback query the server handed out, and its answer.
type Callback struct {
	ID       string
	Data     string
	Answered bool
	Text     string
}

type update struct {
	ID   int
	JSON map[string]any
}

type chatState struct {
	Chat
	kicked     bool
	migratedTo int64
	members    map[int64]string
	messages   []*Sent
	nextMsgID  int
	throttle   []int // forced 429s: retry_after seconds, consumed one per send
	rejectHTML int   // forced parse errors for HTML sends
	deleted    map[int]bool
}

// Server is the fake Bot API.
type Server struct {
	t    testing.TB
	opts Options
	srv  *httptest.Server

	mu          sync.Mutex
	chats       map[int64]*chatState
	updates     []update
	nextUpdate  int
	wake        chan struct{} // closed when an update arrives
	callbacks   map[string]*Callback
	history     map[string][]time.Time // rate-limit keys → accepted send times
	calls       map[string]int
	errors      []string
	tooMany     int
	commands    map[string][]map[string]any
	webhookGone int
	poll        chan struct{} // closed to end the current long poll with 409
	conflicts   int           // long polls ended by another's 409
	failures    []failure     // forced refusals, consumed in order
	revoked     bool
	webhook     url.Values            // the last setWebhook's parameters
	offset      time.Duration         // the clock's advance (Advance)
	deletions   int                   // messages deleted
	files       map[string]*photoFile // file_ids of uploaded photos
	uploads     int                   // photos uploaded
	reuses      int                   // photos sent by file_id
}

// MaxDeleteAge is how old a message may be for a bot to delete it: older
// ones give "message can't be deleted".
const MaxDeleteAge = 48 * time.Hour

// Advance moves the server's clock forward by d: messages sent before
// are d older, for the 48-hour limit on deleting them.
func (s *Server) Advance(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.offset += d
}

// now is the server's clock; s.mu must be held.
func (s *Server) now() time.Time { return time.Now().Add(s.offset) }

// Conflicts returns how many long polls were ended with 409 Conflict
// ("terminated by other getUpdates request") because another poller
// (a second bot instance) asked for updates meanwhile.
func (s *Server) Conflicts() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.conflicts
}

// Deletions returns how many messages deleteMessage removed.
func (s *Server) Deletions() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.deletions
}

// failure is a refusal forced by FailNext.
type failure struct {
	method string
	err    apiError
}

// NewServer starts a fake Bot API on 127.0.0.1; it stops at the test's end.
func NewServer(t testing.TB, opts Options) *Server {
	if opts.Token == "" {
		opts.Token = DefaultToken
	}
	if opts.BotID == 0 {
		opts.BotID = 1000
	}
	if opts.BotUsername == "" {
		opts.BotUsername = "vigil_test_bot"
	}
	if opts.Limits == nil {
		l := RealLimits()
		opts.Limits = &l
	}
	s := &Server{t: t, opts: opts, chats: map[int64]*chatState{}, wake: make(chan struct{}),
		callbacks: map[string]*Callback{}, history: map[string][]time.Time{}, calls: map[string]int{},
		commands: map[string][]map[string]any{}, nextUpdate: 1, files: map[string]*photoFile{}}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(s.Close)
	return s
}

// Close stops the server, ending long polls.
func (s *Server) Close() {
	s.mu.Lock()
	if s.poll != nil {
		close(s.poll)
		s.poll = nil
	}
	s.mu.Unlock()
	s.srv.CloseClientConnections()
	s.srv.Close()
}

// URL returns the server's base URL.
func (s *Server) URL() string { return s.srv.URL }

// Endpoint returns the API endpoint format for telegram.api_endpoint.
func (s *Server) Endpoint() string { return s.srv.URL + "/bot%s/%s" }

// Token returns the token the server accepts.
func (s *Server) Token() string { return s.opts.Token }

// BotUsername returns the bot's username.
func (s *Server) BotUsername() string { return s.opts.BotUsername }

func (s *Server) chat(c Chat) *chatState {
	cs, ok := s.chats[c.ID]
	if !ok {
		cs = &chatState{Chat: c, members: map[int64]string{}, nextMsgID: 1, deleted: map[int]bool{}}
		s.chats[c.ID] = cs
	}
	return cs
}

// AddChat makes the bot a member of chat.
func (s *Server) AddChat(c Chat) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.chat(c)
}

func (s *Server) push(body map[string]any) int {
	id := s.nextUpdate
	s.nextUpdate++
	body["update_id"] = id
	s.updates = append(s.updates, update{ID: id, JSON: body})
	close(s.wake)
	s.wake = make(chan struct{})
	return id
}

// SendText injects a message from user in chat (a channel post when chat
// is a channel, where from is ignored) and returns its message id.
func (s *Server) SendText(c Chat, from User, text string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	cs := s.chat(c)
	id := cs.nextMsgID
	cs.nextMsgID++
	msg := map[string]any{"message_id": id, "date": time.Now().Unix(), "chat": c, "text": text}
	if strings.HasPrefix(text, "/") {
		cmd, _, _ := strings.Cut(text, " ")
		msg["entities"] = []map[string]any{{"type": "bot_command", "offset": 0, "length": utf8.RuneCountInString(cmd)}}
	}
	if c.Type == "channel" {
		msg["sender_chat"] = c
		s.push(map[string]any{"channel_post": msg})
		return id
	}
	if from.FirstName == "" {
		from.FirstName = "User" + strconv.FormatInt(from.ID, 10)
	}
	msg["from"] = from
	if _, ok := cs.members[from.ID]; !ok {
		cs.members[from.ID] = "member"
	}
	s.push(map[string]any{"message": msg})
	return id
}

// SendAnonymous injects a message by an anonymous group admin: it comes
// from the GroupAnonymousBot with the group itself as sender_chat.
func (s *Server) SendAnonymous(c Chat, text string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	cs := s.chat(c)
	id := cs.nextMsgID
	cs.nextMsgID++
	msg := map[string]any{"message_id": id, "date": time.Now().Unix(), "chat": c, "text": text,
		"from":        User{ID: 1087968824, IsBot: true, FirstName: "Group", Username: "GroupAnonymousBot"},
		"sender_chat": c}
	s.push(map[string]any{"message": msg})
	return id
}

// Press injects a callback query: user pressed the button with data under
// the bot's message messageID in chat. It returns the query's id.
func (s *Server) Press(c Chat, from User, messageID int, data string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	cs := s.chat(c)
	var msg map[string]any
	for _, m := range cs.messages {
		if m.MessageID == messageID {
			msg = map[string]any{"message_id": m.MessageID, "date": time.Now().Unix(), "chat": c, "text": m.Text,
				"from": User{ID: s.opts.BotID, IsBot: true, FirstName: "vigil", Username: s.opts.BotUsername}}
		}
	}
	if msg == nil {
		s.t.Errorf("telegramtest: Press: no bot message %d in chat %d", messageID, c.ID)
		return ""
	}
	if from.FirstName == "" {
		from.FirstName = "User" + strconv.FormatInt(from.ID, 10)
	}
	id := fmt.Sprintf("cb%d", len(s.callbacks)+1)
	s.callbacks[id] = &Callback{ID: id, Data: data}
	s.push(map[string]any{"callback_query": map[string]any{"id": id, "from": from, "message": msg,
		"chat_instance": strconv.FormatInt(c.ID, 10), "data": data}})
	return id
}

// SetMember sets user's status in chat: creator, administrator, member,
// restricted, left or kicked.
func (s *Server) SetMember(c Chat, userID int64, status string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.chat(c).members[userID] = status
}

// Kick removes the bot from chat (for a private chat: the user blocked
// the bot); sends there get 403 until Rejoin.
func (s *Server) Kick(c Chat) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.chat(c).kicked = true
}

// Rejoin adds the bot back to a chat it was kicked from.
func (s *Server) Rejoin(c Chat) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.chat(c).kicked = false
}

// Migrate upgrades group c to a supergroup with id newID: sends to the
// old id get 400 with migrate_to_chat_id. It returns the supergroup.
func (s *Server) Migrate(c Chat, newID int64) Chat {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.chat(c).migratedTo = newID
	sg := Supergroup(newID, c.Title)
	s.chat(sg)
	return sg
}

// MigrationMessage injects the service message Telegram posts in a
// group that Migrate upgraded, carrying migrate_to_chat_id.
func (s *Server) MigrationMessage(c Chat, from User) {
	s.mu.Lock()
	defer s.mu.Unlock()
	cs := s.chat(c)
	id := cs.nextMsgID
	cs.nextMsgID++
	if from.FirstName == "" {
		from.FirstName = "User" + strconv.FormatInt(from.ID, 10)
	}
	s.push(map[string]any{"message": map[string]any{"message_id": id, "date": time.Now().Unix(), "chat": c,
		"from": from, "migrate_to_chat_id": cs.migratedTo}})
}

// Throttle makes the next sends to chat fail with 429, one per value,
// with that retry_after in seconds.
func (s *Server) Throttle(c Chat, retryAfter ...int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	cs := s.chat(c)
	cs.throttle = append(cs.throttle, retryAfter...)
}

// RejectHTML makes the next n HTML sends to chat fail as if their
// entities could not be parsed.
func (s *Server) RejectHTML(c Chat, n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.chat(c).rejectHTML += n
}

// Unavailable makes the next n requests of any method fail with 502.
func (s *Server) Unavailable(n int) {
	for range n {
		s.FailNext("", 502, "Bad Gateway", 0)
	}
}

// FailNext makes the next request of method (any method if empty) fail
// with code and description, and retry_after if it is positive.
func (s *Server) FailNext(method string, code int, description string, retryAfter int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failures = append(s.failures, failure{method: method, err: apiError{Code: code, Description: description, RetryAfter: retryAfter}})
}

// RevokeToken makes the server refuse the token from now on, as Telegram
// does after /revoke in BotFather.
func (s *Server) RevokeToken() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.revoked = true
}

// Webhook returns the parameters of the last setWebhook call (url,
// secret_token, …), or nil.
func (s *Server) Webhook() url.Values {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.webhook
}

// Messages returns copies of the bot's messages in chat, oldest first.
func (s *Server) Messages(chatID int64) []Sent {
	s.mu.Lock()
	defer s.mu.Unlock()
	cs, ok := s.chats[chatID]
	if !ok {
		return nil
	}
	out := make([]Sent, len(cs.messages))
	for i, m := range cs.messages {
		out[i] = *m
	}
	return out
}

// WaitMessages waits until the bot has sent at least n messages to chat
// and returns them; it fails the test after timeout. (For edits, use
// WaitFor with Messages and Sent.Edits.)
func (s *Server) WaitMessages(chatID int64, n int, timeout time.Duration) []Sent {
	s.t.Helper()
	var got []Sent
	ok := s.WaitFor(timeout, func() bool {
		got = s.Messages(chatID)
		return len(got) >= n
	})
	if !ok {
		s.t.Fatalf("telegramtest: chat %d has %d bot messages after %v; want %d: %+v", chatID, len(got), timeout, n, got)
	}
	return got
}

// WaitFor polls cond until it holds or timeout passes, and reports which.
func (s *Server) WaitFor(timeout time.Duration, cond func() bool) bool {
	deadline := time.Now().Add(timeout)
	for {
		if cond() {
			return true
		}
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// SentCount returns how many messages the bot has sent, in every chat.
func (s *Server) SentCount() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, c := range s.chats {
		n += len(c.messages)
	}
	return n
}

// Callback returns the callback query with id.
func (s *Server) Callback(id string) Callback {
	s.mu.Lock()
	defer s.mu.Unlock()
	if cb, ok := s.callbacks[id]; ok {
		return *cb
	}
	return Callback{}
}

// Calls returns how many requests of method the server got.
func (s *Server) Calls(method string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls[method]
}

// TooMany returns how many requests got 429.
func (s *Server) TooMany() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.tooMany
}

// Errors returns the descriptions of every error reply but 429s, in order.
func (s *Server) Errors() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.errors...)
}

// Commands returns the command menu set for language code lang ("" for
// the default), as command → description.
func (s *Server) Commands(lang string) map[string]string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := map[string]string{}
	for _, c := range s.commands[lang] {
		out[fmt.Sprint(c["command"])] = fmt.Sprint(c["description"])
	}
	return out
}

// WebhookDeletions returns how many times deleteWebhook was called.
func (s *Server) WebhookDeletions() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.webhookGone
}

// apiError is a refusal in Telegram's shape.
type apiError struct {
	Code        int
	Description string
	RetryAfter  int
	MigrateTo   int64
}

var pathRE = regexp.MustCompile(`^/bot([^/]+)/([A-Za-z]+)$`)

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	if d := s.opts.Delay; d > 0 {
		time.Sleep(d / 2)
		defer time.Sleep(d - d/2)
	}
	m := pathRE.FindStringSubmatch(r.URL.Path)
	if m == nil {
		s.reply(w, nil, &apiError{Code: 404, Description: "Not Found"})
		return
	}
	token, method := m[1], m[2]
	s.mu.Lock()
	s.calls[method]++
	var forced *apiError
	for i, f := range s.failures {
		if f.method == "" || f.method == method {
			forced = &f.err
			s.failures = append(s.failures[:i:i], s.failures[i+1:]...)
			break
		}
	}
	revoked := s.revoked
	s.mu.Unlock()
	if token != s.opts.Token || revoked {
		s.reply(w, nil, &apiError{Code: 401, Description: "Unauthorized"})
		return
	}
	if forced != nil {
		s.reply(w, nil, forced)
		return
	}
	if r.Method != http.MethodPost && r.Method != http.MethodGet {
		s.reply(w, nil, &apiError{Code: 405, Description: "Method Not Allowed"})
		return
	}
	p, err := params(r)
	if err != nil {
		s.reply(w, nil, &apiError{Code: 400, Description: "Bad Request: " + err.Error()})
		return
	}
	var result any
	var aerr *apiError
	switch method {
	case "getMe":
		result = User{ID: s.opts.BotID, IsBot: true, FirstName: "vigil", Username: s.opts.BotUsername}
	case "getUpdates":
		result, aerr = s.getUpdates(r.Context(), p)
	case "deleteWebhook":
		s.mu.Lock()
		s.webhookGone++
		s.webhook = nil
		s.mu.Unlock()
		result = true
	case "setWebhook":
		result, aerr = s.setWebhook(p)
	case "getWebhookInfo":
		result = map[string]any{"url": "", "pending_update_count": 0}
	case "setMyCommands":
		result, aerr = s.setMyCommands(p)
	case "sendMessage":
		result, aerr = s.send(method, p, nil)
	case "sendPhoto":
		var up *upload
		if up, aerr = photoUpload(r); aerr == nil {
			result, aerr = s.send(method, p, up)
		}
	case "editMessageText", "editMessageCaption":
		result, aerr = s.edit(method, p)
	case "deleteMessage":
		result, aerr = s.deleteMessage(p)
	case "answerCallbackQuery":
		result, aerr = s.answer(p)
	case "getChatMember":
		result, aerr = s.getChatMember(p)
	default:
		aerr = &apiError{Code: 404, Description: "Not Found"}
	}
	s.reply(w, result, aerr)
}

func params(r *http.Request) (url.Values, error) {
	ct := r.Header.Get("Content-Type")
	switch {
	case strings.HasPrefix(ct, "multipart/form-data"):
		if err := r.ParseMultipartForm(1 << 20); err != nil {
			return nil, err
		}
		return r.Form, nil
	case strings.HasPrefix(ct, "application/json"):
		var m map[string]any
		if err := json.NewDecoder(r.Body).Decode(&m); err != nil {
			return nil, err
		}
		v := url.Values{}
		for k, x := range m {
			if s, ok := x.(string); ok {
				v.Set(k, s)
			} else {
				b, _ := json.Marshal(x)
				v.Set(k, string(b))
			}
		}
		return v, nil
	}
	if err := r.ParseForm(); err != nil {
		return nil, err
	}
	return r.Form, nil
}

func (s *Server) reply(w http.ResponseWriter, result any, aerr *apiError) {
	w.Header().Set("Content-Type", "application/json")
	if aerr != nil {
		body := map[string]any{"ok": false, "error_code": aerr.Code, "description": aerr.Description}
		params := map[string]any{}
		if aerr.RetryAfter > 0 {
			params["retry_after"] = aerr.RetryAfter
		}
		if aerr.MigrateTo != 0 {
			params["migrate_to_chat_id"] = aerr.MigrateTo
		}
		if len(params) > 0 {
			body["parameters"] = params
		}
		s.mu.Lock()
		if aerr.Code == 429 {
			s.tooMany++
		} else {
			s.errors = append(s.errors, aerr.Description)
		}
		s.mu.Unlock()
		w.WriteHeader(aerr.Code)
		json.NewEncoder(w).Encode(body)
		return
	}
	json.NewEncoder(w).Encode(map[string]any{"ok": true, "result": result})
}

func bad(format string, args ...any) *apiError {
	return &apiError{Code: 400, Description: "Bad Request: " + fmt.Sprintf(format, args...)}
}

func (s *Server) getUpdates(ctx context.Context, p url.Values) (any, *apiError) {
	offset, _ := strconv.Atoi(p.Get("offset"))
	limit, _ := strconv.Atoi(p.Get("limit"))
	if limit <= 0 || limit > 100 {
		limit = 100
	}
	timeout, _ := strconv.Atoi(p.Get("timeout"))
	if p.Get("allowed_updates") != "" {
		var allowed []string
		if err := json.Unmarshal([]byte(p.Get("allowed_updates")), &allowed); err != nil {
			return nil, bad("can't parse allowed_updates JSON array")
		}
	}
	s.mu.Lock()
	// A newer poll ends the one in progress, as Telegram does.
	if s.poll != nil {
		close(s.poll)
	}
	mine := make(chan struct{})
	s.poll = mine
	s.mu.Unlock()
	deadline := time.After(time.Duration(timeout) * time.Second)
	for {
		s.mu.Lock()
		if offset > 0 {
			i := 0
			for i < len(s.updates) && s.updates[i].ID < offset {
				i++
			}
			s.updates = s.updates[i:]
		}
		var out []map[string]any
		for _, u := range s.updates {
			if len(out) == limit {
				break
			}
			out = append(out, u.JSON)
		}
		wake := s.wake
		s.mu.Unlock()
		if len(out) > 0 || timeout <= 0 {
			s.endPoll(mine)
			if out == nil {
				out = []map[string]any{}
			}
			return out, nil
		}
		select {
		case <-wake:
		case <-deadline:
			timeout = 0
		case <-mine:
			s.mu.Lock()
			s.conflicts++
			s.mu.Unlock()
			return nil, &apiError{Code: 409, Description: "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running"}
		case <-ctx.Done():
			s.endPoll(mine)
			return []map[string]any{}, nil
		}
	}
}

func (s *Server) endPoll(mine chan struct{}) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.poll == mine {
		s.poll = nil
	}
}

var secretRE = regexp.MustCompile(`^[A-Za-z0-9_-]{1,256}$`)

func (s *Server) setWebhook(p url.Values) (any, *apiError) {
	u, err := url.Parse(p.Get("url"))
	if p.Get("url") != "" && (err != nil || u.Scheme != "https" && u.Scheme != "http" || u.Host == "") {
		return nil, bad("bad webhook: an HTTPS URL must be provided for webhook")
	}
	if sec := p.Get("secret_token"); sec != "" && !secretRE.MatchString(sec) {
		return nil, bad("bad webhook: secret token contains unallowed characters")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if p.Get("url") == "" {
		s.webhook = nil
	} else {
		s.webhook = p
	}
	return true, nil
}

// Update returns the update a webhook would receive for a message from
// user in chat, as JSON, without queueing it for getUpdates.
func (s *Server) Update(c Chat, from User, text string) []byte {
	s.mu.Lock()
	cs := s.chat(c)
	id := cs.nextMsgID
	cs.nextMsgID++
	uid := s.nextUpdate
	s.nextUpdate++
	if _, ok := cs.members[from.ID]; !ok {
		cs.members[from.ID] = "member"
	}
	s.mu.Unlock()
	if from.FirstName == "" {
		from.FirstName = "User" + strconv.FormatInt(from.ID, 10)
	}
	b, _ := json.Marshal(map[string]any{"update_id": uid, "message": map[string]any{"message_id": id,
		"date": time.Now().Unix(), "chat": c, "from": from, "text": text}})
	return b
}

var commandRE = regexp.MustCompile(`^[a-z0-9_]{1,32}$`)

func (s *Server) setMyCommands(p url.Values) (any, *apiError) {
	var cmds []map[string]any
	if err := json.Unmarshal([]byte(p.Get("commands")), &cmds); err != nil {
		return nil, bad("can't parse commands JSON object")
	}
	if len(cmds) > 100 {
		return nil, bad("too many commands specified")
	}
	for _, c := range cmds {
		name, _ := c["command"].(string)
		desc, _ := c["description"].(string)
		if !commandRE.MatchString(name) {
			return nil, bad("BOT_COMMAND_INVALID")
		}
		if n := utf8.RuneCountInString(desc); n < 1 || n > 256 {
			return nil, bad("BOT_COMMAND_DESCRIPTION_INVALID")
		}
	}
	lang := p.Get("language_code")
	if lang != "" && !regexp.MustCompile(`^[a-z]{2}$`).MatchString(lang) {
		return nil, bad("invalid language code specified")
	}
	s.mu.Lock()
	s.commands[lang] = cmds
	s.mu.Unlock()
	return true, nil
}

// lookupChat finds the chat of a chat_id parameter and refuses as
// Telegram does for chats the bot cannot post to.
func (s *Server) lookupChat(p url.Values) (*chatState, *apiError) {
	raw := p.Get("chat_id")
	if raw == "" {
		return nil, bad("chat_id is empty")
	}
	var cs *chatState
	if id, err := strconv.ParseInt(raw, 10, 64); err == nil {
		cs = s.chats[id]
	} else if strings.HasPrefix(raw, "@") {
		for _, c := range s.chats {
			if c.Username != "" && "@"+c.Username == raw {
				cs = c
			}
		}
	}
	if cs == nil {
		return nil, bad("chat not found")
	}
	if cs.migratedTo != 0 {
		return nil, &apiError{Code: 400, Description: "Bad Request: group chat was upgraded to a supergroup chat", MigrateTo: cs.migratedTo}
	}
	if cs.kicked {
		switch cs.Type {
		case "private":
			return nil, &apiError{Code: 403, Description: "Forbidden: bot was blocked by the user"}
		case "channel":
			return nil, &apiError{Code: 403, Description: "Forbidden: bot is not a member of the channel chat"}
		default:
			return nil, &apiError{Code: 403, Description: "Forbidden: bot was kicked from the " + cs.Type + " chat"}
		}
	}
	return cs, nil
}

// parseText checks a text or caption in its parse mode and returns what
// users would see.
func parseText(raw, mode string) (string, *apiError) {
	switch mode {
	case "":
		if !utf8.ValidString(raw) {
			return "", bad("strings must be encoded in UTF-8")
		}
		return raw, nil
	case "HTML", "html":
		text, err := ParseHTML(raw)
		if err != nil {
			return "", bad("can't parse entities: %s", err)
		}
		return text, nil
	}
	return "", bad("unsupported parse_mode")
}

var buttonURLRE = regexp.MustCompile(`^(https?|tg)://[^\s]+$`)

func parseKeyboard(raw string) ([][]Button, *apiError) {
	if raw == "" {
		return nil, nil
	}
	var markup struct {
		InlineKeyboard *[][]Button `json:"inline_keyboard"`
	}
	if err := json.Unmarshal([]byte(raw), &markup); err != nil {
		return nil, bad("can't parse reply keyboard markup JSON object")
	}
	if markup.InlineKeyboard == nil {
		return nil, nil
	}
	kb := *markup.InlineKeyboard
	n := 0
	for _, row := range kb {
		if len(row) > 8 {
			return nil, bad("too many buttons in a row")
		}
		for _, b := range row {
			n++
			if strings.TrimSpace(b.Text) == "" {
				return nil, bad("text buttons are unallowed in the inline keyboard")
			}
			switch {
			case b.URL != nil && b.CallbackData != nil, b.URL == nil && b.CallbackData == nil:
				return nil, bad("can't parse inline keyboard button: exactly one of url and callback_data is required")
			case b.URL != nil:
				if _, err := url.ParseRequestURI(*b.URL); err != nil || !buttonURLRE.MatchString(*b.URL) {
					return nil, bad("BUTTON_URL_INVALID")
				}
			case len(*b.CallbackData) < 1 || len(*b.CallbackData) > MaxCallbackData:
				return nil, bad("BUTTON_DATA_INVALID")
			}
		}
	}
	if n > 100 {
		return nil, bad("too many inline keyboard buttons")
	}
	return kb, nil
}

// allow records a send to chat if the rate limits let it through, else
// returns the 429.
func (s *Server) allow(cs *chatState, now time.Time) *apiError {
	if len(cs.throttle) > 0 {
		ra := cs.throttle[0]
		cs.throttle = cs.throttle[1:]
		return &apiError{Code: 429, Description: fmt.Sprintf("Too Many Requests: retry after %d", ra), RetryAfter: ra}
	}
	type check struct {
		key string
		lim Limit
	}
	checks := []check{{"global", s.opts.Limits.Global}, {"chat:" + strconv.FormatInt(cs.ID, 10), s.opts.Limits.PerChat}}
	if cs.ID < 0 {
		checks = append(checks, check{"group:" + strconv.FormatInt(cs.ID, 10), s.opts.Limits.Group})
	}
	wait := time.Duration(0)
	for _, c := range checks {
		if c.lim.N <= 0 {
			continue
		}
		h := s.history[c.key]
		i := 0
		for i < len(h) && now.Sub(h[i]) >= c.lim.Window {
			i++
		}
		h = h[i:]
		s.history[c.key] = h
		if len(h) >= c.lim.N {
			wait = max(wait, h[len(h)-c.lim.N].Add(c.lim.Window).Sub(now))
		}
	}
	if wait > 0 {
		ra := int(math.Ceil(wait.Seconds()))
		return &apiError{Code: 429, Description: fmt.Sprintf("Too Many Requests: retry after %d", ra), RetryAfter: ra}
	}
	for _, c := range checks {
		if c.lim.N > 0 {
			s.history[c.key] = append(s.history[c.key], now)
		}
	}
	return nil
}

func (s *Server) botUser() User {
	return User{ID: s.opts.BotID, IsBot: true, FirstName: "vigil", Username: s.opts.BotUsername}
}

func (s *Server) send(method string, p url.Values, up *upload) (any, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	cs, aerr := s.lookupChat(p)
	if aerr != nil {
		return nil, aerr
	}
	mode := p.Get("parse_mode")
	sent := &Sent{Method: method, ParseMode: mode, Params: p}
	var known *photoFile
	if method == "sendPhoto" {
		photo := p.Get("photo")
		switch {
		case up != nil:
			if aerr := up.check(); aerr != nil {
				return nil, aerr
			}
		case photo == "":
			return nil, bad("there is no photo in the request")
		case strings.Contains(photo, "://"):
			if u, err := url.Parse(photo); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
				return nil, bad("wrong file identifier/HTTP URL specified")
			}
			if strings.Contains(photo, "unreachable") {
				return nil, bad("failed to get HTTP URL content")
			}
		default:
			// A file_id: only one Telegram gave out (and not forgotten).
			if known = s.files[photo]; known == nil {
				return nil, bad("wrong file identifier/HTTP URL specified")
			}
		}
		sent.Photo = photo
		sent.Raw = p.Get("caption")
		text, aerr := parseText(sent.Raw, mode)
		if aerr != nil {
			return nil, aerr
		}
		if Length(text) > MaxCaption {
			return nil, bad("message caption is too long")
		}
		sent.Text = text
	} else {
		sent.Raw = p.Get("text")
		text, aerr := parseText(sent.Raw, mode)
		if aerr != nil {
			return nil, aerr
		}
		if strings.TrimSpace(text) == "" {
			return nil, bad("message text is empty")
		}
		if Length(text) > MaxText {
			return nil, bad("message is too long")
		}
		sent.Text = text
	}
	if (mode == "HTML" || mode == "html") && cs.rejectHTML > 0 {
		cs.rejectHTML--
		return nil, bad("can't parse entities: unsupported start tag \"forced\" at byte offset 0")
	}
	if lp := p.Get("link_preview_options"); lp != "" {
		var v map[string]any
		if err := json.Unmarshal([]byte(lp), &v); err != nil {
			return nil, bad("can't parse link preview options JSON object")
		}
	}
	kb, aerr := parseKeyboard(p.Get("reply_markup"))
	if aerr != nil {
		return nil, aerr
	}
	sent.Keyboard = kb
	if r := p.Get("reply_to_message_id"); r != "" {
		sent.ReplyTo, _ = strconv.Atoi(r)
		if !cs.exists(sent.ReplyTo) {
			if p.Get("allow_sending_without_reply") != "true" {
				return nil, bad("message to be replied not found")
			}
			sent.ReplyTo = 0
		}
	}
	if r := p.Get("reply_parameters"); r != "" {
		var rp struct {
			MessageID                int   `json:"message_id"`
			ChatID                   any   `json:"chat_id"`
			AllowSendingWithoutReply *bool `json:"allow_sending_without_reply"`
		}
		if err := json.Unmarshal([]byte(r), &rp); err != nil || rp.MessageID == 0 {
			return nil, bad("can't parse reply parameters JSON object")
		}
		if rp.ChatID != nil && fmt.Sprint(rp.ChatID) != strconv.FormatInt(cs.ID, 10) {
			return nil, bad("message to be replied not found")
		}
		sent.ReplyTo = rp.MessageID
		if !cs.exists(rp.MessageID) {
			if rp.AllowSendingWithoutReply == nil || !*rp.AllowSendingWithoutReply {
				return nil, bad("message to be replied not found")
			}
			sent.ReplyTo = 0
		}
	}
	if aerr := s.allow(cs, time.Now()); aerr != nil {
		return nil, aerr
	}
	sent.MessageID = cs.nextMsgID
	sent.Date = s.now()
	cs.nextMsgID++
	cs.messages = append(cs.messages, sent)
	msg := map[string]any{"message_id": sent.MessageID, "date": time.Now().Unix(), "chat": cs.Chat, "from": s.botUser()}
	if method == "sendPhoto" {
		switch {
		case up != nil:
			sizes := s.store(up)
			msg["photo"] = sizes
			sent.Upload = true
			sent.Photo = sizes[len(sizes)-1]["file_id"].(string)
			sent.PhotoWidth, sent.PhotoHeight, sent.PhotoBytes = up.width, up.height, len(up.data)
			s.uploads++
		case known != nil:
			msg["photo"] = known.sizes
			sent.PhotoWidth, sent.PhotoHeight = known.width, known.height
			s.reuses++
		default:
			msg["photo"] = []map[string]any{{"file_id": "photo" + strconv.Itoa(sent.MessageID), "file_unique_id": "u", "width": 640, "height": 480}}
		}
		if sent.Text != "" {
			msg["caption"] = sent.Text
		}
	} else {
		msg["text"] = sent.Text
	}
	return msg, nil
}

// exists reports whether message id is in the chat: sent (by the bot or
// a user) and not deleted.
func (cs *chatState) exists(id int) bool {
	return id > 0 && id < cs.nextMsgID && !cs.deleted[id]
}

// message returns the bot's message id in the chat, or nil.
func (cs *chatState) message(id int) *Sent {
	for _, x := range cs.messages {
		if x.MessageID == id && !x.Deleted {
			return x
		}
	}
	return nil
}

// edit serves editMessageText and editMessageCaption: the text of a text
// message, the caption of a photo, within their limits, and never to
// exactly what the message has ("message is not modified").
func (s *Server) edit(method string, p url.Values) (any, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	cs, aerr := s.lookupChat(p)
	if aerr != nil {
		return nil, aerr
	}
	id, _ := strconv.Atoi(p.Get("message_id"))
	m := cs.message(id)
	if m == nil {
		return nil, bad("message to edit not found")
	}
	caption := method == "editMessageCaption"
	switch {
	case caption && m.Method != "sendPhoto":
		return nil, bad("there is no caption in the message to edit")
	case !caption && m.Method != "sendMessage":
		return nil, bad("there is no text in the message to edit")
	}
	field, limit, tooLong := "text", MaxText, "message is too long"
	if caption {
		field, limit, tooLong = "caption", MaxCaption, "message caption is too long"
	}
	mode := p.Get("parse_mode")
	text, aerr := parseText(p.Get(field), mode)
	if aerr != nil {
		return nil, aerr
	}
	if !caption && strings.TrimSpace(text) == "" {
		return nil, bad("message text is empty")
	}
	if Length(text) > limit {
		return nil, bad("%s", tooLong)
	}
	kb, aerr := parseKeyboard(p.Get("reply_markup"))
	if aerr != nil {
		return nil, aerr
	}
	oldKB, _ := json.Marshal(m.Keyboard)
	newKB, _ := json.Marshal(kb)
	if text == m.Text && string(oldKB) == string(newKB) {
		return nil, bad("message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message")
	}
	if aerr := s.allow(cs, time.Now()); aerr != nil {
		return nil, aerr
	}
	m.Raw, m.Text, m.ParseMode, m.Keyboard, m.Params = p.Get(field), text, mode, kb, p
	m.Edits++
	return map[string]any{"message_id": m.MessageID, "date": m.Date.Unix(), "chat": cs.Chat, "from": s.botUser(),
		field: text, "edit_date": s.now().Unix()}, nil
}

// deleteMessage deletes a message of the bot's, as Telegram lets bots:
// only within MaxDeleteAge of its sending.
func (s *Server) deleteMessage(p url.Values) (any, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	cs, aerr := s.lookupChat(p)
	if aerr != nil {
		return nil, aerr
	}
	id, err := strconv.Atoi(p.Get("message_id"))
	if err != nil {
		return nil, bad("message identifier is not specified")
	}
	m := cs.message(id)
	if m == nil {
		return nil, bad("message to delete not found")
	}
	if s.now().Sub(m.Date) >= MaxDeleteAge {
		return nil, bad("message can't be deleted")
	}
	if aerr := s.allow(cs, time.Now()); aerr != nil {
		return nil, aerr
	}
	m.Deleted = true
	cs.deleted[id] = true
	s.deletions++
	return true, nil
}

func (s *Server) answer(p url.Values) (any, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	cb, ok := s.callbacks[p.Get("callback_query_id")]
	if !ok || cb.Answered {
		return nil, bad("query is too old and response timeout expired or query ID is invalid")
	}
	if utf8.RuneCountInString(p.Get("text")) > 200 {
		return nil, bad("MESSAGE_TOO_LONG")
	}
	cb.Answered, cb.Text = true, p.Get("text")
	return true, nil
}

func (s *Server) getChatMember(p url.Values) (any, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	cs, aerr := s.lookupChat(p)
	if aerr != nil {
		return nil, aerr
	}
	uid, err := strconv.ParseInt(p.Get("user_id"), 10, 64)
	if err != nil {
		return nil, bad("invalid user_id specified")
	}
	status, ok := cs.members[uid]
	if !ok {
		if cs.Type == "private" && uid == cs.ID {
			status = "member"
		} else {
			return nil, bad("user not found")
		}
	}
	return map[string]any{"status": status, "user": User{ID: uid, FirstName: "User" + strconv.FormatInt(uid, 10)}}, nil
}

// Chats returns the ids of the chats the bot has sent messages to, sorted.
func (s *Server) Chats() []int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []int64
	for id, c := range s.chats {
		if len(c.messages) > 0 {
			out = append(out, id)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}
