package authz

import (
	"strings"
)

// keyFunc adds an action's request-specific condition key, if the request
// carries it.
type keyFunc func(in input, ti *targetInfo, keys []Key) []Key

// single adds a key with one value taken from an input member.
func single(name, field string) keyFunc {
	return func(in input, _ *targetInfo, keys []Key) []Key {
		if v, ok := in.str(field); ok {
			keys = append(keys, Key{Name: name, Values: []string{v}})
		}
		return keys
	}
}

// multi adds a multivalued key from a list member.
func multi(name, field string) keyFunc {
	return func(in input, _ *targetInfo, keys []Key) []Key {
		if v, ok := in.strs(field); ok {
			keys = append(keys, Key{Name: name, Values: v, Multi: true})
		}
		return keys
	}
}

// keyFuncFor returns how to supply one of the condition keys the reference
// lists for an action, or nil when the request cannot carry it (FIDO
// security keys, role templates, delegation requests and the web identity
// providers' keys, which belong to features iamd does not have or to the
// STS operations that read them from tokens). The resource tag keys
// (aws:ResourceTag/*, iam:ResourceTag/*) come from the resource itself,
// for every taggable resource: Authorize adds them.
func keyFuncFor(key string, p *plan) keyFunc {
	has := func(f string) bool { _, ok := p.fields[f]; return ok }
	switch strings.ToLower(key) {
	case "aws:requesttag/${tagkey}":
		if !has("Tags") {
			return nil
		}
		return func(in input, _ *targetInfo, keys []Key) []Key {
			tags, _ := in.tags("Tags")
			for _, t := range tags {
				keys = append(keys, Key{Name: "aws:RequestTag/" + t.Key, Values: []string{t.Value}})
			}
			return keys
		}
	case "aws:tagkeys":
		switch {
		case has("Tags"):
			return func(in input, _ *targetInfo, keys []Key) []Key {
				tags, ok := in.tags("Tags")
				if !ok {
					return keys
				}
				names := make([]string, len(tags))
				for i, t := range tags {
					names[i] = t.Key
				}
				return append(keys, Key{Name: "aws:TagKeys", Values: names, Multi: true})
			}
		case has("TagKeys"):
			return multi("aws:TagKeys", "TagKeys")
		}
	case "iam:policyarn":
		if has("PolicyArn") {
			return single("iam:PolicyARN", "PolicyArn")
		}
	case "iam:permissionsboundary":
		// The boundary the request sets (CreateUser, CreateRole,
		// Put*PermissionsBoundary), else the one the user or role has.
		return func(in input, ti *targetInfo, keys []Key) []Key {
			if v, ok := in.str("PermissionsBoundary"); ok && v != "" {
				return append(keys, Key{Name: "iam:PermissionsBoundary", Values: []string{v}})
			}
			if ti != nil && ti.boundary != "" {
				return append(keys, Key{Name: "iam:PermissionsBoundary", Values: []string{ti.boundary}})
			}
			return keys
		}
	case "iam:awsservicename":
		if has("AWSServiceName") {
			return single("iam:AWSServiceName", "AWSServiceName")
		}
	case "iam:organizationspolicyid":
		if has("OrganizationsPolicyId") {
			return single("iam:OrganizationsPolicyId", "OrganizationsPolicyId")
		}
	case "iam:servicespecificcredentialservicename":
		if has("ServiceName") {
			return single("iam:ServiceSpecificCredentialServiceName", "ServiceName")
		}
		if has("ServiceSpecificCredentialId") {
			p.credential = true
			return func(_ input, ti *targetInfo, keys []Key) []Key {
				if ti != nil && ti.credentialService != "" {
					keys = append(keys, Key{Name: "iam:ServiceSpecificCredentialServiceName", Values: []string{ti.credentialService}})
				}
				return keys
			}
		}
	case "iam:servicespecificcredentialagedays":
		if has("CredentialAgeDays") {
			return single("iam:ServiceSpecificCredentialAgeDays", "CredentialAgeDays")
		}
	case "sts:externalid":
		if has("ExternalId") {
			return single("sts:ExternalId", "ExternalId")
		}
	case "sts:rolesessionname":
		if has("RoleSessionName") {
			return single("sts:RoleSessionName", "RoleSessionName")
		}
	case "sts:sourceidentity":
		if has("SourceIdentity") {
			return single("sts:SourceIdentity", "SourceIdentity")
		}
	case "sts:transitivetagkeys":
		if has("TransitiveTagKeys") {
			return multi("sts:TransitiveTagKeys", "TransitiveTagKeys")
		}
	case "sts:durationseconds":
		if has("DurationSeconds") {
			return single("sts:DurationSeconds", "DurationSeconds")
		}
	case "sts:identitytokenaudience":
		if has("Audience") {
			return multi("sts:IdentityTokenAudience", "Audience")
		}
	case "sts:signingalgorithm":
		if has("SigningAlgorithm") {
			return single("sts:SigningAlgorithm", "SigningAlgorithm")
		}
	case "sts:taskpolicyarn":
		if has("TaskPolicyArn") {
			return single("sts:TaskPolicyArn", "TaskPolicyArn")
		}
	}
	return nil
}

// SuppliedKeys reports, for an operation ("iam:CreateUser"), which of the
// condition keys the reference lists for its action the authorizer
// supplies from the request and which it cannot; the global keys and the
// resource tag keys are not listed.
func SuppliedKeys(operation string) (supplied, unsupplied []string) {
	all, _ := plans()
	svc, op, _ := strings.Cut(operation, ":")
	p, ok := all[planKey{svc, op}]
	if !ok {
		return nil, nil
	}
	for _, k := range p.ref.Conditions {
		lk := strings.ToLower(k)
		switch {
		case lk == "aws:resourcetag/${tagkey}" || lk == "iam:resourcetag/${tagkey}":
			supplied = append(supplied, k)
		case keyFuncFor(k, &plan{fields: p.fields}) != nil:
			supplied = append(supplied, k)
		default:
			unsupplied = append(unsupplied, k)
		}
	}
	return supplied, unsupplied
}
