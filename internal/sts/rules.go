package sts

import (
	"bytes"
	"compress/flate"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/iamd/iamd/arn"
	"github.com/iamd/iamd/awsquery"
	"github.com/iamd/iamd/internal/service"
	"github.com/iamd/iamd/internal/store"
	"github.com/iamd/iamd/internal/stsapi"
	"github.com/iamd/iamd/policy"
)

// STS's limits (IAM User Guide, "IAM and AWS STS quotas"; the AssumeRole
// API reference).
const (
	minSessionSeconds     = 900
	defaultSessionSeconds = 3600
	chainedSessionSeconds = 3600
	// maxSessionPolicyChars is the plaintext limit of the inline session
	// policy and the managed session policy ARNs together.
	maxSessionPolicyChars = 2048
	maxSessionPolicyARNs  = 10
	maxSessionTags        = 50
	maxTagKeyChars        = 128
	maxTagValueChars      = 256
	// packedAllowance is the packed (compressed) size, in bytes, that the
	// session policies and tags may take. AWS publishes neither its packed
	// format nor its limit, only that a request within the plaintext limits
	// can still exceed it. iamd packs with DEFLATE and sets the allowance
	// from what users report: a 1,690-character session policy of 42
	// actions across many services at 157%, one of 31 actions at 118%,
	// one of about 670 characters well under (public issue trackers
	// quoting "Packed policy consumes N% of allotted space"); fifty long
	// tags exceed it as well.
	packedAllowance = 400
)

// wireError builds an AWS error with the HTTP status and fault STS's model
// gives its code. AccessDenied, which the model does not list, is 403 as
// on every AWS Query service.
func wireError(code, format string, args ...any) *awsquery.Error {
	e := stsapi.Model().Errorf(code, format, args...)
	if code == "AccessDenied" {
		e.Status = http.StatusForbidden
	}
	return e
}

// roleSessionDuration checks a requested role session duration: 900
// seconds up to the role's MaxSessionDuration, and at most one hour for a
// chained session (the AssumeRole API reference, DurationSeconds).
func roleSessionDuration(requested *int32, roleMax int, chained bool) (time.Duration, error) {
	secs := int64(defaultSessionSeconds)
	if requested != nil {
		secs = int64(*requested)
	}
	if secs < minSessionSeconds {
		return 0, awsquery.ValidationError(fmt.Sprintf(
			"1 validation error detected: Value '%d' at 'durationSeconds' failed to satisfy constraint: Member must have value greater than or equal to %d",
			secs, minSessionSeconds))
	}
	if chained && secs > chainedSessionSeconds {
		return 0, awsquery.ValidationError("The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.")
	}
	if roleMax <= 0 {
		roleMax = defaultSessionSeconds
	}
	if secs > int64(roleMax) {
		return 0, awsquery.ValidationError("The requested DurationSeconds exceeds the MaxSessionDuration set for this role.")
	}
	return time.Duration(secs) * time.Second, nil
}

// sessionPolicySet is a request's session policies, validated.
type sessionPolicySet struct {
	inline string   // "" when none
	arns   []string // managed session policy ARNs, in request order
}

// sessionPolicies validates a request's session policies: the inline one
// must be a valid policy (MalformedPolicyDocument with the policy
// library's message), the ARNs well-formed managed policy ARNs of the
// partition, at most ten, and the plaintext of both together at most
// 2,048 characters.
func (s *Service) sessionPolicies(c *service.Call, inline *string, descs []stsapi.PolicyDescriptorType) (sessionPolicySet, error) {
	var sp sessionPolicySet
	plain := 0
	if inline != nil {
		sp.inline = *inline
		if _, err := policy.Parse([]byte(sp.inline), policy.Session); err != nil {
			var pe *policy.Error
			if errors.As(err, &pe) {
				return sp, wireError("MalformedPolicyDocument", "%s", pe.Error())
			}
			return sp, wireError("MalformedPolicyDocument", "The policy is not in the valid JSON format.")
		}
		plain += len(sp.inline)
	}
	if len(descs) > maxSessionPolicyARNs {
		return sp, awsquery.ValidationError(fmt.Sprintf(
			"1 validation error detected: Value '[...]' at 'policyArns' failed to satisfy constraint: Member must have length less than or equal to %d",
			maxSessionPolicyARNs))
	}
	for _, d := range descs {
		if d.Arn == nil {
			continue
		}
		a, err := arn.Parse(*d.Arn)
		if err != nil || a.Service != "iam" || !strings.HasPrefix(a.Resource, "policy/") ||
			(a.AccountID != "aws" && !arn.ValidAccountID(a.AccountID)) {
			return sp, awsquery.ValidationError(fmt.Sprintf("Invalid Policy ARN: %s", *d.Arn))
		}
		if a.Partition != c.Partition {
			return sp, awsquery.ValidationError(fmt.Sprintf("Partition \"%s\" is not valid for resource \"%s\".", a.Partition, *d.Arn))
		}
		sp.arns = append(sp.arns, *d.Arn)
		plain += len(*d.Arn)
	}
	if plain > maxSessionPolicyChars {
		return sp, awsquery.ValidationError(fmt.Sprintf(
			"1 validation error detected: Value at 'policy' failed to satisfy constraint: Member must have length less than or equal to %d",
			maxSessionPolicyChars))
	}
	return sp, nil
}

// sessionTags merges a request's session tags with the transitive tags of
// the parent session (role chaining) and checks AWS's rules: at most 50
// tags, keys of 1–128 and values of 0–256 characters, no key passed twice
// (keys compare without regard to case), transitive keys among the tags,
// and no override of an inherited transitive tag. It returns the tags in
// order (inherited first) and the transitive keys of the new session.
func sessionTags(parent *service.Session, tags []stsapi.Tag, transitive []string) ([]store.Tag, []string, error) {
	seen := map[string]bool{}
	var out []store.Tag
	var outTransitive []string
	inherited := map[string]bool{}
	if parent != nil {
		for _, k := range parent.TransitiveTagKeys {
			for _, t := range parent.Tags {
				if strings.EqualFold(t.Key, k) && !inherited[strings.ToLower(k)] {
					inherited[strings.ToLower(k)] = true
					out = append(out, store.Tag{Key: t.Key, Value: t.Value})
					outTransitive = append(outTransitive, t.Key)
				}
			}
		}
	}
	for _, t := range tags {
		fold := strings.ToLower(t.Key)
		if inherited[fold] {
			return nil, nil, awsquery.NewError("InvalidParameterValue", 400,
				"One or more of the specified transitive tag keys can't be set because it conflicts with a transitive tag key that was inherited from the calling role session.")
		}
		if seen[fold] {
			return nil, nil, awsquery.NewError("InvalidParameterValue", 400,
				"Duplicate tag keys found. Please note that Tag keys are case insensitive.")
		}
		if t.Key == "" || len([]rune(t.Key)) > maxTagKeyChars || len([]rune(t.Value)) > maxTagValueChars {
			return nil, nil, awsquery.ValidationError("Tag keys must be 1 to 128 characters and tag values 0 to 256 characters.")
		}
		seen[fold] = true
		out = append(out, store.Tag{Key: t.Key, Value: t.Value})
	}
	for _, k := range transitive {
		if !seen[strings.ToLower(k)] {
			return nil, nil, awsquery.NewError("InvalidParameterValue", 400,
				"The specified transitive tag key must be included in the requested tags.")
		}
		outTransitive = append(outTransitive, k)
	}
	if len(out) > maxSessionTags {
		return nil, nil, awsquery.ValidationError(fmt.Sprintf(
			"1 validation error detected: Value at 'tags' failed to satisfy constraint: Member must have length less than or equal to %d",
			maxSessionTags))
	}
	return out, outTransitive, nil
}

// chainSourceIdentity applies the source identity rule of role chaining:
// once a session has a source identity, every session it makes keeps it,
// and asking for a different one is refused.
func chainSourceIdentity(parent *service.Session, requested string) (string, error) {
	if parent == nil || parent.SourceIdentity == "" {
		return requested, nil
	}
	if requested != "" && requested != parent.SourceIdentity {
		return "", awsquery.NewError("InvalidParameterValue", 400,
			"Source identity cannot be changed once it is set on a role session.")
	}
	return parent.SourceIdentity, nil
}

// packedPolicySize measures the session policies and tags in packed form
// and returns the percentage of the allowance they use, or
// PackedPolicyTooLarge when they exceed it.
func packedPolicySize(sp sessionPolicySet, tags []store.Tag) (int32, error) {
	if sp.inline == "" && len(sp.arns) == 0 && len(tags) == 0 {
		return 0, nil
	}
	var plain bytes.Buffer
	if sp.inline != "" {
		plain.WriteString(minify(sp.inline))
	}
	for _, a := range sp.arns {
		plain.WriteByte(0)
		plain.WriteString(a)
	}
	for _, t := range tags {
		plain.WriteByte(0)
		plain.WriteString(t.Key)
		plain.WriteByte('=')
		plain.WriteString(t.Value)
	}
	var packed bytes.Buffer
	w, err := flate.NewWriter(&packed, flate.BestCompression)
	if err != nil {
		return 0, err
	}
	if _, err := w.Write(plain.Bytes()); err != nil {
		return 0, err
	}
	if err := w.Close(); err != nil {
		return 0, err
	}
	pct := (packed.Len()*100 + packedAllowance - 1) / packedAllowance
	if pct > 100 {
		return int32(pct), wireError("PackedPolicyTooLarge", "Packed policy consumes %d%% of allotted space", pct)
	}
	return int32(pct), nil
}

// minify drops the whitespace outside JSON strings, as IAM counts policy
// size.
func minify(doc string) string {
	var b strings.Builder
	inString, escaped := false, false
	for _, r := range doc {
		switch {
		case inString:
			b.WriteRune(r)
			if escaped {
				escaped = false
			} else if r == '\\' {
				escaped = true
			} else if r == '"' {
				inString = false
			}
		case r == '"':
			inString = true
			b.WriteRune(r)
		case r == ' ' || r == '\t' || r == '\n' || r == '\r':
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}
