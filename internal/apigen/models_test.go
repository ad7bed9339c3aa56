package main

import (
	"bytes"
	"errors"
	"io"
	"net/url"
	"os"
	"reflect"
	"slices"
	"testing"

	"github.com/iamd/iamd/awsquery"
	"github.com/iamd/iamd/internal/iamapi"
	"github.com/iamd/iamd/internal/shareddata"
	"github.com/iamd/iamd/internal/stsapi"
)

// generated is one service package this generator produced: its embedded
// model and its generated bindings, seen through one shape so that every
// check below runs once per service.
type generated struct {
	name       string
	modelFile  string
	modelJSON  func() ([]byte, error)
	model      func() *awsquery.Model
	opNames    []string
	operations map[string][2]reflect.Type // input, output
	version    string
	namespace  string
	operationN int
	statuses   map[string]int // error code → HTTP status, from the API reference
}

func generatedServices() []generated {
	iamOps := map[string][2]reflect.Type{}
	for name, t := range iamapi.Operations {
		iamOps[name] = [2]reflect.Type{t.Input, t.Output}
	}
	stsOps := map[string][2]reflect.Type{}
	for name, t := range stsapi.Operations {
		stsOps[name] = [2]reflect.Type{t.Input, t.Output}
	}
	return []generated{
		{
			name: "iam", modelFile: iamapi.ModelFile, modelJSON: iamapi.ModelJSON, model: iamapi.Model,
			opNames: iamapi.OperationNames, operations: iamOps,
			version: "2010-05-08", namespace: "https://iam.amazonaws.com/doc/2010-05-08/", operationN: 176,
			statuses: map[string]int{"NoSuchEntity": 404, "EntityAlreadyExists": 409, "LimitExceeded": 409, "DeleteConflict": 409,
				"MalformedPolicyDocument": 400, "InvalidInput": 400, "ServiceFailure": 500, "ConcurrentModification": 409},
		},
		{
			name: "sts", modelFile: stsapi.ModelFile, modelJSON: stsapi.ModelJSON, model: stsapi.Model,
			opNames: stsapi.OperationNames, operations: stsOps,
			version: "2011-06-15", namespace: "https://sts.amazonaws.com/doc/2011-06-15/", operationN: 11,
			statuses: map[string]int{"ExpiredTokenException": 400, "MalformedPolicyDocument": 400, "PackedPolicyTooLarge": 400,
				"RegionDisabledException": 403, "IDPRejectedClaim": 403, "InvalidIdentityToken": 400},
		},
	}
}

// TestEmbeddedModelMatchesShared checks that each embedded model is still
// the file in ../shared/data/aws-api.
func TestEmbeddedModelMatchesShared(t *testing.T) {
	t.Parallel()
	for _, g := range generatedServices() {
		t.Run(g.name, func(t *testing.T) {
			want, err := os.ReadFile(shareddata.Path(t, "aws-api", g.modelFile))
			if err != nil {
				t.Fatal(err)
			}
			got, err := g.modelJSON()
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want) {
				t.Fatalf("embedded %s (%d bytes) differs from the shared copy (%d bytes): recompress it (see PROVENANCE.md)", g.modelFile, len(got), len(want))
			}
		})
	}
}

func TestModelMetadata(t *testing.T) {
	t.Parallel()
	for _, g := range generatedServices() {
		t.Run(g.name, func(t *testing.T) {
			m := g.model()
			if m.APIVersion() != g.version || m.Namespace() != g.namespace || m.EndpointPrefix() != g.name {
				t.Fatalf("model metadata = %q %q %q", m.APIVersion(), m.Namespace(), m.EndpointPrefix())
			}
			if got := len(m.OperationNames()); got != g.operationN {
				t.Errorf("model has %d operations, want %d", got, g.operationN)
			}
			if g.model() != m {
				t.Error("Model() loads the model again instead of sharing it")
			}
		})
	}
}

func TestErrorStatuses(t *testing.T) {
	t.Parallel()
	for _, g := range generatedServices() {
		m := g.model()
		for code, status := range g.statuses {
			t.Run(g.name+"/"+code, func(t *testing.T) {
				got, ok := m.ErrorStatus(code)
				if !ok || got != status {
					t.Fatalf("ErrorStatus(%q) = %d, %v; want %d", code, got, ok, status)
				}
				if e := m.Errorf(code, "x %d", 1); e.Status != status || e.Message != "x 1" || e.Sender != (status < 500) {
					t.Fatalf("Errorf = %+v", e)
				}
			})
		}
		if _, ok := m.ErrorStatus("NoSuchThing"); ok {
			t.Errorf("%s: ErrorStatus knows a code the model does not have", g.name)
		}
	}
}

// TestEveryOperationBinds checks that the generated types cover the model:
// every operation is listed with its types, and awsquery can bind each
// input and output type to its shape (a routing table built from
// Operations therefore serves every operation).
func TestEveryOperationBinds(t *testing.T) {
	t.Parallel()
	for _, g := range generatedServices() {
		m := g.model()
		if !slices.Equal(g.opNames, m.OperationNames()) {
			t.Fatalf("%s: OperationNames differs from the model's operations", g.name)
		}
		if len(g.operations) != len(g.opNames) {
			t.Fatalf("%s: Operations has %d entries for %d operations", g.name, len(g.operations), len(g.opNames))
		}
		for _, name := range g.opNames {
			t.Run(g.name+"/"+name, func(t *testing.T) {
				types, ok := g.operations[name]
				if !ok {
					t.Fatal("operation missing from Operations")
				}
				in, out := types[0], types[1]
				op, _ := m.Operation(name)
				if (in == nil) != (op.InputShape == "") || (out == nil) != (op.OutputShape == "") {
					t.Fatalf("types %v/%v for shapes %q/%q", in, out, op.InputShape, op.OutputShape)
				}
				if in != nil {
					if in.Name() != op.InputShape {
						t.Errorf("input type %s for shape %s", in.Name(), op.InputShape)
					}
					dst := reflect.New(in).Interface()
					if err := m.Decode(name, url.Values{}, dst); err != nil {
						if _, wire := errors.AsType[*awsquery.Error](err); !wire {
							t.Fatalf("Decode cannot bind %s: %v", in, err)
						}
					}
				}
				var v any
				if out != nil {
					v = reflect.New(out).Interface()
				}
				if err := m.Encode(io.Discard, name, v, "req"); err != nil {
					t.Fatalf("Encode: %v", err)
				}
			})
		}
	}
}

func BenchmarkLoadModel(b *testing.B) {
	for _, g := range generatedServices() {
		b.Run(g.name, func(b *testing.B) {
			for b.Loop() {
				data, err := g.modelJSON()
				if err != nil {
					b.Fatal(err)
				}
				if _, err := awsquery.LoadModel(data); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
