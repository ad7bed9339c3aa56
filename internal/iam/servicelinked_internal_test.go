package iam

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/iamd/iamd/awsquery"
	"github.com/iamd/iamd/policy"
	"github.com/iamd/iamd/policy/managed"
)

// TestLinkedServicesPolicies checks every documented service-linked role
// policy against AWS's managed policy catalog: it must exist, under
// /aws-service-role/, so that CreateServiceLinkedRole can attach it.
func TestLinkedServicesPolicies(t *testing.T) {
	t.Parallel()
	for service, ls := range linkedServices {
		p, ok := managed.ByName(ls.policy)
		if !ok {
			t.Errorf("%s: policy %s is not an AWS managed policy", service, ls.policy)
			continue
		}
		if p.Path != serviceLinkedPath {
			t.Errorf("%s: policy %s has path %s, want %s", service, ls.policy, p.Path, serviceLinkedPath)
		}
		if len(serviceLinkedPrefix+ls.role) > 64 {
			t.Errorf("%s: role name %s%s is longer than 64", service, serviceLinkedPrefix, ls.role)
		}
	}
}

func TestServiceLinkedRoleFor(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, service, suffix string
		want                  serviceLinkedRole
		wantErr               string
	}{
		{"documented", "autoscaling.amazonaws.com", "",
			serviceLinkedRole{"AWSServiceRoleForAutoScaling", "/aws-service-role/autoscaling.amazonaws.com/", "AutoScalingServiceRolePolicy"}, ""},
		{"documented name not derived from the principal", "es.amazonaws.com", "",
			serviceLinkedRole{"AWSServiceRoleForAmazonElasticsearchService", "/aws-service-role/es.amazonaws.com/", "AmazonElasticsearchServiceRolePolicy"}, ""},
		{"documented sub-service", "ecs.application-autoscaling.amazonaws.com", "",
			serviceLinkedRole{"AWSServiceRoleForApplicationAutoScaling_ECSService", "/aws-service-role/ecs.application-autoscaling.amazonaws.com/", "AWSApplicationAutoscalingECSServicePolicy"}, ""},
		{"custom suffix", "autoscaling.amazonaws.com", "fleet-1",
			serviceLinkedRole{"AWSServiceRoleForAutoScaling_fleet-1", "/aws-service-role/autoscaling.amazonaws.com/", "AutoScalingServiceRolePolicy"}, ""},
		{"undocumented service", "new-service.amazonaws.com", "",
			serviceLinkedRole{"AWSServiceRoleForNewService", "/aws-service-role/new-service.amazonaws.com/", ""}, ""},
		{"undocumented sub-service", "thing.new-service.amazonaws.com", "x",
			serviceLinkedRole{"AWSServiceRoleForNewService_Thing_x", "/aws-service-role/thing.new-service.amazonaws.com/", ""}, ""},
		{"China partition principal", "widget.amazonaws.com.cn", "",
			serviceLinkedRole{"AWSServiceRoleForWidget", "/aws-service-role/widget.amazonaws.com.cn/", ""}, ""},
		{"not a principal", "autoscaling", "", serviceLinkedRole{}, "Invalid service name: autoscaling."},
		{"bare domain", "amazonaws.com", "", serviceLinkedRole{}, "Invalid service name"},
		{"empty label", "a..amazonaws.com", "", serviceLinkedRole{}, "Invalid service name"},
		{"empty word", "a--b.amazonaws.com", "", serviceLinkedRole{}, "Invalid service name"},
		{"too many labels", "a.b.c.amazonaws.com", "", serviceLinkedRole{}, "Invalid service name"},
		{"odd characters", "a_b.amazonaws.com", "", serviceLinkedRole{}, "Invalid service name"},
		{"name too long", "autoscaling.amazonaws.com", strings.Repeat("s", 64), serviceLinkedRole{}, "longer than 64"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := serviceLinkedRoleFor(tt.service, tt.suffix)
			if tt.wantErr != "" {
				var ae *awsquery.Error
				if !errors.As(err, &ae) || ae.Code != "InvalidInput" || !strings.Contains(ae.Message, tt.wantErr) {
					t.Fatalf("serviceLinkedRoleFor(%q, %q) error = %v, want InvalidInput containing %q", tt.service, tt.suffix, err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("serviceLinkedRoleFor(%q, %q) = %+v, want %+v", tt.service, tt.suffix, got, tt.want)
			}
			if s := linkedServiceOf(got.Path); s != tt.service {
				t.Errorf("linkedServiceOf(%q) = %q, want %q", got.Path, s, tt.service)
			}
		})
	}
}

// TestServiceLinkedTrustPolicy checks that the generated trust policy is a
// valid trust policy naming only the service.
func TestServiceLinkedTrustPolicy(t *testing.T) {
	t.Parallel()
	doc := serviceLinkedTrustPolicy("ecs.amazonaws.com")
	if _, err := policy.Parse([]byte(doc), policy.Trust); err != nil {
		t.Fatalf("generated trust policy does not parse as a trust policy: %v\n%s", err, doc)
	}
	var v struct {
		Statement []struct {
			Effect    string
			Principal map[string]string
			Action    string
		}
	}
	if err := json.Unmarshal([]byte(doc), &v); err != nil {
		t.Fatal(err)
	}
	if len(v.Statement) != 1 || v.Statement[0].Principal["Service"] != "ecs.amazonaws.com" ||
		v.Statement[0].Action != "sts:AssumeRole" || v.Statement[0].Effect != "Allow" {
		t.Errorf("trust policy %s", doc)
	}
}
