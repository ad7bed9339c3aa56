package main

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"runtime"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/iamd/iamd/bench/serverbench/measure"
)

// Spread is a per-round quantity's median and range over the rounds.
type Spread struct {
	Median float64 `json:"median"`
	Min    float64 `json:"min"`
	Max    float64 `json:"max"`
}

// MarshalJSON writes a value that is not finite (a ratio over a server that
// answered nothing or used no measurable CPU) as null, which encoding/json
// would otherwise refuse.
func (s Spread) MarshalJSON() ([]byte, error) {
	num := func(f float64) *float64 {
		if math.IsInf(f, 0) || math.IsNaN(f) {
			return nil
		}
		return &f
	}
	return json.Marshal(struct {
		Median *float64 `json:"median"`
		Min    *float64 `json:"min"`
		Max    *float64 `json:"max"`
	}{num(s.Median), num(s.Min), num(s.Max)})
}

// atLeast reports whether a ratio is finite and at least want: a ratio over
// a peer that answered nothing is no evidence of being faster.
func atLeast(ratio, want float64) bool {
	return !math.IsInf(ratio, 0) && !math.IsNaN(ratio) && ratio >= want
}

func spreadOf(xs []float64) Spread {
	if len(xs) == 0 {
		return Spread{}
	}
	return Spread{Median: measure.Median(xs), Min: slices.Min(xs), Max: slices.Max(xs)}
}

// Aggregate is one server's rounds of one workload at one client count.
type Aggregate struct {
	Server   string `json:"server"`
	Workload string `json:"workload"`
	Clients  int    `json:"clients"`
	Rounds   int    `json:"rounds"`
	Errors   int    `json:"errors"`

	RPS             Spread `json:"requests_per_second"`
	ServerCPUPerReq Spread `json:"server_cpu_per_request_ns"`
	// Latency percentiles are the medians over rounds of each round's.
	P50 time.Duration `json:"p50_ns"`
	P90 time.Duration `json:"p90_ns"`
	P99 time.Duration `json:"p99_ns"`
	Max time.Duration `json:"max_ns"` // the largest over all rounds

	ServerCores     float64       `json:"server_cores"`
	ClientCPUPerReq time.Duration `json:"client_cpu_per_request_ns"`
	ClientCores     float64       `json:"client_cores"`
	OtherCores      Spread        `json:"other_cores"`
}

// Comparison is iamd ÷ moto for one workload and client count. Median is
// the ratio of the medians; Min and Max are over the interleaved round
// pairs (iamd's round i against moto's round i).
type Comparison struct {
	Workload string `json:"workload"`
	Clients  int    `json:"clients"`
	RPS      Spread `json:"requests_per_second_ratio"`
	CPU      Spread `json:"cpu_per_request_ratio"`
}

// Target is one of the goals and whether this run met it.
type Target struct {
	Name     string `json:"name"`
	Want     string `json:"want"`
	Got      string `json:"got"`
	Measured bool   `json:"measured"`
	Pass     bool   `json:"pass"`
}

type key struct {
	server, workload string
	clients          int
}

// aggregate groups rounds by server, workload and client count, in the
// order they first ran.
func aggregate(rounds []Round) []Aggregate {
	var order []key
	groups := map[key][]Round{}
	for _, r := range rounds {
		k := key{r.Server, r.Workload, r.Clients}
		if _, ok := groups[k]; !ok {
			order = append(order, k)
		}
		groups[k] = append(groups[k], r)
	}
	var out []Aggregate
	for _, k := range order {
		rs := groups[k]
		a := Aggregate{Server: k.server, Workload: k.workload, Clients: k.clients, Rounds: len(rs)}
		var rps, cpu, p50, p90, p99, sc, ccpu, cc, other []float64
		for _, r := range rs {
			a.Errors += r.Errors
			rps = append(rps, r.RPS)
			cpu = append(cpu, float64(r.ServerCPUPerReq))
			p50 = append(p50, float64(r.Latency.P50))
			p90 = append(p90, float64(r.Latency.P90))
			p99 = append(p99, float64(r.Latency.P99))
			a.Max = max(a.Max, r.Latency.Max)
			sc = append(sc, r.ServerCores)
			ccpu = append(ccpu, float64(r.ClientCPUPerReq))
			cc = append(cc, r.ClientCores)
			other = append(other, r.OtherCores)
		}
		a.RPS, a.ServerCPUPerReq, a.OtherCores = spreadOf(rps), spreadOf(cpu), spreadOf(other)
		a.P50, a.P90, a.P99 = dur(measure.Median(p50)), dur(measure.Median(p90)), dur(measure.Median(p99))
		a.ServerCores, a.ClientCores = measure.Median(sc), measure.Median(cc)
		a.ClientCPUPerReq = dur(measure.Median(ccpu))
		out = append(out, a)
	}
	return out
}

func dur(f float64) time.Duration { return time.Duration(math.Round(f)) }

// compare pairs iamd's and moto's rounds of each workload and client count.
func compare(rounds []Round) []Comparison {
	byKey := map[key][]Round{}
	var order []key
	for _, r := range rounds {
		k := key{"", r.Workload, r.Clients}
		if _, ok := byKey[k]; !ok {
			order = append(order, k)
		}
		byKey[k] = append(byKey[k], r)
	}
	var out []Comparison
	for _, k := range order {
		var iamd, moto []Round
		for _, r := range byKey[k] {
			switch r.Server {
			case "iamd":
				iamd = append(iamd, r)
			case "moto":
				moto = append(moto, r)
			}
		}
		if len(iamd) == 0 || len(moto) == 0 {
			continue
		}
		c := Comparison{Workload: k.workload, Clients: k.clients}
		var rpsI, rpsM, cpuI, cpuM, pairRPS, pairCPU []float64
		for i := range max(len(iamd), len(moto)) {
			if i < len(iamd) {
				rpsI = append(rpsI, iamd[i].RPS)
				cpuI = append(cpuI, float64(iamd[i].ServerCPUPerReq))
			}
			if i < len(moto) {
				rpsM = append(rpsM, moto[i].RPS)
				cpuM = append(cpuM, float64(moto[i].ServerCPUPerReq))
			}
			if i < len(iamd) && i < len(moto) {
				pairRPS = append(pairRPS, ratio(iamd[i].RPS, moto[i].RPS))
				pairCPU = append(pairCPU, ratio(float64(iamd[i].ServerCPUPerReq), float64(moto[i].ServerCPUPerReq)))
			}
		}
		c.RPS = Spread{Median: ratio(measure.Median(rpsI), measure.Median(rpsM)), Min: slices.Min(pairRPS), Max: slices.Max(pairRPS)}
		c.CPU = Spread{Median: ratio(measure.Median(cpuI), measure.Median(cpuM)), Min: slices.Min(pairCPU), Max: slices.Max(pairCPU)}
		out = append(out, c)
	}
	return out
}

// ratio is a ÷ b, or +Inf when b is 0 (a server that used no measurable
// CPU) so that no division by zero hides as a pass.
func ratio(a, b float64) float64 {
	if b == 0 {
		return math.Inf(1)
	}
	return a / b
}

// Flatness bounds "page time flat": the first ListUsers page at the largest
// scale may take at most this many times as long as at the smallest.
const Flatness = 2.0

// evaluate checks the targets against the comparisons and the
// scaling points. A target whose inputs were not measured (another -clients
// list, -scale empty) is reported as not measured, never as passed.
func evaluate(comps []Comparison, aggs []Aggregate, scale []ScalePoint) []Target {
	find := func(workload string, clients int) (Comparison, bool) {
		for _, c := range comps {
			if c.Workload == workload && c.Clients == clients {
				return c, true
			}
		}
		return Comparison{}, false
	}
	var ts []Target
	if c, ok := find("GetUser", 8); ok {
		ts = append(ts,
			Target{Name: "GetUser 8 clients: requests/s vs moto", Want: ">= 15x", Measured: true,
				Got: fmt.Sprintf("%.2fx (rounds %.1f-%.1fx)", c.RPS.Median, c.RPS.Min, c.RPS.Max), Pass: atLeast(c.RPS.Median, 15)},
			Target{Name: "GetUser 8 clients: server CPU/request vs moto", Want: "<= 1/20 (0.050)", Measured: true,
				Got: fmt.Sprintf("%.3f = 1/%.0f (rounds %.3f-%.3f)", c.CPU.Median, 1/c.CPU.Median, c.CPU.Min, c.CPU.Max), Pass: c.CPU.Median <= 1.0/20})
	} else {
		ts = append(ts, Target{Name: "GetUser 8 clients: requests/s and CPU vs moto", Want: ">= 15x, <= 1/20", Got: "not measured (no GetUser rounds with 8 clients)"})
	}
	created := false
	for _, c := range comps {
		if c.Workload != "CreateUser" {
			continue
		}
		created = true
		ts = append(ts, Target{Name: fmt.Sprintf("CreateUser %d client(s), durable SQLite: requests/s vs moto", c.Clients),
			Want: ">= 5x", Measured: true, Pass: atLeast(c.RPS.Median, 5),
			Got: fmt.Sprintf("%.2fx (rounds %.1f-%.1fx)", c.RPS.Median, c.RPS.Min, c.RPS.Max)})
	}
	if !created {
		ts = append(ts, Target{Name: "CreateUser: requests/s vs moto", Want: ">= 5x", Got: "not measured"})
	}
	errs := 0
	for _, a := range aggs {
		errs += a.Errors
	}
	ts = append(ts, Target{Name: "errors in all rounds (non-200s included)", Want: "0", Got: fmt.Sprint(errs), Measured: len(aggs) > 0, Pass: len(aggs) > 0 && errs == 0})

	var iamd []ScalePoint
	for _, p := range scale {
		if p.Server == "iamd" {
			iamd = append(iamd, p)
		}
	}
	if len(iamd) >= 2 {
		lo, hi := iamd[0], iamd[len(iamd)-1]
		f := ratio(float64(hi.FirstPage.P50), float64(lo.FirstPage.P50))
		ts = append(ts, Target{Name: fmt.Sprintf("ListUsers page time flat, %d -> %d users (first page p50)", lo.Users, hi.Users),
			Want: fmt.Sprintf("<= %.0fx", Flatness), Measured: true, Pass: f <= Flatness,
			Got: fmt.Sprintf("%.2fx (%v -> %v; deepest walk page max %v)", f, ms(lo.FirstPage.P50), ms(hi.FirstPage.P50), ms(hi.Walk.Max))})
	} else {
		ts = append(ts, Target{Name: "ListUsers page time flat from 100 to 100,000 users", Want: fmt.Sprintf("<= %.0fx", Flatness), Got: "not measured (-scale needs two sizes)"})
	}
	return ts
}

// ms formats a duration in milliseconds with three significant decimals.
func ms(d time.Duration) string {
	return fmt.Sprintf("%.3fms", float64(d)/float64(time.Millisecond))
}

// us formats a duration in microseconds.
func us(d float64) string {
	return fmt.Sprintf("%.0fus", d/float64(time.Microsecond))
}

// printReport writes the human-readable tables.
func printReport(w io.Writer, s *Summary) {
	fmt.Fprintf(w, "\nserverbench: %s\n", s.Machine)
	fmt.Fprintf(w, "iamd: strict mode, every request SigV4-verified, data on %s (%s); moto %s (no signature checks)\n",
		s.DataDir, s.DataFS, s.MotoVersion)
	fmt.Fprintf(w, "measured processes: iamd %s; moto %s\n", s.IamdProcess, s.MotoProcess)
	fmt.Fprintf(w, "rounds: %d x %v per server, interleaved iamd/moto; preload %d users each; client GOMAXPROCS %d\n\n", s.Rounds, s.Duration, preloadUsers, s.ClientProcs)
	if s.Calibration != nil {
		fmt.Fprintf(w, "client ceiling (same client, in-process null server, %d clients): %.0f req/s, %s CPU/request for client+null server together\n\n",
			s.Calibration.Clients, s.Calibration.RPS, us(float64(s.Calibration.CPUPerReq)))
	}

	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "workload\tclients\tserver\treq/s (min-max)\tp50\tp90\tp99\tmax\terrors\tserver CPU/req (min-max)\tserver cores\tclient CPU/req\tclient cores\tother cores (max)\t")
	for _, a := range s.Aggregates {
		fmt.Fprintf(tw, "%s\t%d\t%s\t%.0f (%.0f-%.0f)\t%s\t%s\t%s\t%s\t%d\t%s (%s-%s)\t%.2f\t%s\t%.2f\t%.2f (%.2f)\t\n",
			a.Workload, a.Clients, a.Server, a.RPS.Median, a.RPS.Min, a.RPS.Max,
			ms(a.P50), ms(a.P90), ms(a.P99), ms(a.Max), a.Errors,
			us(a.ServerCPUPerReq.Median), us(a.ServerCPUPerReq.Min), us(a.ServerCPUPerReq.Max),
			a.ServerCores, us(float64(a.ClientCPUPerReq)), a.ClientCores, a.OtherCores.Median, a.OtherCores.Max)
	}
	tw.Flush()

	fmt.Fprintln(w, "\niamd / moto (median of rounds; range over interleaved round pairs):")
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "workload\tclients\treq/s ratio\trange\tCPU/req ratio\trange\t")
	for _, c := range s.Comparisons {
		fmt.Fprintf(tw, "%s\t%d\t%.1fx\t%.1f-%.1fx\t%.3f (1/%.0f)\t%.3f-%.3f\t\n",
			c.Workload, c.Clients, c.RPS.Median, c.RPS.Min, c.RPS.Max, c.CPU.Median, 1/c.CPU.Median, c.CPU.Min, c.CPU.Max)
	}
	tw.Flush()

	if len(s.Scaling) > 0 {
		fmt.Fprintln(w, "\nListUsers MaxItems=100 scaling (first page repeated by 1 client; walk = every page through Marker):")
		tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
		fmt.Fprintln(tw, "server\tusers\tpreload\tpreload/s\tfirst page p50\tp99\tserver CPU/page\twalk pages\twalk p50\twalk max\titems/page max\t")
		for _, p := range s.Scaling {
			fmt.Fprintf(tw, "%s\t%d\t%v\t%.0f\t%s\t%s\t%s\t%d\t%s\t%s\t%d\t\n",
				p.Server, p.Users, p.PreloadTime.Round(10*time.Millisecond), p.PreloadRate,
				ms(p.FirstPage.P50), ms(p.FirstPage.P99), us(float64(p.ServerCPUPerReq)),
				p.Walk.Count, ms(p.Walk.P50), ms(p.Walk.Max), p.MaxPageItems)
		}
		tw.Flush()
		if s.MotoScaleNote != "" {
			fmt.Fprintln(w, s.MotoScaleNote)
		}
	}

	busiest := 0.0
	for _, r := range s.RoundsDetail {
		busiest = max(busiest, r.OtherCores)
	}
	if busiest > 0.25 {
		fmt.Fprintf(w, "\nnote: other processes used up to %.2f of the %d cores during a round (column \"other cores\"): the machine was shared, compare rounds with little other load.\n", busiest, runtime.NumCPU())
	}

	fmt.Fprintln(w, "\ntargets:")
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, t := range s.Targets {
		verdict := "FAIL"
		switch {
		case !t.Measured:
			verdict = "n/a"
		case t.Pass:
			verdict = "PASS"
		}
		fmt.Fprintf(tw, "  %s\t%s\twant %s\tgot %s\t\n", verdict, t.Name, t.Want, t.Got)
	}
	tw.Flush()
	var bad []string
	for _, a := range s.Aggregates {
		if a.Errors > 0 {
			bad = append(bad, fmt.Sprintf("%s %s %d clients", a.Server, a.Workload, a.Clients))
		}
	}
	if len(bad) > 0 {
		fmt.Fprintf(w, "\nerrors in: %s\n", strings.Join(bad, "; "))
		for _, r := range s.RoundsDetail {
			for _, e := range r.ErrorSamples {
				fmt.Fprintf(w, "  %s %s %d clients round %d: %s\n", r.Server, r.Workload, r.Clients, r.Index, e)
			}
		}
	}
}
