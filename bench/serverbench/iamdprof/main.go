//go:build serverbench_iamdprof

// Command iamdprof is `iamd serve` with a CPU profile: iamd has no pprof
// endpoint, so serverbench profiles iamd under its own load by running this
// harness in place of the iamd binary. It takes the same serve flags; the
// profile goes to $SERVERBENCH_CPUPROFILE-<pid>.pprof when that variable is
// set, and is written when the server shuts down (SIGTERM).
//
// It imports iamd's internal server package, which only iamd's own module
// may build without copying iamd's dependencies into bench/go.mod. So the
// build tag keeps it out of the bench module, and `serverbench -cpuprofile
// PREFIX` builds it inside iamd's module through a `go build -overlay`
// that places this file at a virtual path there (nothing is written to
// iamd's tree), then runs the benchmark against it:
//
//	go run ./serverbench -cpuprofile /tmp/iamd -workloads GetUser -clients 8
//	go tool pprof -top /tmp/iamd-<pid>.pprof
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"runtime/pprof"
	"syscall"

	"github.com/iamd/iamd/internal/server"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintf(os.Stderr, "iamdprof: %v\n", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	if len(args) == 0 || args[0] != "serve" {
		return fmt.Errorf("usage: iamdprof serve [--listen HOST:PORT] [--data DIR] [--emulator]")
	}
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	cfg := server.Config{}
	fs.StringVar(&cfg.Listen, "listen", server.DefaultListen, "address to serve IAM and STS on")
	fs.StringVar(&cfg.DataDir, "data", "", "data directory")
	fs.BoolVar(&cfg.Emulator, "emulator", false, "moto-compatible mode")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if prefix := os.Getenv("SERVERBENCH_CPUPROFILE"); prefix != "" {
		f, err := os.Create(fmt.Sprintf("%s-%d.pprof", prefix, os.Getpid()))
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return server.Run(ctx, cfg, os.Stderr)
}
