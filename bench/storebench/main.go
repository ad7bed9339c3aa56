// Command storebench measures iamd on its two stores in one run: the same
// request mix through one iamd on SQLite, one iamd on PostgreSQL, and two
// iamd processes sharing one PostgreSQL database (clients alternating
// between them), in interleaved rounds, reporting requests per second and
// latency percentiles of each. It then measures how long a change made
// through one of the two PostgreSQL servers takes to be enforced by the
// other (LISTEN/NOTIFY invalidating the other's policy cache).
//
// Requests are sent with serverbench's client (package queryclient):
// SigV4-signed Query requests with the admin key of the account iamd's
// first start made, so that every request is authenticated and
// authorized.
//
// Usage (from bench/):
//
//	go run ./storebench [-iamd /path/to/iamd] [-postgres DSN] [-duration 5s]
//	    [-rounds 3] [-clients 8] [-delay-samples 100] [-json]
//
// Without -postgres it starts a throwaway PostgreSQL cluster (Debian's
// postgresql package: initdb and pg_ctl) with PostgreSQL's durable
// defaults (fsync, synchronous commit), as SQLite's store is durable
// (synchronous=FULL). Without -iamd it builds ../cmd/iamd.
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/jackc/pgx/v5"

	"github.com/iamd/iamd/bench/serverbench/measure"
	"github.com/iamd/iamd/bench/serverbench/queryclient"
	"github.com/iamd/iamd/internal/seal"
	"github.com/iamd/iamd/internal/store/postgres/pgtest"
)

// options are the command line.
type options struct {
	iamd, postgres       string
	duration, warmup     time.Duration
	rounds, clients      int
	delaySamples         int
	jsonOut, keepWorkDir bool
}

// Summary is what one run measured; -json prints it.
type Summary struct {
	Machine   string        `json:"machine"`
	LoadStart string        `json:"loadavg_start"`
	LoadEnd   string        `json:"loadavg_end"`
	Postgres  string        `json:"postgres"`
	Mix       string        `json:"mix"`
	Duration  time.Duration `json:"round_duration_ns"`
	Rounds    int           `json:"rounds"`
	Clients   int           `json:"clients"`
	Results   []Result      `json:"results"`
	Delay     *Delay        `json:"cross_server_delay,omitempty"`
	Detail    []Round       `json:"round_detail"`
}

// Result is one configuration over all rounds: the median round's
// throughput and the percentiles of every request of every round.
type Result struct {
	Config  string          `json:"config"`
	RPS     float64         `json:"requests_per_second"`
	Latency measure.Latency `json:"latency"`
	Errors  int             `json:"errors"`
}

// Round is one timed run of the mix against one configuration.
type Round struct {
	Config   string          `json:"config"`
	Index    int             `json:"round"`
	Requests int             `json:"requests"`
	Errors   int             `json:"errors"`
	Samples  []string        `json:"error_samples,omitempty"`
	RPS      float64         `json:"requests_per_second"`
	Latency  measure.Latency `json:"latency"`
	samples  []time.Duration
}

// Delay is the cross-server enforcement measurement: from the response to
// a policy change through server A to the first response of server B that
// enforces it.
type Delay struct {
	Samples       int             `json:"samples"`
	Latency       measure.Latency `json:"delay"`
	NextRequest   int             `json:"enforced_on_next_request"`
	MaxExtraCalls int             `json:"max_extra_calls"`
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	if err != nil {
		fmt.Fprintf(os.Stderr, "storebench: %v\n", err)
		os.Exit(1)
	}
}

func parseFlags(args []string, stderr io.Writer) (options, error) {
	fs := flag.NewFlagSet("storebench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var o options
	fs.StringVar(&o.iamd, "iamd", "", "iamd binary (default: build ../cmd/iamd)")
	fs.StringVar(&o.postgres, "postgres", "", "keyword/value DSN of a PostgreSQL server where a database may be created (default: a throwaway durable cluster)")
	fs.DurationVar(&o.duration, "duration", 5*time.Second, "length of each timed round")
	fs.DurationVar(&o.warmup, "warmup", time.Second, "untimed load before each configuration's first round")
	fs.IntVar(&o.rounds, "rounds", 3, "rounds per configuration (interleaved)")
	fs.IntVar(&o.clients, "clients", 8, "concurrent clients")
	fs.IntVar(&o.delaySamples, "delay-samples", 100, "policy changes timed for the cross-server delay (0: skip)")
	fs.BoolVar(&o.jsonOut, "json", false, "print the summary as JSON")
	fs.BoolVar(&o.keepWorkDir, "keep", false, "keep the work directory (data directories, server logs)")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if o.rounds < 1 || o.clients < 1 || o.duration <= 0 || o.delaySamples < 0 {
		return o, errors.New("-rounds and -clients must be positive, -duration too, -delay-samples not negative")
	}
	return o, nil
}

// target is one configuration under load: clients go to its endpoints in
// turn.
type target struct {
	name    string
	clients []*queryclient.Client
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	o, err := parseFlags(args, stderr)
	if err != nil {
		return err
	}
	logf := func(format string, a ...any) { fmt.Fprintf(stderr, "storebench: "+format+"\n", a...) }
	work, err := os.MkdirTemp("", "storebench-")
	if err != nil {
		return err
	}
	if o.keepWorkDir {
		logf("work directory %s", work)
	} else {
		defer os.RemoveAll(work)
	}
	if o.iamd == "" {
		o.iamd = filepath.Join(work, "iamd")
		logf("building iamd")
		// Build in iamd's own module (the bench module's go.sum does
		// not list iamd's dependencies).
		dir, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "github.com/iamd/iamd").Output()
		if err != nil {
			return fmt.Errorf("finding iamd's module: %w", err)
		}
		build := exec.Command("go", "build", "-o", o.iamd, "./cmd/iamd")
		build.Dir = strings.TrimSpace(string(dir))
		if out, err := build.CombinedOutput(); err != nil {
			return fmt.Errorf("go build: %v\n%s", err, out)
		}
	}
	s := &Summary{Machine: machine(), LoadStart: loadavg(), Duration: o.duration, Rounds: o.rounds, Clients: o.clients, Mix: mixDescription}

	base := o.postgres
	s.Postgres = "given by -postgres"
	if base == "" {
		logf("starting a throwaway PostgreSQL cluster (durable defaults)")
		var stopPG func()
		base, stopPG, err = pgtest.StartCluster(true)
		if err != nil {
			return fmt.Errorf("no PostgreSQL (give -postgres DSN or install the postgresql package): %w", err)
		}
		defer stopPG()
		s.Postgres = "throwaway cluster, fsync and synchronous_commit on"
	}
	storeURL, dropDB, err := createDatabase(ctx, base)
	if err != nil {
		return err
	}
	defer dropDB()

	var servers []*server
	defer func() {
		for _, sv := range servers {
			sv.stop()
		}
	}()
	startOne := func(name, data string, args ...string) (*server, error) {
		sv, err := startServer(ctx, o.iamd, name, data, filepath.Join(work, name+".log"), args...)
		if sv != nil {
			servers = append(servers, sv)
		}
		return sv, err
	}
	sq, err := startOne("sqlite", filepath.Join(work, "sqlite"))
	if err != nil {
		return err
	}
	// The two PostgreSQL servers share the master key (a copy of the
	// key file), as the README says servers sharing a database must.
	pgA, pgB := filepath.Join(work, "pg-a"), filepath.Join(work, "pg-b")
	if err := shareMasterKey(pgA, pgB); err != nil {
		return err
	}
	pa, err := startOne("postgres-a", pgA, "--store", storeURL)
	if err != nil {
		return err
	}
	pb, err := startOne("postgres-b", pgB, "--store", storeURL)
	if err != nil {
		return err
	}
	sqAdmin, err := adminCreds(sq.data)
	if err != nil {
		return err
	}
	pgAdmin, err := adminCreds(pa.data) // the first to start made the account
	if err != nil {
		return err
	}
	client := func(sv *server, c aws.Credentials) *queryclient.Client {
		return queryclient.New(sv.endpoint, c, o.clients)
	}
	sqC, paC, pbC := client(sq, sqAdmin), client(pa, pgAdmin), client(pb, pgAdmin)
	defer func() { sqC.Close(); paC.Close(); pbC.Close() }()
	targets := []target{
		{"sqlite ×1", []*queryclient.Client{sqC}},
		{"postgres ×1", []*queryclient.Client{paC}},
		{"postgres ×2", []*queryclient.Client{paC, pbC}},
	}
	logf("preloading %d users on each store", preloadUsers)
	for _, c := range []*queryclient.Client{sqC, paC} {
		if err := preload(ctx, c); err != nil {
			return err
		}
	}
	// Tags keep user names apart between configurations that share a
	// database, and between rounds.
	for i, tg := range targets {
		logf("warming up %s", tg.name)
		runRound(ctx, tg, o.clients, o.warmup, fmt.Sprintf("c%dwarm", i))
	}
	for r := range o.rounds {
		for i := range targets {
			ti := (i + r) % len(targets) // rotate the order per round
			tg := targets[ti]
			logf("round %d: %s", r+1, tg.name)
			rd := runRound(ctx, tg, o.clients, o.duration, fmt.Sprintf("c%dr%d", ti, r))
			rd.Index = r + 1
			s.Detail = append(s.Detail, rd)
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
	}
	for _, tg := range targets {
		s.Results = append(s.Results, aggregate(tg.name, s.Detail))
	}
	if o.delaySamples > 0 {
		logf("timing %d policy changes through one PostgreSQL server as seen by the other", o.delaySamples)
		d, err := crossServerDelay(ctx, paC, pa, pb, pgAdmin, o.delaySamples)
		if err != nil {
			return err
		}
		s.Delay = d
	}
	s.LoadEnd = loadavg()
	if o.jsonOut {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(s)
	}
	report(stdout, s)
	return nil
}

// preloadUsers is how many users each store holds before the rounds;
// GetUser asks for them.
const preloadUsers = 100

func preloadName(i int) string { return fmt.Sprintf("bench-user-%03d", i) }

func preload(ctx context.Context, c *queryclient.Client) error {
	for i := range preloadUsers {
		if _, err := c.Call(ctx, "iam", "CreateUser", url.Values{"UserName": {preloadName(i)}}); err != nil {
			return fmt.Errorf("preloading users: %w", err)
		}
	}
	return nil
}

// mixDescription names the request mix of every client: a cycle of ten
// requests.
const mixDescription = "per client, cycles of 10 requests: 6 GetUser, 1 ListUsers (MaxItems=100), then CreateUser, TagUser and DeleteUser of a new user (70% reads, 30% writes)"

// step returns the action and parameters of a client's seq-th request.
func step(tag string, worker, seq int) (string, url.Values) {
	cycle, pos := seq/10, seq%10
	own := fmt.Sprintf("sb-%s-w%d-%d", tag, worker, cycle)
	switch pos {
	case 3:
		return "ListUsers", url.Values{"MaxItems": {"100"}}
	case 6:
		return "CreateUser", url.Values{"UserName": {own}}
	case 8:
		return "TagUser", url.Values{"UserName": {own}, "Tags.member.1.Key": {"k"}, "Tags.member.1.Value": {"v"}}
	case 9:
		return "DeleteUser", url.Values{"UserName": {own}}
	}
	return "GetUser", url.Values{"UserName": {preloadName((worker*31 + seq) % preloadUsers)}}
}

// runRound runs the mix with n clients for d; client i sends to the
// target's endpoint i mod the number of endpoints. A client finishes its
// cycle of ten after the deadline is not needed: requests that start
// before the deadline count, so a cycle may end early, leaving a user;
// names are unique per round.
func runRound(ctx context.Context, tg target, n int, d time.Duration, tag string) Round {
	rd := Round{Config: tg.name}
	var mu sync.Mutex
	var wg sync.WaitGroup
	start := time.Now()
	deadline := start.Add(d)
	for w := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := tg.clients[w%len(tg.clients)]
			var lat []time.Duration
			var errs []string
			nerr := 0
			for seq := 0; time.Now().Before(deadline) && ctx.Err() == nil; seq++ {
				action, params := step(tag, w, seq)
				t0 := time.Now()
				_, err := c.Call(ctx, "iam", action, params)
				if err != nil {
					nerr++
					if len(errs) < 3 {
						errs = append(errs, action+": "+err.Error())
					}
					continue
				}
				lat = append(lat, time.Since(t0))
			}
			mu.Lock()
			rd.samples = append(rd.samples, lat...)
			rd.Errors += nerr
			if len(rd.Samples) < 5 {
				rd.Samples = append(rd.Samples, errs...)
			}
			mu.Unlock()
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	rd.Requests = len(rd.samples)
	rd.RPS = float64(rd.Requests) / elapsed.Seconds()
	rd.Latency = measure.Summarize(append([]time.Duration(nil), rd.samples...))
	return rd
}

// aggregate sums up a configuration's rounds.
func aggregate(config string, rounds []Round) Result {
	res := Result{Config: config}
	var rps []float64
	var all []time.Duration
	for _, r := range rounds {
		if r.Config != config {
			continue
		}
		rps = append(rps, r.RPS)
		all = append(all, r.samples...)
		res.Errors += r.Errors
	}
	res.RPS = measure.Median(rps)
	res.Latency = measure.Summarize(all)
	return res
}

// crossServerDelay alternately adds and removes a Deny on a probe user
// through server a and asks server b, as the probe, until b's answer
// changes accordingly.
func crossServerDelay(ctx context.Context, admin *queryclient.Client, a, b *server, adminCreds aws.Credentials, samples int) (*Delay, error) {
	if _, err := admin.Call(ctx, "iam", "CreateUser", url.Values{"UserName": {"probe"}}); err != nil {
		return nil, err
	}
	body, err := admin.Call(ctx, "iam", "CreateAccessKey", url.Values{"UserName": {"probe"}})
	if err != nil {
		return nil, err
	}
	id := regexp.MustCompile(`<AccessKeyId>([^<]+)</AccessKeyId>`).FindSubmatch(body)
	secret := regexp.MustCompile(`<SecretAccessKey>([^<]+)</SecretAccessKey>`).FindSubmatch(body)
	if id == nil || secret == nil {
		return nil, fmt.Errorf("CreateAccessKey answer without a key: %.200s", body)
	}
	allow := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:ListUsers","Resource":"*"}]}`
	deny := `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"iam:ListUsers","Resource":"*"}]}`
	if _, err := admin.Call(ctx, "iam", "PutUserPolicy", url.Values{"UserName": {"probe"}, "PolicyName": {"allow"}, "PolicyDocument": {allow}}); err != nil {
		return nil, err
	}
	probe := queryclient.New(b.endpoint, aws.Credentials{AccessKeyID: string(id[1]), SecretAccessKey: string(secret[1])}, 1)
	defer probe.Close()
	denied := func() (bool, error) {
		_, err := probe.Call(ctx, "iam", "ListUsers", url.Values{"MaxItems": {"1"}})
		var ae *queryclient.APIError
		if errors.As(err, &ae) && ae.Code == "AccessDenied" {
			return true, nil
		}
		return false, err
	}
	// Let b learn the probe's key and cache its policies.
	deadline := time.Now().Add(10 * time.Second)
	for {
		d, err := denied()
		if err == nil && !d {
			break
		}
		if time.Now().After(deadline) {
			return nil, fmt.Errorf("the probe is not allowed through %s: %v", b.name, err)
		}
		time.Sleep(10 * time.Millisecond)
	}
	res := &Delay{Samples: samples}
	var delays []time.Duration
	for i := range samples {
		want := i%2 == 0 // even samples add the Deny, odd ones remove it
		var err error
		if want {
			_, err = admin.Call(ctx, "iam", "PutUserPolicy", url.Values{"UserName": {"probe"}, "PolicyName": {"deny"}, "PolicyDocument": {deny}})
		} else {
			_, err = admin.Call(ctx, "iam", "DeleteUserPolicy", url.Values{"UserName": {"probe"}, "PolicyName": {"deny"}})
		}
		if err != nil {
			return nil, err
		}
		changed := time.Now()
		for calls := 1; ; calls++ {
			d, err := denied()
			if err != nil {
				return nil, err
			}
			if d == want {
				delays = append(delays, time.Since(changed))
				if calls == 1 {
					res.NextRequest++
				}
				res.MaxExtraCalls = max(res.MaxExtraCalls, calls-1)
				break
			}
			if time.Since(changed) > 10*time.Second {
				return nil, fmt.Errorf("%s did not enforce a change made through %s within 10s", b.name, a.name)
			}
		}
	}
	res.Latency = measure.Summarize(delays)
	return res, nil
}

// createDatabase makes a fresh database on the server and returns its
// postgres:// URL and a function that drops it.
func createDatabase(ctx context.Context, base string) (string, func(), error) {
	admin := base + " dbname=postgres"
	name := fmt.Sprintf("storebench_%d", os.Getpid())
	exec1 := func(stmt string) error {
		c, err := pgx.Connect(ctx, admin)
		if err != nil {
			return err
		}
		defer c.Close(context.Background())
		_, err = c.Exec(ctx, stmt)
		return err
	}
	if err := exec1("CREATE DATABASE " + name); err != nil {
		return "", nil, fmt.Errorf("create database: %w", err)
	}
	u, err := pgtest.URL(base + " dbname=" + name)
	if err != nil {
		return "", nil, err
	}
	return u, func() { _ = exec1("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)") }, nil
}

// shareMasterKey creates a master key in dirA and copies it to dirB.
func shareMasterKey(dirA, dirB string) error {
	if _, err := seal.OpenKeyFile(filepath.Join(dirA, "master.key")); err != nil {
		return err
	}
	b, err := os.ReadFile(filepath.Join(dirA, "master.key"))
	if err != nil {
		return err
	}
	if err := os.MkdirAll(dirB, 0o700); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dirB, "master.key"), b, 0o600)
}

// server is one running iamd.
type server struct {
	name, data, endpoint string
	cmd                  *exec.Cmd
	log                  *os.File
}

var listenRE = regexp.MustCompile(`msg="iamd listening" addr=(http://[0-9.:]+)`)

// startServer runs `iamd serve` on a free loopback port and waits for its
// listening line.
func startServer(ctx context.Context, bin, name, data, logPath string, args ...string) (*server, error) {
	lf, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	sv := &server{name: name, data: data, log: lf}
	sv.cmd = exec.Command(bin, append([]string{"serve", "--listen", "127.0.0.1:0", "--data", data}, args...)...)
	stderr, err := sv.cmd.StderrPipe()
	if err != nil {
		return nil, err
	}
	if err := sv.cmd.Start(); err != nil {
		return nil, err
	}
	ready := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			fmt.Fprintln(lf, sc.Text())
			if m := listenRE.FindStringSubmatch(sc.Text()); m != nil {
				select {
				case ready <- m[1]:
				default:
				}
			}
		}
		close(ready)
	}()
	select {
	case u, ok := <-ready:
		if !ok {
			return sv, fmt.Errorf("%s exited before listening (log: %s)", name, logPath)
		}
		sv.endpoint = u
		return sv, nil
	case <-time.After(30 * time.Second):
		return sv, fmt.Errorf("%s did not listen within 30s (log: %s)", name, logPath)
	case <-ctx.Done():
		return sv, ctx.Err()
	}
}

func (s *server) stop() {
	if s.cmd.Process != nil {
		_ = s.cmd.Process.Signal(syscall.SIGTERM)
		done := make(chan struct{})
		go func() { _ = s.cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(15 * time.Second):
			_ = s.cmd.Process.Kill()
		}
	}
	s.log.Close()
}

// adminCreds reads the key a first start wrote to the data directory.
func adminCreds(dir string) (aws.Credentials, error) {
	b, err := os.ReadFile(filepath.Join(dir, "admin-credentials"))
	if err != nil {
		return aws.Credentials{}, err
	}
	c := aws.Credentials{Source: "storebench"}
	for _, line := range strings.Split(string(b), "\n") {
		k, v, _ := strings.Cut(line, "=")
		switch strings.TrimSpace(k) {
		case "aws_access_key_id":
			c.AccessKeyID = strings.TrimSpace(v)
		case "aws_secret_access_key":
			c.SecretAccessKey = strings.TrimSpace(v)
		}
	}
	if c.AccessKeyID == "" || c.SecretAccessKey == "" {
		return c, fmt.Errorf("no key in %s/admin-credentials", dir)
	}
	return c, nil
}

func machine() string {
	m := fmt.Sprintf("%s/%s, %d CPUs", runtime.GOOS, runtime.GOARCH, runtime.NumCPU())
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		if i := strings.Index(string(b), "model name"); i >= 0 {
			line := strings.SplitN(string(b[i:]), "\n", 2)[0]
			if _, v, ok := strings.Cut(line, ":"); ok {
				m += ", " + strings.TrimSpace(v)
			}
		}
	}
	return m
}

func loadavg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "unknown"
	}
	return strings.Join(f[:3], " ")
}

func ms(d time.Duration) string { return fmt.Sprintf("%.2f ms", float64(d)/float64(time.Millisecond)) }

func report(w io.Writer, s *Summary) {
	fmt.Fprintf(w, "machine: %s; load average %s at start, %s at end\n", s.Machine, s.LoadStart, s.LoadEnd)
	fmt.Fprintf(w, "PostgreSQL: %s; SQLite: WAL, synchronous=FULL\n", s.Postgres)
	fmt.Fprintf(w, "mix: %s\n", s.Mix)
	fmt.Fprintf(w, "%d clients, %d rounds of %v per configuration, interleaved\n\n", s.Clients, s.Rounds, s.Duration)
	fmt.Fprintln(w, "| configuration | requests/s (median round) | p50 | p99 | errors |")
	fmt.Fprintln(w, "| --- | ---: | ---: | ---: | ---: |")
	for _, r := range s.Results {
		fmt.Fprintf(w, "| %s | %.0f | %s | %s | %d |\n", r.Config, r.RPS, ms(r.Latency.P50), ms(r.Latency.P99), r.Errors)
	}
	for _, r := range s.Detail {
		for _, e := range r.Samples {
			fmt.Fprintf(w, "error in %s round %d: %s\n", r.Config, r.Index, e)
		}
	}
	if d := s.Delay; d != nil {
		fmt.Fprintf(w, "\ncross-server enforcement (PostgreSQL, change through A, asked of B), %d changes:\n", d.Samples)
		fmt.Fprintf(w, "  delay from A's response to B's first enforcing response: p50 %s, p99 %s, max %s\n", ms(d.Latency.P50), ms(d.Latency.P99), ms(d.Latency.Max))
		fmt.Fprintf(w, "  enforced on B's very next request: %d of %d; at most %d extra requests before\n", d.NextRequest, d.Samples, d.MaxExtraCalls)
	}
}
