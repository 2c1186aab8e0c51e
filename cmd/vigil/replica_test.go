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
// processes, a fake Telegram and groups subscribed to the case's country.
type replicaFixture struct {
	srv    *telegramtest.Server
	cfg    string
	groups []int64
}

func newReplicaFixture(tb testing.TB, groups int) *replicaFixture {
	tb.Helper()
	dsn := pgtest.Required(tb)
	// Telegram's real overall and per-chat limits; the 20 a minute per
	// group does not matter to one post per group.
	srv := telegramtest.NewServer(tb, telegramtest.Options{Limits: &telegramtest.Limits{
		Global: telegramtest.Limit{N: 30, Window: time.Second}, PerChat: telegramtest.Limit{N: 3, Window: 3 * time.Second}}})
	dir := tb.TempDir()
	writeFile(tb, filepath.Join(dir, "cases", "a.yaml"), goodCase)
	f := &replicaFixture{srv: srv, cfg: filepath.Join(dir, "vigil.yaml")}
	writeFile(tb, f.cfg, fmt.Sprintf("database: %q\nhttp: {listen: \"127.0.0.1:0\"}\ntelegram: {api_endpoint: %q}\ncases: [cases]\n", dsn, srv.Endpoint()))
	st, err := store.Open(context.Background(), dsn)
	if err != nil {
		tb.Fatal(err)
	}
	defer st.Close()
	for i := range groups {
		g := telegramtest.Group(-7000-int64(i), fmt.Sprintf("Group %d", i))
		srv.AddChat(g)
		f.groups = append(f.groups, g.ID)
		ch := store.Channel{Platform: "telegram", Chat: fmt.Sprint(g.ID), Timezone: "UTC", PostTime: "09:00", Language: "en"}
		if _, err := st.Subscribe(context.Background(), ch, "AZ", time.Now()); err != nil {
			tb.Fatal(err)
		}
	}
	return f
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
	p.cmd.Env = append(os.Environ(), "VIGIL_AS_MAIN=1", "VIGIL_TELEGRAM_TOKEN="+f.srv.Token(), "VIGIL_DISCORD_TOKEN=")
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
	if err != nil || !strings.Contains(out.String(), fmt.Sprintf("queued for %d channel", len(f.groups))) {
		tb.Fatalf("alert: %v %s %s", err, out.String(), errOut.String())
	}
}

// count returns how many copies of the alert text the groups got, and
// how many groups got it.
func (f *replicaFixture) count(text string) (total, groups int) {
	for _, id := range f.groups {
		n := 0
		for _, m := range f.srv.Messages(id) {
			if strings.Contains(m.Text, "URGENT: "+text) {
				n++
			}
		}
		total += n
		if n > 0 {
			groups++
		}
	}
	return total, groups
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
	f := newReplicaFixture(t, groups)
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
	dsn := pgtest.Required(t)
	srv := discordtest.New(t, discordtest.Options{})
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "cases", "a.yaml"), goodCase)
	cfg := filepath.Join(dir, "vigil.yaml")
	writeFile(t, cfg, fmt.Sprintf("database: %q\nhttp: {listen: \"127.0.0.1:0\"}\ndiscord: {api_base: %q, guild_id: \"700\"}\ncases: [cases]\n", dsn, srv.URL))
	env := func(k string) string {
		if k == "VIGIL_DISCORD_TOKEN" {
			return srv.Token
		}
		return ""
	}
	const channels = 150
	st, err := store.Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	for i := range channels {
		ch := store.Channel{Platform: "discord", Chat: fmt.Sprint(80000 + i), Timezone: "UTC", PostTime: "09:00", Language: "en"}
		if _, err := st.Subscribe(context.Background(), ch, "AZ", time.Now()); err != nil {
			t.Fatal(err)
		}
	}
	st.Close()

	a := startServe(t, env, "--config", cfg)
	waitFor(t, &a.stderr, leadingLog)
	if err := srv.WaitConnected(15 * time.Second); err != nil {
		t.Fatalf("gateway: %v\n%s", err, a.stderr.String())
	}
	b := startServe(t, env, "--config", cfg)
	waitFor(t, &b.stderr, "joining the replicas")
	waitFor(t, &b.stderr, "replicas=2\n")
	waitFor(t, &a.stderr, "replicas=2\n")

	var out, errOut strings.Builder
	if err := run(context.Background(), []string{"alert", "--config", cfg, "amira-testova", "--message", "Write today"}, strings.NewReader(""), &out, &errOut, noEnv); err != nil {
		t.Fatalf("alert: %v %s", err, errOut.String())
	}
	got := func() (total, reached int) {
		for i := range channels {
			n := len(srv.Messages(fmt.Sprint(80000 + i)))
			total += n
			if n > 0 {
				reached++
			}
		}
		return total, reached
	}
	deadline := time.Now().Add(60 * time.Second)
	for _, n := got(); n < channels && time.Now().Before(deadline); _, n = got() {
		time.Sleep(50 * time.Millisecond)
	}
	time.Sleep(1500 * time.Millisecond)
	total, reached := got()
	sentA, sentB := len(sentLog.FindAllString(a.stderr.String(), -1)), len(sentLog.FindAllString(b.stderr.String(), -1))
	t.Logf("fan-out of %d: leader sent %d, follower %d; %d REST requests, busiest second %d", channels, sentA, sentB, srv.Stats().Requests, srv.MaxPerWindow(time.Second))
	if reached != channels || total != channels {
		t.Fatalf("%d copies in %d of %d channels; want each once\nA:\n%s\nB:\n%s", total, reached, channels, a.stderr.String(), b.stderr.String())
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
	deadline = time.Now().Add(15 * time.Second)
	for srv.Identifies() < 2 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
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
