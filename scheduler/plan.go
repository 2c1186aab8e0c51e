package scheduler

import (
	"cmp"
	"iter"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/vigil-bot/vigil/bot/i18n"
	"github.com/vigil-bot/vigil/cases"
	"github.com/vigil-bot/vigil/config"
	"github.com/vigil-bot/vigil/store"
)

// Occurrence is one planned post to one channel.
type Occurrence struct {
	At       time.Time // in the channel's time zone
	Platform string
	Chat     string
	CaseID   string // empty for a digest
	Kind     store.Kind
	N        int        // day number, years, or days in detention
	Date     cases.Date // the channel's local date it belongs to
	Text     string     // the post's lead, in the channel's language; a digest's is Digest.Text()
	Digest   *Digest    // a digest's reminders, shared by the channels of a group; nil for other kinds
	Key      string     // unique per (occurrence, channel)
	idx      int        // custom reminders: which one of the case file
}

// Digest is what a digest post holds: the reminders of a group of
// channels' day past the daily limit, with their leads in the group's
// language. It is shared by every channel of the group and written out
// only when asked for, so that a plan of thousands of digests does not
// hold their text: each call of Text, Cases or Lines writes it anew, and
// Shared encodes it once for the outbox.
type Digest struct {
	header string              // the first line, in the language
	rems   []*reminder         // into the planner's shared lists, in the digest's order
	shared *store.SharedDigest // the body as the outbox stores it, once encoded
}

// Len returns how many reminders the digest holds.
func (d *Digest) Len() int { return len(d.rems) }

// Header returns the digest's first line, in the channel's language.
func (d *Digest) Header() string { return d.header }

// Cases returns the digest's cases, one per line.
func (d *Digest) Cases() []string {
	out := make([]string, len(d.rems))
	for i, r := range d.rems {
		out[i] = r.c.ID
	}
	return out
}

// Lines returns the digest's reminders as the outbox stores them.
func (d *Digest) Lines() []store.DigestLine {
	out := make([]store.DigestLine, len(d.rems))
	for i, r := range d.rems {
		out[i] = store.DigestLine{CaseID: r.c.ID, Kind: r.kind, N: r.n, Idx: r.idx, Text: r.text}
	}
	return out
}

// Text returns the whole post: the header and a line per reminder.
func (d *Digest) Text() string {
	return store.DigestText(d.header, d.Lines())
}

// Shared returns the digest's body encoded once for the outbox, which
// stores it once for all the channels of the group.
func (d *Digest) Shared() *store.SharedDigest {
	if d.shared == nil {
		d.shared = store.ShareDigest(store.DigestBody{Header: d.header, Lines: d.Lines()})
	}
	return d.shared
}

// Channel returns the occurrence's channel as the CLI names it.
func (o Occurrence) Channel() string {
	return store.Channel{Platform: o.Platform, Chat: o.Chat}.String()
}

// PlanOptions bound a plan.
type PlanOptions struct {
	From       cases.Date // first local date, in each channel's zone
	Days       int
	StaleAfter time.Duration // cases confirmed longer than this before a day get nothing that day
	DailyLimit int           // scheduled posts per channel and local day; the rest form a digest
	// Skip, if set, leaves out the channel days for which it is true,
	// unplanned: the daemon plans only each channel's local today and
	// tomorrow that it has not planned before. loc is the channel's zone.
	Skip func(ch *store.Channel, loc *time.Location, day cases.Date) bool
}

// reminder is one case's reminder on one date, before it is addressed to
// a channel.
type reminder struct {
	c    *cases.Case
	kind store.Kind
	prio int    // kind.Priority(), kept for sorting
	rank uint32 // the case's place in id order among the day's (see rankDay)
	n    int
	at   time.Time // custom reminders only: their own instant
	text string    // custom reminders: their own text; else the lead, once formatted for a language
	idx  int       // custom reminders only: index in the case file
}

// Plan derives the scheduled posts of the given local dates for every
// active channel from the case records. It is a pure function of its
// inputs: the daemon and `vigil upcoming` call it alike, so the preview
// is what will be sent. Paused channels and stale cases get nothing. The
// occurrences come sorted by time, channel, priority and case; channels
// that see the same reminders share one Digest.
func Plan(all []*cases.Case, chans []store.Channel, opt PlanOptions) []Occurrence {
	// Collected in chunks and copied once, so that the plan is not
	// reallocated as it grows.
	var chunks [][]Occurrence
	var chunk []Occurrence
	n := 0
	newPlanner(all, opt).each(chans, opt, func(o *Occurrence) bool {
		if len(chunk) == cap(chunk) {
			chunk = make([]Occurrence, 0, min(max(n, 256), 8192))
			chunks = append(chunks, chunk)
		}
		chunk = append(chunk, *o)
		chunks[len(chunks)-1] = chunk
		n++
		return true
	})
	out := make([]Occurrence, 0, n)
	for _, c := range chunks {
		out = append(out, c...)
	}
	chunks = nil
	slices.SortFunc(out, compareOccurrences)
	return out
}

// compareOccurrences is the order of a plan: by time, channel, priority,
// kind and case.
func compareOccurrences(a, b Occurrence) int {
	return cmp.Or(a.At.Compare(b.At), cmp.Compare(a.Platform, b.Platform), cmp.Compare(a.Chat, b.Chat),
		cmp.Compare(a.Kind.Priority(), b.Kind.Priority()), cmp.Compare(a.Kind, b.Kind), cmp.Compare(a.CaseID, b.CaseID), cmp.Compare(a.Key, b.Key))
}

// PlanEach yields the occurrences Plan returns, channel by channel in the
// order of chans and unsorted, without holding the whole plan: the
// daemon streams them into the outbox. The yielded occurrence is reused
// after yield returns.
func PlanEach(all []*cases.Case, chans []store.Channel, opt PlanOptions) iter.Seq[*Occurrence] {
	return planEach(indexCases(all), chans, opt)
}

func planEach(ix *caseIndex, chans []store.Channel, opt PlanOptions) iter.Seq[*Occurrence] {
	return func(yield func(*Occurrence) bool) {
		newIndexedPlanner(ix, opt).each(chans, opt, yield)
	}
}

// caseIndex is what planning needs of a set of cases, made once and kept
// while they do not change (the daemon plans from it round after round):
// the cases by country, those with custom reminders, and for each case
// a few bytes that tell the days it may have a date-based reminder, so
// that finding a day's reminders among 100,000 cases does not read
// every case record.
type caseIndex struct {
	all       []*cases.Case
	byCountry map[string][]*cases.Case
	withCron  map[string][]*cases.Case // the cases with custom reminders, by country
	dates     map[string][]caseDates   // in byCountry's order
}

// caseDates tells the days a case may have a date-based reminder on: a
// superset of them, which dayReminders then decides.
type caseDates struct {
	anyDay          bool   // a hunger strike (not free): every day may count
	held            bool   // in detention: anniversaries, milestones, birthdays
	arrested        uint16 // month*32+day of a day-precise date, 0 for none
	sentenced, born uint16
	arrestDay       int64 // days since 1970 of a day-precise arrest (milestones)
}

// monthDay is a day-precise date's month and day as caseDates keeps
// them, 0 for a date less precise.
func monthDay(d cases.Date) uint16 {
	if !d.HasDay() {
		return 0
	}
	return uint16(d.Month)*32 + uint16(d.Day)
}

// indexCases indexes all for planning.
func indexCases(all []*cases.Case) *caseIndex {
	ix := &caseIndex{all: all, byCountry: map[string][]*cases.Case{}, withCron: map[string][]*cases.Case{}, dates: map[string][]caseDates{}}
	for _, c := range all {
		ix.byCountry[c.Country] = append(ix.byCountry[c.Country], c)
		d := caseDates{anyDay: len(c.HungerStrikes) > 0 && !c.Status.Free(), held: c.Status.Held(),
			arrested: monthDay(c.Arrested), sentenced: monthDay(c.Sentenced), born: monthDay(c.Born), arrestDay: math.MinInt64}
		if c.Arrested.HasDay() {
			d.arrestDay = dayNumber(c.Arrested)
		}
		ix.dates[c.Country] = append(ix.dates[c.Country], d)
		if len(c.Reminders) > 0 && !c.Status.Free() {
			ix.withCron[c.Country] = append(ix.withCron[c.Country], c)
		}
	}
	return ix
}

// mayHave reports whether the case may have a date-based reminder on
// the day of month-day md and day number n. On 28 February a 29
// February date may have its anniversary.
func (d *caseDates) mayHave(md uint16, n int64) bool {
	if d.anyDay {
		return true
	}
	if !d.held {
		return false
	}
	if d.arrested == md || d.sentenced == md || d.born == md {
		return true
	}
	const feb28, feb29 = 2*32 + 28, 2*32 + 29
	if md == feb28 && (d.arrested == feb29 || d.sentenced == feb29 || d.born == feb29) {
		return true
	}
	return d.arrestDay != math.MinInt64 && n > d.arrestDay && isMilestone(int(n-d.arrestDay))
}

func newPlanner(all []*cases.Case, opt PlanOptions) *planner {
	return newIndexedPlanner(indexCases(all), opt)
}

func newIndexedPlanner(ix *caseIndex, opt PlanOptions) *planner {
	return &planner{caseIndex: ix, daily: map[dayKey][]reminder{}, custom: map[zoneDayKey][]reminder{},
		texts: map[langDayKey][]reminder{}, groups: map[groupKey]*group{}, ranks: map[cases.Date]map[*cases.Case]uint32{},
		crons: map[string]cron.Schedule{}, zones: map[string]*time.Location{}, staleAfter: opt.StaleAfter}
}

// each plans every active channel's days, in the order of chans, and
// yields their occurrences until yield returns false.
func (p *planner) each(chans []store.Channel, opt PlanOptions, yield func(*Occurrence) bool) {
	limit := max(opt.DailyLimit, 1)
	followed := map[string]bool{}
	for _, ch := range chans {
		if !ch.Paused() {
			for _, c := range ch.Countries {
				followed[c] = true
			}
		}
	}
	p.followed = followed
	days := make([]cases.Date, opt.Days)
	dayStrings := make([]string, opt.Days) // as keys name them
	for i := range opt.Days {
		days[i] = addDays(opt.From, i)
		dayStrings[i] = days[i].String()
	}
	var o Occurrence
	var countries []string
	var key []byte // the keys are written here, each copied once into its string
	for _, ch := range chans {
		if ch.Paused() || len(ch.Countries) == 0 {
			continue
		}
		loc := p.zone(ch.Timezone)
		minutes, err := config.ParseClock(ch.PostTime)
		if err != nil {
			minutes = 10 * 60
		}
		// Channels that follow the same countries in one language and zone
		// see the same reminders: those are ordered, formatted and put in a
		// digest once, for the whole group.
		countries = append(countries[:0], ch.Countries...)
		slices.Sort(countries)
		set := strings.Join(countries, ",")
		for i, day := range days {
			if opt.Skip != nil && opt.Skip(&ch, loc, day) {
				continue
			}
			g := p.group(groupKey{set, ch.Language, loc, day}, countries, limit)
			if len(g.rems) == 0 {
				continue
			}
			postAt := PostInstant(day, minutes, loc)
			n := len(g.rems)
			if n > limit {
				n = limit - 1
			}
			for _, r := range g.rems[:n] {
				o = Occurrence{At: postAt, Platform: ch.Platform, Chat: ch.Chat, CaseID: r.c.ID, Kind: r.kind, N: r.n, Date: day, Text: r.text}
				// kind:case:idx:time:platform:chat for a custom reminder,
				// kind:case:day:n:platform:chat for the others.
				key = append(append(append(key[:0], r.kind...), ':'), r.c.ID...)
				if r.kind == store.KindCustom {
					o.At, o.idx = r.at, r.idx
					key = r.at.AppendFormat(strconv.AppendInt(append(key, ':'), int64(r.idx), 10), ":2006-01-02T15:04")
				} else {
					key = strconv.AppendInt(append(append(append(key, ':'), dayStrings[i]...), ':'), int64(r.n), 10)
				}
				key = append(append(append(append(key, ':'), ch.Platform...), ':'), ch.Chat...)
				o.Key = string(key)
				if !yield(&o) {
					return
				}
			}
			if len(g.rems) <= limit {
				continue
			}
			o = Occurrence{At: postAt, Platform: ch.Platform, Chat: ch.Chat, Kind: store.KindDigest, Date: day,
				Key: string(store.KindDigest) + ":" + dayStrings[i] + ":" + ch.Platform + ":" + ch.Chat, Digest: g.digest, N: g.digest.Len()}
			if !yield(&o) {
				return
			}
		}
	}
}

type dayKey struct {
	country string
	day     cases.Date
}

type zoneDayKey struct {
	dayKey
	zone *time.Location
}

type langDayKey struct {
	dayKey
	lang string
}

type planner struct {
	*caseIndex
	daily    map[dayKey][]reminder                 // date-based reminders, shared by every channel of a country
	custom   map[zoneDayKey][]reminder             // custom reminders, shared by the channels of a country and zone
	texts    map[langDayKey][]reminder             // date-based reminders with their leads in a language
	groups   map[groupKey]*group                   // what the channels of a group see on a day
	ranks    map[cases.Date]map[*cases.Case]uint32 // by rankDay, for the days planned
	followed map[string]bool                       // the countries some active channel follows
	crons    map[string]cron.Schedule
	zones    map[string]*time.Location
	// staleAfter: a case whose status was confirmed longer before a day
	// gets nothing that day, so `upcoming` for a later day knows what the
	// daemon will do then.
	staleAfter time.Duration
}

// staleOn reports whether c is stale on day: its status was confirmed
// longer than staleAfter before that day.
func staleOn(c *cases.Case, day cases.Date, staleAfter time.Duration) bool {
	noon := time.Date(day.Year, day.Month, day.Day, 12, 0, 0, 0, time.UTC)
	return c.Stale(noon, staleAfter)
}

func (p *planner) zone(name string) *time.Location {
	if loc, ok := p.zones[name]; ok {
		return loc
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		loc = time.UTC
	}
	p.zones[name] = loc
	return loc
}

// groupKey names the channels that see the same reminders on a day.
type groupKey struct {
	countries string // sorted, comma-separated
	lang      string
	zone      *time.Location
	day       cases.Date
}

// group is what the channels of one groupKey see on its day: their
// reminders in order with their leads formatted in the language, and
// the digest of those past the daily limit.
type group struct {
	rems   []*reminder // into the planner's per-country lists
	digest *Digest     // nil within the limit
}

// group returns the reminders of the channels of k, planning them the
// first time: every reminder of their countries' cases, the top ones as
// posts of their own and the rest as one digest.
func (p *planner) group(k groupKey, countries []string, limit int) *group {
	if g, ok := p.groups[k]; ok {
		return g
	}
	g := &group{}
	p.groups[k] = g
	if _, ok := p.ranks[k.day]; !ok {
		p.rankDay(k.day, p.followed) // the first group of the day
	}
	var lists [][]reminder
	for _, country := range countries {
		if l := p.textReminders(country, k.day, k.lang); len(l) > 0 {
			lists = append(lists, l)
		}
		if l := p.customReminders(country, k.day, k.zone); len(l) > 0 {
			lists = append(lists, l)
		}
	}
	g.rems = mergeReminders(lists)
	if len(g.rems) == 0 {
		return g
	}
	rotate(g.rems, k.day)
	if len(g.rems) <= limit {
		return g
	}
	g.digest = &Digest{header: i18n.T(k.lang, "post.digest"), rems: g.rems[limit-1:]}
	return g
}

// rankDay numbers the cases with reminders on day in the followed
// countries in id order (equal ids, equal numbers), so that merging the
// reminders of several countries compares numbers rather than ids.
func (p *planner) rankDay(day cases.Date, followed map[string]bool) {
	var cs []*cases.Case
	for country := range followed {
		for _, r := range p.dateReminders(country, day) {
			cs = append(cs, r.c)
		}
		cs = append(cs, p.withCron[country]...)
	}
	slices.SortFunc(cs, func(a, b *cases.Case) int { return strings.Compare(a.ID, b.ID) })
	ranks := make(map[*cases.Case]uint32, len(cs))
	var rank uint32
	for i, c := range cs {
		if i > 0 && c.ID != cs[i-1].ID {
			rank++
		}
		ranks[c] = rank
	}
	for country := range followed {
		l := p.daily[dayKey{country, day}]
		for i := range l {
			l[i].rank = ranks[l[i].c]
		}
	}
	p.ranks[day] = ranks
}

// compareRanked orders two reminders of ranked cases of one day as
// compareReminders does.
func compareRanked(a, b *reminder) int {
	if a.prio != b.prio {
		return cmp.Compare(a.prio, b.prio)
	}
	if a.rank != b.rank {
		return cmp.Compare(a.rank, b.rank)
	}
	return cmp.Or(cmp.Compare(a.kind, b.kind), a.at.Compare(b.at), cmp.Compare(a.idx, b.idx), cmp.Compare(a.n, b.n))
}

// compareReminders is the order of a day's reminders before rotation: by
// priority, then case, kind, time and index, then number (a case's two
// overlapping hunger strikes).
func compareReminders(a, b *reminder) int {
	if a.prio != b.prio {
		return cmp.Compare(a.prio, b.prio)
	}
	return cmp.Or(cmp.Compare(a.c.ID, b.c.ID),
		cmp.Compare(a.kind, b.kind), a.at.Compare(b.at), cmp.Compare(a.idx, b.idx), cmp.Compare(a.n, b.n))
}

// mergeReminders merges lists of ranked reminders, each sorted by
// compareReminders, into one sorted list of pointers to their elements.
func mergeReminders(lists [][]reminder) []*reminder {
	n := 0
	for _, l := range lists {
		n += len(l)
	}
	if n == 0 {
		return nil
	}
	out := make([]*reminder, 0, n)
	heads := make([]int, len(lists))
	for len(out) < n {
		best := -1
		for i, l := range lists {
			if heads[i] < len(l) && (best < 0 || compareRanked(&l[heads[i]], &lists[best][heads[best]]) < 0) {
				best = i
			}
		}
		out = append(out, &lists[best][heads[best]])
		heads[best]++
	}
	return out
}

// rotate turns each priority's run of a day's sorted reminders by the
// day, so that over days each case gets its turn at the top, not always
// the same alphabetical few.
func rotate(rems []*reminder, day cases.Date) {
	ordinal := dayNumber(day)
	for start := 0; start < len(rems); {
		end := start
		for end < len(rems) && rems[end].prio == rems[start].prio {
			end++
		}
		group := rems[start:end]
		if n := len(group); n > 1 {
			k := int(ordinal % int64(n))
			slices.Reverse(group[:k])
			slices.Reverse(group[k:])
			slices.Reverse(group)
		}
		start = end
	}
}

// textReminders returns the date-based reminders of a country's cases on
// a day, sorted, with their leads in lang: each formatted once for every
// group of channels that sees it.
func (p *planner) textReminders(country string, day cases.Date, lang string) []reminder {
	k := langDayKey{dayKey{country, day}, lang}
	if r, ok := p.texts[k]; ok {
		return r
	}
	out := slices.Clone(p.dateReminders(country, day))
	for i := range out {
		out[i].text = reminderText(lang, out[i])
	}
	p.texts[k] = out
	return out
}

// dateReminders returns the date-based reminders of a country's cases on
// a day, sorted, computed once for all channels that follow the country.
func (p *planner) dateReminders(country string, day cases.Date) []reminder {
	k := dayKey{country, day}
	if r, ok := p.daily[k]; ok {
		return r
	}
	var out []reminder
	md, n := monthDay(day), dayNumber(day)
	dates := p.dates[country]
	for i, c := range p.byCountry[country] {
		// Most cases have nothing on a day: only those that may are read,
		// and staleness is asked only of those that have.
		if !dates[i].mayHave(md, n) {
			continue
		}
		if r := dayReminders(c, day); len(r) > 0 && !staleOn(c, day, p.staleAfter) {
			out = append(out, r...)
		}
	}
	slices.SortFunc(out, func(a, b reminder) int { return compareReminders(&a, &b) })
	p.daily[k] = out
	return out
}

// dayReminders returns the date-based reminders of one case on a day.
// Day counts need an ongoing strike with a day-precise start and a person
// not released or deceased; anniversaries, milestones and birthdays need
// a day-precise date and a person in detention (detained, imprisoned or
// disappeared). 29 February falls on 28 February in other years.
func dayReminders(c *cases.Case, day cases.Date) []reminder {
	var out []reminder
	if !c.Status.Free() {
		for _, h := range c.HungerStrikes {
			if n, ok := h.DayOn(day); ok {
				out = append(out, reminder{c: c, kind: store.KindHungerStrikeDay, n: n})
			}
		}
	}
	if !c.Status.Held() {
		return out
	}
	if y, ok := anniversary(c.Arrested, day); ok {
		out = append(out, reminder{c: c, kind: store.KindArrestAnniversary, n: y})
	}
	if y, ok := anniversary(c.Sentenced, day); ok {
		out = append(out, reminder{c: c, kind: store.KindSentenceAnniversary, n: y})
	}
	if n, ok := c.DaysHeld(day); ok && isMilestone(n) {
		out = append(out, reminder{c: c, kind: store.KindDetentionMilestone, n: n})
	}
	if y, ok := anniversary(c.Born, day); ok {
		out = append(out, reminder{c: c, kind: store.KindBirthday, n: y})
	}
	for i := range out {
		out[i].prio = out[i].kind.Priority()
	}
	return out
}

func isMilestone(n int) bool {
	return n == 100 || n == 500 || (n >= 1000 && n%500 == 0)
}

// anniversary reports whether day is a full-year anniversary of a
// day-precise date d, and which.
func anniversary(d, day cases.Date) (years int, ok bool) {
	if !d.HasDay() || day.Year <= d.Year {
		return 0, false
	}
	month, dd := d.Month, d.Day
	if month == time.February && dd == 29 && !isLeap(day.Year) {
		dd = 28
	}
	return day.Year - d.Year, day.Month == month && day.Day == dd
}

func isLeap(y int) bool { return y%4 == 0 && (y%100 != 0 || y%400 == 0) }

func dayNumber(d cases.Date) int64 {
	t, _ := d.Time(time.UTC)
	return t.Unix() / 86400
}

func addDays(d cases.Date, n int) cases.Date {
	t, _ := d.Time(time.UTC)
	return cases.DateOf(t.AddDate(0, 0, n))
}

// customReminders evaluates, sorted, the country's cases' cron reminders on a
// local day in the channel's zone. The cron spec is read on the wall
// clock of that day, and each time is placed as post times are: a time in
// a spring-forward gap moves to the first valid instant, one in a
// repeated fall-back hour is taken once.
func (p *planner) customReminders(country string, day cases.Date, loc *time.Location) []reminder {
	k := zoneDayKey{dayKey{country, day}, loc}
	if r, ok := p.custom[k]; ok {
		return r
	}
	var out []reminder
	wallStart := time.Date(day.Year, day.Month, day.Day, 0, 0, 0, 0, time.UTC)
	wallEnd := wallStart.AddDate(0, 0, 1)
	for _, c := range p.withCron[country] {
		if staleOn(c, day, p.staleAfter) {
			continue
		}
		for i, r := range c.Reminders {
			sched := p.schedule(r.Cron)
			if sched == nil {
				continue
			}
			seen := map[time.Time]bool{}
			for t := sched.Next(wallStart.Add(-time.Second)); !t.IsZero() && t.Before(wallEnd); t = sched.Next(t) {
				at := PostInstant(day, t.Hour()*60+t.Minute(), loc)
				if seen[at] {
					continue
				}
				seen[at] = true
				out = append(out, reminder{c: c, kind: store.KindCustom, prio: store.KindCustom.Priority(), rank: p.ranks[day][c], at: at, text: r.Text, idx: i})
			}
		}
	}
	slices.SortFunc(out, func(a, b reminder) int { return compareReminders(&a, &b) })
	p.custom[k] = out
	return out
}

func (p *planner) schedule(spec string) cron.Schedule {
	if s, ok := p.crons[spec]; ok {
		return s
	}
	s, err := cron.ParseStandard(spec)
	if err != nil {
		s = nil // validated at import; a bad spec here plans nothing
	}
	p.crons[spec] = s
	return s
}

// PostInstant returns the instant of local time minutes after midnight on
// day in loc. A time that a spring-forward gap skips moves to the first
// valid instant after it (02:30 → 03:00); in a fall-back hour the first
// of the two instants is taken, so a post never runs twice.
func PostInstant(day cases.Date, minutes int, loc *time.Location) time.Time {
	h, m := minutes/60, minutes%60
	t := time.Date(day.Year, day.Month, day.Day, h, m, 0, 0, loc)
	if t.Hour() == h && t.Minute() == m && t.Day() == day.Day {
		// Go may pick the second instant of a repeated hour (or half hour,
		// as on Lord Howe Island): prefer the first.
		for _, back := range []time.Duration{time.Hour, 30 * time.Minute} {
			if earlier := t.Add(-back); earlier.Hour() == h && earlier.Minute() == m && earlier.Day() == day.Day {
				return earlier
			}
		}
		return t
	}
	// In a gap: find the transition, the first instant whose wall clock
	// is not before the requested one.
	want := time.Date(day.Year, day.Month, day.Day, h, m, 0, 0, time.UTC)
	wall := func(u time.Time) time.Time {
		l := u.In(loc)
		return time.Date(l.Year(), l.Month(), l.Day(), l.Hour(), l.Minute(), l.Second(), 0, time.UTC)
	}
	lo, hi := t.Add(-3*time.Hour).Unix(), t.Add(3*time.Hour).Unix()
	for lo < hi {
		mid := lo + (hi-lo)/2
		if wall(time.Unix(mid, 0)).Before(want) {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	return time.Unix(lo, 0).In(loc)
}

// reminderText writes a reminder's lead in lang.
func reminderText(lang string, r reminder) string {
	name := r.c.NameIn(lang)
	switch r.kind {
	case store.KindHungerStrikeDay:
		return i18n.F(lang, "post.hunger_strike_day", i18n.Args{"Name": name, "Day": r.n})
	case store.KindArrestAnniversary:
		return i18n.N(lang, "post.arrest_anniversary", r.n, i18n.Args{"Name": name})
	case store.KindSentenceAnniversary:
		return i18n.N(lang, "post.sentence_anniversary", r.n, i18n.Args{"Name": name})
	case store.KindDetentionMilestone:
		return i18n.N(lang, "post.detention_milestone", r.n, i18n.Args{"Name": name})
	case store.KindBirthday:
		return i18n.N(lang, "post.birthday", r.n, i18n.Args{"Name": name})
	case store.KindCustom:
		return r.text
	}
	return ""
}
