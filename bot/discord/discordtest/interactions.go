package discordtest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"time"
)

// Interaction types, as Discord numbers them.
const (
	typeCommand      = 2
	typeComponent    = 3
	typeAutocomplete = 4
)

// Invoke says who triggers an interaction, and where.
type Invoke struct {
	GuildID   string // empty: a DM
	ChannelID string
	UserID    string
	// Permissions are the member's permissions in the channel (Discord
	// computes them): Administrator 8, Manage Channels 16.
	Permissions int64
	Locale      string // the user's client locale, e.g. "de" or "en-US"
}

// Interaction is one dispatched interaction and what the bot answered.
type Interaction struct {
	ID, Token string
	srv       *Server
	created   time.Time
	// Shard is the gateway shard it was dispatched on (guarded by srv.mu).
	Shard int

	// Guarded by srv.mu.
	response  *Response
	original  *Message // the visible response, after any edit
	edited    bool
	deleted   bool
	followups []Message
	refused   int // callbacks refused as second or late
}

// Response is the bot's interaction callback.
type Response struct {
	Type    int // 4 message, 5 deferred, 7 update message, 8 autocomplete
	Message Message
	Choices []Choice
	Elapsed time.Duration // from dispatch to the callback
}

// SlashCommand dispatches a slash command registered as name (in inv's
// guild or globally) with string options.
func (s *Server) SlashCommand(inv Invoke, name string, options map[string]string) (*Interaction, error) {
	return s.dispatchCommand(inv, typeCommand, name, options, "")
}

// Autocomplete dispatches an autocomplete request for the focused option.
func (s *Server) Autocomplete(inv Invoke, name string, options map[string]string, focused string) (*Interaction, error) {
	return s.dispatchCommand(inv, typeAutocomplete, name, options, focused)
}

func (s *Server) dispatchCommand(inv Invoke, typ int, name string, options map[string]string, focused string) (*Interaction, error) {
	s.mu.Lock()
	var cmd *Command
	for _, scope := range []string{inv.GuildID, ""} {
		for i, c := range s.commands[scope] {
			if c.Name == name && (scope == "" || inv.GuildID != "") {
				cmd = &s.commands[scope][i]
			}
		}
		if cmd != nil {
			break
		}
	}
	s.mu.Unlock()
	if cmd == nil {
		return nil, fmt.Errorf("discordtest: command %q is not registered", name)
	}
	names := make([]string, 0, len(options))
	for k := range options {
		names = append(names, k)
	}
	sort.Strings(names)
	opts := []map[string]any{}
	for _, k := range names {
		o := map[string]any{"name": k, "type": 3, "value": options[k]}
		if k == focused {
			o["focused"] = true
		}
		opts = append(opts, o)
	}
	data := map[string]any{"id": cmd.ID, "name": cmd.Name, "type": 1, "options": opts}
	return s.dispatchInteraction(inv, typ, data, nil)
}

// Click dispatches a button click on a message the bot sent.
func (s *Server) Click(inv Invoke, messageID, customID string) (*Interaction, error) {
	data := map[string]any{"custom_id": customID, "component_type": 2}
	msg := map[string]any{"id": messageID, "channel_id": inv.ChannelID, "content": "",
		"timestamp": time.Now().UTC().Format(time.RFC3339), "author": map[string]any{"id": s.BotID, "bot": true}}
	return s.dispatchInteraction(inv, typeComponent, data, msg)
}

func (s *Server) dispatchInteraction(inv Invoke, typ int, data, message map[string]any) (*Interaction, error) {
	s.mu.Lock()
	it := &Interaction{ID: s.id(), Token: "itok-" + s.id() + "-secret", srv: s}
	s.mu.Unlock()
	user := map[string]any{"id": inv.UserID, "username": "user" + inv.UserID, "discriminator": "0"}
	locale := inv.Locale
	if locale == "" {
		locale = "en-US"
	}
	payload := map[string]any{"id": it.ID, "application_id": s.AppID, "type": typ, "data": data,
		"channel_id": inv.ChannelID, "token": it.Token, "version": 1, "locale": locale,
		"app_permissions": "2251799813685247"}
	if inv.GuildID != "" {
		payload["guild_id"] = inv.GuildID
		payload["guild_locale"] = "en-US"
		payload["member"] = map[string]any{"user": user, "roles": []string{},
			"permissions": strconv.FormatInt(inv.Permissions, 10), "joined_at": "2024-01-01T00:00:00Z"}
	} else {
		payload["user"] = user
	}
	if message != nil {
		payload["message"] = message
	}
	s.mu.Lock()
	s.interactions[it.ID] = it
	s.byToken[it.Token] = it
	it.created = time.Now()
	s.mu.Unlock()
	shard, err := s.dispatchGuild(inv.GuildID, "INTERACTION_CREATE", payload)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	it.Shard = shard
	s.mu.Unlock()
	return it, nil
}

// callback handles POST /interactions/{id}/{token}/callback; s.mu is held.
func (s *Server) callback(w http.ResponseWriter, id, token string, body []byte) {
	it := s.interactions[id]
	if it == nil || it.Token != token {
		s.fail(w, http.StatusNotFound, 10062, "Unknown interaction")
		return
	}
	if it.response != nil {
		it.refused++
		s.fail(w, http.StatusBadRequest, 40060, "Interaction has already been acknowledged.")
		return
	}
	elapsed := time.Since(it.created)
	if elapsed > s.opts.InteractionDeadline {
		it.refused++
		s.fail(w, http.StatusNotFound, 10062, "Unknown interaction")
		return
	}
	var req struct {
		Type int             `json:"type"`
		Data json.RawMessage `json:"data"`
	}
	if err := json.Unmarshal(body, &req); err != nil {
		s.fail(w, http.StatusBadRequest, 50109, "The request body contains invalid JSON.")
		return
	}
	resp := &Response{Type: req.Type, Elapsed: elapsed}
	switch req.Type {
	case 4, 7:
		m, ok := s.message(w, req.Data, req.Type == 4)
		if !ok {
			return
		}
		resp.Message = m
		it.original = &m
	case 5, 6:
		if len(req.Data) > 0 && string(req.Data) != "null" {
			json.Unmarshal(req.Data, &resp.Message)
		}
	case 8:
		var d struct {
			Choices []Choice `json:"choices"`
		}
		if err := json.Unmarshal(req.Data, &d); err != nil {
			s.fail(w, http.StatusBadRequest, 50109, "The request body contains invalid JSON.")
			return
		}
		if err := checkChoices(d.Choices); err != nil {
			s.fail(w, http.StatusBadRequest, 50035, err.Error())
			return
		}
		resp.Choices = d.Choices
	default:
		s.fail(w, http.StatusBadRequest, 50035, fmt.Sprintf("type: invalid interaction response type %d", req.Type))
		return
	}
	it.response = resp
	w.WriteHeader(http.StatusNoContent)
}

// webhook handles /webhooks/{app}/{token}[/messages/@original]; s.mu is held.
func (s *Server) webhook(w http.ResponseWriter, r *http.Request, parts []string, body []byte) {
	it := s.byToken[parts[1]]
	if parts[0] != s.AppID || it == nil || it.response == nil {
		s.fail(w, http.StatusNotFound, 10015, "Unknown Webhook")
		return
	}
	if time.Since(it.created) > 15*time.Minute {
		s.fail(w, http.StatusUnauthorized, 50027, "Invalid Webhook Token")
		return
	}
	original := len(parts) == 4 && parts[2] == "messages" && parts[3] == "@original"
	switch {
	case original && r.Method == http.MethodPatch:
		m, ok := s.message(w, body, false)
		if !ok {
			return
		}
		merged := m
		if it.original != nil {
			merged = mergeEdit(*it.original, m, body)
			merged.ID = it.original.ID
		}
		it.original, it.edited = &merged, true
		writeJSON(w, 200, s.echo(merged))
	case original && r.Method == http.MethodDelete:
		it.deleted = true
		w.WriteHeader(http.StatusNoContent)
	case len(parts) == 2 && r.Method == http.MethodPost:
		m, ok := s.message(w, body, true)
		if !ok {
			return
		}
		it.followups = append(it.followups, m)
		if r.URL.Query().Get("wait") == "true" {
			writeJSON(w, 200, s.echo(m))
			return
		}
		w.WriteHeader(http.StatusNoContent)
	default:
		s.fail(w, http.StatusNotFound, 0, "404: Not Found")
	}
}

// mergeEdit applies the fields present in an edit body to a message.
func mergeEdit(old, edit Message, body []byte) Message {
	var present map[string]json.RawMessage
	json.Unmarshal(body, &present)
	out := old
	if _, ok := present["content"]; ok {
		out.Content = edit.Content
	}
	if _, ok := present["embeds"]; ok {
		out.Embeds = edit.Embeds
	}
	if _, ok := present["components"]; ok {
		out.Components = edit.Components
	}
	if _, ok := present["allowed_mentions"]; ok {
		out.AllowedMentions = edit.AllowedMentions
	}
	out.Raw = edit.Raw
	return out
}

// Response waits for the bot's callback.
func (it *Interaction) Response(timeout time.Duration) (Response, error) {
	var r Response
	err := it.srv.waitFor(timeout, func() bool {
		if it.response != nil {
			r = *it.response
			return true
		}
		return false
	})
	if err != nil {
		return r, fmt.Errorf("interaction %s: no callback: %w", it.ID, err)
	}
	return r, nil
}

// Choices waits for an autocomplete result.
func (it *Interaction) Choices(timeout time.Duration) ([]Choice, error) {
	r, err := it.Response(timeout)
	if err != nil {
		return nil, err
	}
	if r.Type != 8 {
		return nil, fmt.Errorf("interaction %s: response type %d, want 8", it.ID, r.Type)
	}
	return r.Choices, nil
}

// Reply waits for what the user finally sees: the response message, the
// deferred response once edited, or the last follow-up when the original
// was deleted.
func (it *Interaction) Reply(timeout time.Duration) (Message, error) {
	var m Message
	err := it.srv.waitFor(timeout, func() bool {
		r := it.response
		switch {
		case r == nil:
			return false
		case r.Type == 4 || r.Type == 7:
			m = *it.original
			return true
		case len(it.followups) > 0 && (it.deleted || !it.edited):
			m = it.followups[len(it.followups)-1]
			return true
		case it.edited:
			m = *it.original
			return true
		}
		return false
	})
	if err != nil {
		return m, fmt.Errorf("interaction %s: no reply: %w", it.ID, err)
	}
	return m, nil
}

// Refused returns how many callbacks the fake refused as second or late.
func (it *Interaction) Refused() int {
	it.srv.mu.Lock()
	defer it.srv.mu.Unlock()
	return it.refused
}

// Deferred reports whether the bot deferred its response (type 5).
func (it *Interaction) Deferred() bool {
	it.srv.mu.Lock()
	defer it.srv.mu.Unlock()
	return it.response != nil && it.response.Type == 5
}

// Followups returns the follow-up messages sent so far.
func (it *Interaction) Followups() []Message {
	it.srv.mu.Lock()
	defer it.srv.mu.Unlock()
	return slices.Clone(it.followups)
}
