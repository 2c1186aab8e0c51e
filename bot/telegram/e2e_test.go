package telegram

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vigil-bot/vigil/bot"
	"github.com/vigil-bot/vigil/bot/i18n"
	"github.com/vigil-bot/vigil/bot/telegram/telegramtest"
	"github.com/vigil-bot/vigil/cases"
	"github.com/vigil-bot/vigil/config"
	"github.com/vigil-bot/vigil/data"
	"github.com/vigil-bot/vigil/scheduler"
	"github.com/vigil-bot/vigil/store"
)

// testCases are invented people: two share a surname for pick lists, and
// one carries every kind of hostile text a case file could hold.
const testCases = `- {id: amira-testova, name: Amira Testova, country: AZ, status: imprisoned, status_as_of: 2026-10,
   actions: [{kind: petition, label: "Sign for Amira", url: "https://example.org/amira?a=1&b=2"}]}
- {id: leyla-testova, name: Leyla Testova, country: AZ, status: detained, status_as_of: 2026-10}
`

// hostileCase is built in Go so that its 5000-character summary and its
// mix of markup, emoji and right-to-left text are exact.
func hostileCase() string {
	summary := strings.Repeat("<b>bold?</b> & </a> <script>x</script> \"q\" 🕊️ مرحبا بالعالم שלום ", 80)
	summary = string([]rune(summary)[:5000])
	q := func(s string) string {
		return `"` + strings.ReplaceAll(strings.ReplaceAll(s, `\`, `\\`), `"`, `\"`) + `"`
	}
	return "id: zara-fiktiva\n" +
		"name: " + q(`Zara <b>Fiktiva</b> & </a> "Z" 🕊️ زهرة`) + "\n" +
		"country: AZ\nstatus: imprisoned\nstatus_as_of: 2026-09\n" +
		"affiliation: " + q(`<i>Party</i> & <a href="x">co</a>`) + "\n" +
		"charges: [" + q("<pre>") + ", " + q("&amp; fraud") + "]\n" +
		"summary:\n  en: " + q(summary) + "\n" +
		"photo: {url: \"https://example.org/zara.jpg?w=1&h=2\", credit: " + q(`© <Photographer> & "Co"`) + "}\n" +
		"sources:\n  - {title: " + q(`</a><b>Report`) + ", publisher: " + q("A&B") + ", url: \"https://example.org/r?x=1&y=\\\"2\\\"\"}\n" +
		"actions:\n  - {kind: letter, label: " + q(`Write <now> & "today" ✍️`) + ", url: \"https://example.org/write?to=zara&lang=en\"}\n" +
		"hashtags: [\"#FreeZara\", \"#<Free>&\"]\n"
}

// logBuffer collects the client's log output, for the token check.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *logBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// harness is the daemon's wiring around a fake Bot API: a real store, the
// real handler, the real delivery engine and a real Client.
type harness struct {
	t      testing.TB
	tg     *telegramtest.Server
	st     *store.Store
	h      *bot.Handler
	client *Client
	logs   *logBuffer
	cfg    *config.Config
	stop   func()
}

const editor = 42

type harnessOpts struct {
	limits  *telegramtest.Limits
	pace    *Pace
	noRun   bool
	webhook string        // telegram.webhook_url
	delay   time.Duration // added to each request's round trip at the fake
	// pictures renders the posts' share cards; nil: posts go without.
	pictures bot.Pictures
}

func newHarness(t testing.TB, o harnessOpts) *harness {
	t.Helper()
	ctx := context.Background()
	tg := telegramtest.NewServer(t, telegramtest.Options{Limits: o.limits, Delay: o.delay})
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "vigil.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	files, err := data.Cases()
	if err != nil {
		t.Fatal(err)
	}
	files = append(files, cases.SourceFile{Path: "test.yaml", Data: []byte(testCases), Hash: "t1"},
		cases.SourceFile{Path: "zara.yaml", Data: []byte(hostileCase()), Hash: "z1"})
	res, err := st.Import(ctx, files, time.Now(), store.ImportOptions{})
	if err != nil {
		t.Fatalf("import: %v", err)
	}
	if res.Rejected != nil {
		t.Fatalf("import rejected: %v", res.Rejected)
	}
	cfg := config.Default()
	cfg.Telegram.Token = tg.Token()
	cfg.Telegram.APIEndpoint = tg.Endpoint()
	cfg.Editors.Telegram = []string{"42"}
	cfg.Telegram.WebhookURL = o.webhook
	logs := &logBuffer{}
	log := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	h := bot.NewHandler(st, cfg, log)
	h.Pictures = o.pictures
	var opts []Option
	if o.pace != nil {
		opts = append(opts, WithPace(*o.pace))
	}
	client, err := New(cfg, h, log, opts...)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	hs := &harness{t: t, tg: tg, st: st, h: h, client: client, logs: logs, cfg: cfg}
	if o.noRun {
		return hs
	}
	runCtx, cancel := context.WithCancel(ctx)
	d := &scheduler.Delivery{Store: st, Composer: h, Platforms: map[string]bot.Platform{Name: client}, Log: log,
		Now: time.Now, Poll: 20 * time.Millisecond, SendTimeout: 10 * time.Second, Workers: 4, MaxWorkers: 64}
	runErr := make(chan error, 1)
	delErr := make(chan error, 1)
	go func() { runErr <- client.Run(runCtx) }()
	go func() { delErr <- d.Run(runCtx) }()
	var once sync.Once
	hs.stop = func() {
		once.Do(func() {
			cancel()
			for _, ch := range []chan error{runErr, delErr} {
				select {
				case err := <-ch:
					if err != nil {
						t.Errorf("run: %v", err)
					}
				case <-time.After(15 * time.Second):
					t.Errorf("did not stop within 15 s of cancel")
				}
			}
			if strings.Contains(logs.String(), tg.Token()) {
				t.Errorf("the token appears in the log")
			}
			if t.Failed() {
				t.Logf("logs:\n%s", logs.String())
			}
		})
	}
	t.Cleanup(hs.stop)
	return hs
}

const waitLong = 20 * time.Second

// say sends text from user in chat and waits for the bot's next message
// there.
func (hs *harness) say(c telegramtest.Chat, user int64, text string) telegramtest.Sent {
	hs.t.Helper()
	before := len(hs.tg.Messages(c.ID))
	hs.tg.SendText(c, telegramtest.User{ID: user}, text)
	got := hs.tg.WaitMessages(c.ID, before+1, waitLong)
	return got[before]
}

func (hs *harness) subscribed(chat int64) []string {
	hs.t.Helper()
	ch, err := hs.st.Channel(context.Background(), Name, itoa(chat))
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	if err != nil {
		hs.t.Fatal(err)
	}
	return ch.Countries
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func TestPrivateCaseLookup(t *testing.T) {
	t.Parallel()
	hs := newHarness(t, harnessOpts{})
	msg := hs.say(telegramtest.Private(7), 7, "/case rustanov")
	for _, want := range []string{"Saleh Rustamov", "February 2021", "7 years"} {
		if !strings.Contains(msg.Text, want) {
			t.Errorf("card text %q; want it to contain %q", msg.Text, want)
		}
	}
	if msg.ParseMode != "HTML" || !strings.Contains(msg.Raw, "<b>Saleh Rustamov</b>") {
		t.Errorf("card sent as %q: %q; want HTML with the name in bold", msg.ParseMode, msg.Raw)
	}
	if len(msg.Keyboard) != 1 || msg.Keyboard[0][0].URL == nil || msg.Keyboard[0][0].Text != "Read his profile" {
		t.Errorf("keyboard = %+v; want one URL button \"Read his profile\"", msg.Keyboard)
	}
	if msg.ReplyTo == 0 {
		t.Errorf("the card does not reply to the command")
	}
	// Set-up: the webhook deleted, the menu in English and German.
	if hs.tg.WebhookDeletions() == 0 {
		t.Errorf("deleteWebhook was not called")
	}
	if en, de := hs.tg.Commands(""), hs.tg.Commands("de"); en["case"] == "" || de["case"] == "" || en["case"] == de["case"] || len(en) != len(bot.CommandNames()) {
		t.Errorf("command menus: en %v, de %v; want every command, in both languages", en, de)
	}
	// Exactly the table's commands, with their summaries, in every
	// language of the catalogue (English is the default menu).
	for _, lang := range i18n.Languages {
		code := lang
		if lang == "en" {
			code = ""
		}
		want := map[string]string{}
		for _, c := range bot.Commands() {
			want[c.Name] = c.Summary(lang)
		}
		if got := hs.tg.Commands(code); !maps.Equal(got, want) {
			t.Errorf("%s command menu = %v; want %v", lang, got, want)
		}
	}
}

func TestGroupLookups(t *testing.T) {
	t.Parallel()
	hs := newHarness(t, harnessOpts{})
	group := telegramtest.Group(-500, "Friends")
	super := telegramtest.Supergroup(-1001500, "Friends Super")
	channel := telegramtest.Channel(-1002500, "News")
	tests := []struct {
		chat telegramtest.Chat
		text string
		want string
	}{
		{group, "/case amira testova", "Amira Testova"},
		{super, "/case@" + hs.tg.BotUsername() + " rustamov", "February 2021"},
		{super, "/CASE@VIGIL_TEST_BOT   Рустамов", "Saleh Rustamov"},
		{channel, "/case amira", "Amira Testova"},
		{group, "/cases AZ", "Cases in Azerbaijan"},
		{group, "/help", "/subscribe"},
	}
	for _, tt := range tests {
		msg := hs.say(tt.chat, 7, tt.text)
		if !strings.Contains(msg.Text, tt.want) {
			t.Errorf("%s in %s: reply %q; want it to contain %q", tt.text, tt.chat.Type, msg.Text, tt.want)
		}
	}
	// A command for another bot, then one for us: only ours is answered,
	// and a chat's updates are handled in order.
	before := len(hs.tg.Messages(group.ID))
	hs.tg.SendText(group, telegramtest.User{ID: 7}, "/case@other_bot amira")
	hs.tg.SendText(group, telegramtest.User{ID: 7}, "/nonsense")
	msg := hs.say(group, 7, "/case leyla testova")
	if got := hs.tg.Messages(group.ID); len(got) != before+1 || !strings.Contains(msg.Text, "Leyla Testova") {
		t.Errorf("after another bot's command: %d new messages, last %q; want 1, Leyla's card", len(got)-before, msg.Text)
	}
}

func TestPickList(t *testing.T) {
	t.Parallel()
	hs := newHarness(t, harnessOpts{})
	chat := telegramtest.Private(8)
	msg := hs.say(chat, 8, "/case testova")
	if !strings.Contains(msg.Text, "Several cases match") || len(msg.Keyboard) != 2 {
		t.Fatalf("reply %q with keyboard %+v; want a pick list of two", msg.Text, msg.Keyboard)
	}
	var data string
	for _, row := range msg.Keyboard {
		if b := row[0]; b.CallbackData == nil || len(*b.CallbackData) > 64 {
			t.Fatalf("button %+v; want callback data of at most 64 bytes", b)
		} else if strings.HasPrefix(b.Text, "Leyla") {
			data = *b.CallbackData
		}
	}
	cb := hs.tg.Press(chat, telegramtest.User{ID: 8}, msg.MessageID, data)
	ok := hs.tg.WaitFor(waitLong, func() bool {
		m := hs.tg.Messages(chat.ID)
		return hs.tg.Callback(cb).Answered && m[0].Edits == 1
	})
	edited := hs.tg.Messages(chat.ID)[0]
	// A button for a case that is gone is answered with a notice.
	gone := hs.tg.Press(chat, telegramtest.User{ID: 8}, msg.MessageID, "case:no-such-case")
	if !hs.tg.WaitFor(waitLong, func() bool { return hs.tg.Callback(gone).Answered }) ||
		!strings.Contains(hs.tg.Callback(gone).Text, "No case matches") {
		t.Errorf("press for a gone case: %+v; want it answered with a notice", hs.tg.Callback(gone))
	}
	if !ok || !strings.Contains(edited.Text, "Leyla Testova") || !strings.Contains(edited.Text, "detained") {
		t.Errorf("after the press: answered %v, message %q; want the pick list replaced by Leyla's card", hs.tg.Callback(cb).Answered, edited.Text)
	}
}

func TestAdminCommands(t *testing.T) {
	t.Parallel()
	hs := newHarness(t, harnessOpts{})
	group := telegramtest.Supergroup(-1001600, "Admins")
	hs.tg.SetMember(group, 8, "member")
	hs.tg.SetMember(group, 9, "administrator")
	hs.tg.SetMember(group, 10, "creator")

	msg := hs.say(group, 8, "/subscribe Azerbaijan")
	if !strings.Contains(msg.Text, "Only the admins") || hs.subscribed(group.ID) != nil {
		t.Errorf("member's /subscribe: %q, subscriptions %v; want a refusal and nothing stored", msg.Text, hs.subscribed(group.ID))
	}
	msg = hs.say(group, 9, "/subscribe Azerbaijan")
	if !strings.Contains(msg.Text, "now gets posts and alerts about Azerbaijan") || strings.Join(hs.subscribed(group.ID), ",") != "AZ" {
		t.Errorf("admin's /subscribe: %q, subscriptions %v; want AZ", msg.Text, hs.subscribed(group.ID))
	}
	msg = hs.say(group, 10, "/settings 09:30 de Europe/Berlin")
	if !strings.Contains(msg.Text, "Europe/Berlin") {
		t.Errorf("creator's /settings: %q", msg.Text)
	}
	msg = hs.say(group, 8, "/unsubscribe all")
	if !strings.Contains(msg.Text, "nur die Admins") || len(hs.subscribed(group.ID)) != 1 {
		t.Errorf("member's /unsubscribe: %q, subscriptions %v; want a German refusal and AZ kept", msg.Text, hs.subscribed(group.ID))
	}
	// An anonymous admin posts as the group; a channel post is an admin's.
	before := len(hs.tg.Messages(group.ID))
	hs.tg.SendAnonymous(group, "/subscribe BY")
	hs.tg.WaitMessages(group.ID, before+1, waitLong)
	if got := strings.Join(hs.subscribed(group.ID), ","); got != "AZ,BY" {
		t.Errorf("anonymous admin's /subscribe: subscriptions %s; want AZ,BY", got)
	}
	channel := telegramtest.Channel(-1002600, "News")
	hs.say(channel, 0, "/subscribe AZ")
	private := telegramtest.Private(11)
	hs.say(private, 11, "/subscribe AZ")
	for _, c := range []int64{channel.ID, private.ID} {
		if got := strings.Join(hs.subscribed(c), ","); got != "AZ" {
			t.Errorf("chat %d subscriptions %q; want AZ", c, got)
		}
	}
}

func TestAlertFanOut(t *testing.T) {
	t.Parallel()
	hs := newHarness(t, harnessOpts{})
	ctx := context.Background()
	groups := []telegramtest.Chat{telegramtest.Group(-601, "A"), telegramtest.Supergroup(-1001602, "B"),
		telegramtest.Channel(-1001603, "C")}
	other := telegramtest.Group(-604, "Belarus only")
	for _, g := range groups {
		hs.tg.AddChat(g)
		if _, err := hs.st.Subscribe(ctx, bot.DefaultChannel(hs.cfg, Name, itoa(g.ID)), "AZ", time.Now()); err != nil {
			t.Fatal(err)
		}
	}
	hs.tg.AddChat(other)
	if _, err := hs.st.Subscribe(ctx, bot.DefaultChannel(hs.cfg, Name, itoa(other.ID)), "BY", time.Now()); err != nil {
		t.Fatal(err)
	}
	dm := telegramtest.Private(8)
	if msg := hs.say(dm, 8, "/alert amira-testova Free her now"); !strings.Contains(msg.Text, "Only editors") {
		t.Errorf("non-editor /alert: %q; want a refusal", msg.Text)
	}
	msg := hs.say(telegramtest.Private(editor), editor, "/alert amira-testova Free her <now> & today")
	if !strings.Contains(msg.Text, "queued for 3 channels following") {
		t.Fatalf("editor /alert: %q; want it queued for 3 channels", msg.Text)
	}
	for _, g := range groups {
		got := hs.tg.WaitMessages(g.ID, 1, waitLong)
		if !strings.Contains(got[0].Text, "URGENT: Free her <now> & today") || !strings.Contains(got[0].Text, "Amira Testova") {
			t.Errorf("chat %d got %q; want the alert and the card", g.ID, got[0].Text)
		}
		if len(got[0].Keyboard) != 1 || got[0].Keyboard[0][0].Text != "Sign for Amira" {
			t.Errorf("chat %d keyboard %+v; want the petition button", g.ID, got[0].Keyboard)
		}
	}
	waitPosts(t, hs.st, 3)
	for _, g := range append(groups, other) {
		want := 1
		if g.ID == other.ID {
			want = 0
		}
		if n := len(hs.tg.Messages(g.ID)); n != want {
			t.Errorf("chat %d got %d messages; want %d", g.ID, n, want)
		}
	}
}

// waitPosts waits until n posts are sent and none is queued or sending.
func waitPosts(t *testing.T, st *store.Store, n int) map[store.PostState]int {
	t.Helper()
	var counts map[store.PostState]int
	deadline := time.Now().Add(waitLong)
	for time.Now().Before(deadline) {
		var err error
		counts, err = st.PostCounts(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if counts[store.Sent] >= n && counts[store.Queued] == 0 && counts[store.Sending] == 0 {
			return counts
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("posts = %v; want %d sent", counts, n)
	return nil
}

func TestDeliveryFailures(t *testing.T) {
	t.Parallel()
	hs := newHarness(t, harnessOpts{})
	ctx := context.Background()
	throttled := telegramtest.Supergroup(-1001701, "Throttled")
	kicked := telegramtest.Group(-702, "Kicked")
	old := telegramtest.Group(-703, "Old group")
	badHTML := telegramtest.Supergroup(-1001704, "Parser trouble")
	for _, g := range []telegramtest.Chat{throttled, kicked, old, badHTML} {
		hs.tg.AddChat(g)
		if _, err := hs.st.Subscribe(ctx, bot.DefaultChannel(hs.cfg, Name, itoa(g.ID)), "AZ", time.Now()); err != nil {
			t.Fatal(err)
		}
	}
	hs.tg.Throttle(throttled, 1)
	hs.tg.Kick(kicked)
	super := hs.tg.Migrate(old, -1001703)
	hs.tg.RejectHTML(badHTML, 1)
	if _, n, err := hs.st.QueueAlert(ctx, "amira-testova", "Act", "test", time.Now()); err != nil || n != 4 {
		t.Fatalf("QueueAlert = %d, %v; want 4", n, err)
	}
	// The 429 is waited out and the same post retried, once.
	got := hs.tg.WaitMessages(throttled.ID, 1, waitLong)
	if hs.tg.TooMany() < 1 || len(got) != 1 {
		t.Errorf("throttled chat: %d 429s, %d messages; want ≥ 1 and 1", hs.tg.TooMany(), len(got))
	}
	// The migrated group's subscription moved to the supergroup.
	got = hs.tg.WaitMessages(super.ID, 1, waitLong)
	if !strings.Contains(got[0].Text, "URGENT: Act") {
		t.Errorf("supergroup got %q; want the alert", got[0].Text)
	}
	if hs.subscribed(old.ID) != nil || strings.Join(hs.subscribed(super.ID), ",") != "AZ" {
		t.Errorf("subscriptions: old %v, new %v; want none and AZ", hs.subscribed(old.ID), hs.subscribed(super.ID))
	}
	// The HTML Telegram could not parse went out as plain text.
	got = hs.tg.WaitMessages(badHTML.ID, 1, waitLong)
	if got[0].ParseMode != "" || !strings.Contains(got[0].Text, "Amira Testova") {
		t.Errorf("after a parse error: %q mode %q; want the card as plain text", got[0].Text, got[0].ParseMode)
	}
	// The kicked group is paused, with the reason.
	var ch store.Channel
	if !hs.tg.WaitFor(waitLong, func() bool {
		ch, _ = hs.st.Channel(ctx, Name, itoa(kicked.ID))
		return ch.Paused()
	}) || !strings.Contains(ch.PausedReason, "kicked") {
		t.Fatalf("kicked channel = %+v; want paused as kicked", ch)
	}
	// Added back, the group's admin sees why in /subscriptions.
	hs.tg.Rejoin(kicked)
	msg := hs.say(kicked, 7, "/subscriptions")
	if !strings.Contains(msg.Text, "Deliveries are paused: Forbidden: bot was kicked from the group chat") {
		t.Errorf("/subscriptions in the paused group: %q; want the pause and its reason", msg.Text)
	}
}

// TestMigrationMessage: Telegram's note that a group became a supergroup
// moves its subscriptions before any post fails.
func TestMigrationMessage(t *testing.T) {
	t.Parallel()
	hs := newHarness(t, harnessOpts{})
	ctx := context.Background()
	group := telegramtest.Group(-901, "Growing")
	hs.tg.SetMember(group, 9, "administrator")
	if msg := hs.say(group, 9, "/subscribe AZ"); !strings.Contains(msg.Text, "Azerbaijan") {
		t.Fatalf("/subscribe: %q", msg.Text)
	}
	super := hs.tg.Migrate(group, -1000901)
	hs.tg.MigrationMessage(group, telegramtest.User{ID: 9})
	if !hs.tg.WaitFor(waitLong, func() bool { return len(hs.subscribed(super.ID)) == 1 }) || hs.subscribed(group.ID) != nil {
		t.Fatalf("subscriptions: group %v, supergroup %v; want them moved", hs.subscribed(group.ID), hs.subscribed(super.ID))
	}
	if _, n, err := hs.st.QueueAlert(ctx, "amira-testova", "Moved", "test", time.Now()); err != nil || n != 1 {
		t.Fatalf("QueueAlert = %d, %v", n, err)
	}
	if got := hs.tg.WaitMessages(super.ID, 1, waitLong); !strings.Contains(got[0].Text, "URGENT: Moved") {
		t.Errorf("supergroup got %q; want the alert", got[0].Text)
	}
}

// TestHostileCaseText: markup, entities, emoji, right-to-left text and a
// 5000-character summary go out escaped and within the limits, with no
// 400 from the strict fake.
func TestHostileCaseText(t *testing.T) {
	t.Parallel()
	hs := newHarness(t, harnessOpts{})
	ctx := context.Background()
	group := telegramtest.Supergroup(-1001801, "Hostile")
	hs.tg.AddChat(group)
	if _, err := hs.st.Subscribe(ctx, bot.DefaultChannel(hs.cfg, Name, itoa(group.ID)), "AZ", time.Now()); err != nil {
		t.Fatal(err)
	}
	dm := telegramtest.Private(9)
	msg := hs.say(dm, 9, "/case zara-fiktiva")
	if _, _, err := hs.st.QueueAlert(ctx, "zara-fiktiva", `</b><a href="x">&amp; 🚨 عاجل`, "test", time.Now()); err != nil {
		t.Fatal(err)
	}
	post := hs.tg.WaitMessages(group.ID, 1, waitLong)[0]
	for _, m := range []telegramtest.Sent{msg, post} {
		if m.ParseMode != "HTML" {
			t.Errorf("sent as %q; want HTML (no parse-error fallback needed)", m.ParseMode)
		}
		for _, want := range []string{`Zara <b>Fiktiva</b> & </a> "Z" 🕊️ زهرة`, "<i>Party</i> & <a href=\"x\">co</a>"} {
			if !strings.Contains(m.Text, want) {
				t.Errorf("message lacks %q as text: %.300q", want, m.Text)
			}
		}
		if n := telegramtest.Length(m.Text); n > 4096 || n < 3500 {
			t.Errorf("message length %d; want the summary shortened to fit 4096", n)
		}
		if len(m.Keyboard) != 1 || *m.Keyboard[0][0].URL != "https://example.org/write?to=zara&lang=en" {
			t.Errorf("keyboard %+v; want the letter button with its URL intact", m.Keyboard)
		}
	}
	if !strings.Contains(post.Text, `URGENT: </b><a href="x">&amp; 🚨 عاجل`) {
		t.Errorf("alert lead not shown verbatim: %.200q", post.Text)
	}
	if errs := hs.tg.Errors(); len(errs) != 0 {
		t.Errorf("the fake refused requests: %q", errs)
	}
}

// TestStopsWhilePolling: Run returns soon after cancel even though the
// long poll would hold for 50 s, and errors carry no token.
func TestStopsWhilePolling(t *testing.T) {
	t.Parallel()
	hs := newHarness(t, harnessOpts{})
	hs.tg.WaitFor(waitLong, func() bool { return hs.tg.Calls("getUpdates") > 0 })
	hs.stop() // fails the test if Run takes more than 15 s
}

func TestTokenNotInErrors(t *testing.T) {
	t.Parallel()
	hs := newHarness(t, harnessOpts{noRun: true})
	url := hs.tg.URL()
	hs.tg.Close()
	cfg := *hs.cfg
	if _, err := New(&cfg, hs.h, slog.New(slog.DiscardHandler)); err == nil || strings.Contains(err.Error(), cfg.Telegram.Token) {
		t.Errorf("New against a closed server: %v; want an error without the token", err)
	}
	_, err := hs.client.Send(context.Background(), "-1", bot.Message{Lead: "x"})
	var se *bot.SendError
	if !errors.As(err, &se) || se.Failure != bot.Temporary || strings.Contains(err.Error(), cfg.Telegram.Token) {
		t.Errorf("Send to a closed server: %v; want a temporary error without the token", err)
	}
	if !strings.Contains(err.Error(), strings.TrimPrefix(url, "http://")) {
		t.Errorf("error %q does not say where it failed", err)
	}
	cfg.Telegram.Token = "999:wrong"
	cfg.Telegram.APIEndpoint = "http://[::1]:namedport/bot%s/%s"
	if _, err := New(&cfg, hs.h, slog.New(slog.DiscardHandler)); err == nil || strings.Contains(err.Error(), "999:wrong") {
		t.Errorf("New with a bad endpoint: %v; want an error without the token", err)
	}
}

// TestPollingRecovers: failed polls are retried (after the retry_after a
// 429 asks for), and a throttled reply waits out its 429.
func TestPollingRecovers(t *testing.T) {
	t.Parallel()
	hs := newHarness(t, harnessOpts{noRun: true})
	hs.tg.FailNext("getUpdates", 429, "Too Many Requests: retry after 1", 1)
	hs.tg.FailNext("getUpdates", 502, "Bad Gateway", 0)
	dm := telegramtest.Private(7)
	hs.tg.AddChat(dm)
	hs.tg.Throttle(dm, 1)
	hs.tg.SendText(dm, telegramtest.User{ID: 7}, "/case amira testova")
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- hs.client.Run(ctx) }()
	got := hs.tg.WaitMessages(dm.ID, 1, waitLong)
	cancel()
	if err := <-done; err != nil {
		t.Errorf("Run = %v", err)
	}
	if !strings.Contains(got[0].Text, "Amira Testova") || hs.tg.TooMany() != 2 || len(got) != 1 {
		t.Errorf("got %d messages, first %q, %d 429s; want Amira's card once after two 429s", len(got), got[0].Text, hs.tg.TooMany())
	}
	if n := hs.tg.Calls("getUpdates"); n < 3 {
		t.Errorf("getUpdates called %d times; want the two failures retried", n)
	}
}

// TestRevokedToken: Run gives up with an error when Telegram refuses the
// token, which it names without showing it.
func TestRevokedToken(t *testing.T) {
	t.Parallel()
	hs := newHarness(t, harnessOpts{noRun: true})
	hs.tg.RevokeToken()
	ctx, cancel := context.WithTimeout(context.Background(), waitLong)
	defer cancel()
	err := hs.client.Run(ctx)
	if err == nil || !strings.Contains(err.Error(), "401") || strings.Contains(err.Error(), hs.tg.Token()) {
		t.Errorf("Run = %v; want a 401 error without the token", err)
	}
	if strings.Contains(hs.logs.String(), hs.tg.Token()) {
		t.Errorf("the token appears in the log")
	}
}

func TestWebhook(t *testing.T) {
	t.Parallel()
	hs := newHarness(t, harnessOpts{webhook: "https://bot.example.org/telegram/hook"})
	path, h := hs.client.WebhookHandler()
	if path != "/telegram/hook" || h == nil {
		t.Fatalf("WebhookHandler = %q, %v; want /telegram/hook and a handler", path, h)
	}
	var hook url.Values
	hs.tg.WaitFor(waitLong, func() bool { hook = hs.tg.Webhook(); return hook != nil })
	secret := hook.Get("secret_token")
	if hook.Get("url") != "https://bot.example.org/telegram/hook" || secret == "" || strings.Contains(secret, hs.tg.Token()) {
		t.Fatalf("setWebhook parameters %v; want the URL and a secret token", hook)
	}
	srv := httptest.NewServer(h)
	defer srv.Close()
	post := func(secret string, body []byte) int {
		req, _ := http.NewRequest(http.MethodPost, srv.URL+path, bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		if secret != "" {
			req.Header.Set("X-Telegram-Bot-Api-Secret-Token", secret)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	dm := telegramtest.Private(7)
	first := hs.tg.Update(dm, telegramtest.User{ID: 7}, "/case rustamov")
	for _, tt := range []struct {
		secret string
		want   int
	}{{"", 401}, {"wrong", 401}, {secret, 200}, {secret, 200}} { // the last is a redelivery
		if got := post(tt.secret, first); got != tt.want {
			t.Errorf("POST with secret %q: %d; want %d", tt.secret, got, tt.want)
		}
	}
	if got := post(secret, []byte("{not json")); got != 400 {
		t.Errorf("POST of a bad body: %d; want 400", got)
	}
	post(secret, hs.tg.Update(dm, telegramtest.User{ID: 7}, "/case leyla testova"))
	got := hs.tg.WaitMessages(dm.ID, 2, waitLong)
	hs.stop()
	if len(hs.tg.Messages(dm.ID)) != 2 || !strings.Contains(got[0].Text, "February 2021") || !strings.Contains(got[1].Text, "Leyla") {
		t.Errorf("replies %d: %+v; want Rustamov's card once, then Leyla's", len(got), got)
	}
	if n := hs.tg.Calls("getUpdates"); n != 0 {
		t.Errorf("getUpdates called %d times in webhook mode; want 0", n)
	}
	if got := post(secret, first); got != 503 {
		t.Errorf("POST after Run stopped: %d; want 503", got)
	}
}

// TestHealth: the client is healthy while it receives updates, not after
// three failed polls in a row, and again once polling works.
func TestHealth(t *testing.T) {
	t.Parallel()
	hs := newHarness(t, harnessOpts{noRun: true})
	if err := hs.client.Healthy(); err == nil {
		t.Errorf("Healthy before Run = nil; want not receiving")
	}
	for range unhealthyAfter {
		hs.tg.FailNext("getUpdates", 502, "Bad Gateway", 0)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- hs.client.Run(ctx) }()
	var err error
	if !hs.tg.WaitFor(waitLong, func() bool {
		err = hs.client.Healthy()
		return err != nil && strings.Contains(err.Error(), "Bad Gateway")
	}) {
		t.Errorf("Healthy after failed polls = %v; want the failures reported", err)
	}
	if !hs.tg.WaitFor(waitLong, func() bool { return hs.client.Healthy() == nil }) {
		t.Errorf("Healthy once polling works = %v; want nil", hs.client.Healthy())
	}
	cancel()
	<-done
	if err := hs.client.Healthy(); err == nil {
		t.Errorf("Healthy after Run returned = nil; want not receiving")
	}
}

// TestWebhookAnswersAtOnce checks that an update Telegram delivers as
// soon as it has set the webhook, before its answer to setWebhook is
// back (a slow network: the fake answers 300 ms after it acts), is
// handled rather than refused with 503.
func TestWebhookAnswersAtOnce(t *testing.T) {
	t.Parallel()
	hs := newHarness(t, harnessOpts{webhook: "https://bot.example.org/telegram/hook", delay: 600 * time.Millisecond})
	_, h := hs.client.WebhookHandler()
	var hook url.Values
	hs.tg.WaitFor(waitLong, func() bool { hook = hs.tg.Webhook(); return hook != nil })
	srv := httptest.NewServer(h)
	defer srv.Close()
	dm := telegramtest.Private(7)
	req, _ := http.NewRequest(http.MethodPost, srv.URL+"/telegram/hook",
		bytes.NewReader(hs.tg.Update(dm, telegramtest.User{ID: 7}, "/case rustamov")))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Telegram-Bot-Api-Secret-Token", hook.Get("secret_token"))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Errorf("an update right after setWebhook: %d; want 200", resp.StatusCode)
	}
	if got := hs.tg.WaitMessages(dm.ID, 1, waitLong); len(got) != 1 || !strings.Contains(got[0].Text, "February 2021") {
		t.Errorf("replies %+v; want Rustamov's card", got)
	}
}
