package telegramtest

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

func TestParseHTML(t *testing.T) {
	tests := []struct {
		in, want string
		err      string
	}{
		{in: "plain", want: "plain"},
		{in: "<b>bold</b> <i>it</i> <u>u</u> <s>s</s> <code>c</code> <pre>p</pre>", want: "bold it u s c p"},
		{in: `<a href="https://e.org/?a=1&amp;b=2">link</a>`, want: "link"},
		{in: `<span class="tg-spoiler">x</span><tg-spoiler>y</tg-spoiler>`, want: "xy"},
		{in: "&lt;b&gt; &amp; &quot;q&quot; &#128330; &#x41;", want: `<b> & "q" 🕊 A`},
		{in: "<B>upper</B>", want: "upper"},
		{in: "<blockquote expandable>q</blockquote>", want: "q"},
		{in: "<b>x", err: `can't find end tag corresponding to start tag "b"`},
		{in: "x</b>", err: "unexpected end tag"},
		{in: "<b><i>x</b></i>", err: `unmatched end tag at byte offset 7, expected "</i>", found "</b>"`},
		{in: "<script>x</script>", err: `unsupported start tag "script"`},
		{in: `<a href="x" onclick="y">z</a>`, err: `unsupported attribute "onclick"`},
		{in: `<span class="red">z</span>`, err: `must have class "tg-spoiler"`},
		{in: "a & b", err: "unsupported character entity"},
		{in: "&nbsp;", err: "unsupported character entity"},
		{in: "a > b", err: `unexpected ">"`},
		{in: "a < b", err: "can't find end of the tag"},
		{in: "\xff", err: "UTF-8"},
	}
	for _, tt := range tests {
		got, err := ParseHTML(tt.in)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("ParseHTML(%q) error = %v; want it to contain %q", tt.in, err, tt.err)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("ParseHTML(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
}

type apiReply struct {
	OK          bool            `json:"ok"`
	Code        int             `json:"error_code"`
	Description string          `json:"description"`
	Result      json.RawMessage `json:"result"`
	Parameters  struct {
		RetryAfter int   `json:"retry_after"`
		MigrateTo  int64 `json:"migrate_to_chat_id"`
	} `json:"parameters"`
}

func call(t *testing.T, s *Server, token, method string, v url.Values) apiReply {
	t.Helper()
	resp, err := http.PostForm(s.URL()+"/bot"+token+"/"+method, v)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var r apiReply
	if err := json.NewDecoder(resp.Body).Decode(&r); err != nil {
		t.Fatal(err)
	}
	if !r.OK && r.Code != resp.StatusCode {
		t.Errorf("error_code %d, HTTP status %d; want them equal", r.Code, resp.StatusCode)
	}
	return r
}

func TestServerRefusals(t *testing.T) {
	s := NewServer(t, Options{Limits: &Limits{}})
	s.AddChat(Group(-5, "g"))
	s.AddChat(Private(6))
	long := strings.Repeat("🕊", 2049) // 4098 UTF-16 units, 2049 characters
	kb := func(data string) string {
		b, _ := json.Marshal(map[string]any{"inline_keyboard": [][]map[string]string{{{"text": "x", "callback_data": data}}}})
		return string(b)
	}
	tests := []struct {
		name   string
		token  string
		method string
		v      url.Values
		code   int
		desc   string
	}{
		{"unknown token", "1:bad", "getMe", nil, 401, "Unauthorized"},
		{"unknown method", DefaultToken, "sendSticker", nil, 404, "Not Found"},
		{"unknown chat", DefaultToken, "sendMessage", url.Values{"chat_id": {"-77"}, "text": {"x"}}, 400, "Bad Request: chat not found"},
		{"too long", DefaultToken, "sendMessage", url.Values{"chat_id": {"-5"}, "text": {long}}, 400, "Bad Request: message is too long"},
		{"caption too long", DefaultToken, "sendPhoto", url.Values{"chat_id": {"-5"}, "photo": {"https://e.org/p.jpg"}, "caption": {strings.Repeat("a", 1025)}}, 400, "Bad Request: message caption is too long"},
		{"bad HTML", DefaultToken, "sendMessage", url.Values{"chat_id": {"-5"}, "text": {"<b>x"}, "parse_mode": {"HTML"}}, 400, "Bad Request: can't parse entities: "},
		{"callback data", DefaultToken, "sendMessage", url.Values{"chat_id": {"-5"}, "text": {"x"}, "reply_markup": {kb(strings.Repeat("d", 65))}}, 400, "Bad Request: BUTTON_DATA_INVALID"},
		{"empty", DefaultToken, "sendMessage", url.Values{"chat_id": {"-5"}, "text": {"<b> </b>"}, "parse_mode": {"HTML"}}, 400, "Bad Request: message text is empty"},
		{"bad command", DefaultToken, "setMyCommands", url.Values{"commands": {`[{"command":"Case","description":"x"}]`}}, 400, "Bad Request: BOT_COMMAND_INVALID"},
	}
	for _, tt := range tests {
		r := call(t, s, tt.token, tt.method, tt.v)
		if r.OK || r.Code != tt.code || !strings.HasPrefix(r.Description, tt.desc) {
			t.Errorf("%s: ok %v, %d %q; want %d %q", tt.name, r.OK, r.Code, r.Description, tt.code, tt.desc)
		}
	}
	// The longest text allowed, counted as Telegram counts, goes through.
	if r := call(t, s, DefaultToken, "sendMessage", url.Values{"chat_id": {"-5"}, "text": {long[:len(long)-4]}, "reply_markup": {kb(strings.Repeat("d", 64))}}); !r.OK {
		t.Errorf("4096 units with 64-byte callback data refused: %s", r.Description)
	}
	s.Kick(Group(-5, "g"))
	if r := call(t, s, DefaultToken, "sendMessage", url.Values{"chat_id": {"-5"}, "text": {"x"}}); r.Code != 403 || r.Description != "Forbidden: bot was kicked from the group chat" {
		t.Errorf("kicked: %d %q; want 403", r.Code, r.Description)
	}
	s.Migrate(Group(-5, "g"), -1005)
	if r := call(t, s, DefaultToken, "sendMessage", url.Values{"chat_id": {"-5"}, "text": {"x"}}); r.Code != 400 || r.Parameters.MigrateTo != -1005 {
		t.Errorf("migrated: %d %q %+v; want 400 with migrate_to_chat_id", r.Code, r.Description, r.Parameters)
	}
}

func TestServerRateLimits(t *testing.T) {
	s := NewServer(t, Options{Limits: &Limits{PerChat: Limit{N: 2, Window: 3600e9}, Global: Limit{N: 3, Window: 3600e9}}})
	s.AddChat(Private(1))
	s.AddChat(Private(2))
	send := func(chat string) apiReply {
		return call(t, s, DefaultToken, "sendMessage", url.Values{"chat_id": {chat}, "text": {"x"}})
	}
	for i, tt := range []struct {
		chat string
		ok   bool
	}{{"1", true}, {"1", true}, {"1", false}, {"2", true}, {"2", false}} {
		r := send(tt.chat)
		if r.OK != tt.ok {
			t.Errorf("send %d to %s: ok %v (%s); want %v", i, tt.chat, r.OK, r.Description, tt.ok)
		}
		if !r.OK && (r.Code != 429 || r.Parameters.RetryAfter < 3500 || !strings.HasPrefix(r.Description, "Too Many Requests: retry after ")) {
			t.Errorf("send %d: %d %q retry_after %d; want 429 with about an hour", i, r.Code, r.Description, r.Parameters.RetryAfter)
		}
	}
	if s.TooMany() != 2 || len(s.Errors()) != 0 {
		t.Errorf("TooMany %d, Errors %q; want 2 and none", s.TooMany(), s.Errors())
	}
}

func TestServerUpdates(t *testing.T) {
	s := NewServer(t, Options{})
	s.SendText(Private(1), User{ID: 1}, "/help")
	s.SendText(Channel(-100, "c"), User{}, "/case x")
	r := call(t, s, DefaultToken, "getUpdates", url.Values{"timeout": {"0"}})
	var ups []map[string]any
	json.Unmarshal(r.Result, &ups)
	if len(ups) != 2 || ups[0]["message"] == nil || ups[1]["channel_post"] == nil {
		t.Fatalf("updates = %v; want a message and a channel post", ups)
	}
	// Confirming by offset drops the first.
	r = call(t, s, DefaultToken, "getUpdates", url.Values{"offset": {"2"}, "timeout": {"0"}})
	json.Unmarshal(r.Result, &ups)
	if len(ups) != 1 || ups[0]["update_id"].(float64) != 2 {
		t.Errorf("after offset 2: %v; want update 2 only", ups)
	}
}

// TestSecondPoller: a getUpdates while another long poll is in progress
// ends that one with 409 Conflict, as Telegram answers two bot instances
// polling one token; the newer poll goes on.
func TestSecondPoller(t *testing.T) {
	s := NewServer(t, Options{})
	defer s.Close()
	first := make(chan apiReply, 1)
	go func() { first <- call(t, s, s.Token(), "getUpdates", url.Values{"timeout": {"5"}}) }()
	// The first poll is waiting once the server holds it.
	for i := 0; ; i++ {
		s.mu.Lock()
		waiting := s.poll != nil
		s.mu.Unlock()
		if waiting {
			break
		}
		if i > 1000 {
			t.Fatal("the first poll never started")
		}
		time.Sleep(2 * time.Millisecond)
	}
	second := call(t, s, s.Token(), "getUpdates", url.Values{"timeout": {"0"}})
	if !second.OK {
		t.Fatalf("second poll: %d %s; want ok", second.Code, second.Description)
	}
	r := <-first
	if r.OK || r.Code != http.StatusConflict || !strings.Contains(r.Description, "terminated by other getUpdates request") {
		t.Fatalf("first poll: ok=%v %d %q; want 409 Conflict: terminated by other getUpdates request", r.OK, r.Code, r.Description)
	}
	if n := s.Conflicts(); n != 1 {
		t.Fatalf("Conflicts = %d; want 1", n)
	}
}
