package sts

import (
	"context"
	"crypto/sha1"
	"encoding/base64"
	"errors"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/iamd/iamd/arn"
	"github.com/iamd/iamd/internal/saml"
	"github.com/iamd/iamd/internal/service"
	"github.com/iamd/iamd/internal/store"
	"github.com/iamd/iamd/internal/stsapi"
	"github.com/iamd/iamd/policy"
)

var _ = family(func(s *Service, t service.Table) {
	t["AssumeRoleWithSAML"] = service.Op(s.assumeRoleWithSAML)
})

// AWS's SAML attribute names (IAM User Guide, "Configuring SAML assertions
// for the authentication response"); they are compared exactly.
const (
	samlAttrRole            = "https://aws.amazon.com/SAML/Attributes/Role"
	samlAttrRoleSessionName = "https://aws.amazon.com/SAML/Attributes/RoleSessionName"
	samlAttrSessionDuration = "https://aws.amazon.com/SAML/Attributes/SessionDuration"
	samlAttrSourceIdentity  = "https://aws.amazon.com/SAML/Attributes/SourceIdentity"
	samlAttrPrincipalTag    = "https://aws.amazon.com/SAML/Attributes/PrincipalTag:"
	samlAttrTransitiveTags  = "https://aws.amazon.com/SAML/Attributes/TransitiveTagKeys"
)

// SAML's timing rules as AWS applies them: an assertion must be redeemed
// within five minutes of its IssueInstant ("Token must be redeemed within
// 5 minutes of issuance", Nike-Inc/gimme-aws-creds#251); the
// SessionDuration attribute lies between 15 minutes and 12 hours.
const (
	samlRedeemWindow      = 5 * time.Minute
	samlClockSkew         = time.Minute
	samlMinSessionSeconds = 900
	samlMaxSessionSeconds = 43200
)

// AWS's answers to SAML responses (IAM User Guide, "Troubleshooting SAML
// 2.0 federation").
const (
	msgSAMLSignature       = "Response signature invalid"
	msgSAMLIssuer          = "Issuer not present in specified provider"
	msgSAMLNoSessionName   = "RoleSessionName is required in AuthnResponse"
	msgSAMLBadSessionName  = "RoleSessionName in AuthnResponse must match [a-zA-Z_0-9+=,.@-]{2,64}"
	msgSAMLRedeemed        = "Token must be redeemed within 5 minutes of issuance"
	msgSAMLNoSuchProvider  = "Specified provider doesn't exist."
	msgSAMLRejected        = "The identity provider reported that authentication failed."
	msgSAMLInvalidResponse = "Invalid SAML response: "
)

// roleSessionNameRE is the rule for the RoleSessionName attribute.
var roleSessionNameRE = regexp.MustCompile(`^[\w+=,.@-]{2,64}$`)

// assumeRoleWithSAML is AssumeRoleWithSAML: the SAML response is verified
// against the signing certificates of the provider's metadata (package
// saml), its assertion must come from the provider's entity id, be meant for
// AWS's sign-in endpoint, be fresh, and name the requested role and provider
// in its Role attribute; then the role's trust policy decides with the
// saml:* keys in the context, and a role session is issued. The call is
// unsigned: the assertion is the only credential.
func (s *Service) assumeRoleWithSAML(ctx context.Context, c *service.Call, in *stsapi.AssumeRoleWithSAMLRequest) (*stsapi.AssumeRoleWithSAMLResponse, error) {
	ref, err := parseRoleARN(in.RoleArn)
	if err != nil {
		return nil, err
	}
	pa, err := arn.Parse(in.PrincipalArn)
	if err != nil || pa.Service != "iam" || !arn.ValidAccountID(pa.AccountID) || !strings.HasPrefix(pa.Resource, "saml-provider/") {
		return nil, invalidRoleARN(in.PrincipalArn)
	}
	providerName := strings.TrimPrefix(pa.Resource, "saml-provider/")
	var prov store.SAMLProvider
	if err := s.store.View(ctx, func(tx store.Tx) error {
		var err error
		prov, err = tx.GetSAMLProvider(pa.AccountID, in.PrincipalArn)
		return err
	}); err != nil {
		if errors.Is(err, store.ErrNotFound) || errors.Is(err, store.ErrInvalidArgument) {
			return nil, wireError("InvalidIdentityToken", msgSAMLNoSuchProvider)
		}
		return nil, err
	}
	md, err := saml.ParseMetadata(prov.Metadata)
	if err != nil {
		return nil, wireError("InvalidIdentityToken", "Could not parse metadata")
	}
	if !prov.ValidUntil.IsZero() && !c.Now.Before(prov.ValidUntil) {
		return nil, wireError("InvalidIdentityToken", "The SAML provider's metadata expired at %s.", prov.ValidUntil.UTC().Format(time.RFC3339))
	}
	a, err := saml.Verify(in.SAMLAssertion, md.SigningCerts, c.Now)
	if err != nil {
		return nil, samlError(err)
	}
	claims, err := checkAssertion(a, md.EntityID, ref, in.PrincipalArn, c.Now)
	if err != nil {
		return nil, err
	}
	nameQualifier := samlNameQualifier(a.Issuer, pa.AccountID, providerName)
	fed := federation{
		action:   "sts:AssumeRoleWithSAML",
		provider: in.PrincipalArn,
		context: func() policy.Context {
			rctx := federationContext(c, in.PrincipalArn)
			samlKeys(&rctx, a, claims.recipient, nameQualifier, pa.AccountID+"/"+providerName)
			return rctx
		},
		sessionName:    claims.sessionName,
		tags:           claims.tags,
		transitive:     claims.transitive,
		sourceIdentity: claims.sourceIdentity,
	}
	cc := *c
	cc.Partition = ref.Partition
	var out *stsapi.AssumeRoleWithSAMLResponse
	err = s.store.Update(ctx, func(tx store.Tx) error {
		out = nil
		role, err := fed.trustedRole(&cc, tx, ref)
		if err != nil {
			return err
		}
		// The requested duration must suit the role; the assertion can
		// only shorten the session (SessionDuration, SessionNotOnOrAfter:
		// the AssumeRoleWithSAML API reference, DurationSeconds).
		if _, err := roleSessionDuration(in.DurationSeconds, role.MaxSessionDuration, false); err != nil {
			return err
		}
		duration, err := claims.duration(in.DurationSeconds, c.Now)
		if err != nil {
			return err
		}
		creds, user, packed, err := s.issueRoleSession(&cc, tx, fed.spec(role, &duration, in.Policy, in.PolicyArns))
		if err != nil {
			return err
		}
		subjectType := samlSubjectType(a.Subject.Format)
		out = &stsapi.AssumeRoleWithSAMLResponse{
			Credentials:     creds,
			AssumedRoleUser: user,
			Subject:         &a.Subject.Value,
			SubjectType:     &subjectType,
			Issuer:          &a.Issuer,
			Audience:        &claims.recipient,
			NameQualifier:   &nameQualifier,
		}
		if in.Policy != nil || len(in.PolicyArns) > 0 || len(claims.tags) > 0 {
			out.PackedPolicySize = &packed
		}
		if claims.sourceIdentity != "" {
			out.SourceIdentity = &claims.sourceIdentity
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// samlError turns a verification failure into STS's error: the identity
// provider's own failure status is IDPRejectedClaim, a missing or invalid
// signature AWS's "Response signature invalid", anything else an
// InvalidIdentityToken that says what is wrong.
func samlError(err error) error {
	switch {
	case errors.Is(err, saml.ErrStatus):
		return wireError("IDPRejectedClaim", msgSAMLRejected)
	case errors.Is(err, saml.ErrSignature), errors.Is(err, saml.ErrUnsigned):
		return wireError("InvalidIdentityToken", msgSAMLSignature)
	case errors.Is(err, saml.ErrEncrypted):
		return wireError("InvalidIdentityToken", msgSAMLInvalidResponse+"encrypted assertions are not supported.")
	case errors.Is(err, saml.ErrCount):
		return wireError("InvalidIdentityToken", msgSAMLInvalidResponse+"the response must carry exactly one assertion.")
	}
	return wireError("InvalidIdentityToken", msgSAMLInvalidResponse+"the response is not a well-formed SAML 2.0 response.")
}

// samlClaims are what a verified assertion grants.
type samlClaims struct {
	recipient      string
	sessionName    string
	sourceIdentity string
	tags           []stsapi.Tag
	transitive     []string
	// sessionSeconds is the SessionDuration attribute (0 when absent);
	// sessionEnd the AuthnStatement's SessionNotOnOrAfter (zero when
	// absent).
	sessionSeconds int
	sessionEnd     time.Time
}

// checkAssertion applies AWS's rules to a verified assertion: its issuer is
// the provider's entity id; one bearer confirmation names AWS's sign-in
// endpoint (of the role's partition) as Recipient with a NotOnOrAfter not
// yet passed; an AudienceRestriction names AWS; the Conditions hold now; it
// was issued within the last five minutes; the Subject has a NameID; the
// Role attribute pairs the requested role with the provider (in either
// order); RoleSessionName is present and valid; SourceIdentity and
// SessionDuration, when present, are valid.
func checkAssertion(a *saml.Assertion, entityID string, ref roleRef, providerARN string, now time.Time) (*samlClaims, error) {
	invalid := func(format string, args ...any) error {
		return wireError("InvalidIdentityToken", msgSAMLInvalidResponse+format, args...)
	}
	expired := func(format string, args ...any) error {
		return wireError("ExpiredTokenException", format, args...)
	}
	if a.Issuer != entityID {
		return nil, wireError("InvalidIdentityToken", msgSAMLIssuer)
	}
	var claims samlClaims
	var conf *saml.Confirmation
	for i := range a.Confirmations {
		cf := &a.Confirmations[i]
		if cf.Method == saml.MethodBearer && cf.Recipient != "" && !cf.NotOnOrAfter.IsZero() {
			if conf != nil {
				return nil, invalid("there must be exactly one bearer SubjectConfirmation with Recipient and NotOnOrAfter.")
			}
			conf = cf
		}
	}
	if conf == nil {
		return nil, invalid("there must be exactly one bearer SubjectConfirmation with Recipient and NotOnOrAfter.")
	}
	if !awsSignInEndpoint(conf.Recipient, ref.Partition) {
		return nil, invalid("the Recipient %s is not AWS's SAML sign-in endpoint.", conf.Recipient)
	}
	claims.recipient = conf.Recipient
	if len(a.AudienceRestrictions) == 0 {
		return nil, invalid("the assertion has no AudienceRestriction naming AWS.")
	}
	for _, auds := range a.AudienceRestrictions {
		ok := false
		for _, aud := range auds {
			if awsAudience(aud, ref.Partition) {
				ok = true
				break
			}
		}
		if !ok {
			return nil, invalid("the AudienceRestriction does not name AWS (%s).", strings.Join(auds, ", "))
		}
	}
	if !now.Before(conf.NotOnOrAfter.Add(samlClockSkew)) {
		return nil, expired("The SAML assertion expired at %s (SubjectConfirmationData NotOnOrAfter).", conf.NotOnOrAfter.Format(time.RFC3339))
	}
	if !a.NotOnOrAfter.IsZero() && !now.Before(a.NotOnOrAfter.Add(samlClockSkew)) {
		return nil, expired("The SAML assertion expired at %s (Conditions NotOnOrAfter).", a.NotOnOrAfter.Format(time.RFC3339))
	}
	if now.Sub(a.IssueInstant) > samlRedeemWindow+samlClockSkew {
		return nil, expired(msgSAMLRedeemed)
	}
	for _, nb := range []time.Time{a.NotBefore, conf.NotBefore, a.IssueInstant} {
		if !nb.IsZero() && now.Add(samlClockSkew).Before(nb) {
			return nil, invalid("the assertion is not valid before %s.", nb.Format(time.RFC3339))
		}
	}
	denied := wireError("AccessDenied", "Not authorized to perform sts:AssumeRoleWithSAML")
	if a.Subject.Value == "" {
		return nil, denied
	}
	roles, _ := a.Attribute(samlAttrRole)
	if !rolePairListed(roles.Values, ref.ARN, providerARN) {
		return nil, denied
	}
	name, ok := a.Attribute(samlAttrRoleSessionName)
	if !ok || len(name.Values) == 0 || name.Values[0] == "" {
		return nil, wireError("InvalidIdentityToken", msgSAMLNoSessionName)
	}
	if !roleSessionNameRE.MatchString(name.Values[0]) {
		return nil, wireError("InvalidIdentityToken", msgSAMLBadSessionName)
	}
	claims.sessionName = name.Values[0]
	if si, ok := a.Attribute(samlAttrSourceIdentity); ok && len(si.Values) > 0 {
		if !validSourceIdentity(si.Values[0]) {
			return nil, wireError("InvalidIdentityToken", "%s", msgSourceIdentity)
		}
		claims.sourceIdentity = si.Values[0]
	}
	if sd, ok := a.Attribute(samlAttrSessionDuration); ok && len(sd.Values) > 0 {
		n, err := strconv.Atoi(sd.Values[0])
		if err != nil || n < samlMinSessionSeconds || n > samlMaxSessionSeconds {
			return nil, invalid("SessionDuration must be a number of seconds from %d to %d.", samlMinSessionSeconds, samlMaxSessionSeconds)
		}
		claims.sessionSeconds = n
	}
	claims.sessionEnd = a.SessionNotOnOrAfter
	for _, at := range a.Attributes {
		key, ok := strings.CutPrefix(at.Name, samlAttrPrincipalTag)
		if !ok {
			continue
		}
		value := ""
		if len(at.Values) > 0 {
			value = at.Values[0]
		}
		claims.tags = append(claims.tags, stsapi.Tag{Key: key, Value: value})
	}
	if tk, ok := a.Attribute(samlAttrTransitiveTags); ok {
		claims.transitive = tk.Values
	}
	return &claims, nil
}

// duration is the session's length: the requested DurationSeconds (one
// hour by default), shortened by the SessionDuration attribute and by the
// SessionNotOnOrAfter of the assertion's AuthnStatement.
func (sc *samlClaims) duration(requested *int32, now time.Time) (int32, error) {
	d := int32(defaultSessionSeconds)
	if requested != nil {
		d = *requested
	}
	if sc.sessionSeconds > 0 && int32(sc.sessionSeconds) < d {
		d = int32(sc.sessionSeconds)
	}
	if !sc.sessionEnd.IsZero() {
		left := int64(sc.sessionEnd.Sub(now) / time.Second)
		if left < int64(d) {
			if left < minSessionSeconds {
				return 0, wireError("ExpiredTokenException",
					"The SAML session ends at %s (SessionNotOnOrAfter), less than %d seconds from now.", sc.sessionEnd.Format(time.RFC3339), minSessionSeconds)
			}
			d = int32(left)
		}
	}
	return d, nil
}

// rolePairListed reports whether the Role attribute holds the pair of the
// role and the provider, in either order, as comma-separated ARNs.
func rolePairListed(values []string, role, provider string) bool {
	for _, v := range values {
		a, b, ok := strings.Cut(v, ",")
		if !ok {
			continue
		}
		a, b = strings.TrimSpace(a), strings.TrimSpace(b)
		if (a == role && b == provider) || (a == provider && b == role) {
			return true
		}
	}
	return false
}

// signInHosts are the SAML sign-in hosts of each partition; a regional
// endpoint puts the region before them (us-west-2.signin.aws.amazon.com).
var signInHosts = map[string]string{
	"aws":        "signin.aws.amazon.com",
	"aws-cn":     "signin.amazonaws.cn",
	"aws-us-gov": "signin.amazonaws-us-gov.com",
}

// regionLabelRE is a region code as it prefixes a regional endpoint.
var regionLabelRE = regexp.MustCompile(`^[a-z]{2}(-[a-z]+)+-[0-9]+$`)

// awsSignInEndpoint reports whether u is the partition's SAML endpoint,
// global (https://signin.aws.amazon.com/saml) or regional
// (https://us-east-2.signin.aws.amazon.com/saml).
func awsSignInEndpoint(u, partition string) bool {
	host, ok := signInHosts[partition]
	if !ok {
		return false
	}
	rest, ok := strings.CutPrefix(u, "https://")
	if !ok {
		return false
	}
	h, ok := strings.CutSuffix(rest, "/saml")
	if !ok {
		return false
	}
	if h == host {
		return true
	}
	region, ok := strings.CutSuffix(h, "."+host)
	return ok && regionLabelRE.MatchString(region)
}

// awsAudience reports whether an Audience names AWS: a sign-in endpoint of
// the partition, or the URN AWS documents (urn:amazon:webservices, with the
// region suffixes AWS uses for China and GovCloud).
func awsAudience(aud, partition string) bool {
	switch aud {
	case "urn:amazon:webservices":
		return true
	case "urn:amazon:webservices:cn-north-1":
		return partition == "aws-cn"
	case "urn:amazon:webservices:govcloud":
		return partition == "aws-us-gov"
	}
	return awsSignInEndpoint(aud, partition)
}

// samlSubjectType is saml:sub_type and the response's SubjectType:
// "persistent" or "transient" for those NameID formats, else the format's
// URI (the unspecified format when the NameID names none).
func samlSubjectType(format string) string {
	switch format {
	case "urn:oasis:names:tc:SAML:2.0:nameid-format:persistent":
		return "persistent"
	case "urn:oasis:names:tc:SAML:2.0:nameid-format:transient":
		return "transient"
	case "":
		return "urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified"
	}
	return format
}

// samlNameQualifier is saml:namequalifier and the response's
// NameQualifier: Base64(SHA1(issuer + account + "/" + provider name))
// (IAM User Guide, "Uniquely identifying users in SAML-based federation").
func samlNameQualifier(issuer, account, providerName string) string {
	sum := sha1.Sum([]byte(issuer + account + "/" + providerName))
	return base64.StdEncoding.EncodeToString(sum[:])
}

// samlAttributeKeys maps SAML attribute names to the saml:* context keys AWS
// fills from them (IAM User Guide, "Mapping SAML attributes to AWS trust
// policy context keys"), list says the key is multivalued. The X.500 OIDs
// are listed both as AWS's table writes them and as the OIDs are; the
// Active Directory primary group SID goes to saml:primaryGroupSID, the key
// the condition key reference names for it.
var samlAttributeKeys = []struct {
	name string
	key  string
	list bool
}{
	{"urn:oid:1.3.6.1.4.1.5923.1.1.1.1", "saml:edupersonaffiliation", true},
	{"urn:oid:1.3.6.1.4.1.5923.1.1.1.2", "saml:edupersonnickname", true},
	{"urn:oid:1.3.6.1.4.1.5923.1.1.1.3", "saml:edupersonorgdn", false},
	{"urn:oid:1.3.6.1.4.1.5923.1.1.1.4", "saml:edupersonorgunitdn", true},
	{"urn:oid:1.3.6.1.4.1.5923.1.1.1.5", "saml:edupersonprimaryaffiliation", false},
	{"urn:oid:1.3.6.1.4.1.5923.1.1.1.6", "saml:edupersonprincipalname", false},
	{"urn:oid:1.3.6.1.4.1.5923.1.1.1.7", "saml:edupersonentitlement", true},
	{"urn:oid:1.3.6.1.4.1.5923.1.1.1.8", "saml:edupersonprimaryorgunitdn", false},
	{"urn:oid:1.3.6.1.4.1.5923.1.1.1.9", "saml:edupersonscopedaffiliation", true},
	{"urn:oid:1.3.6.1.4.1.5923.1.1.1.10", "saml:edupersontargetedid", true},
	{"urn:oid:1.3.6.1.4.1.5923.1.1.1.11", "saml:edupersonassurance", true},
	{"urn:oid:1.3.6.1.4.1.5923.1.2.1.2", "saml:eduorghomepageuri", true},
	{"urn:oid:1.3.6.1.4.1.5923.1.2.1.3", "saml:eduorgidentityauthnpolicyuri", true},
	{"urn:oid:1.3.6.1.4.1.5923.1.2.1.4", "saml:eduorglegalname", true},
	{"urn:oid:1.3.6.1.4.1.5923.1.2.1.5", "saml:eduorgsuperioruri", true},
	{"urn:oid:1.3.6.1.4.1.5923.1.2.1.6", "saml:eduorgwhitepagesuri", true},
	{"urn:oid:2.5.4.3", "saml:cn", true},
	{"http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name", "saml:name", false},
	{"http://schemas.xmlsoap.org/claims/CommonName", "saml:commonName", false},
	{"http://schemas.xmlsoap.org/ws/2005/05/identity/claims/givenname", "saml:givenName", false},
	{"http://schemas.xmlsoap.org/ws/2005/05/identity/claims/surname", "saml:surname", false},
	{"http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress", "saml:mail", false},
	{"http://schemas.microsoft.com/ws/2008/06/identity/claims/primarygroupsid", "saml:primaryGroupSID", false},
	{"2.5.4.3", "saml:commonName", false},
	{"2.5.4.4", "saml:surname", false},
	{"2.4.5.42", "saml:givenName", false},
	{"2.5.4.42", "saml:givenName", false},
	{"2.5.4.45", "saml:x500UniqueIdentifier", false},
	{"0.9.2342.19200300100.1.1", "saml:uid", false},
	{"0.9.2342.19200300.100.1.1", "saml:uid", false},
	{"0.9.2342.19200300100.1.3", "saml:mail", false},
	{"0.9.2342.19200300.100.1.3", "saml:mail", false},
	{"0.9.2342.19200300.100.1.45", "saml:organizationStatus", false},
}

// samlKeys puts a verified assertion's saml:* keys into the context:
// saml:aud (the Recipient, not the Audience), saml:iss, saml:sub,
// saml:sub_type, saml:namequalifier, saml:doc and the mapped attributes
// (the first attribute mapped to a key wins, as AWS maps one claim per
// key).
func samlKeys(ctx *policy.Context, a *saml.Assertion, recipient, nameQualifier, doc string) {
	ctx.Set("saml:aud", recipient)
	ctx.Set("saml:iss", a.Issuer)
	ctx.Set("saml:sub", a.Subject.Value)
	ctx.Set("saml:sub_type", samlSubjectType(a.Subject.Format))
	ctx.Set("saml:namequalifier", nameQualifier)
	ctx.Set("saml:doc", doc)
	done := map[string]bool{}
	for _, m := range samlAttributeKeys {
		if done[m.key] {
			continue
		}
		at, ok := a.Attribute(m.name)
		if !ok || len(at.Values) == 0 {
			continue
		}
		done[m.key] = true
		if m.list {
			ctx.SetMulti(m.key, at.Values)
		} else {
			ctx.Set(m.key, at.Values[0])
		}
	}
}
