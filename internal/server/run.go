package server

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"os"
	"path/filepath"
	"reflect"
	"time"

	"github.com/iamd/iamd/internal/account"
	"github.com/iamd/iamd/internal/authz"
	"github.com/iamd/iamd/internal/iam"
	"github.com/iamd/iamd/internal/iamapi"
	"github.com/iamd/iamd/internal/seal"
	"github.com/iamd/iamd/internal/store"
	"github.com/iamd/iamd/internal/store/sqlite"
	"github.com/iamd/iamd/internal/sts"
	"github.com/iamd/iamd/internal/stsapi"
)

// DefaultListen is loopback only: exposing iamd to a network is a decision
// the operator makes with --listen.
const DefaultListen = "127.0.0.1:4599"

// Config is what `iamd serve` is told.
type Config struct {
	Listen  string
	DataDir string
	// Store is "" for the SQLite database in the data directory, or a
	// postgres:// URL of a database several servers may share (see
	// OpenStore; the master key still comes from the data directory or
	// IAMD_MASTER_KEY, and must be the same for all of them).
	Store    string
	Emulator bool
	// Enforcement applies authorization decisions: enforce (the zero
	// value), report or off. Emulator mode authorizes only once its
	// no-auth budget is spent.
	Enforcement authz.Mode
	// TrustedProxies are the proxies whose X-Forwarded-For and
	// X-Forwarded-Proto headers are believed.
	TrustedProxies []netip.Prefix
	// IMDS, when set, is the address of a second listener serving the EC2
	// instance metadata credential endpoints with the credentials of
	// InstanceProfile's role (see package imds).
	IMDS            string
	InstanceProfile string
}

// DefaultDataDir is the per-user data directory: $XDG_DATA_HOME/iamd, else
// ~/.local/share/iamd.
func DefaultDataDir() string {
	if d := os.Getenv("XDG_DATA_HOME"); d != "" {
		return filepath.Join(d, "iamd")
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "iamd-data"
	}
	return filepath.Join(home, ".local", "share", "iamd")
}

// DataPaths names the files of a data directory.
type DataPaths struct{ Dir, Database, EmulatorDatabase, MasterKey, AdminCredentials string }

// Paths returns the file layout of a data directory ("" = the default).
func Paths(dir string) DataPaths {
	if dir == "" {
		dir = DefaultDataDir()
	}
	return DataPaths{
		Dir:              dir,
		Database:         filepath.Join(dir, "iamd.db"),
		EmulatorDatabase: filepath.Join(dir, "emulator.db"),
		MasterKey:        filepath.Join(dir, "master.key"),
		AdminCredentials: filepath.Join(dir, "admin-credentials"),
	}
}

// OpenData opens (creating if needed) a data directory's master key and
// store. Emulator mode uses its own database, wiped at every start, so that
// an emulator never touches a real account's state.
func OpenData(dir string, emulator bool) (store.Store, *seal.Keyring, error) {
	p := Paths(dir)
	if err := os.MkdirAll(p.Dir, 0o700); err != nil {
		return nil, nil, fmt.Errorf("data directory: %w", err)
	}
	kr, err := seal.OpenKeyFile(p.MasterKey)
	if err != nil {
		return nil, nil, err
	}
	db := p.Database
	if emulator {
		db = p.EmulatorDatabase
		for _, suffix := range []string{"", "-wal", "-shm"} {
			if err := os.Remove(db + suffix); err != nil && !errors.Is(err, os.ErrNotExist) {
				return nil, nil, fmt.Errorf("wiping emulator state: %w", err)
			}
		}
	}
	st, err := sqlite.Open(db)
	if err != nil {
		return nil, nil, err
	}
	return st, kr, nil
}

// Run serves until ctx is cancelled, then shuts down gracefully. Logs go to
// logw; the one-time root password of a first start is printed there too,
// outside the structured log, and nowhere else.
func Run(ctx context.Context, cfg Config, logw io.Writer) error {
	log := slog.New(slog.NewTextHandler(logw, nil))
	start := time.Now()
	st, kr, err := OpenStore(ctx, cfg.DataDir, cfg.Store, cfg.Emulator)
	if err != nil {
		return err
	}
	defer st.Close()
	az := authz.New(st, authz.Options{ServiceLinkedRole: iam.ServiceLinkedRole})
	watchCtx, stopWatch := context.WithCancel(context.Background())
	defer stopWatch()
	if err := watchChanges(watchCtx, st, az, log); err != nil {
		return err
	}

	if cfg.Emulator {
		if err := ensureEmulatorAccount(ctx, st, time.Now()); err != nil {
			return err
		}
	} else if err := exclusive(ctx, st, "first start", func() error {
		return firstStart(ctx, st, kr, Paths(cfg.DataDir), logw, log)
	}); err != nil {
		return err
	}

	handler := New(Options{
		Store:          st,
		Keyring:        kr,
		APIs:           apis(st, kr, az),
		Emulator:       cfg.Emulator,
		Logger:         log,
		Authorizer:     az,
		Enforcement:    cfg.Enforcement,
		TrustedProxies: cfg.TrustedProxies,
	})
	addr := cfg.Listen
	if addr == "" {
		addr = DefaultListen
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	srv := &http.Server{
		Handler:           handler,
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
	}
	flushCtx, stopFlush := context.WithCancel(context.Background())
	flushed := make(chan struct{})
	go func() {
		handler.RunKeyUseFlusher(flushCtx, KeyUseFlushInterval, log)
		close(flushed)
	}()
	defer func() { stopFlush(); <-flushed }()
	sweepCtx, stopSweep := context.WithCancel(context.Background())
	swept := make(chan struct{})
	go func() {
		handler.RunSessionSweeper(sweepCtx, SessionSweepInterval, log)
		close(swept)
	}()
	defer func() { stopSweep(); <-swept }()
	if cfg.IMDS != "" {
		stopIMDS, err := startIMDS(cfg, st, kr, time.Now, log)
		if err != nil {
			ln.Close()
			return err
		}
		defer func() {
			shutdownCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			_ = stopIMDS(shutdownCtx)
		}()
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	mode := "strict"
	if cfg.Emulator {
		mode = "emulator"
	}
	log.Info("iamd listening", "addr", "http://"+ln.Addr().String(), "mode", mode, "enforcement", cfg.Enforcement.String(),
		"data", Paths(cfg.DataDir).Dir, "store", storeName(cfg.DataDir, cfg.Store, cfg.Emulator), "startup", time.Since(start).Round(time.Millisecond))

	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("iamd shutting down")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return err
	}
	return nil
}

// DefaultAPIs is IAM (the default route) and STS over one store. Its STS
// reads AssumeRole callers' policies afresh on every call; Run's uses the
// server's Authorizer and its cache.
func DefaultAPIs(st store.Store, kr *seal.Keyring) []*API { return apis(st, kr, nil) }

// apis is DefaultAPIs with STS deciding AssumeRole through az (nil: an
// uncached Authorizer of its own).
func apis(st store.Store, kr *seal.Keyring, az *authz.Authorizer) []*API {
	iamSvc := iam.New(st, kr)
	stsSvc := sts.New(st, kr).UseAuthorizer(az)
	iamInputs := map[string]reflect.Type{}
	for op, t := range iamapi.Operations {
		iamInputs[op] = t.Input
	}
	stsInputs := map[string]reflect.Type{}
	for op, t := range stsapi.Operations {
		stsInputs[op] = t.Input
	}
	return []*API{
		{Name: "iam", Version: "2010-05-08", Model: iamapi.Model(), Operations: iamSvc.Operations(), Inputs: iamInputs},
		{Name: "sts", Version: "2011-06-15", Model: stsapi.Model(), Operations: stsSvc.Operations(), Inputs: stsInputs,
			Unsigned: map[string]bool{"AssumeRoleWithWebIdentity": true, "AssumeRoleWithSAML": true}},
	}
}

// firstStart creates the first account when the store has none, following
// AWS's best practice: root gets a password and no keys; an admin user gets
// the keys.
func firstStart(ctx context.Context, st store.Store, kr *seal.Keyring, p DataPaths, logw io.Writer, log *slog.Logger) error {
	var any bool
	if err := st.View(ctx, func(tx store.Tx) error {
		p, err := tx.ListAccounts(store.ListOptions{MaxItems: 1})
		any = len(p.Items) > 0
		return err
	}); err != nil {
		return err
	}
	if any {
		return nil
	}
	created, err := account.Create(ctx, st, kr, account.Options{
		AdminCredentialsFile: func(string) string { return p.AdminCredentials },
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(logw, "\n"+
		"  iamd created account %s.\n"+
		"  Root user password (shown once, for sign-in; store it safely): %s\n"+
		"  Admin access key for the AWS CLI: %s (profile \"iamd\")\n\n",
		created.AccountID, created.RootPassword, p.AdminCredentials)
	log.Info("first start: account created", "account", created.AccountID,
		"admin_user", "admin", "admin_credentials_file", p.AdminCredentials)
	return nil
}

// ensureEmulatorAccount creates the emulator's default account if missing.
func ensureEmulatorAccount(ctx context.Context, st store.Store, now time.Time) error {
	return account.Ensure(ctx, st, EmulatorAccountID, now)
}

// CreateAccount is `iamd account create`: a further account in the data
// directory, for cross-account work. Its admin key goes to
// DATA/admin-credentials-<account id>; the root password is printed once.
func CreateAccount(ctx context.Context, dir, storeURL string, out io.Writer) error {
	st, kr, err := OpenStore(ctx, dir, storeURL, false)
	if err != nil {
		return err
	}
	defer st.Close()
	p := Paths(dir)
	var credsFile string
	created, err := account.Create(ctx, st, kr, account.Options{
		AdminCredentialsFile: func(id string) string {
			credsFile = p.AdminCredentials + "-" + id
			return credsFile
		},
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "account %s created\nroot password (shown once): %s\nadmin access key: %s (profile \"iamd\")\n",
		created.AccountID, created.RootPassword, credsFile)
	return nil
}
