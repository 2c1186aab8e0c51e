package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/vigil-bot/vigil/bot/discord/discordtest"
	"github.com/vigil-bot/vigil/bot/telegram/telegramtest"
	"github.com/vigil-bot/vigil/internal/pgtest"
	"github.com/vigil-bot/vigil/store"
)

// All people in these tests are invented; none is a real person.

// replicaFixture is a PostgreSQL database shared by vigil serve
// processes, a fake platform (Telegram's or Discord's, with its real rate
// limits) and chats on it subscribed to the case's country.
type replicaFixture struct {
	srv     *telegramtest.Server // Telegram's fake; nil on Discord
	discord *discordtest.Server  // Discord's fake; nil on Telegram
	cfg     string
	chats   []string // the subscribed chats' ids
}

// newReplicaFixture sets up the database, the platform's fake (platform
// "telegram" or "discord") and chats subscribed chats on it.
func newReplicaFixture(tb testing.TB, platform string, chats int) *replicaFixture {
	tb.Helper()
	dsn := pgtest.Required(tb)
	dir := tb.TempDir()
	writeFile(tb, filepath.Join(dir, "cases", "a.yaml"), goodCase)
	f := &replicaFixture{cfg: filepath.Join(dir, "vigil.yaml")}
	var section string
	switch platform {
	case "telegram":
		// Telegram's real overall and per-chat limits; the 20 a minute per
		// group does not matter to one post per group.
		f.srv = telegramtest.NewServer(tb, telegramtest.Options{Limits: &telegramtest.Limits{
			Global: telegramtest.Limit{N: 30, Window: time.Second}, PerChat: telegramtest.Limit{N: 3, Window: 3 * time.Second}}})
		section = fmt.Sprintf("telegram: {api_endpoint: %q}", f.srv.Endpoint())
		for i := range chats {
			g := telegramtest.Group(-7000-int64(i), fmt.Sprintf("Group %d", i))
			f.srv.AddChat(g)
			f.chats = append(f.chats, fmt.Sprint(g.ID))
		}
	case "discord":
		// Discord's real limits: 50 requests a second in all, 5 per 5 s
		// in a channel.
		f.discord = discordtest.New(tb, discordtest.Options{})
		section = fmt.Sprintf("discord: {api_base: %q, guild_id: \"700\"}", f.discord.URL)
		for i := range chats {
			f.chats = append(f.chats, fmt.Sprint(80000+i))
		}
	default:
		tb.Fatalf("no fake for platform %q", platform)
	}
	writeFile(tb, f.cfg, fmt.Sprintf("database: %q\nhttp: {listen: \"127.0.0.1:0\"}\n%s\ncases: [cases]\n", dsn, section))
	st, err := store.Open(context.Background(), dsn)
	if err != nil {
		tb.Fatal(err)
	}
	defer st.Close()
	for _, chat := range f.chats {
		ch := store.Channel{Platform: platform, Chat: chat, Timezone: "UTC", PostTime: "09:00", Language: "en"}
		if _, err := st.Subscribe(context.Background(), ch, "AZ", time.Now()); err != nil {
			tb.Fatal(err)
		}
	}
	return f
}

// env is the environment of the fixture's vigil serve: the token of its
// platform's fake, no other.
func (f *replicaFixture) env(k string) string {
	switch {
	case k == "VIGIL_TELEGRAM_TOKEN" && f.srv != nil:
		return f.srv.Token()
	case k == "VIGIL_DISCORD_TOKEN" && f.discord != nil:
		return f.discord.Token
	}
	return ""
}

// replicaProc is one vigil serve process of the fixture.
type replicaProc struct {
	cmd *exec.Cmd
	log syncBuffer
}

// start runs vigil serve as a real process (the test binary as main),
// so that it can be killed as a crash would end it.
func (f *replicaFixture) start(tb testing.TB) *replicaProc {
	tb.Helper()
	p := &replicaProc{cmd: exec.Command(os.Args[0], "serve", "--config", f.cfg)}
	p.cmd.Env = append(os.Environ(), "VIGIL_AS_MAIN=1",
		"VIGIL_TELEGRAM_TOKEN="+f.env("VIGIL_TELEGRAM_TOKEN"), "VIGIL_DISCORD_TOKEN="+f.env("VIGIL_DISCORD_TOKEN"))
	p.cmd.Stdout, p.cmd.Stderr = io.Writer(&p.log), io.Writer(&p.log)
	if err := p.cmd.Start(); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		if p.cmd.ProcessState == nil {
			p.cmd.Process.Kill()
			p.cmd.Wait()
		}
	})
	return p
}

// waitConnected waits up to limit for the leader, whose output is log,
// to hold the platform's connection: Telegram's polling or Discord's
// gateway.
func (f *replicaFixture) waitConnected(tb testing.TB, log *syncBuffer, limit time.Duration) {
	tb.Helper()
	if f.discord == nil {
		waitLog(tb, log, "msg=connected ", limit)
	} else if err := f.discord.WaitConnected(limit); err != nil {
		tb.Fatalf("gateway: %v\n%s", err, log.String())
	}
}

// stop ends the process as SIGTERM does and waits for it.
func (p *replicaProc) stop() error {
	p.cmd.Process.Signal(syscall.SIGTERM)
	return p.cmd.Wait()
}

// kill ends the process as a crash would (SIGKILL): its claims stay in
// sending, its lease held until it runs out.
func (p *replicaProc) kill() {
	p.cmd.Process.Signal(syscall.SIGKILL)
	p.cmd.Wait()
}

// waitLog waits up to limit for want in buf and returns when it saw it.
func waitLog(tb testing.TB, buf *syncBuffer, want string, limit time.Duration) time.Time {
	tb.Helper()
	deadline := time.Now().Add(limit)
	for !strings.Contains(buf.String(), want) {
		if time.Now().After(deadline) {
			tb.Fatalf("timed out waiting for %q in output:\n%s", want, buf.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
	return time.Now()
}

const leadingLog = "msg=\"leading: "

// alert queues an alert through the CLI, as an editor would.
func (f *replicaFixture) alert(tb testing.TB, text string) {
	tb.Helper()
	var out, errOut strings.Builder
	err := run(context.Background(), []string{"alert", "--config", f.cfg, "amira-testova", "--message", text}, strings.NewReader(""), &out, &errOut, noEnv)
	if err != nil || !strings.Contains(out.String(), fmt.Sprintf("queued for %d channel", len(f.chats))) {
		tb.Fatalf("alert: %v %s %s", err, out.String(), errOut.String())
	}
}

// messages returns the texts the chat got (on Discord, each message's
// request body as sent).
func (f *replicaFixture) messages(chat string) []string {
	var texts []string
	if f.discord != nil {
		for _, m := range f.discord.Messages(chat) {
			texts = append(texts, string(m.Raw))
		}
		return texts
	}
	id, _ := strconv.ParseInt(chat, 10, 64)
	for _, m := range f.srv.Messages(id) {
		texts = append(texts, m.Text)
	}
	return texts
}

// count returns how many copies of the alert text the chats got, and
// how many chats got it.
func (f *replicaFixture) count(text string) (total, chats int) {
	for _, chat := range f.chats {
		n := 0
		for _, m := range f.messages(chat) {
			if strings.Contains(m, "URGENT: "+text) {
				n++
			}
		}
		total += n
		if n > 0 {
			chats++
		}
	}
	return total, chats
}

// waitFor polls cond until it holds or limit has passed, and says whether
// it held.
func (f *replicaFixture) waitFor(limit time.Duration, cond func() bool) bool {
	deadline := time.Now().Add(limit)
	for !cond() {
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(10 * time.Millisecond)
	}
	return true
}

// tooMany returns how many requests the fake answered 429.
func (f *replicaFixture) tooMany() int {
	if f.discord != nil {
		return f.discord.Stats().TooManyRequests
	}
	return f.srv.TooMany()
}

var (
	sentLog        = regexp.MustCompile(`msg=sent `)
	replicaHTTPLog = regexp.MustCompile(`msg="http listening" replica=\S+ addr=(\S+)`)
)

// healthz returns the status and body of the process's /healthz.
func (p *replicaProc) healthz(tb testing.TB) (int, string) {
	tb.Helper()
	m := replicaHTTPLog.FindStringSubmatch(p.log.String())
	if m == nil {
		tb.Fatalf("no http address in the log:\n%s", p.log.String())
	}
	resp, err := http.Get("http://" + m[1] + "/healthz")
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// TestReplicas: two vigil serve processes on one PostgreSQL database.
// One leads (it alone polls Telegram: no 409), both deliver an alert's
// fan-out, each post exactly once and no 429; /healthz names each one's
// role. Then the leader is killed mid-fan-out: the follower takes over
// within 15 s, every group gets the alert, and only the sends in flight
// at the kill may repeat.
func TestReplicas(t *testing.T) {
	if testing.Short() {
		t.Skip("slow: real processes, rate limits and a lease to run out")
	}
	const groups = 90
	f := newReplicaFixture(t, "telegram", groups)
	a := f.start(t)
	waitLog(t, &a.log, leadingLog, 20*time.Second)
	waitLog(t, &a.log, "msg=connected ", 15*time.Second)
	b := f.start(t)
	waitLog(t, &b.log, "joining the replicas", 20*time.Second)
	waitLog(t, &b.log, "replicas=2\n", 15*time.Second)
	waitLog(t, &a.log, "replicas=2\n", 15*time.Second)

	f.alert(t, "First alert")
	if !f.srv.WaitFor(60*time.Second, func() bool { _, n := f.count("First alert"); return n == groups }) {
		_, n := f.count("First alert")
		t.Fatalf("%d of %d groups got the alert\nA:\n%s\nB:\n%s", n, groups, a.log.String(), b.log.String())
	}
	time.Sleep(2 * time.Second) // a repeat would show now
	if total, _ := f.count("First alert"); total != groups {
		t.Errorf("%d copies to %d groups; want each once", total, groups)
	}
	sentA, sentB := len(sentLog.FindAllString(a.log.String(), -1)), len(sentLog.FindAllString(b.log.String(), -1))
	t.Logf("fan-out of %d: leader sent %d, follower %d", groups, sentA, sentB)
	if sentA == 0 || sentB == 0 || sentA+sentB != groups {
		t.Errorf("leader sent %d, follower %d; want both to deliver, %d in all", sentA, sentB, groups)
	}
	if n := f.srv.TooMany(); n != 0 {
		t.Errorf("%d sends answered 429: the replicas must share the rate limit", n)
	}
	if n := f.srv.Conflicts(); n != 0 {
		t.Errorf("%d polls ended with 409 Conflict: only the leader may poll", n)
	}
	if n := f.srv.Calls("setMyCommands"); n == 0 || strings.Contains(b.log.String(), "msg=connected ") {
		t.Errorf("the follower polls Telegram, or nobody set the commands (%d)", n)
	}
	for _, c := range []struct {
		p    *replicaProc
		role string
	}{{a, "leader"}, {b, "follower"}} {
		code, body := c.p.healthz(t)
		if code != http.StatusOK || !strings.HasPrefix(body, "ok\n") || !strings.Contains(body, "role: "+c.role+" replica=") {
			t.Errorf("%s's /healthz = %d %q; want 200 ok naming its role", c.role, code, body)
		}
	}

	// The leader dies mid-fan-out.
	f.alert(t, "Second alert")
	if !f.srv.WaitFor(30*time.Second, func() bool { _, n := f.count("Second alert"); return n >= groups/4 }) {
		t.Fatalf("the second fan-out did not start:\nA:\n%s\nB:\n%s", a.log.String(), b.log.String())
	}
	a.kill()
	killed := time.Now()
	_, atKill := f.count("Second alert")
	took := waitLog(t, &b.log, leadingLog, 20*time.Second).Sub(killed)
	t.Logf("killed the leader after %d of %d sends; the follower took over after %s", atKill, groups, took.Round(10*time.Millisecond))
	if took > 15*time.Second {
		t.Errorf("takeover took %s; want within 15 s", took)
	}
	ok := f.srv.WaitFor(60*time.Second, func() bool { _, n := f.count("Second alert"); return n == groups })
	time.Sleep(2 * time.Second)
	total, got := f.count("Second alert")
	t.Logf("after the kill: %d of %d groups, %d duplicates", got, groups, total-got)
	if !ok {
		t.Errorf("%d groups never got the alert\nA:\n%s\nB:\n%s", groups-got, a.log.String(), b.log.String())
	}
	if dup := total - got; dup > sendWorkers {
		t.Errorf("%d duplicates; at most the %d sends in flight at the kill may repeat", dup, sendWorkers)
	} else if dup > 0 && !strings.Contains(b.log.String(), "requeued sends of a replica that stopped") {
		t.Errorf("a duplicate without a requeued in-flight send:\n%s", b.log.String())
	}
	if code, body := b.healthz(t); code != http.StatusOK || !strings.Contains(body, "role: leader replica=") {
		t.Errorf("the new leader's /healthz = %d %q", code, body)
	}
	if err := b.stop(); err != nil {
		t.Errorf("stopping the new leader: %v\n%s", err, b.log.String())
	}
	if strings.Contains(a.log.String()+b.log.String(), f.srv.Token()) {
		t.Error("token in the output")
	}
}

// TestReplicasDiscord: two vigil serve (run, in one process) on one
// PostgreSQL database with a Discord token: only the leader opens the
// gateway and registers the commands; both send an alert's fan-out,
// each channel once, with no 429. When the leader stops, the other opens
// the gateway and answers commands.
func TestReplicasDiscord(t *testing.T) {
	if testing.Short() {
		t.Skip("slow: rate limits and a takeover")
	}
	const channels = 150
	f := newReplicaFixture(t, "discord", channels)
	srv := f.discord
	a := startServe(t, f.env, "--config", f.cfg)
	waitFor(t, &a.stderr, leadingLog)
	f.waitConnected(t, &a.stderr, 15*time.Second)
	b := startServe(t, f.env, "--config", f.cfg)
	waitFor(t, &b.stderr, "joining the replicas")
	waitFor(t, &b.stderr, "replicas=2\n")
	waitFor(t, &a.stderr, "replicas=2\n")

	f.alert(t, "Write today")
	f.waitFor(60*time.Second, func() bool { _, n := f.count("Write today"); return n == channels })
	time.Sleep(1500 * time.Millisecond)
	total, reached := f.count("Write today")
	posts := srv.Stats().Posts
	sentA, sentB := len(sentLog.FindAllString(a.stderr.String(), -1)), len(sentLog.FindAllString(b.stderr.String(), -1))
	t.Logf("fan-out of %d: leader sent %d, follower %d; %d REST requests, busiest second %d", channels, sentA, sentB, srv.Stats().Requests, srv.MaxPerWindow(time.Second))
	if reached != channels || total != channels || posts != channels {
		t.Fatalf("%d copies (%d posts in all) in %d of %d channels; want each once\nA:\n%s\nB:\n%s", total, posts, reached, channels, a.stderr.String(), b.stderr.String())
	}
	if sentA == 0 || sentB == 0 {
		t.Errorf("leader sent %d, follower %d; want both to deliver", sentA, sentB)
	}
	if s := srv.Stats(); s.TooManyRequests != 0 {
		t.Errorf("%d 429s: the replicas must share the global limit", s.TooManyRequests)
	}
	if n := srv.Identifies(); n != 1 {
		t.Errorf("%d gateway identifies; want the leader's one (a follower sends only)", n)
	}

	// The leader stops: it gives up the lease, the other takes over.
	stopped := time.Now()
	a.stop(t, 20*time.Second)
	waitFor(t, &b.stderr, leadingLog)
	t.Logf("takeover after a clean stop: %s", time.Since(stopped).Round(10*time.Millisecond))
	f.waitFor(15*time.Second, func() bool { return srv.Identifies() >= 2 })
	if err := srv.WaitConnected(15 * time.Second); err != nil || srv.Identifies() != 2 {
		t.Fatalf("the new leader did not open the gateway (%d identifies): %v\n%s", srv.Identifies(), err, b.stderr.String())
	}
	it, err := srv.SlashCommand(discordtest.Invoke{GuildID: "700", ChannelID: "80000", UserID: "900"}, "case", map[string]string{"query": "testova"})
	if err != nil {
		t.Fatal(err)
	}
	if msg, err := it.Reply(10 * time.Second); err != nil || !strings.Contains(string(msg.Raw), "Amira Testova") {
		t.Errorf("the new leader's reply to /case: %v %v", msg, err)
	}
}
