package discordtest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// do sends a REST request to the fake and decodes a JSON answer.
func do(t *testing.T, s *Server, method, path, token string, body any) (*http.Response, map[string]any) {
	t.Helper()
	var r io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		r = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, s.URL+"/api/v9"+path, r)
	if token != "" {
		req.Header.Set("Authorization", "Bot "+token)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	json.NewDecoder(resp.Body).Decode(&out)
	return resp, out
}

func TestRESTRefusals(t *testing.T) {
	s := New(t, Options{})
	long := strings.Repeat("x", 257)
	tests := []struct {
		name   string
		token  string
		body   any
		status int
		code   float64
	}{
		{"bad token", "wrong", map[string]any{"content": "hi"}, 401, 0},
		{"ok", s.Token, map[string]any{"content": "hi"}, 200, -1},
		{"empty", s.Token, map[string]any{}, 400, 50006},
		{"content too long", s.Token, map[string]any{"content": strings.Repeat("x", 2001)}, 400, 50035},
		{"title too long", s.Token, map[string]any{"embeds": []any{map[string]any{"title": long}}}, 400, 50035},
		{"total over 6000", s.Token, map[string]any{"embeds": []any{
			map[string]any{"description": strings.Repeat("x", 4000)}, map[string]any{"description": strings.Repeat("x", 2001)}}}, 400, 50035},
		{"empty field value", s.Token, map[string]any{"embeds": []any{map[string]any{"fields": []any{map[string]any{"name": "a", "value": ""}}}}}, 400, 50035},
		{"six buttons in a row", s.Token, map[string]any{"components": []any{map[string]any{"type": 1, "components": func() []any {
			var b []any
			for i := range 6 {
				b = append(b, map[string]any{"type": 2, "style": 1, "label": "b", "custom_id": fmt.Sprint(i)})
			}
			return b
		}()}}}, 400, 50035},
		{"link button without url", s.Token, map[string]any{"components": []any{map[string]any{"type": 1,
			"components": []any{map[string]any{"type": 2, "style": 5, "label": "b"}}}}}, 400, 50035},
		{"label too long", s.Token, map[string]any{"components": []any{map[string]any{"type": 1,
			"components": []any{map[string]any{"type": 2, "style": 5, "label": strings.Repeat("l", 81), "url": "https://x.org"}}}}}, 400, 50035},
	}
	for i, tt := range tests {
		resp, out := do(t, s, "POST", fmt.Sprintf("/channels/10%d/messages", i), tt.token, tt.body)
		if resp.StatusCode != tt.status {
			t.Errorf("%s: status %d (%v); want %d", tt.name, resp.StatusCode, out, tt.status)
		}
		if tt.code >= 0 && out["code"] != tt.code {
			t.Errorf("%s: code %v; want %v", tt.name, out["code"], tt.code)
		}
	}
	s.DenyChannel("200", 50013)
	s.DeleteChannel("201")
	for ch, want := range map[string][2]float64{"200": {403, 50013}, "201": {404, 10003}} {
		resp, out := do(t, s, "POST", "/channels/"+ch+"/messages", s.Token, map[string]any{"content": "hi"})
		if float64(resp.StatusCode) != want[0] || out["code"] != want[1] {
			t.Errorf("channel %s: %d %v; want %v", ch, resp.StatusCode, out, want)
		}
	}
}

func TestRateLimitHeaders(t *testing.T) {
	s := New(t, Options{RouteLimit: 2, RouteWindow: time.Hour, GlobalLimit: 5})
	body := map[string]any{"content": "hi"}
	resp, _ := do(t, s, "POST", "/channels/1/messages", s.Token, body)
	if resp.Header.Get("X-RateLimit-Limit") != "2" || resp.Header.Get("X-RateLimit-Remaining") != "1" ||
		resp.Header.Get("X-RateLimit-Bucket") == "" || resp.Header.Get("X-RateLimit-Reset") == "" || resp.Header.Get("X-RateLimit-Reset-After") == "" {
		t.Errorf("headers %v; want X-RateLimit-Limit 2, Remaining 1, Bucket, Reset, Reset-After", resp.Header)
	}
	do(t, s, "POST", "/channels/1/messages", s.Token, body)
	resp, out := do(t, s, "POST", "/channels/1/messages", s.Token, body)
	if resp.StatusCode != 429 || out["global"] != false || out["retry_after"].(float64) < 3000 || resp.Header.Get("X-RateLimit-Remaining") != "0" {
		t.Errorf("third post: %d %v %v; want a 429 for the bucket", resp.StatusCode, out, resp.Header)
	}
	// Two more requests use up the global 5 a second; the next is refused.
	do(t, s, "POST", "/channels/2/messages", s.Token, body)
	do(t, s, "POST", "/channels/3/messages", s.Token, body)
	resp, out = do(t, s, "POST", "/channels/4/messages", s.Token, body)
	if resp.StatusCode != 429 || out["global"] != true || resp.Header.Get("X-RateLimit-Global") != "true" {
		t.Errorf("sixth request: %d %v; want a global 429", resp.StatusCode, out)
	}
	if st := s.Stats(); st.TooManyRequests != 2 || st.GlobalLimited != 1 || st.Posts != 4 {
		t.Errorf("stats %+v; want 2 429s (1 global) and 4 posts", st)
	}
}

// gatewayClient identifies on the fake's gateway as a bot would.
func gatewayClient(t *testing.T, s *Server, first map[string]any) (*websocket.Conn, map[string]any) {
	t.Helper()
	ws, _, err := websocket.DefaultDialer.Dial("ws"+strings.TrimPrefix(s.URL, "http")+"/gateway/?v=9&encoding=json", nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ws.Close() })
	var hello map[string]any
	if err := ws.ReadJSON(&hello); err != nil || hello["op"] != float64(10) {
		t.Fatalf("first frame %v, %v; want HELLO", hello, err)
	}
	if err := ws.WriteJSON(first); err != nil {
		t.Fatal(err)
	}
	var next map[string]any
	ws.SetReadDeadline(time.Now().Add(5 * time.Second))
	if err := ws.ReadJSON(&next); err != nil {
		return ws, map[string]any{"error": err.Error()}
	}
	return ws, next
}

func TestGateway(t *testing.T) {
	s := New(t, Options{})
	_, got := gatewayClient(t, s, map[string]any{"op": 2, "d": map[string]any{"token": "Bot wrong", "intents": 1}})
	if !strings.Contains(fmt.Sprint(got["error"]), "4004") {
		t.Errorf("bad token: %v; want close 4004", got)
	}
	ws, ready := gatewayClient(t, s, map[string]any{"op": 2, "d": map[string]any{"token": "Bot " + s.Token, "intents": 1}})
	d, _ := ready["d"].(map[string]any)
	if ready["t"] != "READY" || d["session_id"] == "" || d["application"] == nil {
		t.Fatalf("identify: %v; want READY with session_id and application", ready)
	}
	ws.WriteJSON(map[string]any{"op": 1, "d": 1})
	var ack map[string]any
	if ws.ReadJSON(&ack); ack["op"] != float64(11) {
		t.Errorf("heartbeat answered with %v; want op 11", ack)
	}
	// Events dispatched while the bot is away are replayed on RESUME.
	s.DropConnection()
	s.waitFor(time.Second, func() bool { return s.gw.current.conn == nil })
	s.dispatch("TEST_EVENT", map[string]any{})
	ws2, replayed := gatewayClient(t, s, map[string]any{"op": 6, "d": map[string]any{"token": "Bot " + s.Token,
		"session_id": d["session_id"], "seq": 1}})
	var resumed map[string]any
	ws2.ReadJSON(&resumed)
	if replayed["t"] != "TEST_EVENT" || resumed["t"] != "RESUMED" || s.Resumes() != 1 {
		t.Errorf("resume: %v then %v; want the missed event, then RESUMED", replayed, resumed)
	}
	_, invalid := gatewayClient(t, s, map[string]any{"op": 6, "d": map[string]any{"token": "Bot " + s.Token, "session_id": "nope", "seq": 1}})
	if invalid["op"] != float64(9) {
		t.Errorf("resume of an unknown session: %v; want op 9", invalid)
	}
}

func TestInteractionCallbacks(t *testing.T) {
	s := New(t, Options{InteractionDeadline: time.Second})
	ws, _ := gatewayClient(t, s, map[string]any{"op": 2, "d": map[string]any{"token": s.Token, "intents": 1}})
	go func() { // drain dispatches
		for {
			if _, _, err := ws.ReadMessage(); err != nil {
				return
			}
		}
	}()
	do(t, s, "PUT", "/applications/"+s.AppID+"/commands", s.Token, []any{map[string]any{"name": "help", "description": "help"}})
	callback := func(it *Interaction, body any) (int, map[string]any) {
		resp, out := do(t, s, "POST", "/interactions/"+it.ID+"/"+it.Token+"/callback", "", body)
		return resp.StatusCode, out
	}
	it, err := s.SlashCommand(Invoke{GuildID: "1", ChannelID: "2", UserID: "3"}, "help", nil)
	if err != nil {
		t.Fatal(err)
	}
	msg := map[string]any{"type": 4, "data": map[string]any{"content": "hi"}}
	if st, out := callback(it, msg); st != 204 {
		t.Errorf("first callback: %d %v; want 204", st, out)
	}
	if st, out := callback(it, msg); st != 400 || out["code"] != float64(40060) {
		t.Errorf("second callback: %d %v; want 400 code 40060", st, out)
	}
	late, _ := s.SlashCommand(Invoke{GuildID: "1", ChannelID: "2", UserID: "3"}, "help", nil)
	time.Sleep(1100 * time.Millisecond)
	if st, out := callback(late, msg); st != 404 || out["code"] != float64(10062) || late.Refused() != 1 {
		t.Errorf("late callback: %d %v; want 404 code 10062", st, out)
	}
	if _, err := s.SlashCommand(Invoke{GuildID: "1"}, "unregistered", nil); err == nil {
		t.Errorf("an unregistered command was dispatched")
	}
	// Autocomplete results are limited to 25 choices.
	ac, _ := s.Autocomplete(Invoke{GuildID: "1", ChannelID: "2", UserID: "3"}, "help", nil, "")
	var choices []any
	for i := range 26 {
		choices = append(choices, map[string]any{"name": fmt.Sprint(i), "value": fmt.Sprint(i)})
	}
	if st, out := callback(ac, map[string]any{"type": 8, "data": map[string]any{"choices": choices}}); st != 400 || out["code"] != float64(50035) {
		t.Errorf("26 choices: %d %v; want 400 code 50035", st, out)
	}
}

// guildOn returns a guild id that Discord puts on shard of count.
func guildOn(shard, count, n int) string {
	return strconv.FormatUint(uint64(count*(1000+n)+shard)<<22, 10)
}

// TestGatewaySharding: /gateway/bot recommends Options.Shards with
// max_concurrency; IDENTIFY's shard is checked (4010), a shard holding
// more guilds than GuildsPerShard is refused (4011), and each shard gets
// its own guilds in READY and GUILD_CREATE, and its guilds' interactions.
func TestGatewaySharding(t *testing.T) {
	s := New(t, Options{Shards: 2, MaxConcurrency: 2, GuildsPerShard: 2, IdentifySpacing: time.Hour})
	resp, out := do(t, s, "GET", "/gateway/bot", s.Token, nil)
	limit, _ := out["session_start_limit"].(map[string]any)
	if resp.StatusCode != 200 || out["shards"] != float64(2) || limit["max_concurrency"] != float64(2) {
		t.Errorf("GET /gateway/bot: %d %v; want 2 shards, max_concurrency 2", resp.StatusCode, out)
	}
	g0, g1, g2 := guildOn(0, 2, 1), guildOn(1, 2, 2), guildOn(0, 2, 3)
	if ShardOf(g0, 2) != 0 || ShardOf(g1, 2) != 1 || ShardOf(g2, 2) != 0 {
		t.Fatalf("ShardOf: %d %d %d; want 0 1 0", ShardOf(g0, 2), ShardOf(g1, 2), ShardOf(g2, 2))
	}
	s.AddGuilds(g0, g1, g2)
	identify := func(shard any) map[string]any {
		d := map[string]any{"token": "Bot " + s.Token, "intents": 1}
		if shard != nil {
			d["shard"] = shard
		}
		return map[string]any{"op": 2, "d": d}
	}
	for _, bad := range [][]int{{2, 2}, {-1, 2}, {0, 0}, {1}} {
		if _, got := gatewayClient(t, s, identify(bad)); !strings.Contains(fmt.Sprint(got["error"]), "4010") {
			t.Errorf("shard %v: %v; want close 4010", bad, got)
		}
	}
	// Three guilds unsharded (and so on shard 0 of 1) is one too many.
	if _, got := gatewayClient(t, s, identify(nil)); !strings.Contains(fmt.Sprint(got["error"]), "4011") {
		t.Errorf("no shard with 3 guilds: %v; want close 4011", got)
	}
	if _, got := gatewayClient(t, s, identify([]int{0, 1})); !strings.Contains(fmt.Sprint(got["error"]), "4011") {
		t.Errorf("shard [0, 1] with 3 guilds: %v; want close 4011", got)
	}
	if got := s.CloseCodes(); !slices.Equal(got, []int{4010, 4010, 4010, 4010, 4011, 4011}) {
		t.Errorf("close codes %v", got)
	}
	ws0, ready0 := gatewayClient(t, s, identify([]int{0, 2}))
	ws1, ready1 := gatewayClient(t, s, identify([]int{1, 2}))
	for i, r := range []map[string]any{ready0, ready1} {
		d, _ := r["d"].(map[string]any)
		if r["t"] != "READY" || fmt.Sprint(d["shard"]) != fmt.Sprintf("[%d 2]", i) {
			t.Errorf("shard %d: %v; want READY with shard [%d 2]", i, r, i)
		}
	}
	if got := s.GuildsSent(0); !slices.Equal(got, []string{g0, g2}) {
		t.Errorf("shard 0 got guilds %v; want %v", got, []string{g0, g2})
	}
	if got := s.GuildsSent(1); !slices.Equal(got, []string{g1}) {
		t.Errorf("shard 1 got guilds %v; want %v", got, []string{g1})
	}
	// The two identified together: their keys (0 % 2, 1 % 2) differ.
	if n := s.IdentifiesTooSoon(); n != 0 {
		t.Errorf("%d identifies too soon; want 0", n)
	}
	s.commands[""] = []Command{{ID: "1", Name: "help", Type: 1}}
	it, err := s.SlashCommand(Invoke{GuildID: g1, ChannelID: "5", UserID: "6"}, "help", nil)
	if err != nil || it.Shard != 1 {
		t.Fatalf("interaction in %s: %+v, %v; want it on shard 1", g1, it, err)
	}
	// Shard 1's connection has its GUILD_CREATE, then the interaction.
	for _, want := range []string{"GUILD_CREATE", "INTERACTION_CREATE"} {
		var f map[string]any
		ws1.SetReadDeadline(time.Now().Add(5 * time.Second))
		if err := ws1.ReadJSON(&f); err != nil || f["t"] != want {
			t.Fatalf("shard 1 read %v, %v; want %s", f, err, want)
		}
	}
	// Shard 0 has its two GUILD_CREATEs and nothing else.
	for range 2 {
		var f map[string]any
		ws0.SetReadDeadline(time.Now().Add(5 * time.Second))
		if err := ws0.ReadJSON(&f); err != nil || f["t"] != "GUILD_CREATE" {
			t.Fatalf("shard 0 read %v, %v; want GUILD_CREATE", f, err)
		}
	}
	var f map[string]any
	ws0.SetReadDeadline(time.Now().Add(200 * time.Millisecond))
	if err := ws0.ReadJSON(&f); err == nil {
		t.Errorf("shard 0 got %v; want nothing (the interaction was shard 1's)", f)
	}
	// A second IDENTIFY of rate-limit key 0 within the spacing is counted.
	gatewayClient(t, s, identify([]int{0, 2}))
	if n := s.IdentifiesTooSoon(); n != 1 {
		t.Errorf("%d identifies too soon; want 1", n)
	}
}
