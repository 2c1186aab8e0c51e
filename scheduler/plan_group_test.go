package scheduler

import (
	"cmp"
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/vigil-bot/vigil/bot/i18n"
	"github.com/vigil-bot/vigil/cases"
	"github.com/vigil-bot/vigil/config"
	"github.com/vigil-bot/vigil/store"
)

// plannedPost is an occurrence with its digest written out, as the
// reference plan builds it: Occurrence.Digest is nil, and a digest's
// text, header, cases and lines are in the fields below.
type plannedPost struct {
	Occurrence
	Header string
	Cases  []string
	Lines  []store.DigestLine
}

// written writes out the digests of a plan for comparing it with the
// reference plan.
func written(occ []Occurrence) []plannedPost {
	out := make([]plannedPost, len(occ))
	for i, o := range occ {
		out[i].Occurrence = o
		if d := o.Digest; d != nil {
			out[i].Digest = nil
			out[i].Text, out[i].Header, out[i].Cases, out[i].Lines = d.Text(), d.Header(), d.Cases(), d.Lines()
		}
	}
	return out
}

// referencePost is the outbox post of a reference occurrence, its
// payload written as the planner wrote it before digests were written
// out lazily.
func referencePost(o plannedPost) store.Post {
	payload := store.EncodePayload(store.ReminderPayload{Text: o.Text, N: o.N, Day: o.Date.String(), Idx: o.idx})
	if o.Kind == store.KindDigest {
		payload = store.EncodePayload(store.DigestPayload{Text: o.Text, N: o.N, Day: o.Date.String(), Cases: o.Cases,
			Header: o.Header, Lines: o.Lines})
	}
	return store.Post{Key: o.Key, Platform: o.Platform, Chat: o.Chat, Kind: o.Kind,
		CaseID: o.CaseID, Payload: payload, DueAt: o.At, Day: o.Date.String()}
}

// referencePlan is Plan as it was before channels were grouped: every
// channel's day planned on its own, its reminders sorted and each lead
// and digest formatted for it. TestGroupedPlanSameAsPerChannel holds Plan
// to it.
func referencePlan(all []*cases.Case, chans []store.Channel, opt PlanOptions) []plannedPost {
	p := newPlanner(all, opt)
	limit := max(opt.DailyLimit, 1)
	var out []plannedPost
	for _, ch := range chans {
		if ch.Paused() || len(ch.Countries) == 0 {
			continue
		}
		loc := p.zone(ch.Timezone)
		minutes, err := config.ParseClock(ch.PostTime)
		if err != nil {
			minutes = 10 * 60
		}
		for i := range opt.Days {
			out = append(out, referenceChannelDay(p, ch, loc, minutes, addDays(opt.From, i), limit)...)
		}
	}
	slices.SortFunc(out, func(a, b plannedPost) int {
		return cmp.Or(a.At.Compare(b.At), cmp.Compare(a.Platform, b.Platform), cmp.Compare(a.Chat, b.Chat),
			cmp.Compare(a.Kind.Priority(), b.Kind.Priority()), cmp.Compare(a.Kind, b.Kind), cmp.Compare(a.CaseID, b.CaseID), cmp.Compare(a.Key, b.Key))
	})
	return out
}

func referenceChannelDay(p *planner, ch store.Channel, loc *time.Location, minutes int, day cases.Date, limit int) []plannedPost {
	var rems []reminder
	for _, country := range ch.Countries {
		rems = append(rems, p.dateReminders(country, day)...)
		rems = append(rems, p.customReminders(country, day, loc)...)
	}
	if len(rems) == 0 {
		return nil
	}
	slices.SortFunc(rems, func(a, b reminder) int {
		return cmp.Or(cmp.Compare(a.kind.Priority(), b.kind.Priority()), cmp.Compare(a.c.ID, b.c.ID),
			cmp.Compare(a.kind, b.kind), a.at.Compare(b.at), cmp.Compare(a.idx, b.idx))
	})
	ptrs := make([]*reminder, len(rems))
	for i := range rems {
		ptrs[i] = &rems[i]
	}
	rotate(ptrs, day)
	rems = nil
	for _, r := range ptrs {
		rems = append(rems, *r)
	}
	postAt := PostInstant(day, minutes, loc)
	lang := ch.Language
	occ := func(r reminder) plannedPost {
		o := plannedPost{Occurrence: Occurrence{At: postAt, Platform: ch.Platform, Chat: ch.Chat, CaseID: r.c.ID, Kind: r.kind, N: r.n, Date: day}}
		o.Text = reminderText(lang, r)
		if r.kind == store.KindCustom {
			o.At, o.idx = r.at, r.idx
			o.Key = fmt.Sprintf("%s:%s:%d:%s:%s:%s", r.kind, r.c.ID, r.idx, r.at.Format("2006-01-02T15:04"), ch.Platform, ch.Chat)
		} else {
			o.Key = fmt.Sprintf("%s:%s:%s:%d:%s:%s", r.kind, r.c.ID, day, r.n, ch.Platform, ch.Chat)
		}
		return o
	}
	if len(rems) <= limit {
		out := make([]plannedPost, len(rems))
		for i, r := range rems {
			out[i] = occ(r)
		}
		return out
	}
	out := make([]plannedPost, 0, limit)
	for _, r := range rems[:limit-1] {
		out = append(out, occ(r))
	}
	digest := plannedPost{Occurrence: Occurrence{At: postAt, Platform: ch.Platform, Chat: ch.Chat, Kind: store.KindDigest, Date: day,
		Key: fmt.Sprintf("%s:%s:%s:%s", store.KindDigest, day, ch.Platform, ch.Chat)}}
	digest.Header = i18n.T(lang, "post.digest")
	for _, r := range rems[limit-1:] {
		digest.Cases = append(digest.Cases, r.c.ID)
		digest.Lines = append(digest.Lines, store.DigestLine{CaseID: r.c.ID, Kind: r.kind, N: r.n, Idx: r.idx, Text: reminderText(lang, r)})
	}
	digest.N = len(digest.Cases)
	digest.Text = store.DigestText(digest.Header, digest.Lines)
	return append(out, digest)
}

// groupFixture makes cases in four countries with every kind of
// reminder (strikes, anniversaries, milestones, birthdays, cron reminders
// across DST changes), stale and released ones, and channels in mixed
// zones, languages and post times, many sharing a country set.
func groupFixture(r *rand.Rand) ([]*cases.Case, []store.Channel) {
	countries := []string{"AZ", "BY", "RU", "IR"}
	crons := []string{"0 12 * * *", "30 2 * * *", "0 18 * * 1", "15 9,21 * * *", "0 0 * * *"}
	statuses := []cases.Status{cases.Imprisoned, cases.Detained, cases.Disappeared, cases.Released, cases.Imprisoned}
	var cs []*cases.Case
	for i := range 300 {
		c := &cases.Case{ID: fmt.Sprintf("case-%03d", i), Name: fmt.Sprintf("Person %d Testova", i),
			Country: countries[r.IntN(len(countries))], Status: statuses[r.IntN(len(statuses))], StatusAsOf: cases.MustParseDate("2026-10")}
		if r.IntN(10) == 0 {
			c.StatusAsOf = cases.MustParseDate("2024-01") // stale
		}
		// Dates near the fixture's days, so that many fall on them.
		c.Arrested = cases.Date{Year: 2015 + r.IntN(11), Month: time.Month(10 + r.IntN(2)), Day: 20 + r.IntN(9)}
		if r.IntN(3) == 0 {
			c.Arrested = cases.DateOf(time.Date(2026, 10, 26, 0, 0, 0, 0, time.UTC).AddDate(0, 0, -[]int{100, 500, 1000, 1500}[r.IntN(4)]+r.IntN(3)))
		}
		if r.IntN(2) == 0 {
			c.Born = cases.Date{Year: 1950 + r.IntN(50), Month: time.Month(10 + r.IntN(2)), Day: 20 + r.IntN(9)}
		}
		if r.IntN(2) == 0 {
			c.Sentenced = cases.Date{Year: 2016 + r.IntN(9), Month: 10, Day: 24 + r.IntN(4)}
		}
		if r.IntN(4) == 0 {
			c.HungerStrikes = []cases.HungerStrike{{Started: cases.Date{Year: 2026, Month: 10, Day: 1 + r.IntN(27)}}}
		}
		if r.IntN(6) == 0 {
			for range 1 + r.IntN(2) {
				c.Reminders = append(c.Reminders, cases.Reminder{Cron: crons[r.IntN(len(crons))], Text: "Write to " + c.Name})
			}
		}
		cs = append(cs, c)
	}
	zones := []string{"UTC", "Europe/Berlin", "America/New_York", "Australia/Lord_Howe", "Asia/Kolkata"}
	langs := []string{"en", "de", "ru", "fa"}
	times := []string{"10:00", "02:30", "09:15", "not a time"}
	var chans []store.Channel
	for i := range 120 {
		ch := store.Channel{Platform: []string{"telegram", "discord"}[i%2], Chat: fmt.Sprint(1000 + i),
			Timezone: zones[r.IntN(len(zones))], PostTime: times[r.IntN(len(times))], Language: langs[r.IntN(len(langs))]}
		for _, k := range r.Perm(len(countries))[:1+r.IntN(3)] {
			ch.Countries = append(ch.Countries, countries[k])
		}
		if r.IntN(15) == 0 {
			ch.PausedReason = "kicked"
		}
		chans = append(chans, ch)
	}
	return cs, chans
}

// TestGroupedPlanSameAsPerChannel checks that Plan, which plans each
// group of channels seeing the same reminders once, and PlanEach, which
// streams them, give exactly the posts of the per-channel plan, for
// limits from 1 to 6 over days across a DST change, and keep the
// exactly-once rule: one key per occurrence and channel, at most the
// daily limit of posts per channel and local day.
func TestGroupedPlanSameAsPerChannel(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	cs, chans := groupFixture(r)
	for _, limit := range []int{1, 2, 3, 5} {
		opt := PlanOptions{From: d("2026-10-24"), Days: 3, StaleAfter: 365 * 24 * time.Hour, DailyLimit: limit}
		want := referencePlan(cs, chans, opt)
		got := written(Plan(cs, chans, opt))
		if len(want) < 100*limit {
			t.Fatalf("limit %d: the fixture plans only %d posts; want a substantial plan", limit, len(want))
		}
		if !reflect.DeepEqual(got, want) {
			for i := range min(len(got), len(want)) {
				if !reflect.DeepEqual(got[i], want[i]) {
					t.Fatalf("limit %d: post %d of %d/%d:\n got %+v\nwant %+v", limit, i, len(got), len(want), got[i], want[i])
				}
			}
			t.Fatalf("limit %d: %d posts; want %d", limit, len(got), len(want))
		}
		var streamed []Occurrence
		for o := range PlanEach(cs, chans, opt) {
			streamed = append(streamed, *o)
		}
		if w := written(streamed); !slices.EqualFunc(sortedPlan(w), want, func(a, b plannedPost) bool { return reflect.DeepEqual(a, b) }) {
			t.Errorf("limit %d: PlanEach's posts, sorted, differ from the per-channel plan", limit)
		}
		if len(streamed) != len(want) {
			t.Fatalf("limit %d: PlanEach yielded %d posts; want %d", limit, len(streamed), len(want))
		}
		keys := map[string]bool{}
		perDay := map[string]int{}
		digests := 0
		for _, o := range streamed {
			if keys[o.Key] {
				t.Errorf("limit %d: key %s twice", limit, o.Key)
			}
			keys[o.Key] = true
			perDay[o.Channel()+" "+o.Date.String()]++
			if o.Kind == store.KindDigest {
				digests++
			}
		}
		for _, o := range want {
			if !keys[o.Key] {
				t.Errorf("limit %d: PlanEach left out %s", limit, o.Key)
			}
		}
		for k, n := range perDay {
			if n > limit {
				t.Errorf("limit %d: %s has %d posts", limit, k, n)
			}
		}
		if limit < 4 && digests == 0 {
			t.Errorf("limit %d: no digest planned; the fixture should need some", limit)
		}
	}
}

// sortedPlan sorts written-out occurrences in the order of a plan.
func sortedPlan(occ []plannedPost) []plannedPost {
	slices.SortFunc(occ, func(a, b plannedPost) int { return compareOccurrences(a.Occurrence, b.Occurrence) })
	return occ
}

// TestCaseIndexFindsEveryReminder: the index that spares planning a read
// of every case finds every date-based reminder that reading every case
// finds, on each day of three years (a leap day, 29 February dates,
// detention milestones, hunger strikes, partial dates, every status).
func TestCaseIndexFindsEveryReminder(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	statuses := []cases.Status{cases.Imprisoned, cases.Detained, cases.Disappeared, cases.Released, cases.Deceased}
	date := func() cases.Date {
		d := cases.Date{Year: 1960 + r.IntN(66), Month: time.Month(1 + r.IntN(12)), Day: 1 + r.IntN(28)}
		switch r.IntN(8) {
		case 0:
			d.Day = 0 // month only
		case 1:
			d.Month, d.Day = 0, 0 // year only
		case 2:
			d.Month, d.Day = time.February, 29
			d.Year = 1960 + 4*r.IntN(16)
		}
		return d
	}
	var all []*cases.Case
	for i := range 600 {
		c := &cases.Case{ID: fmt.Sprintf("c-%03d", i), Name: fmt.Sprintf("Person %d Testova", i), Country: []string{"AZ", "BY"}[i%2],
			Status: statuses[r.IntN(len(statuses))], StatusAsOf: cases.MustParseDate("2026-10"), Arrested: date(), Sentenced: date(), Born: date()}
		if r.IntN(3) == 0 {
			// An arrest 100, 500, 1000 or 1500 days before a day of the span.
			c.Arrested = cases.DateOf(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, r.IntN(1000)-[]int{100, 500, 1000, 1500}[r.IntN(4)]))
		}
		if r.IntN(10) == 0 {
			c.HungerStrikes = []cases.HungerStrike{{Started: cases.DateOf(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, r.IntN(900)))}}
		}
		all = append(all, c)
	}
	p := newPlanner(all, PlanOptions{StaleAfter: 365 * 24 * time.Hour})
	found := 0
	for d := range 3 * 366 {
		day := cases.DateOf(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, d))
		for _, country := range []string{"AZ", "BY"} {
			var want []reminder
			for _, c := range p.byCountry[country] {
				if !staleOn(c, day, p.staleAfter) {
					want = append(want, dayReminders(c, day)...)
				}
			}
			slices.SortFunc(want, func(a, b reminder) int { return compareReminders(&a, &b) })
			got := p.dateReminders(country, day)
			if len(got) != len(want) {
				t.Fatalf("%s on %s: the index found %d reminders; reading every case finds %d", country, day, len(got), len(want))
			}
			for i := range want {
				if got[i].c != want[i].c || got[i].kind != want[i].kind || got[i].n != want[i].n {
					t.Fatalf("%s on %s, reminder %d: %s %s %d; want %s %s %d", country, day, i, got[i].c.ID, got[i].kind, got[i].n, want[i].c.ID, want[i].kind, want[i].n)
				}
			}
			found += len(want)
		}
	}
	if found < 3000 {
		t.Fatalf("only %d reminders in three years; the fixture tests too little", found)
	}
}
