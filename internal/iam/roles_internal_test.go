package iam

import (
	"errors"
	"strings"
	"testing"

	"github.com/iamd/iamd/awsquery"
	"github.com/iamd/iamd/internal/store"
)

func TestRoleConflict(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		deps store.RoleDependencies
		want string
	}{
		{"nothing", store.RoleDependencies{}, ""},
		{"inline policies first", store.RoleDependencies{InlinePolicies: 1, AttachedPolicies: 1, InstanceProfiles: 1}, "delete policies"},
		{"attached policies before profiles", store.RoleDependencies{AttachedPolicies: 2, InstanceProfiles: 1}, "detach all policies"},
		{"instance profiles", store.RoleDependencies{InstanceProfiles: 1}, "remove roles from instance profile"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := roleConflict(tt.deps); got != tt.want {
				t.Errorf("roleConflict(%+v) = %q, want %q", tt.deps, got, tt.want)
			}
		})
	}
}

func TestCheckTrustPolicy(t *testing.T) {
	t.Parallel()
	const ok = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}`
	tests := []struct {
		name, doc, code, msg string
	}{
		{"valid", ok, "", ""},
		{"invalid principal", strings.Replace(ok, `{"Service":"ec2.amazonaws.com"}`, `{"AWS":"someone"}`, 1),
			"MalformedPolicyDocument", `Invalid principal in policy: "AWS":"someone"`},
		{"identity policy", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}`,
			"MalformedPolicyDocument", ""},
		// The quota is checked before the document: an oversized document
		// that is also malformed is refused for its size.
		{"over the quota and malformed", "{" + strings.Repeat("x", 3000), "LimitExceeded", "Cannot exceed quota for ACLSizePerRole: 2048"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := checkTrustPolicy(tt.doc)
			if tt.code == "" {
				if err != nil {
					t.Fatalf("checkTrustPolicy: %v", err)
				}
				return
			}
			var ae *awsquery.Error
			if !errors.As(err, &ae) || ae.Code != tt.code || !strings.Contains(ae.Message, tt.msg) {
				t.Fatalf("checkTrustPolicy = %v, want %s containing %q", err, tt.code, tt.msg)
			}
		})
	}
}

func TestIsServiceLinked(t *testing.T) {
	t.Parallel()
	for path, want := range map[string]bool{
		"/": false, "/app/": false, "/aws-service-role/": true,
		"/aws-service-role/ecs.amazonaws.com/": true, "/x/aws-service-role/": false,
	} {
		if got := isServiceLinked(store.Role{Path: path}); got != want {
			t.Errorf("isServiceLinked(path %s) = %v, want %v", path, got, want)
		}
	}
}
