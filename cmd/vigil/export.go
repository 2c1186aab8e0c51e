package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/vigil-bot/vigil/cases"
	"github.com/vigil-bot/vigil/store"
)

// cmdExport writes every case of the database: one YAML case file per
// case (<id>.yaml) into the folder PATH, or one CSV file PATH ("-" is
// standard output). The format is --format, else csv for a PATH ending
// in .csv or "-", else yaml. Importing what it wrote gives the same
// cases back.
func cmdExport(ctx context.Context, e *env, c *cli) error {
	path := c.args[0]
	format := c.format
	switch {
	case format == "" && (cases.IsCSV(path) || path == "-"):
		format = "csv"
	case format == "":
		format = "yaml"
	case format != "yaml" && format != "csv":
		return &usageError{cmd: "export", msg: fmt.Sprintf("--format %q: want yaml or csv", format)}
	}
	if format == "yaml" && path == "-" {
		return &usageError{cmd: "export", msg: "yaml is one file per case: give a folder, not -"}
	}
	_, st, err := c.openSynced(ctx, e)
	if err != nil {
		return err
	}
	defer st.Close()
	var n int
	if format == "csv" {
		n, err = exportCSV(ctx, st, path, e.stdout)
	} else {
		n, err = exportYAML(ctx, st, path)
	}
	if err != nil {
		return fmt.Errorf("export: %w", err)
	}
	if path != "-" {
		fmt.Fprintf(e.stdout, "exported %s to %s\n", count(n, "case", "cases"), path)
	}
	return nil
}

// exportYAML writes each case to dir/<id>.yaml, creating dir if need be.
func exportYAML(ctx context.Context, st *store.Store, dir string) (int, error) {
	if info, err := os.Stat(dir); err == nil && !info.IsDir() {
		return 0, fmt.Errorf("%s is a file: yaml is one file per case, give a folder (or --format csv)", dir)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return 0, err
	}
	n := 0
	err := st.EachCase(ctx, func(c *cases.Case) error {
		data, err := cases.MarshalYAML(c)
		if err != nil {
			return err
		}
		n++
		return writeAtomic(filepath.Join(dir, c.ID+".yaml"), func(w io.Writer) error {
			_, err := w.Write(data)
			return err
		})
	})
	return n, err
}

// exportCSV writes every case as a row of one CSV file: a first pass over
// the cases chooses the columns, a second writes the rows, so that the
// cases are never all in memory.
func exportCSV(ctx context.Context, st *store.Store, path string, stdout io.Writer) (int, error) {
	var layout cases.CSVLayout
	if err := st.EachCase(ctx, func(c *cases.Case) error { layout.Add(c); return nil }); err != nil {
		return 0, err
	}
	n := 0
	write := func(w io.Writer) error {
		cw, err := cases.NewCSVWriter(w, &layout)
		if err != nil {
			return err
		}
		err = st.EachCase(ctx, func(c *cases.Case) error {
			n++
			return cw.Write(c)
		})
		if err != nil {
			return err
		}
		return cw.Flush()
	}
	if path == "-" {
		bw := bufio.NewWriter(stdout)
		if err := write(bw); err != nil {
			return 0, err
		}
		return n, bw.Flush()
	}
	if info, err := os.Stat(path); err == nil && info.IsDir() {
		return 0, fmt.Errorf("%s is a folder: csv is one file, give its name", path)
	}
	return n, writeAtomic(path, write)
}

// writeAtomic writes a file through a temporary file beside it, renamed
// into place when complete, so that a failed export leaves no half file
// where an import may find it.
func writeAtomic(path string, write func(io.Writer) error) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // after a successful rename, a no-op
	bw := bufio.NewWriter(tmp)
	err = write(bw)
	if err == nil {
		err = bw.Flush()
	}
	if err == nil {
		err = tmp.Chmod(0o644)
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return errors.New(strings.Replace(err.Error(), tmp.Name(), path, 1))
	}
	return nil
}
