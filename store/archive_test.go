package store

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/vigil-bot/vigil/internal/pgtest"
)

// TestArchiveLeavesEveryLookup: an archived case is kept, with its
// history, but Case, Cases, the saved lookup index, alerts and status
// changes no longer see it; its queued posts are skipped with a reason,
// and --undo brings it back.
func TestArchiveLeavesEveryLookup(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	seedCases(t, s)
	subscribe(t, s, tgChannel("-1"), "AZ")
	if _, _, err := s.QueueAlert(ctx, "amira-testova", "Write to her.", "editor", t0); err != nil {
		t.Fatal(err)
	}
	enqueueT(t, s, Post{Key: "rem:amira", Platform: "telegram", Chat: "-1", Kind: KindCustom, CaseID: "amira-testova", DueAt: t0.Add(time.Hour)},
		Post{Key: "rem:rashad", Platform: "telegram", Chat: "-1", Kind: KindCustom, CaseID: "rashad-beispielov", DueAt: t0.Add(time.Hour)})
	// A status change recorded before the archive is not announced after it.
	importOK(t, s, src("cases/amira.yaml", strings.Replace(amiraYAML, "imprisoned", "released", 1)))
	if ix, _ := s.CaseIndex(ctx); len(ix.Lookup("testova")) != 1 {
		t.Fatalf("before archiving, the index finds %v", ix.Lookup("testova"))
	}
	v := casesVersion(t, s)

	res, err := s.Archive(ctx, "amira-testova", t0)
	if err != nil {
		t.Fatalf("Archive: %v", err)
	}
	if !res.Changed || res.Name != "Amira Testova" || res.Cancelled != 2 {
		t.Errorf("Archive = %+v; want changed, the name, 2 posts cancelled (the alert, the reminder)", res)
	}
	if casesVersion(t, s) == v {
		t.Error("Archive did not move the cases version")
	}
	if _, err := s.Case(ctx, "amira-testova"); !errors.Is(err, ErrNotFound) {
		t.Errorf("Case of an archived case: %v; want ErrNotFound", err)
	}
	if got := caseIDs(t, s); slices.Contains(got, "amira-testova") || len(got) != 2 {
		t.Errorf("Cases = %v; want the two live cases", got)
	}
	if got := caseIDs(t, s, "AZ"); !slices.Equal(got, []string{"rashad-beispielov"}) {
		t.Errorf("Cases(AZ) = %v; want rashad-beispielov", got)
	}
	ix, err := s.CaseIndex(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if m := ix.Lookup("testova"); len(m) != 0 {
		t.Errorf("the lookup index still finds %v", m)
	}
	if _, _, err := s.QueueAlert(ctx, "amira-testova", "Again.", "editor", t0); !errors.Is(err, ErrArchived) {
		t.Errorf("QueueAlert of an archived case: %v; want ErrArchived", err)
	}
	if sc, err := s.StatusChangesAfter(ctx, 0); err != nil || len(sc) != 0 {
		t.Errorf("StatusChangesAfter = %v, %v; want none of the archived case", sc, err)
	}
	if p := postByKey(t, s, "rem:amira"); p.State != Skipped || p.LastError != ArchiveReason {
		t.Errorf("queued reminder = %s %q; want skipped, %q", p.State, p.LastError, ArchiveReason)
	}
	if p := postByKey(t, s, "rem:rashad"); p.State != Queued {
		t.Errorf("another case's reminder = %s; want queued", p.State)
	}
	// Kept with its history.
	if n := countRows(t, s, `SELECT count(*) FROM status_changes WHERE case_id = 'amira-testova'`); n != 1 {
		t.Errorf("status changes of the archived case: %d; want 1 kept", n)
	}
	arch, err := s.ArchivedCases(ctx)
	if err != nil || len(arch) != 1 || arch[0].ID != "amira-testova" || !arch[0].ArchivedAt.Equal(t0) {
		t.Errorf("ArchivedCases = %+v, %v; want amira-testova archived at %v", arch, err, t0)
	}
	// Archiving twice changes nothing.
	if res, err := s.Archive(ctx, "amira-testova", t0.Add(time.Hour)); err != nil || res.Changed || !res.Since.Equal(t0) {
		t.Errorf("second Archive = %+v, %v; want unchanged, since %v", res, err, t0)
	}
	// A re-import of its file keeps it archived.
	importOK(t, s, src("cases/amira.yaml", strings.Replace(amiraYAML, "imprisoned", "detained", 1)))
	if _, err := s.Case(ctx, "amira-testova"); !errors.Is(err, ErrNotFound) {
		t.Errorf("after a re-import the archived case is back: %v", err)
	}
	if _, err := s.Archive(ctx, "nobody-fictional", t0); !errors.Is(err, ErrNotFound) {
		t.Errorf("Archive of an unknown case: %v; want ErrNotFound", err)
	}

	v = casesVersion(t, s)
	if res, err := s.Unarchive(ctx, "amira-testova"); err != nil || !res.Changed {
		t.Fatalf("Unarchive = %+v, %v", res, err)
	}
	if casesVersion(t, s) == v {
		t.Error("Unarchive did not move the cases version")
	}
	if c, err := s.Case(ctx, "amira-testova"); err != nil || c.Status != "detained" {
		t.Errorf("after Unarchive Case = %v, %v; want it back, detained", c.Status, err)
	}
	if ix, _ := s.CaseIndex(ctx); len(ix.Lookup("testova")) != 1 {
		t.Errorf("after Unarchive the index finds %v", ix.Lookup("testova"))
	}
	if res, err := s.Unarchive(ctx, "amira-testova"); err != nil || res.Changed {
		t.Errorf("second Unarchive = %+v, %v; want unchanged", res, err)
	}
	if arch, _ := s.ArchivedCases(ctx); len(arch) != 0 {
		t.Errorf("ArchivedCases after Unarchive = %v", arch)
	}
}

// TestImportNamesMissingCases: a file read again that no longer defines
// a case it brought in, or a file gone from the folder, is named with the
// archive command; the case is not archived by the import.
func TestImportNamesMissingCases(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a.yaml"), filepath.Join(dir, "sub", "b.yaml")
	importOK(t, s, src(a, amiraYAML+"---\n"+rashadYAML), src(b, erikaYAML))

	// a.yaml drops rashad; b.yaml, its folder too, is gone.
	res := importOK(t, s, src(a, amiraYAML))
	var got []string
	for _, m := range res.Missing {
		got = append(got, m.String())
	}
	want := []string{
		a + " no longer defines rashad-beispielov; to retire the case run `vigil archive rashad-beispielov`",
		b + " is gone and with it erika-musterfrau; to retire the case run `vigil archive erika-musterfrau`",
	}
	if !slices.Equal(got, want) {
		t.Errorf("Missing =\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if _, err := s.Case(ctx, "rashad-beispielov"); err != nil {
		t.Errorf("the import archived or removed the missing case: %v", err)
	}
	// Once archived, it is no longer named.
	if _, err := s.Archive(ctx, "erika-musterfrau", t0); err != nil {
		t.Fatal(err)
	}
	if res := importOK(t, s, src(a, amiraYAML)); len(res.Missing) != 0 {
		t.Errorf("after archiving, Missing = %v; want none", res.Missing)
	}
	// A file that still exists but is not part of this import is not missing.
	c := filepath.Join(dir, "c.yaml")
	if err := os.WriteFile(c, []byte(caseYAML("jonas-fiktiv", "Jonas Fiktiv", "BY", "detained")), 0o644); err != nil {
		t.Fatal(err)
	}
	importOK(t, s, src(c, caseYAML("jonas-fiktiv", "Jonas Fiktiv", "BY", "detained")))
	// a.yaml changes again: it still does not define rashad, said again.
	if res := importOK(t, s, src(a, amiraYAML+"# touched\n")); len(res.Missing) != 1 || res.Missing[0].ID != "rashad-beispielov" {
		t.Errorf("Missing = %v; want rashad-beispielov alone, not c.yaml's case", res.Missing)
	}
}

// TestBackupWhileWriting: a backup taken while another connection keeps
// queueing alerts opens, passes integrity_check, is private, and holds
// every row committed before it began; an existing file is refused
// unless overwrite.
func TestBackupWhileWriting(t *testing.T) {
	pgtest.SkipOnPostgres(t, "VACUUM INTO backups (PostgreSQL: pg_dump)")
	dir := t.TempDir()
	path := filepath.Join(dir, "vigil.db")
	s := openAt(t, path)
	ctx := context.Background()
	seedCases(t, s)
	subscribe(t, s, tgChannel("-1"), "AZ")
	writer := openAt(t, path) // another handle, as another process would be

	stop := make(chan struct{})
	done := make(chan error, 1)
	go func() {
		for i := 0; ; i++ {
			select {
			case <-stop:
				done <- nil
				return
			default:
			}
			if _, _, err := writer.QueueAlert(ctx, "amira-testova", "Alert.", "editor", t0.Add(time.Duration(i)*time.Second)); err != nil {
				done <- err
				return
			}
		}
	}()
	// Let the writer commit some alerts first.
	for countRows(t, s, `SELECT count(*) FROM alerts`) < 20 {
		time.Sleep(5 * time.Millisecond)
	}
	before := countRows(t, s, `SELECT count(*) FROM alerts`)
	out := filepath.Join(dir, "backup.db")
	info, err := s.Backup(ctx, out, false)
	close(stop)
	if werr := <-done; werr != nil {
		t.Fatalf("writer: %v", werr)
	}
	if err != nil {
		t.Fatalf("Backup: %v", err)
	}
	if info.Integrity != "ok" || info.SchemaVersion != SchemaVersion() || info.Cases != 3 || info.Channels != 1 {
		t.Errorf("Backup = %+v; want ok, schema %d, 3 cases, 1 channel", info, SchemaVersion())
	}
	if info.Alerts < before || info.Posts < before {
		t.Errorf("backup holds %d alerts, %d posts; want at least the %d committed before it", info.Alerts, info.Posts, before)
	}
	if fi, err := os.Stat(out); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("backup file: %v, %v; want mode 0600", fi.Mode(), err)
	}
	// The copy opens as a database of its own, as a restore would use it.
	b := openAt(t, out)
	if c, err := b.Case(ctx, "amira-testova"); err != nil || c.Name != "Amira Testova" {
		t.Errorf("case in the backup: %v, %v", c.Name, err)
	}
	if n := countRows(t, b, `SELECT count(*) FROM alerts`); n != info.Alerts {
		t.Errorf("restored copy holds %d alerts; the check counted %d", n, info.Alerts)
	}
	b.Close()

	if _, err := s.Backup(ctx, out, false); err == nil || !strings.Contains(err.Error(), "exists") {
		t.Errorf("Backup over an existing file: %v; want refused", err)
	}
	if err := os.WriteFile(filepath.Join(dir, "old.db"), []byte("not a database"), 0o644); err != nil {
		t.Fatal(err)
	}
	info, err = s.Backup(ctx, filepath.Join(dir, "old.db"), true)
	if err != nil || info.Integrity != "ok" {
		t.Errorf("Backup with overwrite: %+v, %v", info, err)
	}
	if fi, _ := os.Stat(filepath.Join(dir, "old.db")); fi.Mode().Perm() != 0o600 {
		t.Errorf("overwritten backup mode %v; want 0600", fi.Mode().Perm())
	}
	if ents, _ := filepath.Glob(filepath.Join(dir, ".*tmp*")); len(ents) != 0 {
		t.Errorf("temporary files left: %v", ents)
	}
	if _, err := CheckBackup(ctx, filepath.Join(dir, "vigil.db-wal")); err == nil {
		t.Error("CheckBackup of a WAL file passed")
	}
}

// TestArchiveKeepsRetraction: archiving a case whose alert was just
// withdrawn does not cancel the queued deletions of its delivered copies:
// they act on what is already out, and retracting again could not queue
// them anew. Other posts about the case, follow-ups and corrections among
// them, are cancelled as before (a correction's card cannot be built for
// an archived case).
func TestArchiveKeepsRetraction(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	seedCases(t, s)
	subscribe(t, s, tgChannel("-1"), "AZ")
	subscribe(t, s, tgChannel("-2"), "AZ")
	id, n, err := s.QueueAlert(ctx, "amira-testova", "Write to her.", "editor", t0)
	if err != nil || n != 2 {
		t.Fatalf("QueueAlert = %d, %d, %v", id, n, err)
	}
	posts, err := s.Claim(ctx, t0, 10, "telegram")
	if err != nil || len(posts) != 2 {
		t.Fatalf("Claim = %d posts, %v; want 2", len(posts), err)
	}
	for i, p := range posts {
		if err := s.MarkSent(ctx, p.ID, fmt.Sprint(100+i), t0); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.QueueCorrection(ctx, id, "Write to her today.", "editor", t0); err != nil {
		t.Fatal(err)
	}
	if _, err := s.QueueFollowUp(ctx, id, "She was moved.", "editor", t0); err != nil {
		t.Fatal(err)
	}
	kept := func(kind Kind) int {
		return countRows(t, s, `SELECT count(*) FROM outbox WHERE kind = '`+string(kind)+`' AND state = 'queued'`)
	}
	if n := kept(KindAlertFollowUp); n != 2 {
		t.Fatalf("queued follow-ups before archiving: %d; want 2", n)
	}
	res, err := s.Archive(ctx, "amira-testova", t0)
	if err != nil {
		t.Fatal(err)
	}
	if res.Cancelled != 4 {
		t.Errorf("Archive cancelled %d posts; want the 2 follow-ups and the 2 corrections", res.Cancelled)
	}
	// An archived case gets no more follow-ups or corrections; its alert
	// can still be withdrawn.
	if _, err := s.QueueFollowUp(ctx, id, "Another word.", "editor", t0); !errors.Is(err, ErrArchived) {
		t.Errorf("QueueFollowUp of an archived case's alert: %v; want ErrArchived", err)
	}
	if _, err := s.QueueCorrection(ctx, id, "Corrected again.", "editor", t0); !errors.Is(err, ErrArchived) {
		t.Errorf("QueueCorrection of an archived case's alert: %v; want ErrArchived", err)
	}
	if _, err := s.QueueRetraction(ctx, id, t0); err != nil {
		t.Fatal(err)
	}
	if n := kept(KindAlertDelete); n != 2 {
		t.Errorf("queued deletions after archiving and retracting: %d; want 2", n)
	}

	// Retracted first, archived after: the deletions stay queued.
	id2, _, err := s.QueueAlert(ctx, "rashad-beispielov", "Write to him.", "editor", t0)
	if err != nil {
		t.Fatal(err)
	}
	posts, err = s.Claim(ctx, t0, 10, "telegram")
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range posts {
		if p.AlertID == id2 {
			if err := s.MarkSent(ctx, p.ID, "200", t0); err != nil {
				t.Fatal(err)
			}
		}
	}
	r, err := s.QueueRetraction(ctx, id2, t0)
	if err != nil || r.New == 0 {
		t.Fatalf("QueueRetraction = %+v, %v; want deletions queued", r, err)
	}
	if _, err := s.Archive(ctx, "rashad-beispielov", t0); err != nil {
		t.Fatal(err)
	}
	if n := countRows(t, s, fmt.Sprintf(`SELECT count(*) FROM outbox WHERE alert_id = %d AND kind = 'alert_delete' AND state = 'queued'`, id2)); n != r.New {
		t.Errorf("queued deletions of the withdrawn alert after archiving: %d; want %d", n, r.New)
	}
}

func TestBackupOnPostgresSaysPgDump(t *testing.T) {
	if !pgtest.Active() {
		t.Skip("PostgreSQL only: the SQLite run checks VACUUM INTO backups")
	}
	s := newStore(t)
	path := filepath.Join(t.TempDir(), "backup.db")
	_, err := s.Backup(context.Background(), path, false)
	if !errors.Is(err, ErrBackupPostgres) || !strings.Contains(err.Error(), "pg_dump") {
		t.Fatalf("Backup on PostgreSQL = %v; want ErrBackupPostgres naming pg_dump", err)
	}
	if _, err := os.Stat(path); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Backup on PostgreSQL left %s (stat: %v); want no file", path, err)
	}
}
