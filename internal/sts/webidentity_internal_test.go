package sts

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/iamd/iamd/awsquery"
	"github.com/iamd/iamd/internal/oidc"
	"github.com/iamd/iamd/policy"
)

// claimsOf decodes claims as the verifier does (numbers as json.Number).
func claimsOf(t *testing.T, doc string) map[string]any {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(doc))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		t.Fatal(err)
	}
	return m
}

// values reads a context key: its values, and whether it is multivalued.
func values(ctx *policy.Context, key string) ([]string, bool, bool) {
	v, ok := ctx.Lookup(key)
	if !ok {
		return nil, false, false
	}
	out := make([]string, v.Len())
	for i := range out {
		out[i] = v.At(i)
	}
	return out, v.Multi(), true
}

func TestOIDCClaimKeys(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		id     string
		claims string
		aud    string
		auds   []string
		want   map[string]string // key → values joined by ","; "" value: absent
		multi  map[string]bool
	}{
		{
			name:   "generic provider",
			id:     "auth.example.com/tenant",
			claims: `{"sub":"u1","amr":["pwd","mfa"],"email":"u1@example.com","azp":"x"}`,
			aud:    "client-1",
			want: map[string]string{"auth.example.com/tenant:aud": "client-1", "auth.example.com/tenant:sub": "u1",
				"auth.example.com/tenant:amr": "pwd,mfa", "auth.example.com/tenant:email": "", "auth.example.com/tenant:azp": "",
				"auth.example.com/tenant:oaud": ""},
			multi: map[string]bool{"auth.example.com/tenant:amr": true},
		},
		{
			name:   "Cognito's single amr is still multivalued",
			id:     "cognito-identity.amazonaws.com",
			claims: `{"sub":"us-east-1:abc","amr":"unauthenticated"}`,
			aud:    "us-east-1:pool",
			want:   map[string]string{"cognito-identity.amazonaws.com:amr": "unauthenticated", "cognito-identity.amazonaws.com:aud": "us-east-1:pool"},
			multi:  map[string]bool{"cognito-identity.amazonaws.com:amr": true},
		},
		{
			name:   "Google: aud is the azp, oaud the token's aud, organization number",
			id:     "accounts.google.com",
			claims: `{"sub":"1234","azp":"web-app","google":{"organization_number":123456789}}`,
			aud:    "web-app",
			auds:   []string{"project-client"},
			want: map[string]string{"accounts.google.com:aud": "web-app", "accounts.google.com:oaud": "project-client",
				"accounts.google.com:google/organization_number": "123456789"},
		},
		{
			name: "GitHub Actions",
			id:   "token.actions.githubusercontent.com",
			claims: `{"sub":"repo:octo/app:ref:refs/heads/main","repository":"octo/app","repository_id":"42","ref":"refs/heads/main",` +
				`"actor":"octocat","workflow":"ci","job_workflow_ref":"octo/app/.github/workflows/ci.yml@refs/heads/main","run_id":"9"}`,
			aud: "sts.amazonaws.com",
			want: map[string]string{"token.actions.githubusercontent.com:repository": "octo/app",
				"token.actions.githubusercontent.com:repository_id": "42", "token.actions.githubusercontent.com:actor": "octocat",
				"token.actions.githubusercontent.com:ref": "refs/heads/main", "token.actions.githubusercontent.com:run_id": ""},
		},
		{
			name:   "GitHub Enterprise issuer with a path",
			id:     "token.actions.githubusercontent.com/acme",
			claims: `{"sub":"s","environment":"prod"}`,
			aud:    "sts.amazonaws.com",
			want:   map[string]string{"token.actions.githubusercontent.com/acme:environment": "prod"},
		},
		{
			name:   "GitLab, booleans as text",
			id:     "gitlab.com",
			claims: `{"sub":"project_path:g/p:ref_type:branch:ref:main","project_id":"7","ref_protected":true}`,
			aud:    "https://gitlab.com",
			want:   map[string]string{"gitlab.com:project_id": "7", "gitlab.com:ref_protected": "true"},
		},
		{
			name:   "CircleCI's claim with a slash in its name",
			id:     "oidc.circleci.com/org/abc",
			claims: `{"sub":"org/abc/project/def/user/ghi","oidc.circleci.com/project-id":"def"}`,
			aud:    "abc",
			want:   map[string]string{"oidc.circleci.com/org/abc:oidc.circleci.com/project-id": "def"},
		},
		{
			name:   "provider-specific claims of another provider do not leak",
			id:     "auth.example.com",
			claims: `{"sub":"s","repository":"octo/app"}`,
			aud:    "c",
			want:   map[string]string{"auth.example.com:repository": ""},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			claims := claimsOf(t, tc.claims)
			auds := tc.auds
			if auds == nil {
				auds = []string{tc.aud}
			}
			tok := &oidc.Token{Subject: claims["sub"].(string), Audience: tc.aud, Audiences: auds, Claims: claims}
			var ctx policy.Context
			oidcClaimKeys(&ctx, tc.id, tok)
			for key, want := range tc.want {
				got, multi, ok := values(&ctx, key)
				if want == "" {
					if ok {
						t.Errorf("%s = %v, want absent", key, got)
					}
					continue
				}
				if !ok || strings.Join(got, ",") != want {
					t.Errorf("%s = %v (present %v), want %s", key, got, ok, want)
				}
				if multi != tc.multi[key] {
					t.Errorf("%s multivalued = %v", key, multi)
				}
			}
		})
	}
}

func TestTokenTags(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		claims     string
		tags       string // key=value,...
		transitive string
		bad        bool
	}{
		{name: "no tags claim", claims: `{}`},
		{name: "AWS's format", claims: `{"https://aws.amazon.com/tags":{"principal_tags":{"Project":["Automation"],"CostCenter":["987654"]},"transitive_tag_keys":["CostCenter"]}}`,
			tags: "CostCenter=987654,Project=Automation", transitive: "CostCenter"},
		{name: "plain string values", claims: `{"https://aws.amazon.com/tags":{"principal_tags":{"team":"blue"}}}`, tags: "team=blue"},
		{name: "two values for a tag", claims: `{"https://aws.amazon.com/tags":{"principal_tags":{"team":["a","b"]}}}`, bad: true},
		{name: "numeric value", claims: `{"https://aws.amazon.com/tags":{"principal_tags":{"team":[7]}}}`, bad: true},
		{name: "claim not an object", claims: `{"https://aws.amazon.com/tags":"team=blue"}`, bad: true},
		{name: "transitive keys not a list", claims: `{"https://aws.amazon.com/tags":{"transitive_tag_keys":"team"}}`, bad: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tags, transitive, err := tokenTags(claimsOf(t, tc.claims))
			if tc.bad {
				we, ok := err.(*awsquery.Error)
				if !ok || we.Code != "InvalidIdentityToken" {
					t.Fatalf("err = %v, want InvalidIdentityToken", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, tg := range tags {
				got = append(got, tg.Key+"="+tg.Value)
			}
			if strings.Join(got, ",") != tc.tags || strings.Join(transitive, ",") != tc.transitive {
				t.Errorf("tags %v transitive %v", got, transitive)
			}
		})
	}
}

func TestOIDCErrorCodes(t *testing.T) {
	t.Parallel()
	tests := []struct {
		kind   oidc.Kind
		code   string
		status int
	}{
		{oidc.Invalid, "InvalidIdentityToken", 400},
		{oidc.Expired, "ExpiredTokenException", 400},
		{oidc.Unreachable, "IDPCommunicationError", 400},
	}
	for _, tc := range tests {
		err := oidcError(&oidc.Error{Kind: tc.kind, Message: "m"})
		we, ok := err.(*awsquery.Error)
		if !ok || we.Code != tc.code || we.Status != tc.status || we.Message != "m" {
			t.Errorf("kind %v: %#v, want %s %d", tc.kind, err, tc.code, tc.status)
		}
	}
}

func TestSourceIdentityRule(t *testing.T) {
	t.Parallel()
	for s, want := range map[string]bool{
		"alice": true, "alice@example.com": true, "a=b,c.d+e-f_g": true,
		"a": false, "aws:alice": false, "AWS:alice": false, "alice doe": false, strings.Repeat("a", 65): false,
	} {
		if got := validSourceIdentity(s); got != want {
			t.Errorf("validSourceIdentity(%q) = %v", s, got)
		}
	}
}
