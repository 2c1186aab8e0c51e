// Command vigil is the advocacy alert bot: its daemon (`vigil serve`) and
// the command-line tools editors and admins use beside it. See README.md.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
	_ "time/tzdata" // channels' time zones work in a minimal image too
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := exitCode(run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr, os.Getenv), os.Stderr)
	stop()
	os.Exit(code)
}
