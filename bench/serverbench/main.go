// Command serverbench measures iamd's server against moto's in one run:
// authenticated requests per second, latency percentiles and server CPU per
// request (from /proc/PID/stat) for GetUser, ListUsers (MaxItems=100) and
// CreateUser with 1 and 8 clients in interleaved rounds, then ListUsers page
// time as the user count grows. It starts both servers itself on free
// loopback ports: iamd in strict mode (every request's SigV4 signature is
// verified against the admin key written at first start) on a durable
// SQLite file, and `python3 -m moto.server`.
//
// Usage (from bench/):
//
//	go run ./serverbench [-iamd /path/to/iamd] [-duration 5s] [-rounds 3]
//	    [-clients 1,8] [-scale 100,10000,100000] [-moto-scale 100,4000] [-json]
//
// It runs on Linux only: CPU comes from /proc.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"runtime"
	"runtime/pprof"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Summary is everything one run measured; -json prints it.
type Summary struct {
	Machine       string        `json:"machine"`
	DataDir       string        `json:"data_dir"`
	DataFS        string        `json:"data_filesystem"`
	MotoVersion   string        `json:"moto_version"`
	IamdProcess   string        `json:"iamd_process"`
	MotoProcess   string        `json:"moto_process"`
	Duration      time.Duration `json:"round_duration_ns"`
	Rounds        int           `json:"rounds"`
	ClientProcs   int           `json:"client_gomaxprocs"`
	Calibration   *Calibration  `json:"client_calibration,omitempty"`
	Aggregates    []Aggregate   `json:"aggregates"`
	Comparisons   []Comparison  `json:"iamd_over_moto"`
	Scaling       []ScalePoint  `json:"list_users_scaling,omitempty"`
	MotoScaleNote string        `json:"moto_scale_note,omitempty"`
	Targets       []Target      `json:"targets"`
	RoundsDetail  []Round       `json:"round_detail"`
}

// Calibration is the client driving an in-process server that answers
// every request with a canned GetUser response: the load generator's own
// ceiling on this machine.
type Calibration struct {
	Clients   int           `json:"clients"`
	RPS       float64       `json:"requests_per_second"`
	CPUPerReq time.Duration `json:"process_cpu_per_request_ns"`
}

// options are the command line.
type options struct {
	iamd, python, workdir   string
	cpuprofile, clientProf  string
	iamdSrc                 string
	duration, warmup        time.Duration
	rounds, preloadClients  int
	clientProcs             int
	clients, scale, motoMax []int
	workloads               []workload
	jsonOut, keep, calib    bool
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	if err != nil {
		fmt.Fprintf(os.Stderr, "serverbench: %v\n", err)
		os.Exit(1)
	}
}

func parseFlags(args []string, stderr io.Writer) (options, error) {
	fs := flag.NewFlagSet("serverbench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var o options
	var clients, scale, motoScale, names string
	fs.StringVar(&o.iamd, "iamd", "", "iamd binary (default: build ./cmd/iamd of the replaced iamd module)")
	fs.StringVar(&o.cpuprofile, "cpuprofile", "", "profile iamd: run a harness build of iamd that writes PREFIX-<pid>.pprof at shutdown (excludes -iamd)")
	fs.StringVar(&o.clientProf, "clientprofile", "", "write a CPU profile of serverbench itself (the load generator) to this file")
	fs.StringVar(&o.iamdSrc, "iamd-src", "", "iamd source tree to build iamd (or the -cpuprofile harness) from, e.g. a clean `git archive` export (default: the working tree bench/go.mod replaces iamd with)")
	fs.StringVar(&o.python, "python", "python3", "Python interpreter with moto[server] installed")
	fs.StringVar(&o.workdir, "workdir", "", "directory for data and logs (default: a new temporary directory, removed afterwards)")
	fs.DurationVar(&o.duration, "duration", 5*time.Second, "length of one round")
	fs.DurationVar(&o.warmup, "warmup", time.Second, "unmeasured warm-up per server before each workload and client count")
	fs.IntVar(&o.rounds, "rounds", 3, "interleaved rounds per server, workload and client count")
	fs.StringVar(&clients, "clients", "1,8", "concurrent client counts")
	fs.StringVar(&scale, "scale", "100,10000,100000", "iamd user counts for the ListUsers scaling run (empty: skip it)")
	fs.StringVar(&motoScale, "moto-scale", "100,4000", "moto user counts for the ListUsers scaling run (moto is slow: keep it small; empty: skip)")
	fs.StringVar(&names, "workloads", "GetUser,ListUsers,CreateUser", "workloads to run, in this order")
	fs.IntVar(&o.clientProcs, "client-procs", 1, "GOMAXPROCS of serverbench itself, the load generator (0: Go's default, all CPUs): one leaves the other cores to the server and avoids cross-CPU wake-ups; the servers are not affected")
	fs.IntVar(&o.preloadClients, "preload-clients", 16, "concurrent CreateUser calls when preloading")
	fs.BoolVar(&o.jsonOut, "json", false, "print a JSON summary on stdout (the tables go to stderr)")
	fs.BoolVar(&o.keep, "keep", false, "keep the work directory (data and server logs)")
	fs.BoolVar(&o.calib, "calibrate", true, "measure the client's ceiling against an in-process null server first")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if fs.NArg() > 0 {
		return o, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	if o.cpuprofile != "" && o.iamd != "" {
		return o, fmt.Errorf("-cpuprofile builds its own iamd harness: drop -iamd")
	}
	var err error
	if o.clients, err = parseInts("-clients", clients, 1, 1024); err != nil {
		return o, err
	}
	if len(o.clients) == 0 {
		return o, fmt.Errorf("-clients: give at least one count")
	}
	if o.scale, err = parseInts("-scale", scale, 1, 10_000_000); err != nil {
		return o, err
	}
	if o.motoMax, err = parseInts("-moto-scale", motoScale, 1, 100_000); err != nil {
		return o, err
	}
	if o.duration <= 0 || o.warmup < 0 {
		return o, fmt.Errorf("-duration must be positive and -warmup not negative")
	}
	if o.clientProcs < 0 {
		return o, fmt.Errorf("-client-procs must not be negative")
	}
	if o.rounds < 1 || o.preloadClients < 1 {
		return o, fmt.Errorf("-rounds and -preload-clients must be at least 1")
	}
	for n := range strings.SplitSeq(names, ",") {
		n = strings.TrimSpace(n)
		found := false
		for _, w := range workloads {
			if strings.EqualFold(w.name, n) {
				o.workloads, found = append(o.workloads, w), true
			}
		}
		if !found && n != "" {
			return o, fmt.Errorf("-workloads: unknown workload %q (GetUser, ListUsers, CreateUser)", n)
		}
	}
	return o, nil
}

// parseInts parses a comma-separated list of increasing integers in
// [lo, hi]; the empty string is the empty list.
func parseInts(flagName, s string, lo, hi int) ([]int, error) {
	var out []int
	for f := range strings.SplitSeq(s, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		n, err := strconv.Atoi(strings.ReplaceAll(f, "_", ""))
		if err != nil {
			return nil, fmt.Errorf("%s: %q is not a number", flagName, f)
		}
		if n < lo || n > hi {
			return nil, fmt.Errorf("%s: %d is outside [%d, %d]", flagName, n, lo, hi)
		}
		if len(out) > 0 && n <= out[len(out)-1] {
			return nil, fmt.Errorf("%s: %d does not increase", flagName, n)
		}
		out = append(out, n)
	}
	return out, nil
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	o, err := parseFlags(args, stderr)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return err
	}
	if o.clientProcs > 0 {
		runtime.GOMAXPROCS(o.clientProcs)
	}
	logf := func(format string, a ...any) {
		fmt.Fprintf(stderr, "%s "+format+"\n", append([]any{time.Now().Format("15:04:05")}, a...)...)
	}
	dir := o.workdir
	if dir == "" {
		if dir, err = os.MkdirTemp("", "serverbench-"); err != nil {
			return err
		}
		if !o.keep {
			defer os.RemoveAll(dir)
		}
	} else if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	if o.cpuprofile != "" {
		logf("building the iamd profiling harness")
		if o.iamd, err = buildIamdProf(ctx, o.iamdSrc, dir); err != nil {
			return err
		}
		if err := os.Setenv("SERVERBENCH_CPUPROFILE", o.cpuprofile); err != nil {
			return err
		}
	} else if o.iamd == "" {
		logf("building iamd")
		if o.iamd, err = buildIamd(ctx, o.iamdSrc, dir); err != nil {
			return err
		}
	}

	if o.clientProf != "" {
		f, err := os.Create(o.clientProf)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}

	s := &Summary{Machine: machine(), DataDir: dir, DataFS: filesystem(dir), Duration: o.duration, Rounds: o.rounds, ClientProcs: runtime.GOMAXPROCS(0)}
	if o.calib {
		if s.Calibration, err = calibrate(ctx, slicesMax(o.clients), o.duration); err != nil {
			return fmt.Errorf("calibration: %w", err)
		}
		logf("client ceiling: %.0f req/s with %d clients", s.Calibration.RPS, s.Calibration.Clients)
	}

	if len(o.workloads) > 0 {
		if err := compareServers(ctx, o, dir, s, logf); err != nil {
			return err
		}
	}
	if err := scaling(ctx, o, dir, s, logf); err != nil {
		return err
	}
	s.Aggregates = aggregate(s.RoundsDetail)
	s.Comparisons = compare(s.RoundsDetail)
	s.Targets = evaluate(s.Comparisons, s.Aggregates, s.Scaling)

	if o.jsonOut {
		printReport(stderr, s)
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(s)
	}
	printReport(stdout, s)
	return nil
}

// compareServers runs the interleaved rounds against one iamd and one moto.
func compareServers(ctx context.Context, o options, dir string, s *Summary, logf func(string, ...any)) error {
	iamd, err := startIamd(ctx, o.iamd, mkdir(dir, "rounds-iamd"))
	if err != nil {
		return err
	}
	defer iamd.stop()
	moto, err := startMoto(ctx, o.python, mkdir(dir, "rounds-moto"))
	if err != nil {
		return err
	}
	defer moto.stop()
	s.IamdProcess, s.MotoProcess, s.MotoVersion = iamd.describe(), moto.describe(), moto.version
	logf("iamd %s at %s; moto %s %s at %s", s.IamdProcess, iamd.endpoint, moto.version, s.MotoProcess, moto.endpoint)

	maxClients := slicesMax(o.clients)
	servers := []*server{iamd, moto}
	clients := map[*server]*client{}
	for _, srv := range servers {
		cl := newClient(srv.endpoint, srv.creds, maxClients)
		defer cl.close()
		clients[srv] = cl
		took, err := preload(ctx, cl, 0, preloadUsers, min(o.preloadClients, preloadUsers), preloadName)
		if err != nil {
			return fmt.Errorf("%s: %w", srv.name, err)
		}
		logf("%s: preloaded %d users in %v", srv.name, preloadUsers, took.Round(time.Millisecond))
	}

	tags := 0
	for _, wl := range o.workloads {
		for _, n := range o.clients {
			if o.warmup > 0 {
				for _, srv := range servers {
					tags++
					if _, err := runRound(ctx, srv, clients[srv], roundSpec{workload: wl, clients: n, duration: o.warmup, tag: fmt.Sprintf("u%d", tags)}); err != nil {
						return err
					}
				}
			}
			for i := range o.rounds {
				for _, srv := range servers {
					tags++
					r, err := runRound(ctx, srv, clients[srv], roundSpec{workload: wl, clients: n, duration: o.duration, tag: fmt.Sprintf("r%d", tags)})
					if err != nil {
						return err
					}
					r.Index = i + 1
					s.RoundsDetail = append(s.RoundsDetail, r)
					logf("%-10s %d clients round %d %-4s: %7.0f req/s p50 %s p99 %s cpu/req %s errors %d (other load %.2f cores)",
						wl.name, n, i+1, srv.name, r.RPS, ms(r.Latency.P50), ms(r.Latency.P99), us(float64(r.ServerCPUPerReq)), r.Errors, r.OtherCores)
				}
			}
		}
	}
	return nil
}

// scaling runs the ListUsers scaling on a fresh iamd and a fresh moto, so
// that the user counts are exactly the ones named.
func scaling(ctx context.Context, o options, dir string, s *Summary, logf func(string, ...any)) error {
	if len(o.scale) > 0 {
		iamd, err := startIamd(ctx, o.iamd, mkdir(dir, "scale-iamd"))
		if err != nil {
			return err
		}
		cl := newClient(iamd.endpoint, iamd.creds, o.preloadClients)
		points, err := scaleRun(ctx, iamd, cl, o.scale, min(o.duration, 3*time.Second), o.preloadClients, logf)
		cl.close()
		iamd.stop()
		s.Scaling = append(s.Scaling, points...)
		if err != nil {
			return err
		}
	}
	if len(o.motoMax) > 0 {
		moto, err := startMoto(ctx, o.python, mkdir(dir, "scale-moto"))
		if err != nil {
			return err
		}
		cl := newClient(moto.endpoint, moto.creds, o.preloadClients)
		points, err := scaleRun(ctx, moto, cl, o.motoMax, min(o.duration, 3*time.Second), min(o.preloadClients, 4), logf)
		cl.close()
		moto.stop()
		s.Scaling = append(s.Scaling, points...)
		if err != nil {
			return err
		}
		s.MotoScaleNote = fmt.Sprintf("moto's scaling stops at %d users (-moto-scale): it returns every user whatever MaxItems says, so each page grows with the user count.", o.motoMax[len(o.motoMax)-1])
	}
	return nil
}

// calibrate drives an in-process server that answers every request with a
// canned GetUser response, using the same client code as the real rounds.
// Client and null server share this process and the machine's two cores,
// so the rate is a lower bound on what the client alone can drive.
func calibrate(ctx context.Context, clients int, d time.Duration) (*Calibration, error) {
	const body = `<GetUserResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><GetUserResult><User><UserName>bench-user-000</UserName></User></GetUserResult><ResponseMetadata><RequestId>0</RequestId></ResponseMetadata></GetUserResponse>`
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	hs := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "text/xml")
		_, _ = io.WriteString(w, body)
	})}
	go func() { _ = hs.Serve(ln) }()
	defer hs.Close()
	endpoint := "http://" + ln.Addr().String() + "/"
	srv := &server{name: "null", pid: os.Getpid(), endpoint: endpoint}
	cl := newClient(endpoint, motoCredentials, clients)
	defer cl.close()
	r, err := runRound(ctx, srv, cl, roundSpec{workload: workloads[0], clients: clients, duration: min(d, 3*time.Second)})
	if err != nil {
		return nil, err
	}
	if r.Errors > 0 {
		return nil, fmt.Errorf("%d errors against the null server: %v", r.Errors, r.ErrorSamples)
	}
	return &Calibration{Clients: clients, RPS: r.RPS, CPUPerReq: r.ServerCPUPerReq}, nil
}

func mkdir(parent, name string) string {
	d := parent + string(os.PathSeparator) + name
	_ = os.MkdirAll(d, 0o700) // a failure shows as the server's own error
	return d
}

func slicesMax(xs []int) int {
	m := 0
	for _, x := range xs {
		m = max(m, x)
	}
	return m
}

// machine describes the host for the report.
func machine() string {
	model := "unknown CPU"
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for line := range strings.SplitSeq(string(b), "\n") {
			if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
				model = strings.TrimSpace(v)
				break
			}
		}
	}
	kernel, _ := os.ReadFile("/proc/sys/kernel/osrelease")
	return fmt.Sprintf("%d CPUs (%s), Linux %s, %s", runtime.NumCPU(), model, strings.TrimSpace(string(kernel)), runtime.Version())
}

// filesystem names the file system a directory is on, so that a run on
// tmpfs (where fsync costs nothing) is visible as such.
func filesystem(dir string) string {
	var st syscall.Statfs_t
	if err := syscall.Statfs(dir, &st); err != nil {
		return "unknown"
	}
	names := map[int64]string{0xEF53: "ext4", 0x01021994: "tmpfs", 0x58465342: "xfs", 0x9123683E: "btrfs", 0x794c7630: "overlayfs", 0x2FC12FC1: "zfs"}
	if n, ok := names[int64(st.Type)]; ok {
		return n
	}
	return fmt.Sprintf("fs magic %#x", st.Type)
}
