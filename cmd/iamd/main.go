// Command iamd serves AWS IAM and STS, and offers the policy tools and the
// local administration commands. It only parses flags and wires packages
// together; the behaviour lives in the packages it calls.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/iamd/iamd/internal/authz"
	"github.com/iamd/iamd/internal/policycli"
	"github.com/iamd/iamd/internal/rekey"
	"github.com/iamd/iamd/internal/server"
	"github.com/iamd/iamd/internal/transfer"
)

const usage = `iamd: a self-hosted AWS IAM and STS.

Usage:
  iamd serve [--listen HOST:PORT] [--data DIR] [--store postgres://...] [--emulator]
             [--enforcement enforce|report|off] [--trusted-proxy CIDR]...
             [--imds HOST:PORT --instance-profile NAME|ARN]
  iamd account create [--data DIR] [--store postgres://...]
  iamd keys rotate-master [--data DIR] [--store postgres://...]
  iamd export --out FILE [--account ID] [--data DIR] [--store postgres://...] [--passphrase-file FILE]
  iamd import --in FILE [--data DIR] [--store postgres://...] [--passphrase-file FILE]
  iamd policy validate [--kind identity|resource|trust|boundary|scp] [FILE]
  iamd policy eval [--batch] [FILE]

Run "iamd COMMAND -h" for a command's flags.
`

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	switch args[0] {
	case "serve":
		return serve(args[1:], stderr)
	case "account":
		return account(args[1:], stdout, stderr)
	case "keys":
		return keys(args[1:], stdout, stderr)
	case "export", "import":
		return transferCmd(args[0], args[1:], stdin, stdout, stderr)
	case "policy":
		return policycli.Main(args[1:], stdin, stdout, stderr)
	case "-h", "--help", "help":
		fmt.Fprint(stdout, usage)
		return 0
	default:
		fmt.Fprintf(stderr, "iamd: unknown command %q\n\n%s", args[0], usage)
		return 2
	}
}

func serve(args []string, stderr io.Writer) int {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	cfg := server.Config{}
	fs.StringVar(&cfg.Listen, "listen", server.DefaultListen, "address to serve IAM and STS on")
	fs.StringVar(&cfg.DataDir, "data", "", "data directory (default: "+server.DefaultDataDir()+")")
	fs.StringVar(&cfg.Store, "store", "", "a postgres:// URL of the database to keep state in, which several servers may share: give them all the same master key, a copy of DATA/master.key or the same $IAMD_MASTER_KEY (default: $IAMD_STORE, else SQLite in the data directory)")
	fs.BoolVar(&cfg.Emulator, "emulator", false, "run as a moto-compatible test double (default account 123456789012, /moto-api endpoints)")
	fs.Func("enforcement", "how authorization decisions apply: enforce, report (log and count denials, serve anyway) or off (default enforce)", func(v string) error {
		m, err := authz.ParseMode(v)
		cfg.Enforcement = m
		return err
	})
	fs.Func("trusted-proxy", "a proxy (CIDR or address) whose X-Forwarded-For and X-Forwarded-Proto are believed; repeatable", func(v string) error {
		p, err := server.ParseTrustedProxy(v)
		if err == nil {
			cfg.TrustedProxies = append(cfg.TrustedProxies, p)
		}
		return err
	})
	fs.StringVar(&cfg.IMDS, "imds", "", "also serve the EC2 instance metadata credential endpoints (IMDSv2) on this address, e.g. 127.0.0.1:1338")
	fs.StringVar(&cfg.InstanceProfile, "instance-profile", "", "the instance profile (name or ARN) whose role's credentials --imds hands out")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "iamd serve: unexpected argument %q\n", fs.Arg(0))
		return 2
	}
	if (cfg.IMDS == "") != (cfg.InstanceProfile == "") {
		fmt.Fprint(stderr, "iamd serve: --imds and --instance-profile go together\n")
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := server.Run(ctx, cfg, stderr); err != nil {
		fmt.Fprintf(stderr, "iamd serve: %v\n", err)
		return 1
	}
	return 0
}

func account(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] != "create" {
		fmt.Fprint(stderr, "usage: iamd account create [--data DIR] [--store postgres://...]\n")
		return 2
	}
	fs := flag.NewFlagSet("account create", flag.ContinueOnError)
	fs.SetOutput(stderr)
	dataDir := fs.String("data", "", "data directory (default: "+server.DefaultDataDir()+")")
	storeURL := fs.String("store", "", "a postgres:// URL of the database (default: SQLite in the data directory)")
	if err := fs.Parse(args[1:]); err != nil {
		return 2
	}
	if err := server.CreateAccount(context.Background(), *dataDir, *storeURL, stdout); err != nil {
		fmt.Fprintf(stderr, "iamd account create: %v\n", err)
		return 1
	}
	return 0
}

func keys(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] != "rotate-master" {
		fmt.Fprint(stderr, "usage: iamd keys rotate-master [--data DIR] [--store postgres://...]\n")
		return 2
	}
	fs := flag.NewFlagSet("keys rotate-master", flag.ContinueOnError)
	fs.SetOutput(stderr)
	dataDir := fs.String("data", "", "data directory whose master.key to rotate (default: "+server.DefaultDataDir()+")")
	storeURL := fs.String("store", "", "a postgres:// URL of the database whose secrets to re-seal (default: SQLite in the data directory)")
	if err := fs.Parse(args[1:]); err != nil {
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "iamd keys rotate-master: unexpected argument %q\n", fs.Arg(0))
		return 2
	}
	if err := rekey.Command(context.Background(), *dataDir, *storeURL, stdout); err != nil {
		fmt.Fprintf(stderr, "iamd keys rotate-master: %v\n", err)
		return 1
	}
	return 0
}

func transferCmd(name string, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	o := transfer.CommandOptions{}
	fs.StringVar(&o.DataDir, "data", "", "data directory: its master key opens (export) or seals (import) the secrets, and its SQLite database is used without --store (default: "+server.DefaultDataDir()+")")
	fs.StringVar(&o.Store, "store", "", "a postgres:// URL of the database (default: SQLite in the data directory)")
	fs.StringVar(&o.Passfile, "passphrase-file", "", "file whose first line is the passphrase (at least 12 characters) that encrypts the export (default: $"+transfer.EnvPassphrase+")")
	if name == "export" {
		fs.StringVar(&o.File, "out", "", "the file to write (created with mode 0600; never overwritten)")
		fs.StringVar(&o.Account, "account", "", "the account to export (default: the store's only account)")
	} else {
		fs.StringVar(&o.File, "in", "", "the export file to read (- for standard input)")
	}
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "iamd %s: unexpected argument %q\n", name, fs.Arg(0))
		return 2
	}
	var err error
	if name == "export" {
		err = transfer.ExportCommand(context.Background(), o, stdout)
	} else {
		err = transfer.ImportCommand(context.Background(), o, stdin, stdout)
	}
	if err != nil {
		fmt.Fprintf(stderr, "iamd %s: %v\n", name, err)
		return 1
	}
	return 0
}
