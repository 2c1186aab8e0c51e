package main

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/vigil-bot/vigil/bot"
	"github.com/vigil-bot/vigil/cases"
	"github.com/vigil-bot/vigil/config"
	"github.com/vigil-bot/vigil/internal/benchutil"
	"github.com/vigil-bot/vigil/internal/pgtest"
	"github.com/vigil-bot/vigil/scheduler"
	"github.com/vigil-bot/vigil/store"
)

// BenchmarkUpcoming measures `vigil upcoming --days 1` on 100,000 cases
// and 10,000 channels as a real process, one run an iteration: wall time
// (ns/op), user CPU time (user-cpu-s/op), the largest peak RSS of a run
// (peak-RSS-MiB) and the posts planned (posts), of which there must be
// some. Issue 5 set no target for it; it only reports. It runs on
// SQLite and on PostgreSQL (VIGIL_TEST_POSTGRES, see internal/pgtest);
// -short plans for a tenth of the cases and channels. Setting up the
// database takes a minute or two, so run it once:
//
//	go test ./cmd/vigil -run '^$' -bench Upcoming -benchtime 1x
func BenchmarkUpcoming(b *testing.B) {
	nCases, nChannels := 100_000, 10_000
	if testing.Short() {
		nCases, nChannels = 10_000, 1_000
	}
	b.Run("sqlite", func(b *testing.B) { benchUpcoming(b, nCases, nChannels, filepath.Join(b.TempDir(), "v.db")) })
	b.Run("postgres", func(b *testing.B) { benchUpcoming(b, nCases, nChannels, pgtest.Required(b)) })
}

func benchUpcoming(b *testing.B, nCases, nChannels int, db string) {
	dir := b.TempDir()
	countries := cases.Countries()
	for f := range 10 {
		var yaml strings.Builder
		for i := f * nCases / 10; i < (f+1)*nCases/10; i++ {
			co := countries[i%60*3].Code
			strike := ""
			if i%50 == 0 {
				strike = fmt.Sprintf(", hunger_strikes: [{started: 2026-11-%02d}]", 1+i%27)
			}
			fmt.Fprintf(&yaml, "- {id: p-%d, name: Person %d Testova, country: %s, status: imprisoned, status_as_of: 2026-10, arrested: %d-%02d-%02d, born: %d-%02d-%02d%s}\n",
				i, i, co, 2015+i%11, 1+i%12, 1+i%28, 1950+i%50, 1+(i/7)%12, 1+(i/3)%28, strike)
		}
		writeFile(b, filepath.Join(dir, "cases", fmt.Sprintf("f%02d.yaml", f)), yaml.String())
	}
	cfgPath := filepath.Join(dir, "vigil.yaml")
	writeFile(b, cfgPath, "database: "+db+"\ncases: [cases]\n")
	ctx := context.Background()
	setup := time.Now()
	st, err := store.Open(ctx, db)
	if err != nil {
		b.Fatal(err)
	}
	files, err := cases.ReadFiles([]string{filepath.Join(dir, "cases")})
	if err != nil {
		b.Fatal(err)
	}
	if _, err := st.Import(ctx, files, time.Now(), store.ImportOptions{}); err != nil {
		b.Fatal(err)
	}
	cfg := config.Default()
	zones := []string{"UTC", "Europe/Berlin", "America/New_York", "Asia/Baku", "Australia/Sydney"}
	for i := range nChannels {
		ch := bot.DefaultChannel(cfg, "telegram", fmt.Sprint(-100000-i))
		ch.Timezone = zones[i%len(zones)]
		for k := range 1 + i%3 {
			if _, err := st.Subscribe(ctx, ch, countries[(i+k*7)%60*3].Code, time.Now()); err != nil {
				b.Fatal(err)
			}
		}
	}
	st.Close()
	b.Logf("%d cases and %d channels stored in %v", nCases, nChannels, time.Since(setup).Round(time.Millisecond))
	var userCPU time.Duration
	var peakRSS int64
	runs, posts := 0, 0
	for b.Loop() {
		runs++
		cmd, usage := measuredCommand(b, "upcoming", "--config", cfgPath, "--days", "1", "--from", "2026-11-27", "--json")
		out, err := os.Create(filepath.Join(dir, "upcoming.jsonl"))
		if err != nil {
			b.Fatal(err)
		}
		cmd.Stdout = out // a file, as a shell redirect gives it
		if err := cmd.Run(); err != nil {
			b.Fatal(err)
		}
		out.Close()
		lines, err := os.ReadFile(out.Name())
		if err != nil {
			b.Fatal(err)
		}
		rss, user, _, wall := usage()
		userCPU += user
		peakRSS = max(peakRSS, rss)
		posts = bytes.Count(lines, []byte("\n"))
		b.Logf("upcoming --days 1, run %d: %v wall, %v user CPU, peak RSS %.0f MiB, %d posts in %d KiB of JSON lines",
			runs, wall.Round(time.Millisecond), user.Round(time.Millisecond), benchutil.MiB(rss), posts, len(lines)/1024)
	}
	if posts == 0 {
		b.Fatal("upcoming planned no posts; want some for 10,000 subscribed channels")
	}
	b.ReportMetric((userCPU / time.Duration(runs)).Seconds(), "user-cpu-s/op")
	b.ReportMetric(benchutil.MiB(peakRSS), "peak-RSS-MiB")
	b.ReportMetric(float64(posts), "posts")
	benchPlanningRound(b, db)
}

// benchPlanningRound measures planning rounds as the daemon runs them,
// in this process, on the database db, with the cases already in memory
// (the daemon's library keeps them): the first round, which queues every
// channel's local today and tomorrow, and the round a day later, which
// plans one day, each channel's new tomorrow: the daemon's daily work.
// For each it reports the wall and CPU time (this process only, not a
// database server's), the MiB allocated and the longest wait of a writer
// that queues a post every 20 ms meanwhile (as an alert or a claim
// would): the plan is written in short transactions, not one long one.
func benchPlanningRound(b *testing.B, db string) {
	ctx := context.Background()
	st, err := store.Open(ctx, db)
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	lib := bot.NewLibrary(st, nil)
	if _, err := lib.All(ctx); err != nil {
		b.Fatal(err)
	}
	cfg := config.Default()
	now := time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)
	planner := &scheduler.Planner{Store: st, Cases: lib, Log: slog.New(slog.DiscardHandler),
		Now:     func() time.Time { return now },
		CatchUp: cfg.CatchUp.D(), StaleAfter: cfg.StaleAfter.D(), DailyLimit: cfg.DailyLimit}
	probes := 0
	round := func(name string) {
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		stop, waited := make(chan struct{}), make(chan time.Duration)
		go func() {
			var longest time.Duration
			for {
				select {
				case <-stop:
					waited <- longest
					return
				case <-time.After(20 * time.Millisecond):
				}
				probes++
				t := time.Now()
				if _, err := st.Enqueue(ctx, now, store.Post{Key: fmt.Sprint("probe:", probes), Platform: "telegram", Chat: "-42",
					Kind: store.KindAlert, DueAt: now.AddDate(1, 0, 0)}); err != nil {
					b.Error(err)
				}
				longest = max(longest, time.Since(t))
			}
		}()
		cpu0, start := benchutil.ProcessCPU(), time.Now()
		var n int
		// Labelled for a CPU profile: -cpuprofile, then pprof -tagfocus round=nextday.
		pprof.Do(ctx, pprof.Labels("round", name), func(ctx context.Context) { n, err = planner.Once(ctx) })
		wall, cpu := time.Since(start), benchutil.ProcessCPU()-cpu0
		close(stop)
		longest := <-waited
		runtime.ReadMemStats(&after)
		if err != nil || n == 0 {
			b.Fatalf("%s: Planner.Once = %d, %v; want posts queued", name, n, err)
		}
		alloc := benchutil.MiB(after.TotalAlloc - before.TotalAlloc)
		b.Logf("planning round, %s (Planner.Once, cases in memory): %d posts queued in %v wall, %v CPU, %.0f MiB allocated; a writer waited at most %v",
			name, n, wall.Round(time.Millisecond), cpu.Round(time.Millisecond), alloc, longest.Round(time.Millisecond))
		b.ReportMetric(wall.Seconds(), name+"-wall-s")
		b.ReportMetric(cpu.Seconds(), name+"-cpu-s")
		b.ReportMetric(alloc, name+"-MiB-alloc")
		b.ReportMetric(longest.Seconds()*1000, name+"-writer-wait-ms")
		// Issue 14's target, for a day's planning at full size: under 0.5 s
		// and 100 MiB. Shared machines are noisy: it fails at twice that,
		// in CPU time.
		if name == "nextday" && !testing.Short() && (cpu > time.Second || alloc > 200) {
			b.Errorf("planning one day took %v CPU and %.0f MiB; want under 0.5 s and 100 MiB (fails at 1 s or 200 MiB)", cpu, alloc)
		}
	}
	round("first")
	now = now.Add(24 * time.Hour)
	round("nextday")
}

// scaleCases writes n fictional cases (benchutil.People) as YAML into
// files files under dir/cases, block style, and returns the people.
func scaleCases(b *testing.B, dir string, n, files int) []benchutil.Person {
	b.Helper()
	people := benchutil.People(n, 9)
	countries := cases.Countries()
	per := n / files
	for f := range files {
		var yaml strings.Builder
		for i := f * per; i < (f+1)*per; i++ {
			p := people[i]
			fmt.Fprintf(&yaml, "- id: %s\n  name: %q\n  country: %s\n  status: imprisoned\n  status_as_of: 2026-10\n  arrested: %d-%02d-%02d\n",
				p.ID, p.Name, countries[i%60*3].Code, 2015+i%11, 1+i%12, 1+i%28)
			if len(p.Aliases) > 0 {
				fmt.Fprintf(&yaml, "  aliases:\n")
				for _, a := range p.Aliases {
					fmt.Fprintf(&yaml, "    - %q\n", a)
				}
			}
			fmt.Fprintf(&yaml, "  summary:\n    en: %s is a fictional person, case %d of the scale benchmark.\n", p.Name, i)
		}
		writeFile(b, filepath.Join(dir, "cases", fmt.Sprintf("f%03d.yaml", f)), yaml.String())
	}
	return people
}

// rusageShimEnv names the file to which the test binary, started with
// it, writes the resource usage of the vigil it runs (see rusageShim).
const rusageShimEnv = "VIGIL_RUSAGE_TO"

// rusageShim runs the test binary as vigil with this process's arguments
// and writes the child's peak RSS (KiB), user and system CPU time and
// wall time (ns) to the file out, returning its exit code. A process started by Go
// is cloned with the parent's memory (vfork) before exec, and Linux
// counts the parent's peak RSS into the child's ru_maxrss: measured from
// the test process, which holds 100,000 generated cases, a child's peak
// would be the test's. This small, fresh parent keeps the figure the
// child's own.
func rusageShim(out string) int {
	cmd := exec.Command(os.Args[0], os.Args[1:]...)
	cmd.Env = append(os.Environ(), "VIGIL_AS_MAIN=1", rusageShimEnv+"=")
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	start := time.Now()
	err := cmd.Run()
	wall := time.Since(start)
	if cmd.ProcessState == nil {
		fmt.Fprintln(os.Stderr, "rusage shim:", err)
		return 125
	}
	ru := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	if err := os.WriteFile(out, fmt.Appendf(nil, "%d %d %d %d\n", ru.Maxrss, ru.Utime.Nano(), ru.Stime.Nano(), wall), 0o600); err != nil {
		fmt.Fprintln(os.Stderr, "rusage shim:", err)
		return 125
	}
	return cmd.ProcessState.ExitCode()
}

// measuredCommand returns a command that runs the test binary as vigil
// with args through rusageShim, and a function that reads the child's
// peak RSS (bytes), user and system CPU time and wall time (without the
// shim's own start) once it has run.
func measuredCommand(b *testing.B, args ...string) (*exec.Cmd, func() (rss int64, user, sys, wall time.Duration)) {
	b.Helper()
	f, err := os.CreateTemp(b.TempDir(), "rusage")
	if err != nil {
		b.Fatal(err)
	}
	f.Close()
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), rusageShimEnv+"="+f.Name())
	return cmd, func() (int64, time.Duration, time.Duration, time.Duration) {
		data, err := os.ReadFile(f.Name())
		if err != nil {
			b.Fatal(err)
		}
		var kib, user, sys, wall int64
		if _, err := fmt.Sscan(string(data), &kib, &user, &sys, &wall); err != nil {
			b.Fatalf("rusage of %v: %q: %v", args, data, err)
		}
		return kib * 1024, time.Duration(user), time.Duration(sys), time.Duration(wall)
	}
}

// runVigil runs the test binary as vigil with args and returns its
// output, wall time, CPU time (user and system) and peak RSS in bytes.
func runVigil(b *testing.B, dir string, args ...string) (stdout, stderr string, wall, cpu time.Duration, rss int64, err error) {
	b.Helper()
	cmd, usage := measuredCommand(b, args...)
	cmd.Dir = dir
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	start := time.Now()
	err = cmd.Run()
	wall = time.Since(start)
	if cmd.ProcessState == nil || cmd.ProcessState.ExitCode() == 125 {
		return out.String(), errOut.String(), wall, 0, 0, err
	}
	rss, user, sys, wall := usage()
	return out.String(), errOut.String(), wall, user + sys, rss, err
}

// BenchmarkCaseCLI measures `vigil case QUERY` as a real process against
// 100,000 configured cases in 100 files, for an exact name, an id and a
// misspelt name: the wall and CPU time of a run (wall-ms, cpu-ms, the
// slowest of the warm runs) and of the first run after the import
// (first-wall-ms; the import built and saved the lookup index, so it
// should be as quick), and the peak RSS.
// Issue 9 asks for under 0.2 s; the benchmark fails when a warm run's CPU
// time exceeds twice that. Setting up takes about a minute:
//
//	go test ./cmd/vigil -run '^$' -bench CaseCLI -benchtime 1x
func BenchmarkCaseCLI(b *testing.B) {
	const n = 100_000
	dir := b.TempDir()
	people := scaleCases(b, dir, n, 100)
	writeFile(b, filepath.Join(dir, "vigil.yaml"), "database: v.db\ncases: [cases]\n")
	if out, errOut, _, _, _, err := runVigil(b, dir, "import", "--config", "vigil.yaml", "cases"); err != nil {
		b.Fatalf("import: %v\n%s%s", err, out, errOut)
	}
	r := rand.New(rand.NewPCG(1, 2))
	var target benchutil.Person
	for _, p := range people[n/2:] {
		if len(p.Aliases) == 0 && !strings.ContainsFunc(p.Name, func(r rune) bool { return r > 127 }) && len(strings.Fields(p.Name)) == 2 {
			target = p
			break
		}
	}
	words := strings.Fields(target.Name)
	typo := words[0] + " " + benchutil.Typo(r, words[1])
	queries := []struct{ kind, q string }{{"name", target.Name}, {"id", target.ID}, {"typo", typo}}
	_, _, firstWall, _, _, _ := runVigil(b, dir, "case", "--config", "vigil.yaml", typo)
	var wall, cpu time.Duration
	var rss int64
	for b.Loop() {
		for _, q := range queries {
			out, errOut, w, c, m, err := runVigil(b, dir, "case", "--config", "vigil.yaml", q.q)
			if err != nil && q.kind != "typo" {
				b.Fatalf("case %q: %v\n%s%s", q.q, err, out, errOut)
			}
			if !strings.Contains(out+errOut, target.ID) && !strings.Contains(out, target.Name) {
				b.Fatalf("case %q (%s): the answer does not name %s:\n%s%s", q.q, q.kind, target.ID, out, errOut)
			}
			b.Logf("case %q (%s): %v wall, %v CPU, peak RSS %.0f MiB", q.q, q.kind, w.Round(time.Millisecond), c.Round(time.Millisecond), benchutil.MiB(m))
			wall, cpu, rss = max(wall, w), max(cpu, c), max(rss, m)
		}
	}
	b.ReportMetric(benchutil.Ms(wall), "wall-ms")
	b.ReportMetric(benchutil.Ms(cpu), "cpu-ms")
	b.ReportMetric(benchutil.Ms(firstWall), "first-wall-ms")
	b.ReportMetric(benchutil.MiB(rss), "peak-RSS-MiB")
	benchutil.MaxLatency(b, "vigil case CPU time", cpu, 200*time.Millisecond)
}

// BenchmarkImportCLI measures `vigil import` of 100,000 cases as a real
// process into a new database, as 100 files of 1,000 and as one file of
// 100,000: wall time (ns/op) and peak RSS (peak-RSS-MiB); then, for the
// one file, re-importing it with one case's status changed (edit-wall-ms,
// edit-RSS-MiB), which must update that case alone and record its status
// change. Issue 9 asks for a peak under 150 MiB; the benchmark fails at
// twice that. It takes a minute or two:
//
//	go test ./cmd/vigil -run '^$' -bench ImportCLI -benchtime 1x
func BenchmarkImportCLI(b *testing.B) {
	for _, files := range []int{100, 1} {
		b.Run(fmt.Sprintf("files=%d", files), func(b *testing.B) {
			dir := b.TempDir()
			people := scaleCases(b, dir, 100_000, files)
			var rss int64
			for b.Loop() {
				os.Remove(filepath.Join(dir, "v.db"))
				out, errOut, w, c, m, err := runVigil(b, dir, "import", "--db", "v.db", "cases")
				if err != nil || !strings.Contains(out, "100000 added") {
					b.Fatalf("import: %v\n%s%s", err, out, errOut)
				}
				b.Logf("import of %d files: %v wall, %v CPU, peak RSS %.0f MiB", files, w.Round(time.Millisecond), c.Round(time.Millisecond), benchutil.MiB(m))
				rss = max(rss, m)
			}
			b.ReportMetric(benchutil.MiB(rss), "peak-RSS-MiB")
			if limit := 2 * 150 << 20; rss > int64(limit) {
				b.Fatalf("import peak RSS %.0f MiB; the target is 150 MiB and the benchmark fails above %.0f", benchutil.MiB(rss), benchutil.MiB(limit))
			}
			if files != 1 {
				return
			}
			path := filepath.Join(dir, "cases", "f000.yaml")
			data, err := os.ReadFile(path)
			if err != nil {
				b.Fatal(err)
			}
			// Change the status of the middle case only.
			mid := people[len(people)/2].ID
			i := strings.Index(string(data), "- id: "+mid+"\n")
			j := i + strings.Index(string(data[i:]), "status: imprisoned")
			writeFile(b, path, string(data[:j])+"status: released"+string(data[j+len("status: imprisoned"):]))
			out, errOut, w, _, m, err := runVigil(b, dir, "import", "--db", "v.db", "cases")
			if err != nil || !strings.Contains(out, "0 added, 1 updated, 99999 the same") || !strings.Contains(out, "status of "+mid+": imprisoned → released") {
				b.Fatalf("edited import: %v\n%s%s", err, out, errOut)
			}
			b.Logf("re-import after editing one case: %v wall, peak RSS %.0f MiB", w.Round(time.Millisecond), benchutil.MiB(m))
			b.ReportMetric(benchutil.Ms(w), "edit-wall-ms")
			b.ReportMetric(benchutil.MiB(m), "edit-RSS-MiB")
			if limit := 2 * 150 << 20; m > int64(limit) {
				b.Fatalf("edited import peak RSS %.0f MiB; the target is 150 MiB and the benchmark fails above %.0f", benchutil.MiB(m), benchutil.MiB(limit))
			}
		})
	}
}

// TestResolveCaseSameAsLibrary checks that `vigil case` resolving through
// the saved lookup index answers every query exactly as the in-memory
// bot.Library does, and that the index follows an import.
func TestResolveCaseSameAsLibrary(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	people := benchutil.People(3000, 12)
	var yaml strings.Builder
	for i, p := range people {
		fmt.Fprintf(&yaml, "- {id: %s, name: %q, country: AZ, status: detained, status_as_of: 2026-01", p.ID, p.Name)
		if len(p.Aliases) > 0 {
			fmt.Fprintf(&yaml, ", aliases: [%q]", p.Aliases[0])
		}
		fmt.Fprintf(&yaml, ", arrested: 2020-01-%02d}\n", 1+i%28)
	}
	writeFile(t, filepath.Join(dir, "cases", "all.yaml"), yaml.String())
	st, err := store.Open(ctx, filepath.Join(dir, "v.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	files, err := cases.ReadFiles([]string{filepath.Join(dir, "cases")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.Import(ctx, files, time.Now(), store.ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	lib := bot.NewLibrary(st, nil)
	r := rand.New(rand.NewPCG(3, 4))
	queries := []string{"nobody at all", "a", "xq"}
	for _, p := range people[:200] {
		w := strings.Fields(strings.ToLower(p.Name))
		queries = append(queries, p.ID, p.Name, w[len(w)-1], w[0]+" "+benchutil.Typo(r, w[len(w)-1]))
	}
	ids := func(cs []*cases.Case) []string {
		var out []string
		for _, c := range cs {
			out = append(out, c.ID+"/"+c.Name+"/"+string(c.Status))
		}
		return out
	}
	for round := range 2 { // built and saved, then loaded
		for _, q := range queries {
			want, err := lib.Resolve(ctx, q)
			if err != nil {
				t.Fatal(err)
			}
			got, err := resolveCase(ctx, st, q)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(ids(got), ids(want)) {
				t.Errorf("round %d: resolveCase(%q) = %v; Library.Resolve %v", round, q, ids(got), ids(want))
			}
		}
	}
	// A new case is found by the next command, and by a typo of it.
	writeFile(t, filepath.Join(dir, "more", "hans.yaml"), "id: hans-platzhalter\nname: Hans Platzhalter\ncountry: DE\nstatus: detained\nstatus_as_of: 2026-01\n")
	if code, stdout, stderr := vigil(t, dir, "import", "--db", filepath.Join(dir, "v.db"), filepath.Join(dir, "more")); code != 0 {
		t.Fatalf("import: exit %d\n%s%s", code, stdout, stderr)
	}
	code, stdout, stderr := vigil(t, dir, "case", "--db", filepath.Join(dir, "v.db"), "hans platzhaltr")
	if code != 0 || !strings.Contains(stdout, "Hans Platzhalter") {
		t.Errorf("case after import: exit %d\n%s%s", code, stdout, stderr)
	}
}
