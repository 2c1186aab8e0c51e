package bot

import (
	"context"
	"testing"
)

// TestLibrarySavesIndex: the daemon's library saves the index it builds
// under the cases version it read, so that the CLI's first lookup after
// an import loads it instead of building its own.
func TestLibrarySavesIndex(t *testing.T) {
	h, st := newTestHandler(t)
	ctx := context.Background()
	saved := func() int {
		t.Helper()
		v, err := st.CasesVersion(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var n int
		if err := st.DB().QueryRowContext(ctx, `SELECT count(*) FROM case_index WHERE version = ?`, v).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	if n := saved(); n != 0 {
		t.Fatalf("an index was saved before any lookup: %d", n)
	}
	if _, err := h.Library.Lookup(ctx, "amira"); err != nil {
		t.Fatal(err)
	}
	if n := saved(); n != 1 {
		t.Fatalf("after the library's first lookup, saved indexes of the current version: %d; want 1", n)
	}
	ix, err := st.CaseIndex(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if m := ix.Lookup("amira testova"); len(m) != 1 || m[0].ID != "amira-testova" {
		t.Errorf("saved index Lookup(amira testova) = %v; want amira-testova", m)
	}
}
