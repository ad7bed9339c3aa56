package policy

import "fmt"

// msgID names one entry of the message table. Every message this package
// reports comes from the table below, so that the wording AWS's APIs use is
// kept in one place and the server can map each to its error code.
type msgID uint8

const (
	msgSyntax msgID = iota
	msgPrincipalForbidden
	msgPrincipalMissing
	msgProhibitedField
	msgVersion
	msgLegacy
	msgSidUnique
	msgSidAlnum
	msgNoActions
	msgResourceARN
	msgResourcePartition
	msgResourceVendor
	msgIAMRegion
	msgS3Region
	msgIAMPath
	msgActionVendor
	msgActionColon
	msgVendorInvalid
	msgNoResources
	msgInvalidPrincipal
	msgTrustActions
	msgRCPPrincipal
	msgRCPAllow
	msgManagedSize
	msgTrustSize
	msgInlineSize
	msgInvalidJSON
	msgOrganizations
)

// messages is the table of AWS messages. rank orders findings the way IAM
// reports the first problem of a document with several (syntax, then the
// Version, then legacy parsing, SIDs, missing actions, resource formats,
// action vendors, missing resources): Parse returns the finding with the
// lowest rank, first in document order among equals. The order was taken
// from documents whose answers from AWS are on record (moto's IAM policy
// test cases, checked against AWS).
//
// Codes: every validation message is the MalformedPolicyDocument error
// (HTTP 400) of IAM's CreatePolicy, CreatePolicyVersion, Put*Policy,
// CreateRole and UpdateAssumeRolePolicy. The size messages are the
// LimitExceeded error (HTTP 409): msgManagedSize for CreatePolicy and
// CreatePolicyVersion, msgInlineSize for PutUserPolicy, PutGroupPolicy and
// PutRolePolicy (the sum of an identity's inline policies), msgTrustSize
// for CreateRole and UpdateAssumeRolePolicy.
var messages = [...]struct {
	format string
	rank   int
}{
	msgSyntax: {"Syntax errors in policy.", 0},
	// Principal in identity-based policies, SCPs, boundaries.
	msgPrincipalForbidden: {"Policy document should not specify a principal.", 1},
	// No Principal in a resource-based or trust policy.
	msgPrincipalMissing: {"Missing required field Principal", 1},
	// Resource or NotResource in a trust policy; NotPrincipal where the
	// kind does not support it; NotAction in an RCP.
	msgProhibitedField: {"Has prohibited field %s", 1},
	// Missing or 2008-10-17 Version where 2012-10-17 is required.
	msgVersion: {"Policy document must be version 2012-10-17 or greater.", 2},
	// Effect in the wrong case, unparseable dates, resources such as
	// "arn:aws:s3::bucket".
	msgLegacy:    {"The policy failed legacy parsing", 3},
	msgSidUnique: {"Statement IDs (SID) in a single policy must be unique.", 4},
	msgSidAlnum:  {"Statement IDs (SID) must be alpha-numeric. Check that your input satisfies the regular expression [0-9A-Za-z]*", 5},
	msgNoActions: {"Policy statement must contain actions.", 6},
	// %s is the resource as written.
	msgResourceARN: {"Resource %s must be in ARN format or \"*\".", 7},
	// %s: the partition; the resource rebuilt as arn:PARTITION:...
	msgResourcePartition: {"Partition \"%s\" is not valid for resource \"%s\".", 7},
	msgResourceVendor:    {"Resource vendor must be fully qualified and cannot contain regexes.", 7},
	msgIAMRegion:         {"IAM resource %s cannot contain region information.", 7},
	msgS3Region:          {"Resource %s can not contain region information.", 7},
	msgIAMPath:           {"IAM resource path must either be \"*\" or start with user/, federated-user/, role/, group/, instance-profile/, mfa/, server-certificate/, policy/, sms-mfa/, saml-provider/, oidc-provider/, report/, access-report/.", 7},
	msgActionVendor:      {"Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.", 8},
	msgActionColon:       {"Actions/Condition can contain only one colon.", 8},
	msgVendorInvalid:     {"Vendor %s is not valid", 8},
	msgNoResources:       {"Policy statement must contain resources.", 9},
	// %s, %s: the principal type ("AWS", "Service", ...) and value.
	msgInvalidPrincipal: {"Invalid principal in policy: \"%s\":\"%s\"", 10},
	msgTrustActions:     {"AssumeRole policy may only specify STS AssumeRole actions.", 11},
	// RCP rules from the Organizations guide ("RCP syntax"); AWS's exact
	// wording for these is not on record, so the messages are iamd's.
	msgRCPPrincipal: {"Resource control policies support only \"*\" as the Principal.", 12},
	msgRCPAllow:     {"Resource control policies support the Allow effect only with Principal \"*\", Action \"*\" and Resource \"*\" (RCPFullAWSAccess).", 12},
	// Size quotas (LimitExceeded); %d is the quota.
	msgManagedSize: {"Cannot exceed quota for PolicySize: %d", 0},
	msgTrustSize:   {"Cannot exceed quota for ACLSizePerRole: %d", 0},
	// %d: the limit; %s, %s: "user", "group" or "role", and its name.
	msgInlineSize: {"Maximum policy size of %d bytes exceeded for %s %s", 0},
	// Unparseable JSON in a trust policy (CreateRole,
	// UpdateAssumeRolePolicy) or a resource policy (S3's PutBucketPolicy,
	// MalformedPolicy), where IAM's identity-policy APIs say msgSyntax.
	msgInvalidJSON: {"This policy contains invalid Json", 0},
	// Organizations (CreatePolicy, UpdatePolicy:
	// MalformedPolicyDocumentException) reports every problem of an SCP or
	// RCP with this one message; findings keep their paths.
	msgOrganizations: {"The provided policy document does not meet the requirements of the specified policy type.", 0},
}

func (id msgID) text(args ...any) string {
	if len(args) == 0 {
		return messages[id].format
	}
	return fmt.Sprintf(messages[id].format, args...)
}
