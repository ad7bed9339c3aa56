package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/iamd/iamd/bench/serverbench/measure"
)

// motoCredentials are AWS's documented example keys: moto accepts any key
// and checks no signature, but the requests are signed all the same so that
// both servers receive byte-for-byte the same kind of request.
var motoCredentials = aws.Credentials{
	AccessKeyID:     "AKIAIOSFODNN7EXAMPLE",
	SecretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
	Source:          "serverbench",
}

// server is one running server under test.
type server struct {
	name     string // "iamd" or "moto"
	cmd      *exec.Cmd
	pid      int // the process that owns the listening socket: its CPU is measured
	port     int
	endpoint string
	creds    aws.Credentials
	logPath  string
	version  string // moto's version; empty for iamd
	exited   chan struct{}
	waitErr  error
}

// startIamd starts `iamd serve` in strict mode on a free loopback port with
// a fresh data directory under dir, and waits until a request signed with
// the admin key written at first start succeeds.
func startIamd(ctx context.Context, bin, dir string) (*server, error) {
	data := filepath.Join(dir, "data")
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	s := &server{name: "iamd", port: port, logPath: filepath.Join(dir, "iamd.log")}
	s.cmd = exec.Command(bin, "serve", "--listen", fmt.Sprintf("127.0.0.1:%d", port), "--data", data)
	if err := s.start(); err != nil {
		return nil, err
	}
	credsFile := filepath.Join(data, "admin-credentials")
	err = s.waitReady(ctx, func() (aws.Credentials, error) {
		b, err := os.ReadFile(credsFile)
		if err != nil {
			return aws.Credentials{}, err
		}
		return parseCredentials(b, "iamd")
	})
	if err != nil {
		s.stop()
		return nil, err
	}
	return s, nil
}

// startMoto starts moto's server with the given Python interpreter. The
// interpreter is first resolved to the real executable (python3 is often a
// pyenv shim, a bash script that execs it), and the measured PID is the
// process that owns the listening socket in any case.
func startMoto(ctx context.Context, python, dir string) (*server, error) {
	out, err := exec.CommandContext(ctx, python, "-c", "import sys, moto; print(sys.executable); print(moto.__version__)").Output()
	if err != nil {
		return nil, fmt.Errorf("%s cannot import moto (pip install 'moto[server]'): %w", python, err)
	}
	exe, version, _ := strings.Cut(strings.TrimSpace(string(out)), "\n")
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	s := &server{name: "moto", port: port, logPath: filepath.Join(dir, "moto.log"), version: strings.TrimSpace(version)}
	s.cmd = exec.Command(exe, "-m", "moto.server", "-H", "127.0.0.1", "-p", fmt.Sprint(port))
	if err := s.start(); err != nil {
		return nil, err
	}
	if err := s.waitReady(ctx, func() (aws.Credentials, error) { return motoCredentials, nil }); err != nil {
		s.stop()
		return nil, err
	}
	return s, nil
}

// start launches the command with its output in the log file. The child is
// killed if serverbench dies, so no server outlives a crashed run.
func (s *server) start() error {
	logf, err := os.Create(s.logPath)
	if err != nil {
		return err
	}
	s.cmd.Stdout, s.cmd.Stderr = logf, logf
	s.cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := s.cmd.Start(); err != nil {
		logf.Close()
		return fmt.Errorf("starting %s: %w", s.name, err)
	}
	s.exited = make(chan struct{})
	go func() {
		s.waitErr = s.cmd.Wait()
		logf.Close()
		close(s.exited)
	}()
	s.endpoint = fmt.Sprintf("http://127.0.0.1:%d/", s.port)
	return nil
}

// waitReady polls until the server accepts a signed ListUsers, then finds the
// process that owns its listening socket.
func (s *server) waitReady(ctx context.Context, creds func() (aws.Credentials, error)) error {
	deadline := time.Now().Add(90 * time.Second)
	var last error
	for time.Now().Before(deadline) {
		select {
		case <-s.exited:
			return fmt.Errorf("%s exited during startup (%v); log %s:\n%s", s.name, s.waitErr, s.logPath, tail(s.logPath))
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
		c, err := creds()
		if err != nil {
			last = err
			continue
		}
		cl := newClient(s.endpoint, c, 1)
		_, err = cl.call(ctx, "ListUsers", url.Values{"MaxItems": {"1"}})
		cl.close()
		if err != nil {
			last = err
			var api *apiError
			if errors.As(err, &api) {
				return fmt.Errorf("%s answered the readiness request with %w", s.name, err)
			}
			continue
		}
		s.creds = c
		pid, err := measure.ListenerPID(s.port)
		if err != nil {
			return fmt.Errorf("%s: finding the serving process: %w", s.name, err)
		}
		s.pid = pid
		return nil
	}
	return fmt.Errorf("%s not ready after 90s: %v; log %s:\n%s", s.name, last, s.logPath, tail(s.logPath))
}

// stop asks the server to shut down (SIGTERM), and kills it after 10s.
func (s *server) stop() {
	if s.cmd == nil || s.cmd.Process == nil {
		return
	}
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.exited:
	case <-time.After(10 * time.Second):
		_ = s.cmd.Process.Kill()
		<-s.exited
	}
}

// describe names the measured process for the report.
func (s *server) describe() string {
	st, err := measure.ReadProcStat(s.pid)
	if err != nil {
		return fmt.Sprintf("pid %d", s.pid)
	}
	note := ""
	if s.pid != s.cmd.Process.Pid {
		note = fmt.Sprintf(", child of started pid %d", s.cmd.Process.Pid)
	}
	return fmt.Sprintf("pid %d (%s, %d threads%s)", s.pid, st.Comm, st.Threads, note)
}

// parseCredentials reads one profile's keys from an AWS shared-credentials
// file.
func parseCredentials(b []byte, profile string) (aws.Credentials, error) {
	var c aws.Credentials
	in := false
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") || strings.HasPrefix(line, ";") {
			continue
		}
		if strings.HasPrefix(line, "[") && strings.HasSuffix(line, "]") {
			in = strings.TrimSpace(line[1:len(line)-1]) == profile
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		if !in || !ok {
			continue
		}
		switch strings.TrimSpace(k) {
		case "aws_access_key_id":
			c.AccessKeyID = strings.TrimSpace(v)
		case "aws_secret_access_key":
			c.SecretAccessKey = strings.TrimSpace(v)
		case "aws_session_token":
			c.SessionToken = strings.TrimSpace(v)
		}
	}
	if c.AccessKeyID == "" || c.SecretAccessKey == "" {
		return aws.Credentials{}, fmt.Errorf("credentials file has no complete profile %q", profile)
	}
	c.Source = "serverbench"
	return c, nil
}

// freePort asks the kernel for a free loopback port.
func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

// iamdSource returns src, or else the directory of the iamd module that
// bench/go.mod replaces iamd with (the working tree).
func iamdSource(ctx context.Context, src string) (string, error) {
	if src != "" {
		return filepath.Abs(src)
	}
	root, err := exec.CommandContext(ctx, "go", "list", "-m", "-f", "{{.Dir}}", "github.com/iamd/iamd").Output()
	if err != nil {
		return "", fmt.Errorf("locating iamd's source (run from bench/, or pass -iamd or -iamd-src): %w", err)
	}
	return strings.TrimSpace(string(root)), nil
}

// buildIamd builds iamd's ./cmd/iamd from the source directory src.
func buildIamd(ctx context.Context, src, dir string) (string, error) {
	root, err := iamdSource(ctx, src)
	if err != nil {
		return "", err
	}
	bin := filepath.Join(dir, "iamd")
	cmd := exec.CommandContext(ctx, "go", "build", "-o", bin, "./cmd/iamd")
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build ./cmd/iamd in %s: %w\n%s", cmd.Dir, err, out)
	}
	return bin, nil
}

// buildIamdProf builds the profiling harness (iamdprof/main.go) inside
// iamd's module through an overlay: the file appears at a virtual path in
// iamd's tree, so it may import iamd's internal packages with iamd's own
// go.mod and go.sum, and nothing is written there.
func buildIamdProf(ctx context.Context, src, dir string) (string, error) {
	rootDir, err := iamdSource(ctx, src)
	if err != nil {
		return "", err
	}
	self, err := exec.CommandContext(ctx, "go", "list", "-f", "{{.Dir}}", "github.com/iamd/iamd/bench/serverbench").Output()
	if err != nil {
		return "", fmt.Errorf("locating serverbench's source (run from bench/): %w", err)
	}
	virtual := filepath.Join(rootDir, "zz_serverbench_iamdprof", "main.go")
	overlay, err := json.Marshal(map[string]map[string]string{
		"Replace": {virtual: filepath.Join(strings.TrimSpace(string(self)), "iamdprof", "main.go")},
	})
	if err != nil {
		return "", err
	}
	overlayFile := filepath.Join(dir, "overlay.json")
	if err := os.WriteFile(overlayFile, overlay, 0o600); err != nil {
		return "", err
	}
	bin := filepath.Join(dir, "iamdprof")
	cmd := exec.CommandContext(ctx, "go", "build", "-tags", "serverbench_iamdprof", "-overlay", overlayFile, "-o", bin, "./zz_serverbench_iamdprof")
	cmd.Dir = rootDir
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("building the profiling harness: %w\n%s", err, out)
	}
	return bin, nil
}

// tail returns the last lines of a log file.
func tail(path string) string {
	f, err := os.Open(path)
	if err != nil {
		return err.Error()
	}
	defer f.Close()
	b, _ := io.ReadAll(io.LimitReader(f, 1<<20))
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	if len(lines) > 15 {
		lines = lines[len(lines)-15:]
	}
	return strings.Join(lines, "\n")
}
