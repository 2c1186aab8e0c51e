package scheduler

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/vigil-bot/vigil/bot"
	"github.com/vigil-bot/vigil/cases"
	"github.com/vigil-bot/vigil/config"
	"github.com/vigil-bot/vigil/store"
)

func importYAML(t *testing.T, st *store.Store, yaml string, now time.Time) {
	t.Helper()
	if _, err := st.Import(context.Background(), []cases.SourceFile{{Path: "a.yaml", Data: []byte(yaml), Hash: yaml}}, now, store.ImportOptions{}); err != nil {
		t.Fatal(err)
	}
}

const striker = "id: amira-testova\nname: Amira Testova\ncountry: AZ\nstatus: imprisoned\nstatus_as_of: 2026-11\nhunger_strikes: [{started: 2026-11-16}]\n"

type plannerRig struct {
	st  *store.Store
	clk *clock
	p   *Planner
	d   *Delivery
	fp  *fakePlatform
	m   *Metrics
}

func newPlannerRig(t *testing.T, yaml string, limit int) *plannerRig {
	t.Helper()
	st, h, fp, clk := world(t, yaml, time.Date(2026, 11, 27, 8, 0, 0, 0, time.UTC), "-1")
	r := &plannerRig{st: st, clk: clk, fp: fp, m: NewMetrics(nil)}
	r.p = &Planner{Store: st, Cases: h.Library, Log: h.Log, Now: clk.now, CatchUp: time.Hour, StaleAfter: 365 * 24 * time.Hour, DailyLimit: limit}
	r.d = &Delivery{Store: st, Composer: h, Platforms: map[string]bot.Platform{"fake": fp}, Log: h.Log, Now: clk.now,
		CatchUp: time.Hour, Metrics: r.m, Check: r.p.StillDue}
	return r
}

func (r *plannerRig) leads() []string {
	var out []string
	for _, m := range r.fp.sent["-1"] {
		out = append(out, m.Lead)
	}
	return out
}

// TestPlannerQueuesOnceAndDelivers: a channel's today and tomorrow are
// planned once; the post goes out once at its time; a status change is
// queued at once; a post found too late is skipped.
func TestPlannerQueuesOnceAndDelivers(t *testing.T) {
	r := newPlannerRig(t, striker, 3)
	ctx := context.Background()
	n, err := r.p.Once(ctx)
	if err != nil || n != 2 {
		t.Fatalf("Once = %d, %v; want 2 (today's and tomorrow's day count)", n, err)
	}
	r.p.lastPlan = "" // force a re-plan: the days are planned already
	if n, _ := r.p.Once(ctx); n != 0 {
		t.Errorf("planning again queued %d; want 0", n)
	}
	r.d.Tick(ctx)
	if r.fp.count("-1") != 0 {
		t.Fatal("sent before its time")
	}
	r.clk.advance(2 * time.Hour) // 10:00
	r.d.Tick(ctx)
	if got := r.leads(); len(got) != 1 || got[0] != "Day 12 of Amira Testova's hunger strike." || r.fp.sent["-1"][0].Card == nil {
		t.Fatalf("sent %q; want Day 12 with the card", got)
	}

	// A status change is posted at once; the case released, tomorrow's
	// queued day count is re-planned away.
	importYAML(t, r.st, strings.Replace(striker, "imprisoned", "released", 1), r.clk.now())
	if n, err := r.p.Once(ctx); err != nil || n != 1 {
		t.Fatalf("Once after a status change = %d, %v; want 1 (the status post)", n, err)
	}
	r.d.Tick(ctx)
	if got := r.leads(); got[len(got)-1] != "Status update: Amira Testova is now released (was imprisoned)." {
		t.Errorf("status post %q", got[len(got)-1])
	}
	r.clk.advance(24 * time.Hour)
	r.p.Once(ctx)
	r.d.Tick(ctx)
	if got := r.leads(); len(got) != 2 {
		t.Errorf("after the release: sent %q; want no more day counts", got)
	}

	// Imprisoned again with a new strike: tomorrow (29 Nov) is planned,
	// and found two and a half hours late, the post is skipped.
	importYAML(t, r.st, strings.Replace(striker, "2026-11-16", "2026-11-17", 1), r.clk.now())
	r.p.Once(ctx) // the status change (due now) and 29 Nov 10:00
	r.d.Tick(ctx)
	r.clk.t = time.Date(2026, 11, 29, 12, 30, 0, 0, time.UTC)
	before := r.fp.count("-1")
	r.d.Tick(ctx)
	if r.fp.count("-1") != before {
		t.Errorf("a post 2.5 h late was sent")
	}
	if counterValue(r.m.PostsSkipped, "fake", string(store.KindHungerStrikeDay)) != 1 {
		t.Errorf("late post not counted as skipped")
	}
}

// TestImportAfterPlanning: a release imported after a day was planned
// stops its day count (the queued post no longer holds), and a new case
// added to a day already begun does not break the daily limit.
func TestImportAfterPlanning(t *testing.T) {
	two := striker + "born: 1980-11-27\n"
	r := newPlannerRig(t, two, 2)
	ctx := context.Background()
	r.p.Once(ctx) // today: day count + birthday; tomorrow: day count
	r.clk.advance(2 * time.Hour)
	r.d.Tick(ctx)
	if got := r.leads(); len(got) != 2 {
		t.Fatalf("sent %q; want the day count and the birthday", got)
	}
	// Another striker is imported the same day: today is begun, so its
	// plan stands: no third post, no digest repeating the birthday.
	other := "- " + strings.ReplaceAll(strings.TrimSpace(two), "\n", "\n  ") + "\n- {id: leyla-testova, name: Leyla Testova, country: AZ, status: imprisoned, status_as_of: 2026-11, hunger_strikes: [{started: 2026-11-20}]}\n"
	importYAML(t, r.st, other, r.clk.now())
	r.p.Once(ctx)
	r.d.Tick(ctx)
	if got := r.leads(); len(got) != 2 {
		t.Errorf("after an import the same day: sent %q; want still 2 (daily_limit)", got)
	}
	// Tomorrow was planned before the import and has not begun: it is
	// re-planned with both strikers; then Amira is released before 10:00.
	r.clk.t = time.Date(2026, 11, 28, 9, 0, 0, 0, time.UTC)
	r.p.Once(ctx)
	importYAML(t, r.st, strings.Replace(other, "imprisoned", "released", 1), r.clk.now()) // Amira's line comes first
	r.clk.t = time.Date(2026, 11, 28, 10, 0, 0, 0, time.UTC)
	r.p.Once(ctx)
	r.d.Tick(ctx)
	var day2 []string
	for _, l := range r.leads()[2:] {
		day2 = append(day2, l)
	}
	joined := strings.Join(day2, "\n")
	if strings.Contains(joined, "Day 13 of Amira") || !strings.Contains(joined, "Day 9 of Leyla Testova") {
		t.Errorf("28 Nov: sent %q; want Leyla's day count and none for the released Amira", day2)
	}
}

// TestStillDueAfterRelease: on a day already begun, a post queued for
// later no longer goes out once the person is released.
func TestStillDueAfterRelease(t *testing.T) {
	yaml := striker + "reminders: [{cron: \"0 15 * * *\", text: Write to Amira}]\n"
	r := newPlannerRig(t, yaml, 3)
	ctx := context.Background()
	r.p.Once(ctx)
	r.clk.advance(2 * time.Hour) // 10:00: the day count goes out, the day has begun
	r.d.Tick(ctx)
	importYAML(t, r.st, strings.Replace(yaml, "imprisoned", "released", 1), r.clk.now())
	r.p.Once(ctx)
	r.clk.advance(5 * time.Hour) // 15:00
	r.d.Tick(ctx)
	for _, l := range r.leads() {
		if l == "Write to Amira" {
			t.Errorf("a custom reminder went out after the release: %q", r.leads())
		}
	}
	if counterValue(r.m.PostsSkipped, "fake", string(store.KindCustom)) != 1 {
		t.Errorf("the reminder was not skipped as no longer due")
	}
}

// TestRetryingPostSurvivesImport: a post being retried after a platform
// error is not dropped by a re-plan after an unrelated import.
func TestRetryingPostSurvivesImport(t *testing.T) {
	r := newPlannerRig(t, striker, 3)
	ctx := context.Background()
	r.p.Once(ctx)
	r.clk.advance(2 * time.Hour) // 10:00
	// The platform fails for over an hour, longer than catch_up.
	for range 100 {
		r.fp.fails["-1"] = append(r.fp.fails["-1"], errors.New("502"))
	}
	for r.clk.now().Before(time.Date(2026, 11, 27, 11, 10, 0, 0, time.UTC)) {
		r.d.Tick(ctx)
		r.clk.advance(time.Minute)
	}
	importYAML(t, r.st, striker+"affiliation: Invented Union\n", r.clk.now()) // an unrelated edit meanwhile
	r.p.Once(ctx)
	if r.fp.count("-1") != 0 {
		t.Fatal("the platform's failures ended early; the test proves nothing")
	}
	r.fp.fails["-1"] = nil
	for range 20 {
		r.clk.advance(time.Minute)
		r.d.Tick(ctx)
	}
	if got := r.leads(); len(got) != 1 || got[0] != "Day 12 of Amira Testova's hunger strike." {
		t.Errorf("sent %q; want the retried day count once", got)
	}
}

// TestSubscriptionChangesReplan: subscribing to another country, or
// leaving one, plans the days not begun again, whole.
func TestSubscriptionChangesReplan(t *testing.T) {
	r := newPlannerRig(t, striker+"---\nid: jonas-fiktiv\nname: Jonas Fiktiv\ncountry: BY\nstatus: imprisoned\nstatus_as_of: 2026-11\nhunger_strikes: [{started: 2026-11-20}]\n", 3)
	ctx := context.Background()
	r.p.Once(ctx) // AZ only
	cfg := config.Default()
	if _, err := r.st.Subscribe(ctx, bot.DefaultChannel(cfg, "fake", "-1"), "BY", r.clk.now()); err != nil {
		t.Fatal(err)
	}
	r.p.Once(ctx)
	r.clk.advance(2 * time.Hour)
	r.d.Tick(ctx)
	if got := strings.Join(r.leads(), "|"); !strings.Contains(got, "Jonas Fiktiv") || !strings.Contains(got, "Amira Testova") {
		t.Errorf("after subscribing to BY: sent %q; want both day counts", got)
	}
	// Leaving AZ: tomorrow (not begun) is planned again with BY only.
	if _, err := r.st.Unsubscribe(ctx, "fake", "-1", "AZ"); err != nil {
		t.Fatal(err)
	}
	r.p.Once(ctx)
	r.clk.advance(24 * time.Hour)
	r.p.Once(ctx)
	r.d.Tick(ctx)
	got := r.leads()[2:]
	if len(got) != 1 || !strings.Contains(got[0], "Jonas Fiktiv") {
		t.Errorf("the day after leaving AZ: sent %q; want Jonas's day count only", got)
	}
}

// TestUnsubscribeStopsBegunDay: posts queued later on a day already
// begun do not go out after an unsubscribe.
func TestUnsubscribeStopsBegunDay(t *testing.T) {
	r := newPlannerRig(t, striker+"reminders: [{cron: \"0 20 * * *\", text: Evening letter}]\n", 3)
	ctx := context.Background()
	r.p.Once(ctx)
	r.clk.advance(2 * time.Hour)
	r.d.Tick(ctx)
	if _, err := r.st.Unsubscribe(ctx, "fake", "-1", ""); err != nil {
		t.Fatal(err)
	}
	r.p.Once(ctx)
	r.clk.advance(10 * time.Hour)
	r.d.Tick(ctx)
	if got := r.leads(); len(got) != 1 {
		t.Errorf("sent %q; want only the morning post", got)
	}
}

// TestDigestRechecked: a digest sent after an import leaves out the
// reminders that no longer hold.
func TestDigestRechecked(t *testing.T) {
	many := "- {id: a-a, name: Aa Testova, country: AZ, status: imprisoned, status_as_of: 2026-11, hunger_strikes: [{started: 2026-11-01}]}\n" +
		"- {id: b-b, name: Bb Testova, country: AZ, status: imprisoned, status_as_of: 2026-11, hunger_strikes: [{started: 2026-11-02}]}\n" +
		"- {id: c-c, name: Cc Testova, country: AZ, status: imprisoned, status_as_of: 2026-11, hunger_strikes: [{started: 2026-11-03}]}\n"
	r := newPlannerRig(t, many, 2) // one post of its own, then a digest of two
	ctx := context.Background()
	r.p.Once(ctx)
	r.clk.advance(2 * time.Hour)
	r.fp.fails["-1"] = []error{nil, errors.New("502")} // the digest fails once
	r.d.Tick(ctx)
	lead := r.leads()[0]
	// Release everybody but the one who got a post of their own.
	var kept string
	for _, n := range []string{"Aa", "Bb", "Cc"} {
		if strings.Contains(lead, n) {
			kept = n
		}
	}
	upd := many
	for _, n := range []string{"Aa", "Bb", "Cc"} {
		if n != kept {
			upd = strings.Replace(upd, "name: "+n+" Testova, country: AZ, status: imprisoned", "name: "+n+" Testova, country: AZ, status: released", 1)
		}
	}
	importYAML(t, r.st, upd, r.clk.now())
	r.p.Once(ctx)
	r.clk.advance(time.Minute)
	r.d.Tick(ctx)
	for _, l := range r.leads() {
		if strings.HasPrefix(l, "Also today:") {
			t.Errorf("a digest of released people went out: %q", l)
		}
	}
}

// TestDigestWithoutItsBody: a digest whose shared body is gone from the
// database is skipped with the reason, not sent empty nor failed.
func TestDigestWithoutItsBody(t *testing.T) {
	r := newPlannerRig(t, striker, 3)
	ctx := context.Background()
	body := store.ShareDigest(store.DigestBody{Header: "Also today:", Lines: []store.DigestLine{{CaseID: "amira-testova", Kind: store.KindHungerStrikeDay, N: 12, Text: "Day 12"}}})
	post := store.Post{Key: "digest:2026-11-27:fake:-1", Platform: "fake", Chat: "-1", Kind: store.KindDigest, DueAt: r.clk.now(), Day: "2026-11-27",
		Payload: store.EncodePayload(store.DigestPayload{N: 1, Day: "2026-11-27"}), Digest: &store.SharedDigest{ID: body.ID}}
	if _, err := r.st.Enqueue(ctx, r.clk.now(), post); err != nil {
		t.Fatal(err)
	}
	claimed, err := r.st.Claim(ctx, r.clk.now(), 1, "fake")
	if err != nil || len(claimed) != 1 {
		t.Fatalf("Claim = %v, %v", claimed, err)
	}
	why, err := r.p.StillDue(ctx, &claimed[0])
	if err != nil || !strings.Contains(why, "gone") {
		t.Errorf("StillDue = %q, %v; want it skipped as gone", why, err)
	}
}

// TestMovedChatGetsTheRest: when a send finds the chat moved, the chat's
// other claimed posts go to the new chat, not lost as "channel unknown".
func TestMovedChatGetsTheRest(t *testing.T) {
	d, st, fp, clk := setup(t, "old")
	ctx := context.Background()
	fp.fails["old"] = []error{&bot.SendError{Failure: bot.Moved, NewChat: "new", Err: errors.New("migrated")}}
	for i := range 3 {
		st.QueueAlert(ctx, "amira-testova", fmt.Sprint("alert ", i), "test", clk.now())
	}
	d.Tick(ctx)
	d.Tick(ctx)
	if fp.count("new") != 3 {
		t.Errorf("new chat got %d alerts; want 3", fp.count("new"))
	}
}

// TestRefusalBurstStops: refusals stop the chat's other claimed posts,
// so a refusing chat sees one request per try, not one per queued post.
func TestRefusalBurstStops(t *testing.T) {
	d, st, fp, clk := setup(t, "gone")
	d.PauseAfter = 3
	ctx := context.Background()
	for range 5 {
		fp.fails["gone"] = append(fp.fails["gone"], &bot.SendError{Failure: bot.ChannelGone, Err: errors.New("kicked")})
	}
	for i := range 5 {
		st.QueueAlert(ctx, "amira-testova", fmt.Sprint("alert ", i), "test", clk.now())
	}
	d.Tick(ctx)
	if left := len(fp.fails["gone"]); left != 4 {
		t.Errorf("%d sends in the first tick; want 1", 5-left)
	}
}
