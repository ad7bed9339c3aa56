package measure

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// ClockTicks is USER_HZ, the unit of the CPU times in /proc/PID/stat and
// /proc/stat. Linux fixes it at 100 on every architecture Go supports for
// this tool (the kernel converts from its internal HZ), so it is a constant
// rather than a sysconf call that would need cgo.
const ClockTicks = 100

// ProcStat is the part of /proc/PID/stat that serverbench reads.
type ProcStat struct {
	PID     int
	Comm    string // the executable name, as the kernel truncates it (15 bytes)
	State   byte
	PPID    int
	UTime   uint64 // user-mode CPU of all the process's threads, in ClockTicks
	STime   uint64 // kernel-mode CPU of all the process's threads, in ClockTicks
	Threads int
}

// CPU returns the process's user plus system CPU time.
func (s ProcStat) CPU() time.Duration {
	return TicksToDuration(s.UTime + s.STime)
}

// TicksToDuration converts ClockTicks to a duration.
func TicksToDuration(ticks uint64) time.Duration {
	return time.Duration(ticks) * (time.Second / ClockTicks)
}

// ParseProcStat parses the contents of /proc/PID/stat. The command name is
// in parentheses and may itself contain spaces and parentheses, so the
// fields are counted from the last ')' (as proc(5) advises), not by
// splitting the whole line.
func ParseProcStat(b []byte) (ProcStat, error) {
	line := strings.TrimSpace(string(b))
	open := strings.IndexByte(line, '(')
	closing := strings.LastIndexByte(line, ')')
	if open < 0 || closing < open {
		return ProcStat{}, fmt.Errorf("proc stat: no (comm) in %q", clip(line))
	}
	var s ProcStat
	pid, err := strconv.Atoi(strings.TrimSpace(line[:open]))
	if err != nil {
		return ProcStat{}, fmt.Errorf("proc stat: pid: %w", err)
	}
	s.PID = pid
	s.Comm = line[open+1 : closing]
	// fields[0] is field 3 of proc(5) (state), so field n is fields[n-3].
	fields := strings.Fields(line[closing+1:])
	const need = 20 - 3 + 1 // through field 20, num_threads
	if len(fields) < need {
		return ProcStat{}, fmt.Errorf("proc stat: %d fields after (comm), want at least %d", len(fields), need)
	}
	if len(fields[0]) != 1 {
		return ProcStat{}, fmt.Errorf("proc stat: state %q is not one letter", fields[0])
	}
	s.State = fields[0][0]
	if s.PPID, err = strconv.Atoi(fields[4-3]); err != nil {
		return ProcStat{}, fmt.Errorf("proc stat: ppid: %w", err)
	}
	if s.UTime, err = strconv.ParseUint(fields[14-3], 10, 64); err != nil {
		return ProcStat{}, fmt.Errorf("proc stat: utime: %w", err)
	}
	if s.STime, err = strconv.ParseUint(fields[15-3], 10, 64); err != nil {
		return ProcStat{}, fmt.Errorf("proc stat: stime: %w", err)
	}
	if s.Threads, err = strconv.Atoi(fields[20-3]); err != nil {
		return ProcStat{}, fmt.Errorf("proc stat: num_threads: %w", err)
	}
	return s, nil
}

// ReadProcStat reads and parses /proc/PID/stat.
func ReadProcStat(pid int) (ProcStat, error) {
	b, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "stat"))
	if err != nil {
		return ProcStat{}, err
	}
	return ParseProcStat(b)
}

// SystemCPU is the machine-wide first line of /proc/stat, in ClockTicks.
type SystemCPU struct {
	Busy uint64 // user + nice + system + irq + softirq + steal
	Idle uint64 // idle + iowait
}

// ParseSystemCPU parses the aggregate "cpu" line of /proc/stat. serverbench
// subtracts the server's and its own CPU from the machine's busy time to show
// how much other work (other engineers' builds) ran during a round.
func ParseSystemCPU(b []byte) (SystemCPU, error) {
	line, _, _ := bytes.Cut(b, []byte("\n"))
	fields := strings.Fields(string(line))
	if len(fields) < 9 || fields[0] != "cpu" {
		return SystemCPU{}, fmt.Errorf("proc stat: first line %q is not the aggregate cpu line", clip(string(line)))
	}
	var v [8]uint64 // user nice system idle iowait irq softirq steal
	for i := range v {
		n, err := strconv.ParseUint(fields[i+1], 10, 64)
		if err != nil {
			return SystemCPU{}, fmt.Errorf("proc stat: cpu field %d: %w", i+1, err)
		}
		v[i] = n
	}
	return SystemCPU{Busy: v[0] + v[1] + v[2] + v[5] + v[6] + v[7], Idle: v[3] + v[4]}, nil
}

// ReadSystemCPU reads /proc/stat.
func ReadSystemCPU() (SystemCPU, error) {
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return SystemCPU{}, err
	}
	return ParseSystemCPU(b)
}

// ListeningInodes returns the socket inodes of the sockets in LISTEN state
// on the given local port, from the contents of /proc/net/tcp or
// /proc/net/tcp6.
func ListeningInodes(table []byte, port int) ([]uint64, error) {
	if port <= 0 || port > 65535 {
		return nil, fmt.Errorf("port %d out of range", port)
	}
	const listen = "0A"
	var inodes []uint64
	lines := strings.Split(string(table), "\n")
	for i, line := range lines {
		fields := strings.Fields(line)
		if i == 0 || len(fields) < 10 {
			continue // the header, or a blank trailing line
		}
		_, hexPort, ok := strings.Cut(fields[1], ":")
		if !ok {
			return nil, fmt.Errorf("tcp table line %d: local address %q has no port", i+1, fields[1])
		}
		p, err := strconv.ParseUint(hexPort, 16, 16)
		if err != nil {
			return nil, fmt.Errorf("tcp table line %d: port %q: %w", i+1, hexPort, err)
		}
		if int(p) != port || fields[3] != listen {
			continue
		}
		inode, err := strconv.ParseUint(fields[9], 10, 64)
		if err != nil {
			return nil, fmt.Errorf("tcp table line %d: inode %q: %w", i+1, fields[9], err)
		}
		inodes = append(inodes, inode)
	}
	return inodes, nil
}

// ListenerPID returns the id of the process that holds the listening socket
// on a loopback TCP port. It reads /proc/net/tcp{,6} and then the file
// descriptors of every process, so it finds the real server even when the
// command that was started is a wrapper (a pyenv shim, a shell) that forked
// it.
func ListenerPID(port int) (int, error) {
	want := map[string]bool{}
	for _, name := range []string{"/proc/net/tcp", "/proc/net/tcp6"} {
		table, err := os.ReadFile(name)
		if err != nil {
			if os.IsNotExist(err) {
				continue
			}
			return 0, err
		}
		inodes, err := ListeningInodes(table, port)
		if err != nil {
			return 0, fmt.Errorf("%s: %w", name, err)
		}
		for _, ino := range inodes {
			want[fmt.Sprintf("socket:[%d]", ino)] = true
		}
	}
	if len(want) == 0 {
		return 0, fmt.Errorf("no socket listens on port %d", port)
	}
	procs, err := os.ReadDir("/proc")
	if err != nil {
		return 0, err
	}
	for _, p := range procs {
		pid, err := strconv.Atoi(p.Name())
		if err != nil {
			continue
		}
		fdDir := filepath.Join("/proc", p.Name(), "fd")
		fds, err := os.ReadDir(fdDir)
		if err != nil {
			continue // gone, or not ours to read
		}
		for _, fd := range fds {
			target, err := os.Readlink(filepath.Join(fdDir, fd.Name()))
			if err == nil && want[target] {
				return pid, nil
			}
		}
	}
	return 0, fmt.Errorf("no process owns the socket listening on port %d", port)
}

func clip(s string) string {
	if len(s) > 80 {
		return s[:80] + "..."
	}
	return s
}
