package iamapi_test

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
)

func TestEmbeddedModelMatchesShared(t *testing.T) {
	t.Parallel()
	want, err := os.ReadFile(shareddata.Path(t, "aws-api", iamapi.ModelFile))
	if err != nil {
		t.Fatal(err)
	}
	got, err := iamapi.ModelJSON()
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("embedded %s (%d bytes) differs from the shared copy (%d bytes): recompress it (see PROVENANCE.md)", iamapi.ModelFile, len(got), len(want))
	}
}

func TestModelMetadata(t *testing.T) {
	t.Parallel()
	m := iamapi.Model()
	if m.APIVersion() != "2010-05-08" || m.Namespace() != "https://iam.amazonaws.com/doc/2010-05-08/" || m.EndpointPrefix() != "iam" {
		t.Fatalf("model metadata = %q %q %q", m.APIVersion(), m.Namespace(), m.EndpointPrefix())
	}
	if got := len(m.OperationNames()); got != 176 {
		t.Errorf("model has %d operations, want 176", got)
	}
	if iamapi.Model() != m {
		t.Error("Model() loads the model again instead of sharing it")
	}
}

func TestErrorStatuses(t *testing.T) {
	t.Parallel()
	m := iamapi.Model()
	for _, tc := range []struct {
		code   string
		status int
	}{{"NoSuchEntity", 404}, {"EntityAlreadyExists", 409}, {"LimitExceeded", 409}, {"DeleteConflict", 409}, {"MalformedPolicyDocument", 400}, {"InvalidInput", 400}, {"ServiceFailure", 500}, {"ConcurrentModification", 409}} {
		t.Run(tc.code, func(t *testing.T) {
			got, ok := m.ErrorStatus(tc.code)
			if !ok || got != tc.status {
				t.Fatalf("ErrorStatus(%q) = %d, %v; want %d", tc.code, got, ok, tc.status)
			}
			if e := m.Errorf(tc.code, "x %d", 1); e.Status != tc.status || e.Message != "x 1" || e.Sender != (tc.status < 500) {
				t.Fatalf("Errorf = %+v", e)
			}
		})
	}
	if _, ok := m.ErrorStatus("NoSuchThing"); ok {
		t.Error("ErrorStatus knows a code the model does not have")
	}
}

// TestEveryOperationBinds checks that the generated types cover the model:
// every operation is listed with its types, and awsquery can bind each
// input and output type to its shape (a routing table built from
// Operations therefore serves every operation).
func TestEveryOperationBinds(t *testing.T) {
	t.Parallel()
	m := iamapi.Model()
	if !slices.Equal(iamapi.OperationNames, m.OperationNames()) {
		t.Fatalf("OperationNames differs from the model's operations")
	}
	if len(iamapi.Operations) != len(iamapi.OperationNames) {
		t.Fatalf("Operations has %d entries for %d operations", len(iamapi.Operations), len(iamapi.OperationNames))
	}
	for _, name := range iamapi.OperationNames {
		t.Run(name, func(t *testing.T) {
			types, ok := iamapi.Operations[name]
			if !ok {
				t.Fatal("operation missing from Operations")
			}
			op, _ := m.Operation(name)
			if (types.Input == nil) != (op.InputShape == "") || (types.Output == nil) != (op.OutputShape == "") {
				t.Fatalf("types %v/%v for shapes %q/%q", types.Input, types.Output, op.InputShape, op.OutputShape)
			}
			if types.Input != nil {
				if types.Input.Name() != op.InputShape {
					t.Errorf("input type %s for shape %s", types.Input.Name(), op.InputShape)
				}
				dst := reflect.New(types.Input).Interface()
				err := m.Decode(name, url.Values{}, dst)
				if err != nil {
					if _, wire := errors.AsType[*awsquery.Error](err); !wire {
						t.Fatalf("Decode cannot bind %s: %v", types.Input, err)
					}
				}
			}
			var out any
			if types.Output != nil {
				out = reflect.New(types.Output).Interface()
			}
			if err := m.Encode(io.Discard, name, out, "req"); err != nil {
				t.Fatalf("Encode: %v", err)
			}
		})
	}
}

func BenchmarkLoadModel(b *testing.B) {
	for b.Loop() {
		data, err := iamapi.ModelJSON()
		if err != nil {
			b.Fatal(err)
		}
		if _, err := awsquery.LoadModel(data); err != nil {
			b.Fatal(err)
		}
	}
}
