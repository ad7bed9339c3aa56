// Package e2e_test drives the real iamd binary over loopback with real AWS
// clients (aws-sdk-go-v2, and the AWS CLI / boto3 where installed), as the
// outside checks do.
package e2e_test

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
)

// iamdBinary builds cmd/iamd once per test run.
func iamdBinary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "iamd-e2e-bin")
		if err != nil {
			buildErr = err
			return
		}
		binPath = filepath.Join(dir, "iamd")
		out, err := exec.Command("go", "build", "-o", binPath, "../../cmd/iamd").CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return binPath
}

// instance is one running iamd process.
type instance struct {
	URL     string
	DataDir string
	cmd     *exec.Cmd
	mu      sync.Mutex
	log     strings.Builder
}

// Log returns everything the process wrote so far.
func (in *instance) Log() string {
	in.mu.Lock()
	defer in.mu.Unlock()
	return in.log.String()
}

var listenRE = regexp.MustCompile(`msg="iamd listening" addr=(http://[0-9.:]+)`)

// start runs `iamd serve --listen 127.0.0.1:0 --data DIR args...` and waits
// for its "listening" log line. The process is stopped with SIGTERM at the
// end of the test, and must exit cleanly.
func start(t *testing.T, dataDir string, args ...string) *instance {
	t.Helper()
	if dataDir == "" {
		dataDir = t.TempDir()
	}
	in := &instance{DataDir: dataDir}
	in.cmd = exec.Command(iamdBinary(t), append([]string{"serve", "--listen", "127.0.0.1:0", "--data", dataDir}, args...)...)
	stderr, err := in.cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	in.cmd.Stdout = io.Discard
	if err := in.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	ready := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			line := sc.Text()
			in.mu.Lock()
			in.log.WriteString(line + "\n")
			in.mu.Unlock()
			if m := listenRE.FindStringSubmatch(line); m != nil {
				select {
				case ready <- m[1]:
				default:
				}
			}
		}
		close(ready)
	}()
	select {
	case url, ok := <-ready:
		if !ok {
			_ = in.cmd.Wait()
			t.Fatalf("iamd exited before listening:\n%s", in.Log())
		}
		in.URL = url
	case <-time.After(30 * time.Second):
		_ = in.cmd.Process.Kill()
		t.Fatalf("iamd did not start listening in 30s:\n%s", in.Log())
	}
	t.Cleanup(func() { in.stop(t) })
	return in
}

// stop sends SIGTERM and requires a clean exit.
func (in *instance) stop(t *testing.T) {
	if in.cmd.ProcessState != nil {
		return
	}
	_ = in.cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan error, 1)
	go func() { done <- in.cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("iamd did not exit cleanly on SIGTERM: %v\n%s", err, in.Log())
		}
	case <-time.After(15 * time.Second):
		_ = in.cmd.Process.Kill()
		t.Errorf("iamd did not exit within 15s of SIGTERM")
	}
}

// creds are static credentials for the SDK.
type creds struct{ ID, Secret, Token string }

func (in *instance) awsConfig(c creds) aws.Config {
	return aws.Config{
		Region:       "us-east-1",
		Credentials:  credentials.NewStaticCredentialsProvider(c.ID, c.Secret, c.Token),
		BaseEndpoint: aws.String(in.URL),
		// Errors must surface on the first attempt so tests see them.
		RetryMaxAttempts: 1,
	}
}

func (in *instance) IAM(c creds) *iam.Client { return iam.NewFromConfig(in.awsConfig(c)) }
func (in *instance) STS(c creds) *sts.Client { return sts.NewFromConfig(in.awsConfig(c)) }

// adminCreds reads the access key a strict-mode first start wrote.
func (in *instance) adminCreds(t *testing.T) creds {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(in.DataDir, "admin-credentials"))
	if err != nil {
		t.Fatal(err)
	}
	var c creds
	for _, line := range strings.Split(string(b), "\n") {
		k, v, ok := strings.Cut(line, "=")
		if !ok {
			continue
		}
		switch strings.TrimSpace(k) {
		case "aws_access_key_id":
			c.ID = strings.TrimSpace(v)
		case "aws_secret_access_key":
			c.Secret = strings.TrimSpace(v)
		}
	}
	if c.ID == "" || c.Secret == "" {
		t.Fatalf("admin-credentials has no key:\n%s", b)
	}
	return c
}

func ctx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	t.Cleanup(cancel)
	return c
}
