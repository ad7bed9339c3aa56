package awsquery_test

// botocore (the AWS CLI's and boto3's engine) parses and serializes the
// Query protocol with its own code; these tests run it, when Python and
// botocore are installed, on awsquery's responses and on the
// documentation examples' requests.

import (
	"bytes"
	"encoding/json"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"reflect"
	"strings"
	"testing"

	"github.com/iamd/iamd/awsquery"
	"github.com/iamd/iamd/internal/iamapi"
	"github.com/iamd/iamd/internal/shareddata"
	"github.com/iamd/iamd/internal/stsapi"
)

// botocoreScript reads JSON cases on stdin and prints one JSON result per
// case: for "parse", what botocore's QueryParser makes of a response; for
// "serialize", the form body botocore's QuerySerializer sends.
const botocoreScript = `
import json, sys, urllib.parse
import botocore.session
from botocore import parsers, serialize

session = botocore.session.get_session()
out = []
for case in json.load(sys.stdin):
    model = session.get_service_model(case["service"])
    op = model.operation_model(case["op"])
    if case["mode"] == "parse":
        parser = parsers.create_parser("query")
        parsed = parser.parse({"body": case["body"].encode(), "headers": {"x-amzn-requestid": case["rid"]},
                               "status_code": case["status"]}, op.output_shape)
        meta = parsed.pop("ResponseMetadata", {})
        out.append({"parsed": parsed, "requestId": meta.get("RequestId"), "status": meta.get("HTTPStatusCode")})
    else:
        req = serialize.create_serializer("query").serialize_to_request(case["params"], op)
        out.append({"body": urllib.parse.urlencode(req["body"])})
print(json.dumps(out, default=str))
`

func runBotocore(t *testing.T, cases []map[string]any) []map[string]any {
	t.Helper()
	if err := exec.Command("python3", "-c", "import botocore").Run(); err != nil {
		t.Skipf("python3 with botocore is not installed: %v", err)
	}
	in, err := json.Marshal(cases)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("python3", "-c", botocoreScript)
	cmd.Stdin = bytes.NewReader(in)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("botocore: %v\n%s", err, stderr.String())
	}
	var results []map[string]any
	if err := json.Unmarshal(out, &results); err != nil {
		t.Fatalf("botocore output: %v\n%s", err, out)
	}
	if len(results) != len(cases) {
		t.Fatalf("botocore answered %d cases of %d", len(results), len(cases))
	}
	return results
}

func TestBotocoreParsesResponses(t *testing.T) {
	t.Parallel()
	type respCase struct {
		name    string
		service string
		model   *awsquery.Model
		op      string
		out     any
		err     *awsquery.Error
		want    string // botocore's parse, as JSON
	}
	cases := []respCase{
		{name: "CreateUser", service: "iam", model: iamapi.Model(), op: "CreateUser",
			out: &iamapi.CreateUserResponse{User: &iamapi.User{Path: "/", UserName: "Bob", UserId: "AIDAEXAMPLE",
				Arn: "arn:aws:iam::123456789012:user/Bob", CreateDate: created, Tags: []iamapi.Tag{{Key: "a&b", Value: "<c>"}}}},
			want: `{"User":{"Path":"/","UserName":"Bob","UserId":"AIDAEXAMPLE","Arn":"arn:aws:iam::123456789012:user/Bob",` +
				`"CreateDate":"2013-06-08 03:20:41+00:00","Tags":[{"Key":"a&b","Value":"<c>"}]}}`},
		{name: "ListUsers empty", service: "iam", model: iamapi.Model(), op: "ListUsers",
			out:  &iamapi.ListUsersResponse{IsTruncated: ptr(false)},
			want: `{"Users":[],"IsTruncated":false}`},
		{name: "GetAccountSummary map", service: "iam", model: iamapi.Model(), op: "GetAccountSummary",
			out:  &iamapi.GetAccountSummaryResponse{SummaryMap: map[string]int32{"Users": 3, "Groups": 1}},
			want: `{"SummaryMap":{"Groups":1,"Users":3}}`},
		{name: "GetSessionToken", service: "sts", model: stsapi.Model(), op: "GetSessionToken",
			out: &stsapi.GetSessionTokenResponse{Credentials: &stsapi.Credentials{AccessKeyId: "ASIAEXAMPLE", SecretAccessKey: "s",
				SessionToken: "t", Expiration: created}},
			want: `{"Credentials":{"AccessKeyId":"ASIAEXAMPLE","SecretAccessKey":"s","SessionToken":"t","Expiration":"2013-06-08 03:20:41+00:00"}}`},
		{name: "no output", service: "iam", model: iamapi.Model(), op: "AddUserToGroup", want: `{}`},
		{name: "NoSuchEntity", service: "iam", model: iamapi.Model(), op: "GetUser",
			err:  iamapi.Model().Errorf("NoSuchEntity", "The user with name bob cannot be found."),
			want: `{"Error":{"Type":"Sender","Code":"NoSuchEntity","Message":"The user with name bob cannot be found."}}`},
		{name: "ValidationError with markup", service: "iam", model: iamapi.Model(), op: "CreateUser",
			err:  awsquery.ValidationError(`1 validation error detected: Value 'a<&>' at 'userName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\w+=,.@-]+`),
			want: `{"Error":{"Type":"Sender","Code":"ValidationError","Message":"1 validation error detected: Value 'a<&>' at 'userName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]+"}}`},
		{name: "InternalFailure", service: "sts", model: stsapi.Model(), op: "GetCallerIdentity",
			err:  awsquery.InternalFailure(),
			want: `{"Error":{"Type":"Receiver","Code":"InternalFailure","Message":"The request processing has failed because of an unknown error, exception or failure."}}`},
	}
	var batch []map[string]any
	for _, tc := range cases {
		var body string
		status := 200
		if tc.err != nil {
			w := httptest.NewRecorder()
			awsquery.WriteError(w, tc.err, tc.model.Namespace(), "rid-"+tc.name)
			body, status = w.Body.String(), w.Code
		} else {
			var b bytes.Buffer
			if err := tc.model.Encode(&b, tc.op, tc.out, "rid-"+tc.name); err != nil {
				t.Fatal(err)
			}
			body = b.String()
		}
		batch = append(batch, map[string]any{"mode": "parse", "service": tc.service, "op": tc.op, "body": body, "status": status, "rid": "rid-" + tc.name})
	}
	results := runBotocore(t, batch)
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var want any
			if err := json.Unmarshal([]byte(tc.want), &want); err != nil {
				t.Fatal(err)
			}
			got := results[i]
			diff(t, "botocore's parse", got["parsed"], want)
			if got["requestId"] != "rid-"+tc.name {
				t.Errorf("botocore read request id %v", got["requestId"])
			}
		})
	}
}

// TestBotocoreRequestsDecode serializes the documentation examples' inputs
// with botocore, as the AWS CLI sends them, and decodes them: they must
// validate and carry the example's values.
func TestBotocoreRequestsDecode(t *testing.T) {
	t.Parallel()
	type exCase struct {
		service, op string
		model       *awsquery.Model
		typ         reflect.Type
		input       json.RawMessage
	}
	var cases []exCase
	var batch []map[string]any
	for _, svc := range services() {
		raw, err := os.ReadFile(shareddata.Path(t, "aws-api", svc.examples))
		if err != nil {
			t.Fatal(err)
		}
		var file struct {
			Examples map[string][]struct {
				Input json.RawMessage `json:"input"`
			} `json:"examples"`
		}
		if err := json.Unmarshal(raw, &file); err != nil {
			t.Fatal(err)
		}
		for op, examples := range file.Examples {
			for _, ex := range examples {
				if svc.types[op][0] == nil {
					continue
				}
				input := ex.Input
				if len(input) == 0 {
					input = json.RawMessage("{}")
				}
				cases = append(cases, exCase{svc.name, op, svc.model, svc.types[op][0], input})
				batch = append(batch, map[string]any{"mode": "serialize", "service": svc.name, "op": op, "params": input})
			}
		}
	}
	results := runBotocore(t, batch)
	for i, tc := range cases {
		t.Run(tc.service+"/"+tc.op, func(t *testing.T) {
			body, _ := results[i]["body"].(string)
			params, err := url.ParseQuery(body)
			if err != nil {
				t.Fatal(err)
			}
			if params.Get("Action") != tc.op || !strings.Contains(body, "Version=") {
				t.Fatalf("botocore body %q", body)
			}
			dst := reflect.New(tc.typ)
			if err := tc.model.Decode(tc.op, params, dst.Interface()); err != nil {
				t.Fatalf("Decode of botocore's %q: %v", body, err)
			}
			diff(t, "decoded input", viaJSON(t, plain(dst)), viaJSON(t, exampleJSON(t, tc.input)))
		})
	}
}
