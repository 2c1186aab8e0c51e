package scheduler

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/vigil-bot/vigil/store"
)

// TestArchivedCaseGetsNoPosts: archiving a case cancels its queued posts
// with a reason, the planner plans nothing more for it, and a status
// change imported while it is archived is not announced; --undo plans it
// again.
func TestArchivedCaseGetsNoPosts(t *testing.T) {
	r := newPlannerRig(t, striker, 3)
	ctx := context.Background()
	if n, err := r.p.Once(ctx); err != nil || n != 2 {
		t.Fatalf("Once = %d, %v; want 2", n, err)
	}
	res, err := r.st.Archive(ctx, "amira-testova", r.clk.now())
	if err != nil || res.Cancelled != 2 {
		t.Fatalf("Archive = %+v, %v; want the 2 queued posts cancelled", res, err)
	}
	if n, err := r.p.Once(ctx); err != nil || n != 0 {
		t.Errorf("Once after archiving = %d, %v; want nothing planned", n, err)
	}
	importYAML(t, r.st, strings.Replace(striker, "imprisoned", "released", 1), r.clk.now())
	if n, err := r.p.Once(ctx); err != nil || n != 0 {
		t.Errorf("Once after a status change of the archived case = %d, %v; want nothing queued", n, err)
	}
	for range 3 {
		r.clk.advance(12 * time.Hour)
		r.p.Once(ctx)
		r.d.Tick(ctx)
	}
	if got := r.leads(); len(got) != 0 {
		t.Errorf("sent %q about an archived case; want nothing", got)
	}
	skipped, err := r.st.PostCounts(ctx)
	if err != nil || skipped[store.Skipped] != 2 {
		t.Errorf("post counts %v, %v; want the 2 cancelled posts skipped", skipped, err)
	}

	// Back from the archive (imprisoned again): planned like any case.
	importYAML(t, r.st, striker, r.clk.now())
	if _, err := r.st.Unarchive(ctx, "amira-testova"); err != nil {
		t.Fatal(err)
	}
	if n, err := r.p.Once(ctx); err != nil || n == 0 {
		t.Errorf("Once after --undo = %d, %v; want its days planned", n, err)
	}
}
