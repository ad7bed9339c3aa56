package measure_test

import (
	"net"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/iamd/iamd/bench/serverbench/measure"
)

func ms(n int) time.Duration { return time.Duration(n) * time.Millisecond }

// seq returns 1ms, 2ms, ..., n ms.
func seq(n int) []time.Duration {
	out := make([]time.Duration, n)
	for i := range out {
		out[i] = ms(i + 1)
	}
	return out
}

func TestPercentile(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name    string
		samples []time.Duration
		p       float64
		want    time.Duration
		wantErr bool
	}{
		{"median of 1..100 is the 50th", seq(100), 50, ms(50), false},
		{"p99 of 1..100", seq(100), 99, ms(99), false},
		{"p100 is the maximum", seq(100), 100, ms(100), false},
		{"p90 of 1..10", seq(10), 90, ms(9), false},
		{"p99 of 1..10 rounds up to the maximum", seq(10), 99, ms(10), false},
		{"median of an even count is the lower middle", seq(4), 50, ms(2), false},
		{"tiny p is the minimum", seq(1000), 0.0001, ms(1), false},
		{"one sample answers every p", seq(1), 37, ms(1), false},
		{"p99.9 of 1..1000", seq(1000), 99.9, ms(999), false},
		{"no samples", nil, 50, 0, true},
		{"p zero", seq(10), 0, 0, true},
		{"p above 100", seq(10), 101, 0, true},
		{"p negative", seq(10), -5, 0, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			got, err := measure.Percentile(c.samples, c.p)
			if c.wantErr {
				if err == nil {
					t.Fatalf("Percentile(%d samples, %v) = %v, want an error", len(c.samples), c.p, got)
				}
				return
			}
			if err != nil || got != c.want {
				t.Fatalf("Percentile(%d samples, %v) = %v, %v; want %v", len(c.samples), c.p, got, err, c.want)
			}
		})
	}
}

func TestSummarize(t *testing.T) {
	t.Parallel()
	// 1..100 ms in reverse order: Summarize must sort.
	samples := seq(100)
	for i, j := 0, len(samples)-1; i < j; i, j = i+1, j-1 {
		samples[i], samples[j] = samples[j], samples[i]
	}
	got := measure.Summarize(samples)
	want := measure.Latency{Count: 100, P50: ms(50), P90: ms(90), P99: ms(99), Max: ms(100), Mean: 50500 * time.Microsecond}
	if got != want {
		t.Fatalf("Summarize(100..1 ms) = %+v, want %+v", got, want)
	}
	if z := measure.Summarize(nil); z != (measure.Latency{}) {
		t.Fatalf("Summarize(nil) = %+v, want zero", z)
	}
}

func TestMedian(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		xs   []float64
		want float64
	}{
		{"none", nil, 0},
		{"odd", []float64{3, 1, 2}, 2},
		{"even averages the middle two", []float64{4, 1, 3, 2}, 2.5},
		{"one outlier does not move it", []float64{10, 11, 1000}, 11},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			in := append([]float64(nil), c.xs...)
			if got := measure.Median(in); got != c.want {
				t.Fatalf("Median(%v) = %v, want %v", c.xs, got, c.want)
			}
			for i := range in {
				if in[i] != c.xs[i] {
					t.Fatalf("Median reordered its input: %v", in)
				}
			}
		})
	}
}

func TestParseProcStat(t *testing.T) {
	t.Parallel()
	// Fields 3..52 of a real stat line; utime (14) = 1234, stime (15) = 567,
	// num_threads (20) = 9.
	rest := "S 1 4242 4242 0 -1 4194560 1000 0 0 0 1234 567 0 0 20 0 9 0 292919 3133440 411 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0 0 0 0 0 0 0 0 0"
	cases := []struct {
		name    string
		line    string
		want    measure.ProcStat
		wantErr string
	}{
		{"plain", "4242 (python3) " + rest, measure.ProcStat{PID: 4242, Comm: "python3", State: 'S', PPID: 1, UTime: 1234, STime: 567, Threads: 9}, ""},
		{"comm with spaces and parentheses", "77 (a) b (c) " + rest + "\n", measure.ProcStat{PID: 77, Comm: "a) b (c", State: 'S', PPID: 1, UTime: 1234, STime: 567, Threads: 9}, ""},
		{"empty comm", "5 () " + rest, measure.ProcStat{PID: 5, Comm: "", State: 'S', PPID: 1, UTime: 1234, STime: 567, Threads: 9}, ""},
		{"no parentheses", "5 python3 " + rest, measure.ProcStat{}, "no (comm)"},
		{"truncated", "5 (x) S 1 2 3", measure.ProcStat{}, "fields after (comm)"},
		{"bad utime", "5 (x) S 1 4242 4242 0 -1 4194560 1000 0 0 0 12x4 567 0 0 20 0 9 0", measure.ProcStat{}, "utime"},
		{"bad pid", "x5 (x) " + rest, measure.ProcStat{}, "pid"},
		{"empty", "", measure.ProcStat{}, "no (comm)"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			got, err := measure.ParseProcStat([]byte(c.line))
			if c.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), c.wantErr) {
					t.Fatalf("ParseProcStat = %+v, %v; want an error containing %q", got, err, c.wantErr)
				}
				return
			}
			if err != nil || got != c.want {
				t.Fatalf("ParseProcStat = %+v, %v; want %+v", got, err, c.want)
			}
		})
	}
	if got := (measure.ProcStat{UTime: 150, STime: 50}).CPU(); got != 2*time.Second {
		t.Fatalf("CPU of 200 ticks = %v, want 2s", got)
	}
}

// TestReadProcStatSelf checks the parser against this very process's real
// stat file.
func TestReadProcStatSelf(t *testing.T) {
	if _, err := os.Stat("/proc/self/stat"); err != nil {
		t.Skip("no /proc on this system")
	}
	s, err := measure.ReadProcStat(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	if s.PID != os.Getpid() || s.Threads < 1 || s.PPID != os.Getppid() {
		t.Fatalf("ReadProcStat(self) = %+v, pid %d ppid %d", s, os.Getpid(), os.Getppid())
	}
}

func TestParseSystemCPU(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name    string
		in      string
		want    measure.SystemCPU
		wantErr bool
	}{
		{"aggregate line", "cpu  100 2 30 4000 50 6 7 8 0 0\ncpu0 1 2 3 4 5 6 7 8 0 0\n", measure.SystemCPU{Busy: 100 + 2 + 30 + 6 + 7 + 8, Idle: 4000 + 50}, false},
		{"per-cpu line first", "cpu0 1 2 3 4 5 6 7 8 0 0\n", measure.SystemCPU{}, true},
		{"too short", "cpu 1 2 3\n", measure.SystemCPU{}, true},
		{"not a number", "cpu 1 2 3 x 5 6 7 8 0 0\n", measure.SystemCPU{}, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			got, err := measure.ParseSystemCPU([]byte(c.in))
			if (err != nil) != c.wantErr || got != c.want {
				t.Fatalf("ParseSystemCPU = %+v, %v; want %+v, error %v", got, err, c.want, c.wantErr)
			}
		})
	}
}

func TestListeningInodes(t *testing.T) {
	t.Parallel()
	// Port 0x1F90 = 8080 listening (0A) with inode 5555; an established (01)
	// connection from that port; port 0x07E8 = 2024 listening with inode 624.
	table := `  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 5555 1 0000000000000000 100 0 0 10 0
   1: 0100007F:1F90 0100007F:D2F0 01 00000000:00000000 00:00000000 00000000     0        0 7777 1 0000000000000000 20 4 30 10 -1
   2: 00000000:07E8 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 624 1 0000000000000000 100 0 0 10 0
`
	cases := []struct {
		name    string
		table   string
		port    int
		want    []uint64
		wantErr bool
	}{
		{"listening socket only, not the connection", table, 8080, []uint64{5555}, false},
		{"another port", table, 2024, []uint64{624}, false},
		{"nobody listens", table, 9999, nil, false},
		{"port out of range", table, 70000, nil, true},
		{"malformed port", "header\n 0: 0100007F:ZZZZ 00000000:0000 0A 0:0 0:0 0 0 0 1 1\n", 8080, nil, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			got, err := measure.ListeningInodes([]byte(c.table), c.port)
			if (err != nil) != c.wantErr {
				t.Fatalf("ListeningInodes(%d) error = %v, want error %v", c.port, err, c.wantErr)
			}
			if len(got) != len(c.want) {
				t.Fatalf("ListeningInodes(%d) = %v, want %v", c.port, got, c.want)
			}
			for i := range got {
				if got[i] != c.want[i] {
					t.Fatalf("ListeningInodes(%d) = %v, want %v", c.port, got, c.want)
				}
			}
		})
	}
}

// TestListenerPID finds this process as the owner of a socket it listens on.
func TestListenerPID(t *testing.T) {
	if _, err := os.Stat("/proc/net/tcp"); err != nil {
		t.Skip("no /proc/net/tcp on this system")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	port := ln.Addr().(*net.TCPAddr).Port
	pid, err := measure.ListenerPID(port)
	if err != nil || pid != os.Getpid() {
		t.Fatalf("ListenerPID(%d) = %d, %v; want %d", port, pid, err, os.Getpid())
	}
	ln.Close()
	if pid, err := measure.ListenerPID(port); err == nil {
		t.Fatalf("ListenerPID(%d) after close = %d, want an error", port, pid)
	}
}
