package sigv4_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http/httptest"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/iamd/iamd/sigv4"
)

// botocoreScript signs requests with botocore's SigV4Auth and
// SigV4QueryAuth and prints them, then calls two servers with boto3
// clients: argv = key id, secret, good server URL, skewed server URL.
const botocoreScript = `
import json, sys
import boto3, botocore
from botocore.auth import SigV4Auth, SigV4QueryAuth
from botocore.awsrequest import AWSRequest
from botocore.config import Config
from botocore.credentials import Credentials

key, secret, url, skewed = sys.argv[1:5]
out = {"signed": [], "calls": {}}

def emit(name, req):
    p = req.prepare()
    body = p.body or b""
    if isinstance(body, str):
        body = body.encode()
    out["signed"].append({"name": name, "method": p.method, "url": p.url,
                          "headers": dict(p.headers), "body": body.decode()})

body = "Action=CreateUser&Version=2010-05-08&UserName=alice&Path=%2Fdivision_abc%2F"
ct = {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"}
r = AWSRequest(method="POST", url="http://127.0.0.1:4599/", data=body, headers=dict(ct))
SigV4Auth(Credentials(key, secret), "iam", "us-east-1").add_auth(r)
emit("header POST", r)

r = AWSRequest(method="POST", url="http://127.0.0.1:4599/", data=body, headers=dict(ct))
SigV4Auth(Credentials(key, secret, "FwoGZXIvYXdzEXAMPLE//+=="), "sts", "us-east-1").add_auth(r)
emit("header POST with token", r)

r = AWSRequest(method="GET", url="http://127.0.0.1:4599/?Action=ListUsers&Version=2010-05-08&PathPrefix=%2Fa%20b%2F%E2%82%AC")
SigV4Auth(Credentials(key, secret), "iam", "us-east-1").add_auth(r)
emit("header GET", r)

r = AWSRequest(method="GET", url="http://127.0.0.1:4599/?Action=GetCallerIdentity&Version=2011-06-15")
SigV4QueryAuth(Credentials(key, secret, "IQoJb3JpZ2luEXAMPLE"), "sts", "us-east-1", expires=900).add_auth(r)
emit("presigned GET", r)

def call(name, endpoint, secret, fn):
    cfg = Config(retries={"max_attempts": 1}, region_name="us-east-1")
    try:
        fn(boto3.client(name.split(" ")[0], endpoint_url=endpoint, aws_access_key_id=key,
                        aws_secret_access_key=secret, config=cfg))
        out["calls"][name] = {"code": ""}
    except botocore.exceptions.ClientError as e:
        out["calls"][name] = {"code": e.response["Error"]["Code"], "message": e.response["Error"]["Message"]}

call("sts", url, secret, lambda c: c.get_caller_identity())
call("iam", url, secret, lambda c: c.list_users(PathPrefix="/division abc/"))
call("sts wrong secret", url, "wrong", lambda c: c.get_caller_identity())
call("sts skewed", skewed, secret, lambda c: c.get_caller_identity())
print(json.dumps(out))
`

type botocoreOutput struct {
	Signed []struct {
		Name, Method, URL, Body string
		Headers                 map[string]string
	}
	Calls map[string]struct{ Code, Message string }
}

// TestBotocore checks that requests signed by botocore, and calls made by
// boto3 clients, verify.
func TestBotocore(t *testing.T) {
	t.Parallel()
	python, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("python3 is not installed: skipping the botocore cross-check")
	}
	if err := exec.Command(python, "-c", "import boto3, botocore").Run(); err != nil {
		t.Skip("python3 has no boto3/botocore: skipping the botocore cross-check")
	}
	good := newSigServer(t, 0)
	skewed := newSigServer(t, 30*time.Minute)

	cmd := exec.Command(python, "-c", botocoreScript, testKeyID, testSecret, good.URL, skewed.URL)
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "AWS_") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Env = append(cmd.Env, "AWS_CONFIG_FILE=/dev/null", "AWS_SHARED_CREDENTIALS_FILE=/dev/null", "AWS_EC2_METADATA_DISABLED=true")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	raw, err := cmd.Output()
	if err != nil {
		t.Fatalf("botocore script: %v\n%s", err, stderr.String())
	}
	var out botocoreOutput
	if err := json.Unmarshal(raw, &out); err != nil {
		t.Fatalf("botocore output %q: %v", raw, err)
	}

	if len(out.Signed) != 4 {
		t.Fatalf("botocore signed %d requests, want 4", len(out.Signed))
	}
	v := &sigv4.Verifier{Credentials: testKeys}
	for _, s := range out.Signed {
		t.Run(s.Name, func(t *testing.T) {
			r := httptest.NewRequest(s.Method, s.URL, strings.NewReader(s.Body))
			for k, val := range s.Headers {
				if strings.EqualFold(k, "Host") {
					r.Host = val
					continue
				}
				r.Header.Set(k, val)
			}
			res, err := v.Verify(context.Background(), r, []byte(s.Body))
			if err != nil {
				t.Fatalf("Verify: %v\nrequest %+v", err, s)
			}
			if res.Presigned != (s.Name == "presigned GET") {
				t.Fatalf("Presigned = %v", res.Presigned)
			}
			if strings.Contains(s.Name, "token") && (res.SecurityToken == "" || !res.SecurityTokenSigned) {
				t.Fatalf("token %q signed %v", res.SecurityToken, res.SecurityTokenSigned)
			}
			if s.Name == "presigned GET" && (res.SecurityToken != "IQoJb3JpZ2luEXAMPLE" || !res.SecurityTokenSigned) {
				t.Fatalf("presigned token %q signed %v", res.SecurityToken, res.SecurityTokenSigned)
			}
			// Any change to the body breaks botocore's signature too.
			if s.Body != "" {
				_, err := v.Verify(context.Background(), r, []byte(s.Body+"&x=1"))
				if err == nil {
					t.Fatal("tampered body verified")
				}
			}
		})
	}

	want := map[string]string{"sts": "", "iam": "", "sts wrong secret": "SignatureDoesNotMatch", "sts skewed": "SignatureDoesNotMatch"}
	for name, code := range want {
		got, ok := out.Calls[name]
		if !ok || got.Code != code {
			t.Errorf("boto3 %s: got %+v, want code %q", name, got, code)
		}
	}
	// botocore has no clock skew correction; it shows AWS's message.
	if m := out.Calls["sts skewed"].Message; !strings.HasPrefix(m, "Signature expired: ") || !strings.HasSuffix(m, " - 15 min.)") {
		t.Errorf("skewed message %q", m)
	}
	if attempts, ok := good.counts(); attempts != 3 || ok != 2 {
		t.Errorf("good server: %d attempts, %d verified; want 3, 2", attempts, ok)
	}
}
