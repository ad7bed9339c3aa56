package iam_test

import (
	"sort"
	"strings"
	"testing"

	"github.com/iamd/iamd/internal/iam"
	"github.com/iamd/iamd/internal/iamapi"
)

// TestEveryOperationIsRouted is issue 5's proof that iamd answers the whole
// IAM API: every operation of the embedded model must be in the operation
// table, and the table must hold nothing the model does not define. It
// names every operation that is missing.
func TestEveryOperationIsRouted(t *testing.T) {
	ops := iam.New(nil, nil).Operations()
	var missing []string
	for _, name := range iamapi.OperationNames {
		if ops[name] == nil {
			missing = append(missing, name)
		}
	}
	if len(missing) > 0 {
		t.Errorf("%d of the model's %d operations are not routed by Service.Operations():\n  %s",
			len(missing), len(iamapi.OperationNames), strings.Join(missing, "\n  "))
	}
	var extra []string
	for name := range ops {
		if _, ok := iamapi.Operations[name]; !ok {
			extra = append(extra, name)
		}
	}
	sort.Strings(extra)
	if len(extra) > 0 {
		t.Errorf("routed operations the model does not define: %s", strings.Join(extra, ", "))
	}
}

// TestOrganizationsOnlyTable checks the table of Organizations-only and
// preview operations: each names a model operation once, is routed, and
// answers either an error the model knows with the status the model gives
// it, or (without a code) a successful empty result.
func TestOrganizationsOnlyTable(t *testing.T) {
	ops := iam.New(nil, nil).Operations()
	seen := map[string]bool{}
	for _, a := range iam.OrganizationsOnly() {
		t.Run(a.Operation, func(t *testing.T) {
			if _, ok := iamapi.Operations[a.Operation]; !ok {
				t.Fatalf("%s is not an operation of the model", a.Operation)
			}
			if seen[a.Operation] {
				t.Fatalf("%s is in the table twice", a.Operation)
			}
			seen[a.Operation] = true
			if ops[a.Operation] == nil {
				t.Errorf("%s is in the table but not routed", a.Operation)
			}
			if a.Message == "" || a.Source == "" {
				t.Errorf("%s has no message or no source", a.Operation)
			}
			if a.Code == "" {
				return
			}
			if status, ok := iamapi.Model().ErrorStatus(a.Code); ok && status != a.Status {
				t.Errorf("%s answers %s with status %d; the model gives %d", a.Operation, a.Code, a.Status, status)
			}
			if a.Status < 400 || a.Status > 599 {
				t.Errorf("%s answers status %d", a.Operation, a.Status)
			}
		})
	}
}
