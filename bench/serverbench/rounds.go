package main

import (
	"context"
	"fmt"
	"net/url"
	"sort"
	"sync"
	"syscall"
	"time"

	"github.com/iamd/iamd/bench/serverbench/measure"
)

// preloadUsers is how many users both servers hold before the rounds.
const preloadUsers = 100

// preloadName names the i-th preloaded user; GetUser asks for these.
func preloadName(i int) string { return fmt.Sprintf("bench-user-%03d", i) }

// workload is one kind of request a round repeats. next returns the action
// and parameters of a worker's seq-th request; tag is unique per round, so
// that CreateUser names never collide across rounds.
type workload struct {
	name string
	next func(tag string, worker, seq int) (string, url.Values)
}

// workloads are the request kinds the issue names.
var workloads = []workload{
	{"GetUser", func(_ string, worker, seq int) (string, url.Values) {
		return "GetUser", url.Values{"UserName": {preloadName((worker*31 + seq) % preloadUsers)}}
	}},
	// ListUsers runs before CreateUser: moto ignores MaxItems and returns
	// every user, so it must see the same 100 users as iamd does.
	{"ListUsers", func(string, int, int) (string, url.Values) {
		return "ListUsers", url.Values{"MaxItems": {"100"}}
	}},
	{"CreateUser", func(tag string, worker, seq int) (string, url.Values) {
		return "CreateUser", url.Values{"UserName": {fmt.Sprintf("cu-%s-w%d-%d", tag, worker, seq)}}
	}},
}

// Round is one timed run of a workload against one server.
type Round struct {
	Server   string `json:"server"`
	Workload string `json:"workload"`
	Clients  int    `json:"clients"`
	Index    int    `json:"round"`

	Requests     int      `json:"requests"` // answered with 200
	Errors       int      `json:"errors"`   // transport errors, non-200s, malformed 200s
	ErrorSamples []string `json:"error_samples,omitempty"`

	Elapsed time.Duration   `json:"elapsed_ns"`
	RPS     float64         `json:"requests_per_second"`
	Latency measure.Latency `json:"latency"`

	// ServerCPUPerReq is the server process's utime+stime delta (all
	// threads) divided by the requests it answered, 200 or not.
	ServerCPUPerReq time.Duration `json:"server_cpu_per_request_ns"`
	ServerCores     float64       `json:"server_cores"` // server CPU ÷ wall time
	// ClientCPUPerReq is serverbench's own CPU per request: the check that
	// the load generator is cheap next to the server.
	ClientCPUPerReq time.Duration `json:"client_cpu_per_request_ns"`
	ClientCores     float64       `json:"client_cores"`
	// OtherCores is the machine's busy CPU during the round minus the
	// server's and serverbench's: other engineers' work on a shared machine.
	OtherCores float64 `json:"other_cores"`
}

// counters is a snapshot of the CPU counters a round differences.
type counters struct {
	at     time.Time
	server measure.ProcStat
	self   time.Duration
	system measure.SystemCPU
}

func snapshot(pid int) (counters, error) {
	var c counters
	var err error
	if c.server, err = measure.ReadProcStat(pid); err != nil {
		return c, fmt.Errorf("server pid %d: %w", pid, err)
	}
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return c, err
	}
	c.self = time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	if c.system, err = measure.ReadSystemCPU(); err != nil {
		return c, err
	}
	c.at = time.Now()
	return c, nil
}

// roundSpec says what one round runs.
type roundSpec struct {
	workload workload
	clients  int
	duration time.Duration
	tag      string
	maxReqs  int // stop after this many requests in total (0: no limit)
}

// runRound runs clients concurrent workers, each sending its next request as
// soon as the previous one is answered, until the duration has passed.
func runRound(ctx context.Context, srv *server, cl *client, spec roundSpec) (Round, error) {
	r := Round{Server: srv.name, Workload: spec.workload.name, Clients: spec.clients}
	type result struct {
		lat     []time.Duration
		errs    int
		samples []string
	}
	results := make([]result, spec.clients)
	var issued sync.Mutex
	total := 0
	take := func() bool {
		if spec.maxReqs == 0 {
			return true
		}
		issued.Lock()
		defer issued.Unlock()
		if total >= spec.maxReqs {
			return false
		}
		total++
		return true
	}

	before, err := snapshot(srv.pid)
	if err != nil {
		return r, err
	}
	deadline := before.at.Add(spec.duration)
	var wg sync.WaitGroup
	for w := range spec.clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			res := &results[w]
			res.lat = make([]time.Duration, 0, 4096)
			for seq := 0; time.Now().Before(deadline) && ctx.Err() == nil && take(); seq++ {
				action, params := spec.workload.next(spec.tag, w, seq)
				t0 := time.Now()
				_, err := cl.call(ctx, action, params)
				d := time.Since(t0)
				if err != nil {
					res.errs++
					if len(res.samples) < 3 {
						res.samples = append(res.samples, err.Error())
					}
					continue
				}
				res.lat = append(res.lat, d)
			}
		}()
	}
	wg.Wait()
	after, err := snapshot(srv.pid)
	if err != nil {
		return r, err
	}
	if err := ctx.Err(); err != nil {
		return r, err
	}

	var all []time.Duration
	seen := map[string]bool{}
	for _, res := range results {
		all = append(all, res.lat...)
		r.Errors += res.errs
		for _, s := range res.samples {
			if !seen[s] && len(r.ErrorSamples) < 5 {
				seen[s] = true
				r.ErrorSamples = append(r.ErrorSamples, s)
			}
		}
	}
	sort.Strings(r.ErrorSamples)
	r.Requests = len(all)
	r.Latency = measure.Summarize(all)
	r.Elapsed = after.at.Sub(before.at)
	secs := r.Elapsed.Seconds()
	r.RPS = float64(r.Requests) / secs
	serverCPU := after.server.CPU() - before.server.CPU()
	clientCPU := after.self - before.self
	machineBusy := measure.TicksToDuration(after.system.Busy - before.system.Busy)
	if n := r.Requests + r.Errors; n > 0 {
		r.ServerCPUPerReq = serverCPU / time.Duration(n)
		r.ClientCPUPerReq = clientCPU / time.Duration(n)
	}
	r.ServerCores = serverCPU.Seconds() / secs
	r.ClientCores = clientCPU.Seconds() / secs
	r.OtherCores = max(0, (machineBusy-serverCPU-clientCPU).Seconds()/secs)
	return r, nil
}

// preload creates users named by name(i) for i in [from, to) with
// concurrent CreateUser calls and returns how long it took. Any failure
// stops it: a benchmark over a half-loaded server would mislead.
func preload(ctx context.Context, cl *client, from, to, workers int, name func(int) string) (time.Duration, error) {
	start := time.Now()
	next := make(chan int)
	errc := make(chan error, workers)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				if _, err := cl.call(ctx, "CreateUser", url.Values{"UserName": {name(i)}}); err != nil {
					errc <- fmt.Errorf("preloading user %s: %w", name(i), err)
					cancel()
					return
				}
			}
		}()
	}
feed:
	for i := from; i < to; i++ {
		select {
		case next <- i:
		case <-ctx.Done():
			break feed
		}
	}
	close(next)
	wg.Wait()
	select {
	case err := <-errc:
		return 0, err
	default:
	}
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	return time.Since(start), nil
}
