package iam

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"flag"
	"os"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/iamd/iamd/internal/iamapi"
	"github.com/iamd/iamd/internal/shareddata"
	"github.com/iamd/iamd/internal/store"
	"github.com/iamd/iamd/policy"
)

var updateServiceCatalog = flag.Bool("update-service-catalog", false, "rewrite lastaccessed_services.json.gz from ../shared/data/aws-service-actions.json")

// serviceCatalogJSON derives the embedded catalog from the Service
// Authorization Reference data: each namespace's name and sorted actions.
func serviceCatalogJSON(t *testing.T) []byte {
	t.Helper()
	b, err := os.ReadFile(shareddata.Path(t, "aws-service-actions.json"))
	if err != nil {
		t.Fatal(err)
	}
	var src map[string]struct {
		Name    string                     `json:"name"`
		Actions map[string]json.RawMessage `json:"actions"`
	}
	if err := json.Unmarshal(b, &src); err != nil {
		t.Fatal(err)
	}
	out := map[string][2]any{}
	for ns, svc := range src {
		actions := make([]string, 0, len(svc.Actions))
		for a := range svc.Actions {
			actions = append(actions, a)
		}
		sort.Strings(actions)
		out[ns] = [2]any{svc.Name, actions}
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(out); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestServiceCatalog checks that the embedded catalog is the shared data's
// (rewriting it with -update-service-catalog) and decodes.
func TestServiceCatalog(t *testing.T) {
	want := serviceCatalogJSON(t)
	if *updateServiceCatalog {
		var gz bytes.Buffer
		zw, _ := gzip.NewWriterLevel(&gz, gzip.BestCompression)
		zw.Write(want)
		zw.Close()
		if err := os.WriteFile("lastaccessed_services.json.gz", gz.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		serviceCatalogGzip = gz.Bytes()
	}
	zr, err := gzip.NewReader(bytes.NewReader(serviceCatalogGzip))
	if err != nil {
		t.Fatal(err)
	}
	var got bytes.Buffer
	got.ReadFrom(zr)
	if !bytes.Equal(got.Bytes(), want) {
		t.Fatal("lastaccessed_services.json.gz differs from ../shared/data/aws-service-actions.json: run go test ./internal/iam -run TestServiceCatalog -update-service-catalog")
	}
	all, err := decodeServiceCatalog(serviceCatalogGzip)
	if err != nil {
		t.Fatal(err)
	}
	if len(all) < 400 {
		t.Fatalf("%d services", len(all))
	}
	if svc, ok := lookupService("IAM"); !ok || svc.Name != "AWS Identity and Access Management (IAM)" || len(svc.Actions) < 100 {
		t.Errorf("iam: %+v, %v", svc.Name, ok)
	}
}

func TestAccessJobID(t *testing.T) {
	t.Parallel()
	j := accessJob{Account: "123456789012", ARN: "arn:aws:iam::123456789012:user/alice", Granularity: "SERVICE_LEVEL",
		Created: time.Date(2025, 2, 3, 4, 5, 6, 789000000, time.UTC)}
	id := j.id()
	if len(id) != 36 || strings.Count(id, "-") != 4 {
		t.Fatalf("id %q is not UUID-shaped", id)
	}
	got, ok := parseJobID(id)
	if !ok || !got.Equal(j.Created) {
		t.Fatalf("parseJobID(%q) = %v, %v; want %v", id, got, ok, j.Created)
	}
	other := j
	other.Granularity = "ACTION_LEVEL"
	if other.id() == id {
		t.Error("the granularity does not change the id")
	}
	for _, bad := range []string{"", "not-a-job", strings.Repeat("z", 36), "01234567-89ab-cdef-0123-456789abcdef"} {
		if _, ok := parseJobID(bad); ok {
			t.Errorf("parseJobID(%q) accepted", bad)
		}
	}
}

func TestGrantReaches(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, doc string
		reaches   []string
		not       []string
	}{
		{"wildcard action", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:Get*","Resource":"arn:aws:s3:::b/*"}}`, []string{"s3"}, []string{"ec2", "iam"}},
		{"everything", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}`, []string{"s3", "iam", "ec2"}, nil},
		{"not action", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","NotAction":["s3:*","iam:*"],"Resource":"*"}}`, []string{"ec2", "sts"}, []string{"s3", "iam"}},
		{"deny only", `{"Version":"2012-10-17","Statement":{"Effect":"Deny","Action":"*","Resource":"*"}}`, nil, []string{"s3"}},
		{"no such action", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:NoSuchAction","Resource":"*"}}`, nil, []string{"s3"}},
		{"case", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"IAM:listusers","Resource":"*"}}`, []string{"iam"}, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p, err := storedSimPolicy(tc.doc, policy.Identity, "p", sourceIdentity)
			if err != nil {
				t.Fatal(err)
			}
			g := grantOf(p)
			for _, ns := range tc.reaches {
				svc, _ := lookupService(ns)
				if !g.reaches(svc) {
					t.Errorf("does not reach %s", ns)
				}
			}
			for _, ns := range tc.not {
				svc, _ := lookupService(ns)
				if g.reaches(svc) {
					t.Errorf("reaches %s", ns)
				}
			}
		})
	}
}

// TestServiceLastAccessed generates reports for a user, its group, a
// policy and a role, and reads them with the use iamd recorded.
func TestServiceLastAccessed(t *testing.T) {
	t.Parallel()
	s, c := newTestService(t)
	cx := context.Background()
	acct := c.AccountID
	used := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	policyARN := "arn:aws:iam::" + acct + ":policy/sts-only"
	err := s.store.Update(cx, func(tx store.Tx) error {
		for _, err := range []error{
			tx.CreateUser(store.User{Account: acct, ID: "AIDAAAAAAAAAAAAAAAAAA", Name: "alice", Path: "/", Created: c.Now}),
			tx.CreateUser(store.User{Account: acct, ID: "AIDABBBBBBBBBBBBBBBBB", Name: "bob", Path: "/", Created: c.Now}),
			tx.PutInlinePolicy(acct, userEntity("alice"), store.InlinePolicy{Name: "iam-read", Document: `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"iam:List*","Resource":"*"}}`}),
			tx.CreateGroup(store.Group{Account: acct, ID: "AGPAAAAAAAAAAAAAAAAAA", Name: "devs", Path: "/", Created: c.Now}),
			tx.AddUserToGroup(acct, "devs", "alice"),
			tx.AddUserToGroup(acct, "devs", "bob"),
			tx.CreatePolicy(store.Policy{Account: acct, ID: "ANPAAAAAAAAAAAAAAAAAA", Name: "sts-only", Path: "/", ARN: policyARN, Created: c.Now, Updated: c.Now, DefaultVersion: "v1"},
				`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"sts:GetCallerIdentity","Resource":"*"}}`),
			tx.AttachPolicy(acct, groupEntity("devs"), store.AttachedPolicy{ARN: policyARN, Name: "sts-only", Path: "/"}),
			tx.CreateRole(store.Role{Account: acct, ID: "AROAAAAAAAAAAAAAAAAAA", Name: "web", Path: "/", Created: c.Now, MaxSessionDuration: 3600,
				AssumeRolePolicy: `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}}`}),
			tx.AttachPolicy(acct, roleEntity("web"), store.AttachedPolicy{ARN: policyARN, Name: "sts-only", Path: "/"}),
			tx.CreateAccessKey(store.AccessKey{ID: "AKIAAAAAAAAAAAAAAAAA", Account: acct, UserName: "alice", Secret: []byte("sealed"), Status: store.AccessKeyActive, Created: c.Now}),
		} {
			if err != nil {
				return err
			}
		}
		return tx.RecordAccessKeyUse([]store.KeyUse{{AccessKeyID: "AKIAAAAAAAAAAAAAAAAA", Time: used, Service: "sts", Region: "eu-west-1"}})
	})
	if err != nil {
		t.Fatal(err)
	}
	report := func(t *testing.T, target, granularity string) (string, *iamapi.GetServiceLastAccessedDetailsResponse) {
		t.Helper()
		g, err := s.generateServiceLastAccessedDetails(cx, c, &iamapi.GenerateServiceLastAccessedDetailsRequest{Arn: target, Granularity: ptr(granularity)})
		if err != nil {
			t.Fatal(err)
		}
		out, err := s.getServiceLastAccessedDetails(cx, c, &iamapi.GetServiceLastAccessedDetailsRequest{JobId: *g.JobId})
		if err != nil {
			t.Fatal(err)
		}
		if out.JobStatus != "COMPLETED" || *out.JobType != granularity || !out.JobCreationDate.Equal(c.Now.Truncate(time.Millisecond)) {
			t.Errorf("job %+v", out)
		}
		return *g.JobId, out
	}
	namespaces := func(out *iamapi.GetServiceLastAccessedDetailsResponse) map[string]iamapi.ServiceLastAccessed {
		m := map[string]iamapi.ServiceLastAccessed{}
		for _, s := range out.ServicesLastAccessed {
			m[s.ServiceNamespace] = s
		}
		return m
	}
	user := "arn:aws:iam::" + acct + ":user/alice"

	t.Run("user", func(t *testing.T) {
		_, out := report(t, user, "SERVICE_LEVEL")
		m := namespaces(out)
		if len(m) != 2 {
			t.Fatalf("services %v", m)
		}
		if sts := m["sts"]; sts.LastAuthenticated == nil || !sts.LastAuthenticated.Equal(used) || *sts.LastAuthenticatedEntity != user ||
			*sts.LastAuthenticatedRegion != "eu-west-1" || *sts.TotalAuthenticatedEntities != 1 {
			t.Errorf("sts %+v", sts)
		}
		if iam := m["iam"]; iam.LastAuthenticated != nil || *iam.TotalAuthenticatedEntities != 0 || iam.TrackedActionsLastAccessed != nil {
			t.Errorf("iam %+v", iam)
		}
	})
	t.Run("action level", func(t *testing.T) {
		_, out := report(t, user, "ACTION_LEVEL")
		iam := namespaces(out)["iam"]
		if len(iam.TrackedActionsLastAccessed) == 0 || !strings.HasPrefix(*iam.TrackedActionsLastAccessed[0].ActionName, "List") {
			t.Errorf("iam tracked actions %+v", iam.TrackedActionsLastAccessed)
		}
	})
	t.Run("group and its entities", func(t *testing.T) {
		job, out := report(t, "arn:aws:iam::"+acct+":group/devs", "SERVICE_LEVEL")
		if m := namespaces(out); len(m) != 1 || *m["sts"].TotalAuthenticatedEntities != 1 {
			t.Fatalf("group services %+v", m)
		}
		ents, err := s.getServiceLastAccessedDetailsWithEntities(cx, c, &iamapi.GetServiceLastAccessedDetailsWithEntitiesRequest{JobId: job, ServiceNamespace: "sts", MaxItems: ptr(int32(1))})
		if err != nil || len(ents.EntityDetailsList) != 1 || !*ents.IsTruncated {
			t.Fatalf("first entity page %+v, %v", ents, err)
		}
		rest, err := s.getServiceLastAccessedDetailsWithEntities(cx, c, &iamapi.GetServiceLastAccessedDetailsWithEntitiesRequest{JobId: job, ServiceNamespace: "sts", Marker: ents.Marker})
		if err != nil || len(rest.EntityDetailsList) != 1 || *rest.IsTruncated {
			t.Fatalf("second entity page %+v, %v", rest, err)
		}
		byName := map[string]iamapi.EntityDetails{}
		for _, e := range append(ents.EntityDetailsList, rest.EntityDetailsList...) {
			byName[e.EntityInfo.Name] = e
		}
		if byName["alice"].LastAuthenticated == nil || byName["bob"].LastAuthenticated != nil || byName["bob"].EntityInfo.Type != "USER" {
			t.Errorf("entities %+v", byName)
		}
	})
	t.Run("policy reaches users through groups and roles", func(t *testing.T) {
		job, _ := report(t, policyARN, "SERVICE_LEVEL")
		ents, err := s.getServiceLastAccessedDetailsWithEntities(cx, c, &iamapi.GetServiceLastAccessedDetailsWithEntitiesRequest{JobId: job, ServiceNamespace: "sts"})
		if err != nil || len(ents.EntityDetailsList) != 3 {
			t.Fatalf("entities %+v, %v", ents, err)
		}
		_, err = s.getServiceLastAccessedDetailsWithEntities(cx, c, &iamapi.GetServiceLastAccessedDetailsWithEntitiesRequest{JobId: job, ServiceNamespace: "nosuchservice"})
		if code(err) != "InvalidInput" {
			t.Errorf("unknown namespace: %v", err)
		}
	})
	t.Run("AWS managed policy", func(t *testing.T) {
		_, out := report(t, "arn:aws:iam::aws:policy/ReadOnlyAccess", "SERVICE_LEVEL")
		if len(out.ServicesLastAccessed) < 50 {
			t.Errorf("ReadOnlyAccess reaches %d services", len(out.ServicesLastAccessed))
		}
	})
	t.Run("not found", func(t *testing.T) {
		for target, want := range map[string]string{
			"arn:aws:iam::" + acct + ":user/nobody":        "NoSuchEntity",
			"arn:aws:iam::" + acct + ":policy/nobody":      "NoSuchEntity",
			"arn:aws:iam::aws:policy/NoSuchAWSPolicy":      "NoSuchEntity",
			"arn:aws:s3:::bucket":                          "InvalidInput",
			"arn:aws:iam::" + acct + ":instance-profile/x": "InvalidInput",
		} {
			_, err := s.generateServiceLastAccessedDetails(cx, c, &iamapi.GenerateServiceLastAccessedDetailsRequest{Arn: target})
			if code(err) != want {
				t.Errorf("%s: %v, want %s", target, err, want)
			}
		}
		_, err := s.getServiceLastAccessedDetails(cx, c, &iamapi.GetServiceLastAccessedDetailsRequest{JobId: "01234567-89ab-8def-8123-456789abcdef"})
		if code(err) != "NoSuchEntity" {
			t.Errorf("unknown job: %v", err)
		}
	})
	t.Run("policies granting access", func(t *testing.T) {
		out, err := s.listPoliciesGrantingServiceAccess(cx, c, &iamapi.ListPoliciesGrantingServiceAccessRequest{Arn: user, ServiceNamespaces: []string{"iam", "sts", "s3"}})
		if err != nil {
			t.Fatal(err)
		}
		got := map[string][]iamapi.PolicyGrantingServiceAccess{}
		for _, e := range out.PoliciesGrantingServiceAccess {
			got[*e.ServiceNamespace] = e.Policies
		}
		if p := got["iam"]; len(p) != 1 || p[0].PolicyName != "iam-read" || p[0].PolicyType != "INLINE" || *p[0].EntityType != "USER" || *p[0].EntityName != "alice" {
			t.Errorf("iam %+v", p)
		}
		if p := got["sts"]; len(p) != 1 || p[0].PolicyType != "MANAGED" || *p[0].PolicyArn != policyARN || p[0].EntityType != nil {
			t.Errorf("sts %+v", p)
		}
		if p, ok := got["s3"]; !ok || len(p) != 0 {
			t.Errorf("s3 %+v", p)
		}
	})
}

// BenchmarkServiceLastAccessedAdministrator reads a report for a user with
// AdministratorAccess: every service of the catalog, and the search of
// the job among the account's entities and the AWS managed policies.
func BenchmarkServiceLastAccessedAdministrator(b *testing.B) {
	s, c := newTestService(b)
	cx := context.Background()
	err := s.store.Update(cx, func(tx store.Tx) error {
		if err := tx.CreateUser(store.User{Account: c.AccountID, ID: "AIDAAAAAAAAAAAAAAAAAA", Name: "root-like", Path: "/", Created: c.Now}); err != nil {
			return err
		}
		return tx.AttachPolicy(c.AccountID, userEntity("root-like"), store.AttachedPolicy{ARN: "arn:aws:iam::aws:policy/AdministratorAccess", Name: "AdministratorAccess", Path: "/"})
	})
	if err != nil {
		b.Fatal(err)
	}
	g, err := s.generateServiceLastAccessedDetails(cx, c, &iamapi.GenerateServiceLastAccessedDetailsRequest{Arn: "arn:aws:iam::" + c.AccountID + ":user/root-like"})
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := s.getServiceLastAccessedDetails(cx, c, &iamapi.GetServiceLastAccessedDetailsRequest{JobId: *g.JobId, MaxItems: ptr(int32(1000))}); err != nil {
			b.Fatal(err)
		}
	}
}
