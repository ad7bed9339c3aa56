package awsquery_test

// These tests put awsquery between the real AWS SDK for Go v2 clients and
// an httptest server: what the SDK sends must decode, what awsquery encodes
// must deserialize in the SDK to the same values, and error documents must
// surface their code, message and request id.

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"

	"github.com/iamd/iamd/awsquery"
	"github.com/iamd/iamd/internal/iamapi"
	"github.com/iamd/iamd/internal/shareddata"
	"github.com/iamd/iamd/internal/stsapi"
)

// service is one Query service under test with its SDK client.
type service struct {
	name     string
	model    *awsquery.Model
	types    map[string][2]reflect.Type // operation -> input, output
	examples string                     // examples file in ../shared/data/aws-api
	client   func(endpoint string) any
}

func services() []service {
	iamTypes := map[string][2]reflect.Type{}
	for name, t := range iamapi.Operations {
		iamTypes[name] = [2]reflect.Type{t.Input, t.Output}
	}
	stsTypes := map[string][2]reflect.Type{}
	for name, t := range stsapi.Operations {
		stsTypes[name] = [2]reflect.Type{t.Input, t.Output}
	}
	return []service{
		{
			name: "iam", model: iamapi.Model(), types: iamTypes, examples: "iam-2010-05-08.examples.json",
			client: func(endpoint string) any {
				return iam.New(iam.Options{
					Region: "us-east-1", BaseEndpoint: aws.String(endpoint),
					Credentials: aws.AnonymousCredentials{}, RetryMaxAttempts: 1,
					HTTPClient: freshConnections,
				})
			},
		},
		{
			name: "sts", model: stsapi.Model(), types: stsTypes, examples: "sts-2011-06-15.examples.json",
			client: func(endpoint string) any {
				return sts.New(sts.Options{
					Region: "us-east-1", BaseEndpoint: aws.String(endpoint),
					Credentials: aws.AnonymousCredentials{}, RetryMaxAttempts: 1,
					HTTPClient: freshConnections,
				})
			},
		},
	}
}

// freshConnections opens a connection per request. The round trip checks
// encoding and decoding, not connection reuse, and a reused keep-alive
// connection occasionally failed mid-body under load ("use of closed
// network connection") with no retry allowed (RetryMaxAttempts 1).
var freshConnections = &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}

// fakeAWS is an httptest server that records the parameters of each
// request and answers with whatever the test put in respond.
type fakeAWS struct {
	*httptest.Server
	mu      sync.Mutex
	params  url.Values
	respond func(w http.ResponseWriter, action string)
}

// set installs the responder for the next requests.
func (f *fakeAWS) set(respond func(w http.ResponseWriter, action string)) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.respond = respond
}

// lastParams returns the parameters of the last request.
func (f *fakeAWS) lastParams() url.Values {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.params
}

func newFakeAWS(t *testing.T) *fakeAWS {
	f := &fakeAWS{}
	f.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		params, err := awsquery.ParseParams(r, body)
		if err != nil {
			awsquery.WriteError(w, awsquery.AsError(err), "", "req")
			return
		}
		f.mu.Lock()
		f.params = params
		respond := f.respond
		f.mu.Unlock()
		respond(w, params.Get("Action"))
	}))
	t.Cleanup(f.Close)
	return f
}

// call invokes the SDK client's method for an operation with in (a pointer
// to the SDK's input struct).
func call(client any, op string, in reflect.Value) (reflect.Value, error) {
	method := reflect.ValueOf(client).MethodByName(op)
	if !method.IsValid() {
		return reflect.Value{}, fmt.Errorf("the SDK client has no method %s", op)
	}
	res := method.Call([]reflect.Value{reflect.ValueOf(context.Background()), in})
	if err, _ := res[1].Interface().(error); err != nil {
		return reflect.Value{}, err
	}
	return res[0], nil
}

func sdkInput(client any, op string) (reflect.Value, error) {
	method := reflect.ValueOf(client).MethodByName(op)
	if !method.IsValid() {
		return reflect.Value{}, fmt.Errorf("the SDK client has no method %s", op)
	}
	return reflect.New(method.Type().In(1).Elem()), nil
}

// TestSDKRoundTrip runs every operation of IAM and STS through the SDK:
// the SDK's request (every input member set) must decode to the same
// values, and a response with every output member set must come out of the
// SDK's deserializer with the same values.
func TestSDKRoundTrip(t *testing.T) {
	t.Parallel()
	for _, svc := range services() {
		t.Run(svc.name, func(t *testing.T) {
			t.Parallel()
			fake := newFakeAWS(t)
			client := svc.client(fake.URL)
			for _, op := range svc.model.OperationNames() {
				t.Run(op, func(t *testing.T) {
					types := svc.types[op]
					var want reflect.Value
					if types[1] != nil {
						want = reflect.New(types[1])
						fill(want.Elem(), op, 0)
					}
					fake.set(func(w http.ResponseWriter, action string) {
						if action != op {
							awsquery.WriteError(w, awsquery.InvalidAction(action, svc.model.APIVersion()), svc.model.Namespace(), "req")
							return
						}
						w.Header().Set("Content-Type", "text/xml")
						var out any
						if want.IsValid() {
							out = want.Interface()
						}
						if err := svc.model.Encode(w, op, out, "req-"+op); err != nil {
							t.Errorf("Encode: %v", err)
						}
					})
					in, err := sdkInput(client, op)
					if err != nil {
						t.Skipf("%v: the pinned SDK predates this operation of the model", err)
					}
					fill(in.Elem(), op, 0)
					got, err := call(client, op, in)
					if err != nil {
						t.Fatalf("SDK call: %v", err)
					}
					if types[0] != nil {
						dec := reflect.New(types[0])
						if err := svc.model.DecodeUnvalidated(op, fake.lastParams(), dec.Interface()); err != nil {
							t.Fatalf("Decode of the SDK's request: %v\nparams: %v", err, fake.lastParams())
						}
						diff(t, "decoded input", plainLike(in, dec.Type()), plainLike(dec, in.Type()))
					}
					if want.IsValid() {
						diff(t, "SDK output", plainLike(got, want.Type()), plainLike(want, got.Type()))
					}
				})
			}
		})
	}
}

// TestSDKExamples runs the request/response examples of AWS's
// documentation (the models' examples files) through the SDK: the example
// input, serialized by the SDK, must decode and validate to the example's
// values; the example output, encoded, must deserialize to them.
func TestSDKExamples(t *testing.T) {
	t.Parallel()
	for _, svc := range services() {
		t.Run(svc.name, func(t *testing.T) {
			t.Parallel()
			raw, err := os.ReadFile(shareddata.Path(t, "aws-api", svc.examples))
			if err != nil {
				t.Fatal(err)
			}
			var file struct {
				Examples map[string][]struct {
					ID     string          `json:"id"`
					Input  json.RawMessage `json:"input"`
					Output json.RawMessage `json:"output"`
				} `json:"examples"`
			}
			if err := json.Unmarshal(raw, &file); err != nil {
				t.Fatal(err)
			}
			fake := newFakeAWS(t)
			client := svc.client(fake.URL)
			n := 0
			for op, examples := range file.Examples {
				for i, ex := range examples {
					n++
					t.Run(fmt.Sprintf("%s/%d", op, i), func(t *testing.T) {
						types := svc.types[op]
						var want reflect.Value
						if types[1] != nil {
							want = reflect.New(types[1])
							if len(ex.Output) > 0 {
								dec := json.NewDecoder(bytes.NewReader(ex.Output))
								dec.DisallowUnknownFields()
								if err := dec.Decode(want.Interface()); err != nil {
									t.Fatalf("example output does not fit %s: %v", types[1], err)
								}
							}
						}
						fake.set(func(w http.ResponseWriter, _ string) {
							var out any
							if want.IsValid() {
								out = want.Interface()
							}
							if err := svc.model.Encode(w, op, out, "req"); err != nil {
								t.Errorf("Encode: %v", err)
							}
						})
						in, err := sdkInput(client, op)
						if err != nil {
							t.Fatal(err)
						}
						if len(ex.Input) > 0 {
							if err := json.Unmarshal(ex.Input, in.Interface()); err != nil {
								t.Fatalf("example input does not fit the SDK's %s: %v", in.Type(), err)
							}
						}
						got, err := call(client, op, in)
						if err != nil {
							t.Fatalf("SDK call: %v", err)
						}
						if types[0] != nil {
							dec := reflect.New(types[0])
							if err := svc.model.Decode(op, fake.lastParams(), dec.Interface()); err != nil {
								t.Fatalf("Decode of the example's request: %v", err)
							}
							diff(t, "decoded example input", viaJSON(t, plain(dec)), viaJSON(t, exampleJSON(t, ex.Input)))
						}
						if want.IsValid() {
							diff(t, "SDK output of the example", plainLike(got, want.Type()), plainLike(want, got.Type()))
						}
					})
				}
			}
			if n == 0 {
				t.Fatal("no examples")
			}
		})
	}
}

// TestSDKReadsErrors checks that the SDKs surface what WriteError sends:
// the modeled exception type for modeled codes, the generic API error for
// the others, with code, message, status and request id.
func TestSDKReadsErrors(t *testing.T) {
	t.Parallel()
	fake := newFakeAWS(t)
	client := iam.New(iam.Options{Region: "us-east-1", BaseEndpoint: aws.String(fake.URL), Credentials: aws.AnonymousCredentials{}, RetryMaxAttempts: 1})
	m := iamapi.Model()
	for _, tc := range []struct {
		name string
		err  *awsquery.Error
	}{
		{"modeled NoSuchEntity", m.Errorf("NoSuchEntity", "The user with name bob cannot be found.")},
		{"modeled EntityAlreadyExists", m.Errorf("EntityAlreadyExists", "User with name bob already exists.")},
		{"validation error with markup", awsquery.ValidationError(`1 validation error detected: Value 'a<b>&"c"' at 'userName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\w+=,.@-]+`)},
		{"invalid action", awsquery.InvalidAction("Frobnicate", "2010-05-08")},
		{"receiver fault", awsquery.InternalFailure()},
		{"malformed query string", awsquery.NewError(awsquery.CodeMalformedQueryString, 404, "The request body is malformed.")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fake.set(func(w http.ResponseWriter, _ string) {
				awsquery.WriteError(w, tc.err, m.Namespace(), "req-"+tc.err.Code)
			})
			_, err := client.GetUser(context.Background(), &iam.GetUserInput{UserName: aws.String("bob")})
			apiErr, ok := errors.AsType[smithy.APIError](err)
			if !ok {
				t.Fatalf("SDK error %v is not an API error", err)
			}
			if apiErr.ErrorCode() != tc.err.Code || apiErr.ErrorMessage() != tc.err.Message {
				t.Errorf("SDK read code %q message %q; sent %q %q", apiErr.ErrorCode(), apiErr.ErrorMessage(), tc.err.Code, tc.err.Message)
			}
			respErr, ok := errors.AsType[*awshttp.ResponseError](err)
			if !ok {
				t.Fatalf("SDK error %v carries no response", err)
			}
			if respErr.HTTPStatusCode() != tc.err.Status || respErr.ServiceRequestID() != "req-"+tc.err.Code {
				t.Errorf("status %d request id %q", respErr.HTTPStatusCode(), respErr.ServiceRequestID())
			}
		})
	}
	t.Run("modeled type", func(t *testing.T) {
		fake.set(func(w http.ResponseWriter, _ string) {
			awsquery.WriteError(w, m.Errorf("NoSuchEntity", "gone"), m.Namespace(), "r")
		})
		_, err := client.GetUser(context.Background(), &iam.GetUserInput{})
		nse, ok := errors.AsType[*iamtypes.NoSuchEntityException](err)
		if !ok || aws.ToString(nse.Message) != "gone" {
			t.Fatalf("SDK error %v is not NoSuchEntityException(gone)", err)
		}
	})
}

// fill sets every exported field reachable from v to a value derived from
// its path, so that swapped or dropped members show up. Strings carry XML
// and form metacharacters. Interfaces (the SDK's unions) stay nil.
func fill(v reflect.Value, path string, depth int) {
	h := fnv.New32a()
	h.Write([]byte(path))
	n := h.Sum32()
	switch v.Kind() {
	case reflect.String:
		v.SetString("v<&>'\"+;=% " + path)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		v.SetInt(int64(n%1000) + 1)
	case reflect.Bool:
		v.SetBool(n%2 == 0)
	case reflect.Float32, reflect.Float64:
		v.SetFloat(float64(n%1000) / 4)
	case reflect.Pointer:
		if depth > 6 {
			return
		}
		v.Set(reflect.New(v.Type().Elem()))
		fill(v.Elem(), path, depth+1)
	case reflect.Interface:
		// An SDK union: set one of its members, chosen by the path.
		if members := unionMembers[v.Type()]; len(members) > 0 {
			m := reflect.New(members[n%uint32(len(members))])
			fill(m.Elem().FieldByName("Value"), path, depth+1)
			v.Set(m)
		}
	case reflect.Slice:
		if v.Type().Elem().Kind() == reflect.Uint8 {
			v.SetBytes([]byte("blob\x00\xff " + path))
			return
		}
		if depth > 6 {
			return
		}
		s := reflect.MakeSlice(v.Type(), 2, 2)
		for i := range 2 {
			fill(s.Index(i), fmt.Sprintf("%s[%d]", path, i), depth+1)
		}
		v.Set(s)
	case reflect.Map:
		m := reflect.MakeMap(v.Type())
		for i := range 2 {
			k := reflect.New(v.Type().Key()).Elem()
			k.SetString(fmt.Sprintf("k%d %s", i, path))
			e := reflect.New(v.Type().Elem()).Elem()
			fill(e, fmt.Sprintf("%s{%d}", path, i), depth+1)
			m.SetMapIndex(k, e)
		}
		v.Set(m)
	case reflect.Struct:
		if v.Type() == reflect.TypeFor[time.Time]() {
			v.Set(reflect.ValueOf(time.Date(2020, 1, 2, 3, 4, 5, 0, time.UTC).Add(time.Duration(n%100000) * time.Second)))
			return
		}
		for i := range v.NumField() {
			f := v.Type().Field(i)
			if f.IsExported() {
				fill(v.Field(i), path+"."+f.Name, depth)
			}
		}
	}
}

// unionMembers lists the member types of the SDK's unions.
var unionMembers = map[reflect.Type][]reflect.Type{
	reflect.TypeFor[iamtypes.PolicyIdentifier](): {
		reflect.TypeFor[iamtypes.PolicyIdentifierMemberPolicyArn](),
		reflect.TypeFor[iamtypes.PolicyIdentifierMemberPolicyType](),
		reflect.TypeFor[iamtypes.PolicyIdentifierMemberInlinePolicyIdentifier](),
	},
}

// plain turns an SDK value or a generated value into maps, slices and
// scalars with the same shape for the same data: nil and zero members dropped,
// timestamps as ISO 8601 seconds, blobs base64, the SDK's ResultMetadata
// left out.
func plain(v reflect.Value) any {
	switch v.Kind() {
	case reflect.Invalid:
		return nil
	case reflect.Interface, reflect.Pointer:
		if v.IsNil() {
			return nil
		}
		return plain(v.Elem())
	case reflect.String:
		return v.String()
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return v.Int()
	case reflect.Bool:
		return v.Bool()
	case reflect.Float32, reflect.Float64:
		return v.Float()
	case reflect.Slice:
		if v.IsNil() {
			return nil
		}
		if v.Type().Elem().Kind() == reflect.Uint8 {
			return base64.StdEncoding.EncodeToString(v.Bytes())
		}
		out := make([]any, v.Len())
		for i := range out {
			out[i] = plain(v.Index(i))
		}
		return out
	case reflect.Map:
		if v.IsNil() {
			return nil
		}
		out := map[string]any{}
		for _, k := range v.MapKeys() {
			out[k.String()] = plain(v.MapIndex(k))
		}
		return out
	case reflect.Struct:
		if t, ok := v.Interface().(time.Time); ok {
			return t.UTC().Format(time.RFC3339)
		}
		out := map[string]any{}
		for i := range v.NumField() {
			f := v.Type().Field(i)
			if !f.IsExported() || f.Name == "ResultMetadata" {
				continue
			}
			// The SDK holds some optional members (booleans, enums) as
			// values, so a zero scalar there means "absent": drop zero
			// scalars on both sides.
			if p := plain(v.Field(i)); p != nil && p != false && p != "" && p != int64(0) && p != 0.0 {
				out[f.Name] = p
			}
		}
		return out
	}
	return fmt.Sprintf("unsupported %s", v.Type())
}

// plainLike is plain restricted to the fields that the other side's type
// like has too: the pinned SDK and the model are not of the same date, so
// each has a few members the other lacks (the SDK's STS types have
// MinimumSessionTokenSize, the model does not; the model's IAM has
// operations the SDK lacks), and neither side can send or read what it
// does not know.
func plainLike(v reflect.Value, like reflect.Type) any {
	for like.Kind() == reflect.Pointer || like.Kind() == reflect.Slice || like.Kind() == reflect.Map {
		like = like.Elem()
	}
	switch v.Kind() {
	case reflect.Interface:
		if v.IsNil() {
			return nil
		}
		// An SDK union holds one *<Union>Member<Name>{Value} where the
		// generated struct has one non-nil member <Name>.
		if m := v.Elem(); m.Kind() == reflect.Pointer && m.Elem().Kind() == reflect.Struct {
			name := m.Elem().Type().Name()
			if i := strings.LastIndex(name, "Member"); i >= 0 && m.Elem().FieldByName("Value").IsValid() {
				member := name[i+len("Member"):]
				lf, ok := like.FieldByName(member)
				if !ok {
					return nil
				}
				return map[string]any{member: plainLike(m.Elem().FieldByName("Value"), lf.Type)}
			}
		}
		return plainLike(v.Elem(), like)
	case reflect.Pointer:
		if v.IsNil() {
			return nil
		}
		return plainLike(v.Elem(), like)
	case reflect.Slice:
		if v.IsNil() || v.Type().Elem().Kind() == reflect.Uint8 {
			return plain(v)
		}
		out := make([]any, v.Len())
		for i := range out {
			out[i] = plainLike(v.Index(i), like)
		}
		return out
	case reflect.Map:
		if v.IsNil() {
			return nil
		}
		out := map[string]any{}
		for _, k := range v.MapKeys() {
			out[k.String()] = plainLike(v.MapIndex(k), like)
		}
		return out
	case reflect.Struct:
		if like.Kind() != reflect.Struct || v.Type() == reflect.TypeFor[time.Time]() {
			return plain(v)
		}
		out := map[string]any{}
		for i := range v.NumField() {
			f := v.Type().Field(i)
			lf, ok := like.FieldByName(f.Name)
			if !ok || !f.IsExported() {
				continue
			}
			if p := plainLike(v.Field(i), lf.Type); p != nil && p != false && p != "" && p != int64(0) && p != 0.0 {
				out[f.Name] = p
			}
		}
		return out
	}
	return plain(v)
}

func viaJSON(t *testing.T, v any) any {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var out any
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

func exampleJSON(t *testing.T, raw json.RawMessage) any {
	if len(raw) == 0 {
		return map[string]any{}
	}
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		t.Fatal(err)
	}
	return v
}

func diff(t *testing.T, what string, got, want any) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		g, _ := json.MarshalIndent(got, "", " ")
		w, _ := json.MarshalIndent(want, "", " ")
		t.Errorf("%s differs:\ngot  %s\nwant %s", what, g, w)
	}
}
