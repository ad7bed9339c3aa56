package sts

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/iamd/iamd/internal/oidc"
	"github.com/iamd/iamd/internal/service"
	"github.com/iamd/iamd/internal/store"
	"github.com/iamd/iamd/internal/stsapi"
	"github.com/iamd/iamd/policy"
)

// The web identity service is registered with a verifier of its own, whose
// trusted roots are the system's plus, for tests and for enterprises whose
// identity provider uses a private CA, the PEM certificates of the file
// oidc.ExtraCAFileEnv (IAMD_EXTRA_CA_FILE) names.
var _ = family(func(s *Service, t service.Table) {
	roots, err := oidc.LoadRoots(os.Getenv(oidc.ExtraCAFileEnv))
	w := &webIdentity{s: s, verifier: oidc.NewVerifier(oidc.Config{RootCAs: roots}), setupErr: err}
	t["AssumeRoleWithWebIdentity"] = service.Op(w.assume)
})

// webIdentity is AssumeRoleWithWebIdentity with the verifier that caches
// the identity providers' keys across calls.
type webIdentity struct {
	s        *Service
	verifier *oidc.Verifier
	// setupErr is an unusable IAMD_EXTRA_CA_FILE: every call fails with
	// it (logged as an internal failure) rather than silently trusting
	// only the system's roots.
	setupErr error
}

// AWS's claim names for session tags and source identity in a web identity
// token (IAM User Guide, "Passing session tags using
// AssumeRoleWithWebIdentity" and "Monitor and control actions taken with
// assumed roles").
const (
	claimTags           = "https://aws.amazon.com/tags"
	claimSourceIdentity = "https://aws.amazon.com/source_identity"
)

// assume is AssumeRoleWithWebIdentity: the token names its issuer, which
// must be an OpenID Connect provider of the role's account; the token is
// verified against the provider (oidc.Verifier: signature by the issuer's
// JWKS, audience among the client ids, times), then the role's trust policy
// decides with the token's claims in the context, and a role session is
// issued. The call is unsigned: the token is the only credential.
func (w *webIdentity) assume(ctx context.Context, c *service.Call, in *stsapi.AssumeRoleWithWebIdentityRequest) (*stsapi.AssumeRoleWithWebIdentityResponse, error) {
	if w.setupErr != nil {
		return nil, fmt.Errorf("web identity federation: %s: %w", oidc.ExtraCAFileEnv, w.setupErr)
	}
	ref, err := parseRoleARN(in.RoleArn)
	if err != nil {
		return nil, err
	}
	if in.ProviderId != nil {
		// ProviderId is for the OAuth 2.0 access tokens of Login with
		// Amazon and Facebook, which only those services can check.
		return nil, wireError("InvalidParameterValue",
			"ProviderId %s is not supported: iamd verifies OpenID Connect ID tokens of the account's OpenID Connect providers, which take no ProviderId.", *in.ProviderId)
	}
	iss, err := oidc.PeekIssuer(in.WebIdentityToken)
	if err != nil {
		return nil, oidcError(err)
	}
	providerID, ok := strings.CutPrefix(iss, "https://")
	if !ok || providerID == "" {
		return nil, noOIDCProvider(iss)
	}
	providerARN := oidcProviderARN(ref.Partition, ref.Account, providerID)
	var prov store.OIDCProvider
	if err := w.s.store.View(ctx, func(tx store.Tx) error {
		var err error
		prov, err = tx.GetOIDCProvider(ref.Account, providerARN)
		return err
	}); err != nil {
		if errors.Is(err, store.ErrNotFound) || errors.Is(err, store.ErrInvalidArgument) {
			return nil, noOIDCProvider(iss)
		}
		return nil, err
	}
	// The keys are fetched outside any transaction: a slow identity
	// provider must not hold the store.
	tok, err := w.verifier.Verify(ctx, oidc.Provider{URL: iss, ID: providerID, ClientIDs: prov.ClientIDs, Thumbprints: prov.Thumbprints}, in.WebIdentityToken, c.Now)
	if err != nil {
		return nil, oidcError(err)
	}
	tags, transitive, err := tokenTags(tok.Claims)
	if err != nil {
		return nil, err
	}
	sourceIdentity := ""
	if raw, present := tok.Claims[claimSourceIdentity]; present {
		si, ok := raw.(string)
		if !ok || !validSourceIdentity(si) {
			return nil, wireError("InvalidIdentityToken", "%s", msgSourceIdentity)
		}
		sourceIdentity = si
	}

	fed := federation{
		action:   "sts:AssumeRoleWithWebIdentity",
		provider: providerARN,
		context: func() policy.Context {
			rctx := federationContext(c, providerARN)
			oidcClaimKeys(&rctx, providerID, tok)
			return rctx
		},
		sessionName:    in.RoleSessionName,
		tags:           tags,
		transitive:     transitive,
		sourceIdentity: sourceIdentity,
	}
	cc := *c
	cc.Partition = ref.Partition
	var out *stsapi.AssumeRoleWithWebIdentityResponse
	err = w.s.store.Update(ctx, func(tx store.Tx) error {
		out = nil
		if _, err := tx.GetOIDCProvider(ref.Account, providerARN); err != nil {
			if errors.Is(err, store.ErrNotFound) {
				return noOIDCProvider(iss)
			}
			return err
		}
		role, err := fed.trustedRole(&cc, tx, ref)
		if err != nil {
			return err
		}
		creds, user, packed, err := w.s.issueRoleSession(&cc, tx, fed.spec(role, in.DurationSeconds, in.Policy, in.PolicyArns))
		if err != nil {
			return err
		}
		out = &stsapi.AssumeRoleWithWebIdentityResponse{
			Credentials:                 creds,
			AssumedRoleUser:             user,
			SubjectFromWebIdentityToken: &tok.Subject,
			Provider:                    &providerARN,
			Audience:                    &tok.Audience,
		}
		if in.Policy != nil || len(in.PolicyArns) > 0 || len(tags) > 0 {
			out.PackedPolicySize = &packed
		}
		if sourceIdentity != "" {
			out.SourceIdentity = &sourceIdentity
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// noOIDCProvider is AWS's answer to a token whose issuer is not a provider
// of the role's account (aws-actions/configure-aws-credentials#721).
func noOIDCProvider(iss string) error {
	return wireError("InvalidIdentityToken", "No OpenIDConnect provider found in your account for %s", iss)
}

// oidcProviderARN is the ARN of an OpenID Connect provider.
func oidcProviderARN(partition, account, id string) string {
	return fmt.Sprintf("arn:%s:iam::%s:oidc-provider/%s", partition, account, id)
}

// oidcError turns a verification failure into STS's error: an expired
// token is ExpiredTokenException (the code the SDKs map to their
// ExpiredTokenException type), an unreachable provider
// IDPCommunicationError, anything else InvalidIdentityToken.
func oidcError(err error) error {
	var e *oidc.Error
	if !errors.As(err, &e) {
		return err
	}
	switch e.Kind {
	case oidc.Expired:
		return wireError("ExpiredTokenException", "%s", e.Message)
	case oidc.Unreachable:
		return wireError("IDPCommunicationError", "%s", e.Message)
	}
	return wireError("InvalidIdentityToken", "%s", e.Message)
}

// federation is what AssumeRoleWithWebIdentity and AssumeRoleWithSAML
// establish before they issue a session: the provider, the request context
// built from the verified token or assertion, and the session's name, tags
// and source identity.
type federation struct {
	action   string // sts:AssumeRoleWithWebIdentity or sts:AssumeRoleWithSAML
	provider string // the provider's ARN: the Federated principal
	// context builds the request context from the verified claims; a
	// fresh one per evaluation, as a store transaction may be retried.
	context        func() policy.Context
	sessionName    string
	tags           []stsapi.Tag
	transitive     []string
	sourceIdentity string
}

// trustedRole reads the role and asks its trust policy whether the
// provider's principal may assume it with what the request carries: the
// federation action, sts:TagSession when session tags are passed, and
// sts:SetSourceIdentity when a source identity is set (IAM User Guide,
// "Permissions required to add session tags", "Permissions required to set
// source identity"). A missing role and a refusing trust policy get the
// same AccessDenied, as in AWS ("Not authorized to perform
// sts:AssumeRoleWithSAML", IAM User Guide, "Troubleshooting SAML 2.0
// federation").
func (f *federation) trustedRole(c *service.Call, tx store.Tx, ref roleRef) (store.Role, error) {
	denied := wireError("AccessDenied", "Not authorized to perform %s", f.action)
	role, err := roleForARN(c, tx, ref)
	if errors.Is(err, errNoRole) {
		return store.Role{}, denied
	}
	if err != nil {
		return store.Role{}, err
	}
	rctx := f.context()
	rctx.Set("sts:RoleSessionName", f.sessionName)
	if f.sourceIdentity != "" {
		rctx.Set("sts:SourceIdentity", f.sourceIdentity)
	}
	if len(f.tags) > 0 {
		keys := make([]string, 0, len(f.tags))
		for _, t := range f.tags {
			rctx.Set("aws:RequestTag/"+t.Key, t.Value)
			keys = append(keys, t.Key)
		}
		rctx.SetMulti("aws:TagKeys", keys)
	}
	if len(f.transitive) > 0 {
		rctx.SetMulti("sts:TransitiveTagKeys", f.transitive)
	}
	actions := []string{f.action}
	if len(f.tags) > 0 {
		actions = append(actions, "sts:TagSession")
	}
	if f.sourceIdentity != "" {
		actions = append(actions, "sts:SetSourceIdentity")
	}
	for _, action := range actions {
		d, err := trustAllows(TrustRequest{
			Role:      role,
			RoleARN:   ref.ARN,
			Principal: policy.Principal{Type: policy.WebIdentity, Provider: f.provider},
			Action:    action,
			Context:   rctx,
		})
		if err != nil || !d.Allowed() {
			return store.Role{}, denied
		}
	}
	return role, nil
}

// spec is the session to issue for the role.
func (f *federation) spec(role store.Role, duration *int32, inline *string, arns []stsapi.PolicyDescriptorType) RoleSessionSpec {
	return RoleSessionSpec{
		Role:              role,
		SessionName:       f.sessionName,
		DurationSeconds:   duration,
		Policy:            inline,
		PolicyArns:        arns,
		Tags:              f.tags,
		TransitiveTagKeys: f.transitive,
		SourceIdentity:    f.sourceIdentity,
		FederatedProvider: f.provider,
	}
}

// federationContext is the environment part of a federation request's
// context. The caller is anonymous (the request is unsigned), so there are
// no principal keys; aws:FederatedProvider names the provider.
func federationContext(c *service.Call, provider string) policy.Context {
	var ctx policy.Context
	if c.SourceIP != "" {
		ctx.Set("aws:SourceIp", c.SourceIP)
	}
	if c.UserAgent != "" {
		ctx.Set("aws:UserAgent", c.UserAgent)
	}
	ctx.Set("aws:SecureTransport", "false")
	ctx.Set("aws:CurrentTime", c.Now.UTC().Format(timeLayout))
	ctx.Set("aws:EpochTime", strconv.FormatInt(c.Now.Unix(), 10))
	if c.Region != "" {
		ctx.Set("aws:RequestedRegion", c.Region)
	}
	ctx.Set("aws:FederatedProvider", provider)
	return ctx
}

// providerClaims are the claims, beyond aud, sub and amr, that AWS passes
// into the context for some well-known providers (the Service
// Authorization Reference lists them as condition keys of
// sts:AssumeRoleWithWebIdentity). Each entry matches provider ids by a
// pattern; a claim name with a "/" reads a nested claim.
var providerClaims = []struct {
	id     *regexp.Regexp
	claims []string
}{
	{regexp.MustCompile(`^(token\.actions\.githubusercontent\.com(/.+)?|token\.actions\.[^/]+\.ghe\.com|github\.com/enterprises/[^/]+)$`),
		[]string{"actor", "actor_id", "enterprise_id", "environment", "job_workflow_ref", "ref", "repository",
			"repository_id", "repository_owner_id", "workflow"}},
	{regexp.MustCompile(`^gitlab\.com$`),
		[]string{"namespace_id", "pipeline_source", "project_id", "ref_protected", "runner_environment",
			"user_access_level", "user_email", "user_id", "user_login"}},
	{regexp.MustCompile(`^oidc\.circleci\.com/org/[^/]+$`), []string{"oidc.circleci.com/project-id"}},
	{regexp.MustCompile(`^agent\.(buildkite\.com|[^/]+\.buildkite\.(dev|site))$`),
		[]string{"build_branch", "cluster_id", "cluster_name", "organization_id", "organization_slug", "pipeline_id", "pipeline_slug"}},
	{regexp.MustCompile(`^accounts\.google\.com$`), []string{"google/organization_number"}},
	{regexp.MustCompile(`^idcs-[^/]+\.identity\.oraclecloud\.com$`), []string{"rpst_id"}},
}

// oidcClaimKeys puts a verified token's claims into the context as AWS
// names them, prefixed by the provider id: <id>:aud (the client id the
// token was accepted for; for Google the azp when set), <id>:sub,
// <id>:amr (multivalued, as Amazon Cognito's), <id>:oaud for Google (the
// token's aud), and the provider-specific claims above. Other claims do
// not reach the context, as in AWS.
func oidcClaimKeys(ctx *policy.Context, id string, tok *oidc.Token) {
	ctx.Set(id+":aud", tok.Audience)
	ctx.Set(id+":sub", tok.Subject)
	if amr, ok := tok.Claims["amr"]; ok {
		setClaim(ctx, id+":amr", amr, true)
	}
	if id == "accounts.google.com" {
		if len(tok.Audiences) == 1 {
			ctx.Set(id+":oaud", tok.Audiences[0])
		} else {
			ctx.SetMulti(id+":oaud", tok.Audiences)
		}
	}
	for _, pc := range providerClaims {
		if !pc.id.MatchString(id) {
			continue
		}
		for _, name := range pc.claims {
			if v, ok := nestedClaim(tok.Claims, name); ok {
				setClaim(ctx, id+":"+name, v, false)
			}
		}
	}
}

// nestedClaim reads a claim by a "/"-separated path: "google/organization_number"
// is claims["google"]["organization_number"]. A claim whose own name holds
// the "/" (CircleCI's "oidc.circleci.com/project-id") is found first.
func nestedClaim(claims map[string]any, path string) (any, bool) {
	if v, ok := claims[path]; ok {
		return v, true
	}
	var cur any = claims
	for _, part := range strings.Split(path, "/") {
		m, ok := cur.(map[string]any)
		if !ok {
			return nil, false
		}
		if cur, ok = m[part]; !ok {
			return nil, false
		}
	}
	return cur, true
}

// setClaim puts a JSON claim value into the context: strings, numbers and
// booleans as their text; arrays as multivalued keys (always so when multi
// is true); objects and nulls not at all.
func setClaim(ctx *policy.Context, key string, v any, multi bool) {
	switch x := v.(type) {
	case []any:
		vals := make([]string, 0, len(x))
		for _, e := range x {
			if s, ok := scalar(e); ok {
				vals = append(vals, s)
			}
		}
		ctx.SetMulti(key, vals)
	default:
		s, ok := scalar(x)
		if !ok {
			return
		}
		if multi {
			ctx.SetMulti(key, []string{s})
		} else {
			ctx.Set(key, s)
		}
	}
}

func scalar(v any) (string, bool) {
	switch x := v.(type) {
	case string:
		return x, true
	case json.Number:
		return x.String(), true
	case bool:
		return strconv.FormatBool(x), true
	}
	return "", false
}

// tokenTags reads the session tags a token passes: the
// "https://aws.amazon.com/tags" claim, an object with "principal_tags" (tag
// keys to one-element arrays of values, or plain strings) and
// "transitive_tag_keys". Tags are returned in key order; the tag rules
// (count, lengths, duplicates) are issueRoleSession's.
func tokenTags(claims map[string]any) ([]stsapi.Tag, []string, error) {
	raw, ok := claims[claimTags]
	if !ok {
		return nil, nil, nil
	}
	bad := wireError("InvalidIdentityToken", "The %s claim must be an object with principal_tags (keys to single values) and transitive_tag_keys.", claimTags)
	obj, ok := raw.(map[string]any)
	if !ok {
		return nil, nil, bad
	}
	var tags []stsapi.Tag
	if pt, present := obj["principal_tags"]; present {
		m, ok := pt.(map[string]any)
		if !ok {
			return nil, nil, bad
		}
		keys := make([]string, 0, len(m))
		for k := range m {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			var value string
			switch v := m[k].(type) {
			case string:
				value = v
			case []any:
				if len(v) != 1 {
					return nil, nil, bad
				}
				s, ok := v[0].(string)
				if !ok {
					return nil, nil, bad
				}
				value = s
			default:
				return nil, nil, bad
			}
			tags = append(tags, stsapi.Tag{Key: k, Value: value})
		}
	}
	var transitive []string
	if tk, present := obj["transitive_tag_keys"]; present {
		list, ok := tk.([]any)
		if !ok {
			return nil, nil, bad
		}
		for _, k := range list {
			s, ok := k.(string)
			if !ok {
				return nil, nil, bad
			}
			transitive = append(transitive, s)
		}
	}
	return tags, transitive, nil
}

// sourceIdentityRE is the rule for a source identity passed by an identity
// provider (2 to 64 of [a-zA-Z_0-9+=,.@-], not beginning with "aws:").
var sourceIdentityRE = regexp.MustCompile(`^[\w+=,.@-]{2,64}$`)

// msgSourceIdentity is AWS's answer to a source identity that breaks the
// rule (IAM User Guide, "Troubleshooting SAML 2.0 federation").
const msgSourceIdentity = `Source Identity must match [a-zA-Z_0-9+=,.@-]{2,64} and not begin with "aws:"`

func validSourceIdentity(s string) bool {
	return sourceIdentityRE.MatchString(s) && !strings.HasPrefix(strings.ToLower(s), "aws:")
}
