package actions_test

import (
	"encoding/json"
	"os"
	"reflect"
	"testing"

	"github.com/iamd/iamd/internal/actions"
	"github.com/iamd/iamd/internal/shareddata"
)

// TestEmbeddedMatchesShared keeps the embedded entries equal to the shared
// reference file's "iam" and "sts" entries (see PROVENANCE.md to refresh).
func TestEmbeddedMatchesShared(t *testing.T) {
	t.Parallel()
	b, err := os.ReadFile(shareddata.Path(t, actions.SourceFile))
	if err != nil {
		t.Fatal(err)
	}
	var shared map[string]json.RawMessage
	if err := json.Unmarshal(b, &shared); err != nil {
		t.Fatal(err)
	}
	subset := map[string]json.RawMessage{}
	for _, p := range actions.Prefixes {
		subset[p] = shared[p]
	}
	sb, err := json.Marshal(subset)
	if err != nil {
		t.Fatal(err)
	}
	want, err := actions.Parse(sb)
	if err != nil {
		t.Fatal(err)
	}
	got, err := actions.Embedded()
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(actions.Prefixes) {
		t.Fatalf("embedded prefixes = %d, want %d", len(got), len(actions.Prefixes))
	}
	for _, p := range actions.Prefixes {
		g, w := got[p], want[p]
		if g == nil || w == nil {
			t.Fatalf("prefix %s missing (embedded %v, shared %v)", p, g != nil, w != nil)
		}
		if !reflect.DeepEqual(g.ActionNames(), w.ActionNames()) || !reflect.DeepEqual(g.Resources, w.Resources) || !reflect.DeepEqual(g.Conditions, w.Conditions) {
			t.Fatalf("%s: embedded data differs from %s: refresh it (PROVENANCE.md)", p, actions.SourceFile)
		}
		for _, name := range w.ActionNames() {
			ga, _ := g.Action(name)
			wa, _ := w.Action(name)
			if !reflect.DeepEqual(ga, wa) {
				t.Fatalf("%s:%s embedded %+v, shared %+v", p, name, ga, wa)
			}
		}
	}
}

func TestFind(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, prefix, action string
		access               actions.Access
		resources            []string
		condition            string
	}{
		{"resource and tags", "iam", "CreateUser", actions.Write, []string{"user"}, "aws:RequestTag/${TagKey}"},
		{"case folded", "IAM", "createuser", actions.Write, []string{"user"}, "iam:permissionsboundary"},
		{"list without resource", "iam", "ListUsers", actions.List, nil, ""},
		{"policy arn condition", "iam", "AttachUserPolicy", actions.PermissionsManagement, []string{"user"}, "iam:PolicyARN"},
		{"sts role", "sts", "AssumeRole", actions.Write, []string{"role"}, "sts:ExternalId"},
		{"sts read", "sts", "GetCallerIdentity", actions.Read, nil, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a, ok := actions.Find(tc.prefix, tc.action)
			if !ok {
				t.Fatalf("%s:%s not found", tc.prefix, tc.action)
			}
			if a.Access != tc.access || !reflect.DeepEqual(a.Resources, tc.resources) {
				t.Fatalf("%s:%s = %+v", tc.prefix, tc.action, a)
			}
			if tc.condition != "" && !a.HasCondition(tc.condition) {
				t.Fatalf("%s:%s lacks condition %s: %v", tc.prefix, tc.action, tc.condition, a.Conditions)
			}
		})
	}
	if _, ok := actions.Find("iam", "NoSuchAction"); ok {
		t.Error("found an action that does not exist")
	}
	if _, ok := actions.Find("s3", "GetObject"); ok {
		t.Error("found an action of a prefix that is not embedded")
	}
	if f := actions.Lookup("iam").Resources["user"]; f != "arn:${Partition}:iam::${Account}:user/${UserNameWithPath}" {
		t.Errorf("iam user ARN format = %q", f)
	}
}

func TestAccessReadOnly(t *testing.T) {
	t.Parallel()
	for a, want := range map[actions.Access]bool{actions.List: true, actions.Read: true, actions.Write: false, actions.PermissionsManagement: false, actions.Tagging: false} {
		if a.ReadOnly() != want {
			t.Errorf("%s.ReadOnly() = %v", a, !want)
		}
	}
}
