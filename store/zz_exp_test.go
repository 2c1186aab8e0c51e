package store

import (
	"context"
	"path/filepath"
	"testing"
	"time"
)

func TestZZExp(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, filepath.Join(t.TempDir(), "x.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	c, err := s.db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	nerr := 0
	var n0 int
	t0 := time.Now()
	c.QueryRowContext(ctx, `WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x+1 FROM c WHERE x < 20000) SELECT count(*) FROM c`).Scan(&n0)
	d := time.Since(t0)
	t.Logf("d=%v", d)
	start := time.Now()
	for i := 0; i < 300; i++ {
		cctx, cancel := context.WithTimeout(ctx, d*time.Duration(i%60)/40)
		var n int
		err = c.QueryRowContext(cctx, `WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x+1 FROM c WHERE x < 20000) SELECT count(*) FROM c`).Scan(&n)
		cancel()
		if err != nil {
			nerr++
		}
		if err := c.QueryRowContext(ctx, "SELECT 1").Scan(&n); err != nil {
			t.Fatalf("%d after: %v", i, err)
		}
	}
	t.Logf("errs %d in %v", nerr, time.Since(start))
}
