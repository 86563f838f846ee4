// Command ferretdb serves the tests' FerretDB (mongotest.Start) in a
// process of its own until it is stopped, and prints the URI to reach it.
//
// .ci/run builds it without -race and points the race run's MongoDB tests
// at it (MONGODB_URI). Linked into a test binary built with -race,
// FerretDB is instrumented too and turns on its debug build (its
// debugbuild package keys on the race tag), which takes a stack trace for
// every iterator it opens: the MongoDB adapter's tests ran five times
// slower, and none of that time watched our code.
package main

import (
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/rapport-crm/rapport/pkg/mongodb"
	"github.com/rapport-crm/rapport/pkg/mongodb/mongotest"
)

func main() {
	dir := flag.String("dir", "", "the directory FerretDB keeps its SQLite files in (required)")
	flag.Parse()
	if *dir == "" {
		fmt.Fprintln(os.Stderr, "ferretdb: -dir is required")
		os.Exit(2)
	}
	logger := slog.New(slog.NewTextHandler(os.Stderr, nil))
	uri, stop, err := mongotest.Start(mongodb.Options{DataDir: *dir, Logger: logger})
	if err != nil {
		fmt.Fprintln(os.Stderr, "ferretdb:", err)
		os.Exit(1)
	}
	fmt.Println(uri)
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGINT, syscall.SIGTERM)
	<-sig
	stop()
}
