package discord

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/vigil-bot/vigil/bot"
	"github.com/vigil-bot/vigil/bot/discord/discordtest"
	"github.com/vigil-bot/vigil/cases"
	"github.com/vigil-bot/vigil/config"
	"github.com/vigil-bot/vigil/data"
	"github.com/vigil-bot/vigil/internal/testutil"
	"github.com/vigil-bot/vigil/scheduler"
	"github.com/vigil-bot/vigil/store"
)

// Ids of the test world: one guild, an editor, ordinary members.
const (
	guildID  = "700000000000000001"
	editorID = "600000000000000009"
	memberID = "600000000000000001"
	modID    = "600000000000000002"
)

const wait = 10 * time.Second

type syncBuffer = testutil.SyncBuffer

// hostileSummary is 5000 characters of markdown, mentions and mixed
// scripts.
var hostileSummary = func() string {
	unit := "@everyone **bold** __u__ ~~s~~ `code` ||spoiler|| <@123456789012345678> <@&42> [x](https://evil.example) # h\n> q\n- l ﷽ Рустамов "
	s := strings.Repeat(unit, 5000/len([]rune(unit))+1)
	return string([]rune(s)[:5000])
}()

func yamlString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// testCases are fictional people; the bundled Saleh Rustamov is there too.
func testCases() []cases.SourceFile {
	files := []cases.SourceFile{
		{Path: "amira.yaml", Data: []byte(`id: amira-testova
name: Amira Testova
country: AZ
status: imprisoned
status_as_of: 2026-10
arrested: 2025-03
summary: {en: "A fictional journalist, for tests."}
actions:
  - {kind: petition, label: Sign the petition, url: "https://example.org/petition"}
`)},
		{Path: "amina.yaml", Data: []byte(`id: amina-testova
name: Amina Testova
country: AZ
status: detained
status_as_of: 2026-09
summary: {en: "Another fictional person, for tests."}
`)},
		{Path: "hostile.yaml", Data: []byte(`id: hostile-testcase
name: ` + yamlString("**Hostile** __Testcase__ @everyone <@123456789012345678> [click](https://evil.example)") + `
country: KZ
status: imprisoned
status_as_of: 2026-01
sentence: ` + yamlString(strings.Repeat("*~_`|>", 80)) + `
charges: [` + yamlString(strings.Repeat("@here ", 80)) + `, ` + yamlString(strings.Repeat("<#1> ", 90)) + `]
summary: {en: ` + yamlString(hostileSummary) + `}
hashtags: [` + yamlString("#"+strings.Repeat("x", 99)) + `]
photo: {url: "https://example.org/p.jpg", credit: ` + yamlString(strings.Repeat("© @everyone ", 40)) + `}
sources:
  - {title: ` + yamlString(strings.Repeat("T*", 240)) + `, publisher: ` + yamlString(strings.Repeat("P_", 240)) + `, url: "https://example.org/s"}
actions:
  - {kind: petition, label: ` + yamlString(strings.Repeat("L@", 40)) + `, url: "https://example.org/a"}
  - {kind: letter, label: "Write", url: "https://example.org/b"}
`)},
	}
	for i := range files {
		files[i].Hash = fmt.Sprint(i, len(files[i].Data))
	}
	return files
}

// env is the real wiring against the fake Discord: store, handler,
// delivery engine and the Discord client on the real discordgo.
type env struct {
	t      testing.TB
	srv    *discordtest.Server
	st     *store.Store
	h      *bot.Handler
	c      *Client
	logs   *syncBuffer
	cancel context.CancelFunc
	done   chan error
}

func start(t testing.TB, sopts discordtest.Options, opts ...Option) *env {
	t.Helper()
	return startIn(t, guildID, sopts, opts...)
}

// startIn starts with commands registered in guild, or globally if empty.
func startIn(t testing.TB, guild string, sopts discordtest.Options, opts ...Option) *env {
	t.Helper()
	return startWith(t, guild, discordtest.New(t, sopts), nil, nil, opts...)
}

// startWith starts against srv with commands registered in guild (or
// globally), after setup has changed the configuration, if it is not nil,
// and with pictures rendering the posts' share cards (nil: posts go
// without).
func startWith(t testing.TB, guild string, srv *discordtest.Server, setup func(*config.Config), pictures bot.Pictures, opts ...Option) *env {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "v.db"))
	if err != nil {
		t.Fatal(err)
	}
	bundled, err := data.Cases()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.Import(ctx, append(bundled, testCases()...), time.Now(), store.ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	cfg := config.Default()
	cfg.Discord.Token = srv.Token
	cfg.Discord.APIBase = srv.URL
	cfg.Discord.GuildID = guild
	cfg.Editors.Discord = []string{editorID}
	if setup != nil {
		setup(cfg)
	}
	logs := &syncBuffer{}
	log := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	h := bot.NewHandler(st, cfg, log)
	h.Pictures = pictures
	c, err := New(cfg, h, log, opts...)
	if err != nil {
		t.Fatal(err)
	}
	d := &scheduler.Delivery{Store: st, Composer: h, Platforms: map[string]bot.Platform{Name: c}, Log: log,
		Now: time.Now, Poll: 20 * time.Millisecond, Workers: 4, MaxWorkers: 64}
	runCtx, cancel := context.WithCancel(ctx)
	e := &env{t: t, srv: srv, st: st, h: h, c: c, logs: logs, cancel: cancel, done: make(chan error, 2)}
	go func() { e.done <- c.Run(runCtx) }()
	go func() { e.done <- d.Run(runCtx) }()
	t.Cleanup(func() {
		e.stop()
		st.Close()
		out := logs.String()
		if strings.Contains(out, srv.Token) || strings.Contains(out, "-secret") {
			t.Errorf("a token leaked into the logs:\n%s", out)
		}
		if t.Failed() {
			t.Logf("logs:\n%s", out)
		}
	})
	if err := srv.WaitConnected(wait); err != nil {
		t.Fatal(err)
	}
	if err := waitUntil(func() bool { return len(srv.Commands(guild)) > 0 }); err != nil {
		t.Fatal("commands never registered")
	}
	return e
}

func (e *env) stop() {
	if e.cancel == nil {
		return
	}
	e.cancel()
	e.cancel = nil
	for range 2 {
		if err := <-e.done; err != nil {
			e.t.Errorf("Run: %v", err)
		}
	}
}

func waitUntil(cond func() bool) error {
	deadline := time.Now().Add(wait)
	for !cond() {
		if time.Now().After(deadline) {
			return errors.New("timed out")
		}
		time.Sleep(10 * time.Millisecond)
	}
	return nil
}

func in(channel, user string, perms int64) discordtest.Invoke {
	return discordtest.Invoke{GuildID: guildID, ChannelID: channel, UserID: user, Permissions: perms}
}

// command runs a slash command and returns what the user sees.
func (e *env) command(inv discordtest.Invoke, name string, opts map[string]string) discordtest.Message {
	e.t.Helper()
	it, err := e.srv.SlashCommand(inv, name, opts)
	if err != nil {
		e.t.Fatal(err)
	}
	m, err := it.Reply(wait)
	if err != nil {
		e.t.Fatal(err)
	}
	if it.Refused() > 0 {
		e.t.Errorf("/%s: %d callbacks refused as second or late", name, it.Refused())
	}
	return m
}

func noPings(t *testing.T, where string, m discordtest.Message) {
	t.Helper()
	if m.AllowedMentions == nil || len(m.AllowedMentions.Parse) != 0 || len(m.AllowedMentions.Users) != 0 || len(m.AllowedMentions.Roles) != 0 {
		t.Errorf("%s: allowed_mentions = %+v; want parse: [] and nothing else", where, m.AllowedMentions)
	}
}

func TestCommandsRegistered(t *testing.T) {
	e := start(t, discordtest.Options{})
	cmds := e.srv.Commands(guildID)
	if len(e.srv.Commands("")) != 0 {
		t.Errorf("global commands registered although guild_id is set")
	}
	var names []string
	byName := map[string]discordtest.Command{}
	for _, c := range cmds {
		names = append(names, c.Name)
		byName[c.Name] = c
	}
	if !slices.Equal(names, bot.CommandNames()) {
		t.Errorf("commands = %v; want %v", names, bot.CommandNames())
	}
	wantOpts := map[string][]string{"case": {"query"}, "cases": {"country"}, "subscribe": {"country"},
		"unsubscribe": {"country"}, "settings": {"timezone", "time", "language", "images"}, "alert": {"case", "message"},
		"retract": {"alert"}, "write": {"country"}, "wrote": {"case"}}
	autocomplete := map[string]bool{"case/query": true, "alert/case": true, "subscribe/country": true,
		"write/country": true, "wrote/case": true}
	for _, name := range bot.CommandNames() {
		c := byName[name]
		var got []string
		for _, o := range c.Options {
			got = append(got, o.Name)
			if autocomplete[name+"/"+o.Name] && !o.Autocomplete {
				t.Errorf("/%s %s: autocomplete off", name, o.Name)
			}
			if o.DescriptionLocalizations["de"] == "" {
				t.Errorf("/%s %s: no German description", name, o.Name)
			}
			if name == "settings" && o.Name == "images" {
				var values []string
				for _, ch := range o.Choices {
					values = append(values, fmt.Sprint(ch.Value))
				}
				if !slices.Equal(values, []string{"on", "off"}) {
					t.Errorf("/settings images choices = %v; want [on off]", values)
				}
			}
		}
		if !slices.Equal(got, wantOpts[name]) {
			t.Errorf("/%s options = %v; want %v", name, got, wantOpts[name])
		}
		if c.NameLocalizations["de"] != name || c.DescriptionLocalizations["de"] == "" || c.DescriptionLocalizations["de"] == c.Description {
			t.Errorf("/%s: localizations %v %v; want German ones", name, c.NameLocalizations, c.DescriptionLocalizations)
		}
		perm := ""
		if c.DefaultMemberPermissions != nil {
			perm = *c.DefaultMemberPermissions
		}
		want := ""
		if bc, _ := bot.LookupCommand(name); bc.Access == bot.Admins {
			want = "16"
		}
		if perm != want {
			t.Errorf("/%s default_member_permissions = %q; want %q", name, perm, want)
		}
	}
	// Every option as the table gives it, with its descriptions.
	for _, bc := range bot.Commands() {
		c := byName[bc.Name]
		if c.Description != bc.Summary("en") || c.DescriptionLocalizations["de"] != bc.Summary("de") {
			t.Errorf("/%s descriptions %q, %v; want the table's summaries", bc.Name, c.Description, c.DescriptionLocalizations)
		}
		if len(c.Options) != len(bc.Options) {
			t.Errorf("/%s: %d options; want %d", bc.Name, len(c.Options), len(bc.Options))
			continue
		}
		for i, o := range bc.Options {
			got := c.Options[i]
			if got.Name != o.Name || got.Type != 3 || got.Required != o.Required || got.Autocomplete != o.Autocomplete || got.MaxLength != o.MaxLength {
				t.Errorf("/%s option %d = %+v; want %+v as a string option", bc.Name, i, got, o)
			}
			if got.Description != bc.OptionDescription("en", o.Name) || got.DescriptionLocalizations["de"] != bc.OptionDescription("de", o.Name) ||
				got.NameLocalizations["de"] != o.Name {
				t.Errorf("/%s %s: description %q, localizations %v %v; want the table's", bc.Name, o.Name, got.Description, got.NameLocalizations, got.DescriptionLocalizations)
			}
		}
	}
	if got := e.srv.Intents(); len(got) != 1 || got[0] != 1 {
		t.Errorf("identify intents = %v; want [1] (guilds only)", got)
	}
}

func TestCaseLookup(t *testing.T) {
	e := start(t, discordtest.Options{})
	m := e.command(in("800000000000000001", memberID, 0), "case", map[string]string{"query": "rustanov"})
	if len(m.Embeds) != 1 {
		t.Fatalf("reply = %+v; want one embed", m)
	}
	em := m.Embeds[0]
	all := em.Title + "\n" + em.Description
	for _, f := range em.Fields {
		all += "\n" + f.Name + ": " + f.Value
	}
	if em.Title != "Saleh Rustamov" || !strings.Contains(all, "February 2021") || !strings.Contains(all, "Azerbaijan") {
		t.Errorf("embed = %q; want Saleh Rustamov's card with \"February 2021\"", all)
	}
	if m.Ephemeral() {
		t.Errorf("a card is ephemeral; want it public")
	}
	noPings(t, "/case", m)
	if b := m.Buttons(); len(b) == 0 || b[0].Style != 5 || b[0].URL == "" {
		t.Errorf("buttons = %+v; want link buttons for the calls to action", b)
	}
}

func TestDeferredResponses(t *testing.T) {
	e := start(t, discordtest.Options{}, WithDeferAfter(0))
	it, err := e.srv.SlashCommand(in("800000000000000001", memberID, 0), "case", map[string]string{"query": "rustamov"})
	if err != nil {
		t.Fatal(err)
	}
	m, err := it.Reply(wait)
	if err != nil {
		t.Fatal(err)
	}
	if !it.Deferred() || len(m.Embeds) != 1 || m.Embeds[0].Title != "Saleh Rustamov" {
		t.Errorf("deferred=%v reply=%+v; want a deferred response edited into the card", it.Deferred(), m)
	}
	// A refusal after a public deferral becomes an ephemeral follow-up.
	it, err = e.srv.SlashCommand(in("800000000000000001", memberID, 0), "subscribe", map[string]string{"country": "AZ"})
	if err != nil {
		t.Fatal(err)
	}
	m, err = it.Reply(wait)
	if err != nil {
		t.Fatal(err)
	}
	if !m.Ephemeral() || !strings.Contains(m.Content, "admins") {
		t.Errorf("refusal = %+v; want an ephemeral follow-up", m)
	}
}

func TestAutocomplete(t *testing.T) {
	e := start(t, discordtest.Options{})
	tests := []struct {
		command, option, input, locale string
		want                           string // a value among the choices
		wantName                       string
	}{
		{"case", "query", "rust", "en-US", "saleh-rustamov", "Saleh Rustamov"},
		{"case", "query", "", "en-US", "", ""},
		{"alert", "case", "testo", "en-US", "amira-testova", "Amira Testova"},
		{"subscribe", "country", "aserb", "de", "AZ", "Aserbaidschan (AZ)"},
		{"subscribe", "country", "azer", "en-US", "AZ", "Azerbaijan (AZ)"},
		{"unsubscribe", "country", "al", "en-US", "all", "all"},
	}
	for _, tt := range tests {
		inv := in("800000000000000001", memberID, 0)
		inv.Locale = tt.locale
		it, err := e.srv.Autocomplete(inv, tt.command, map[string]string{tt.option: tt.input}, tt.option)
		if err != nil {
			t.Fatal(err)
		}
		choices, err := it.Choices(wait)
		if err != nil {
			t.Fatal(err)
		}
		if len(choices) == 0 || len(choices) > 25 {
			t.Errorf("/%s %s:%q: %d choices; want 1..25", tt.command, tt.option, tt.input, len(choices))
		}
		if tt.want == "" {
			continue
		}
		found := false
		for _, c := range choices {
			if c.Value == tt.want && c.Name == tt.wantName {
				found = true
			}
		}
		if !found {
			t.Errorf("/%s %s:%q (%s): choices %v; want %q named %q", tt.command, tt.option, tt.input, tt.locale, choices, tt.want, tt.wantName)
		}
	}
}

func TestPickList(t *testing.T) {
	e := start(t, discordtest.Options{})
	ch := "800000000000000001"
	m := e.command(in(ch, memberID, 0), "case", map[string]string{"query": "Testova"})
	buttons := m.Buttons()
	var ids []string
	for _, b := range buttons {
		ids = append(ids, b.CustomID)
	}
	if !slices.Contains(ids, "case:amira-testova") || !slices.Contains(ids, "case:amina-testova") {
		t.Fatalf("pick list buttons = %v; want case:amira-testova and case:amina-testova", ids)
	}
	it, err := e.srv.Click(in(ch, memberID, 0), m.ID, "case:amina-testova")
	if err != nil {
		t.Fatal(err)
	}
	r, err := it.Response(wait)
	if err != nil {
		t.Fatal(err)
	}
	if r.Type != 7 || len(r.Message.Embeds) != 1 || r.Message.Embeds[0].Title != "Amina Testova" {
		t.Errorf("click response = type %d %+v; want the pick list updated into Amina Testova's card", r.Type, r.Message)
	}
	noPings(t, "click", r.Message)
	// In Persian each label runs right to left: the Latin name isolated,
	// then the country in Persian.
	fa := "800000000000000002"
	e.command(in(fa, memberID, permManageChannels), "settings", map[string]string{"language": "fa"})
	m = e.command(in(fa, memberID, 0), "case", map[string]string{"query": "Testova"})
	country, _ := cases.CountryByCode("AZ")
	for _, b := range m.Buttons() {
		if !strings.HasPrefix(b.Label, "\u200f\u2068") || !strings.HasSuffix(b.Label, "\u2069 ("+country.Name("fa")+")") {
			t.Errorf("fa pick list button %q; want RLM, the isolated name, then (%s)", b.Label, country.Name("fa"))
		}
	}
	if len(m.Buttons()) != 2 {
		t.Errorf("fa pick list %+v; want two buttons", m.Buttons())
	}
}

func TestSubscribePermissions(t *testing.T) {
	e := start(t, discordtest.Options{})
	ctx := context.Background()
	tests := []struct {
		name    string
		inv     discordtest.Invoke
		allowed bool
	}{
		{"member", in("810000000000000001", memberID, 0x400 /* view channel */), false},
		{"moderator", in("810000000000000002", modID, permManageChannels|0x400), true},
		{"administrator", in("810000000000000003", modID, permAdministrator), true},
	}
	for _, tt := range tests {
		m := e.command(tt.inv, "subscribe", map[string]string{"country": "Azerbaijan"})
		ch, err := e.st.Channel(ctx, Name, tt.inv.ChannelID)
		subscribed := err == nil && slices.Contains(ch.Countries, "AZ")
		if subscribed != tt.allowed {
			t.Errorf("%s: subscribed = %v (%v); want %v", tt.name, subscribed, err, tt.allowed)
		}
		if !tt.allowed && (!m.Ephemeral() || !errors.Is(err, store.ErrNotFound)) {
			t.Errorf("%s: refusal %+v, store %v; want ephemeral and the store unchanged", tt.name, m, err)
		}
		if tt.allowed && m.Ephemeral() {
			t.Errorf("%s: %q is ephemeral; want it public", tt.name, m.Content)
		}
	}
	// The check is made on every call: settings too.
	m := e.command(in("810000000000000002", memberID, 0), "settings", map[string]string{"time": "09:30"})
	if ch, _ := e.st.Channel(ctx, Name, "810000000000000002"); !m.Ephemeral() || ch.PostTime != "10:00" {
		t.Errorf("member's /settings: %q, post time %s; want refused and unchanged", m.Content, ch.PostTime)
	}
}

// TestGlobalCommands: without guild_id the commands are global, and work in
// a DM, where the user administers the conversation.
func TestGlobalCommands(t *testing.T) {
	e := startIn(t, "", discordtest.Options{})
	if n := len(e.srv.Commands("")); n != len(bot.CommandNames()) {
		t.Errorf("%d global commands; want %d", n, len(bot.CommandNames()))
	}
	dm := discordtest.Invoke{ChannelID: "810000000000000004", UserID: memberID}
	m := e.command(dm, "subscribe", map[string]string{"country": "AZ"})
	ch, err := e.st.Channel(context.Background(), Name, dm.ChannelID)
	if err != nil || !slices.Contains(ch.Countries, "AZ") || m.Ephemeral() {
		t.Errorf("DM /subscribe: %q, channel %+v, %v; want subscribed", m.Content, ch, err)
	}
}

// subscribe subscribes channels to a country as a moderator would.
func (e *env) subscribe(country string, channels ...string) {
	e.t.Helper()
	for _, ch := range channels {
		m := e.command(in(ch, modID, permManageChannels), "subscribe", map[string]string{"country": country})
		if m.Ephemeral() {
			e.t.Fatalf("subscribe %s: %q", ch, m.Content)
		}
	}
}

func TestAlertFanOut(t *testing.T) {
	e := start(t, discordtest.Options{})
	chans := []string{"820000000000000001", "820000000000000002", "820000000000000003"}
	e.subscribe("AZ", chans...)
	e.subscribe("KZ", "820000000000000009") // another country: gets nothing

	m := e.command(in(chans[0], memberID, permManageChannels), "alert", map[string]string{"case": "amira-testova", "message": "Act now"})
	if !m.Ephemeral() {
		t.Errorf("non-editor /alert: %q; want an ephemeral refusal", m.Content)
	}
	m = e.command(in(chans[0], editorID, 0), "alert", map[string]string{"case": "amira-testova", "message": "Act now @everyone"})
	if !strings.Contains(m.Content, "3") {
		t.Errorf("editor /alert: %q; want it queued for 3 channels", m.Content)
	}
	for _, ch := range chans {
		msgs, err := e.srv.WaitMessages(ch, 1, wait)
		if err != nil {
			t.Fatal(err)
		}
		p := msgs[0]
		if !strings.Contains(p.Content, "Act now") || len(p.Embeds) != 1 || p.Embeds[0].Title != "Amira Testova" {
			t.Errorf("%s: post %+v; want the alert with Amira Testova's card", ch, p)
		}
		noPings(t, "alert", p)
	}
	// Let the engine run a while longer: nothing is sent twice.
	if err := waitUntil(func() bool {
		counts, _ := e.st.PostCounts(context.Background())
		return counts[store.Sent] == 3
	}); err != nil {
		t.Fatal("posts not all marked sent")
	}
	time.Sleep(100 * time.Millisecond)
	for _, ch := range chans {
		if n := len(e.srv.Messages(ch)); n != 1 {
			t.Errorf("%s got %d posts; want exactly 1", ch, n)
		}
	}
	if n := len(e.srv.Messages("820000000000000009")); n != 0 {
		t.Errorf("KZ channel got %d posts; want 0", n)
	}
}

func TestUnavailableChannelsPaused(t *testing.T) {
	e := start(t, discordtest.Options{})
	ok, access, perms, gone := "830000000000000001", "830000000000000002", "830000000000000003", "830000000000000004"
	e.subscribe("AZ", ok, access, perms, gone)
	e.srv.DenyChannel(access, 50001)
	e.srv.DenyChannel(perms, 50013)
	e.srv.DeleteChannel(gone)
	e.command(in(ok, editorID, 0), "alert", map[string]string{"case": "amira-testova", "message": "Act now"})
	if _, err := e.srv.WaitMessages(ok, 1, wait); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for ch, want := range map[string]string{access: "Missing Access", perms: "Missing Permissions", gone: "Unknown Channel"} {
		var c store.Channel
		if err := waitUntil(func() bool { c, _ = e.st.Channel(ctx, Name, ch); return c.Paused() }); err != nil {
			t.Fatalf("%s never paused", ch)
		}
		if !strings.Contains(c.PausedReason, want) {
			t.Errorf("%s: paused reason %q; want it to say %q", ch, c.PausedReason, want)
		}
		m := e.command(in(ch, memberID, 0), "subscriptions", nil)
		if !strings.Contains(m.Content, want) {
			t.Errorf("%s: /subscriptions says %q; want the reason %q", ch, m.Content, want)
		}
	}
	// Paused channels are not tried again for the next alert.
	before := e.srv.Stats()
	e.command(in(ok, editorID, 0), "alert", map[string]string{"case": "amira-testova", "message": "Again"})
	if _, err := e.srv.WaitMessages(ok, 2, wait); err != nil {
		t.Fatal(err)
	}
	if after := e.srv.Stats(); after.Forbidden != before.Forbidden || after.NotFound != before.NotFound {
		t.Errorf("paused channels were tried again: 403s %d→%d, 404s %d→%d", before.Forbidden, after.Forbidden, before.NotFound, after.NotFound)
	}
}

func TestHostileCard(t *testing.T) {
	e := start(t, discordtest.Options{})
	ch := "840000000000000001"
	e.subscribe("KZ", ch)
	m := e.command(in(ch, memberID, 0), "case", map[string]string{"query": "hostile-testcase"})
	e.command(in(ch, editorID, 0), "alert", map[string]string{"case": "hostile-testcase", "message": "**read** @everyone <@&42>"})
	msgs, err := e.srv.WaitMessages(ch, 1, wait)
	if err != nil {
		t.Fatal(err)
	}
	for _, got := range []discordtest.Message{m, msgs[0]} {
		if err := discordtest.CheckMessage(got.Raw); err != nil {
			t.Errorf("hostile card refused: %v", err)
		}
		noPings(t, "hostile card", got)
		if len(got.Embeds) != 1 {
			t.Fatalf("message %+v; want one embed", got)
		}
		em := got.Embeds[0]
		if n := em.Total(); n > 6000 {
			t.Errorf("embed total %d; want ≤ 6000", n)
		}
		if !strings.HasSuffix(strings.TrimSpace(em.Description), "…") {
			t.Errorf("5000-character summary not cut: ends %q", em.Description[len(em.Description)-20:])
		}
		all := em.Title + em.Description + got.Content
		for _, f := range em.Fields {
			all += f.Value
		}
		for _, raw := range []string{" @everyone", "<@123", "**Hostile**", "[click]", "<@&42>"} {
			if strings.Contains(all, raw) {
				t.Errorf("unescaped %q in the card", raw)
			}
		}
	}
}

func TestResume(t *testing.T) {
	// discordgo logs through the standard logger; nothing of it may show.
	var std syncBuffer
	log.SetOutput(&std)
	t.Cleanup(func() {
		log.SetOutput(os.Stderr)
		if std.String() != "" {
			t.Errorf("discordgo wrote to the standard logger:\n%s", std.String())
		}
	})
	e := start(t, discordtest.Options{})
	if err := e.c.Healthy(); err != nil {
		t.Errorf("Healthy after READY: %v", err)
	}
	e.srv.DropConnection()
	// An interaction dispatched while the bot is away is replayed on RESUME.
	m := e.command(in("850000000000000001", memberID, 0), "help", nil)
	if !strings.Contains(m.Content, "case") {
		t.Errorf("/help after reconnecting: %q", m.Content)
	}
	if err := e.c.Healthy(); err != nil {
		t.Errorf("Healthy after RESUME: %v", err)
	}
	if e.srv.Identifies() != 1 || e.srv.Resumes() != 1 {
		t.Errorf("identifies=%d resumes=%d; want 1 and 1 (a resumed session)", e.srv.Identifies(), e.srv.Resumes())
	}
}

func TestBadToken(t *testing.T) {
	srv := discordtest.New(t, discordtest.Options{})
	st, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "v.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	cfg := config.Default()
	cfg.Discord.Token, cfg.Discord.APIBase = "wrong-token", srv.URL
	logs := &syncBuffer{}
	log := slog.New(slog.NewTextHandler(logs, nil))
	c, err := New(cfg, bot.NewHandler(st, cfg, log), log)
	if err != nil {
		t.Fatal(err)
	}
	err = c.Run(context.Background())
	if err == nil || !strings.Contains(err.Error(), "401") || strings.Contains(err.Error(), "wrong-token") {
		t.Errorf("Run with a bad token = %v; want a 401 error without the token", err)
	}
	if strings.Contains(logs.String(), "wrong-token") {
		t.Errorf("token in logs: %s", logs.String())
	}
}
