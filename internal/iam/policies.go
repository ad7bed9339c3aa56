package iam

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/iamd/iamd/arn"
	"github.com/iamd/iamd/awsquery"
	"github.com/iamd/iamd/internal/service"
	"github.com/iamd/iamd/internal/store"
	"github.com/iamd/iamd/policy"
	"github.com/iamd/iamd/policy/managed"
)

// AWS's quotas on managed policies (IAM User Guide, "IAM and AWS STS
// quotas").
const (
	maxAttachedPolicies = 10 // per user, group or role
)

// policyARN is a managed policy ARN taken apart:
// arn:PARTITION:iam::ACCOUNT:policy/PATH/NAME, where ACCOUNT is "aws" for
// the AWS managed policies.
type policyARN struct {
	ARN       string // as the caller gave it
	Partition string
	Account   string
	Path      string // "/" or "/a/b/"
	Name      string
}

// AWSManaged reports whether the ARN names an AWS managed policy.
func (p policyARN) AWSManaged() bool { return p.Account == "aws" }

// parsePolicyARN checks the form of a managed policy ARN. AWS answers
// ValidationError for a string that is not an ARN at all (localstack's
// recorded AWS responses: "ARN longpolicynamebutnoarn is not valid.") and
// InvalidInput for an ARN that is not a policy's ("ARN
// arn:aws:iam::111111111111:not_a_policy/invalid is not valid.").
func parsePolicyARN(s string) (policyARN, error) {
	a, err := arn.Parse(s)
	if err != nil {
		return policyARN{}, wireError("ValidationError", "ARN %s is not valid.", s)
	}
	invalid := wireError("InvalidInput", "ARN %s is not valid.", s)
	rest, ok := strings.CutPrefix(a.Resource, "policy/")
	if !ok || a.Service != "iam" || a.Region != "" || !arn.ValidPartition(a.Partition) ||
		(a.AccountID != "aws" && !arn.ValidAccountID(a.AccountID)) {
		return policyARN{}, invalid
	}
	i := strings.LastIndexByte(rest, '/')
	p := policyARN{ARN: s, Partition: a.Partition, Account: a.AccountID, Path: "/" + rest[:i+1], Name: rest[i+1:]}
	if p.Name == "" || strings.Contains(p.Path, "//") {
		return policyARN{}, invalid
	}
	return p, nil
}

// managedPolicyARN builds the ARN of a managed policy; account is "aws" for
// the AWS managed ones.
func managedPolicyARN(partition, account, path, name string) string {
	return fmt.Sprintf("arn:%s:iam::%s:policy%s%s", partition, account, path, name)
}

// managedPolicy is a managed policy as the operations see it, AWS managed
// (from package managed) or customer managed (from the store).
type managedPolicy struct {
	ARN            string // in the caller's partition
	Name           string
	Path           string
	ID             string
	DefaultVersion string
	Attachable     bool
	AWSManaged     bool
	Description    string
	Created        time.Time
	Updated        time.Time
	// Document is the default version's document as stored (the AWS
	// managed policies' as AWS returns it).
	Document string
}

// awsPolicies is the catalog of AWS managed policies, sorted by name,
// decoded once on first use (package managed decodes its embedded data
// once; this keeps one shared copy of the slice rather than one per call).
var awsPolicies = sync.OnceValue(managed.All)

// awsManagedPolicy renders an AWS managed policy in the caller's partition.
func awsManagedPolicy(partition string, p managed.Policy) managedPolicy {
	return managedPolicy{
		ARN:            managedPolicyARN(partition, "aws", p.Path, p.Name),
		Name:           p.Name,
		Path:           p.Path,
		ID:             p.PolicyID,
		DefaultVersion: p.DefaultVersionID,
		Attachable:     p.IsAttachable,
		AWSManaged:     true,
		Created:        p.CreateDate,
		Updated:        p.UpdateDate,
		Document:       string(p.Document),
	}
}

// errNoPolicy reports that lookupPolicy found no policy with the ARN; each
// operation words the NoSuchEntity answer as AWS does for it.
var errNoPolicy = errors.New("no such managed policy")

// lookupPolicy finds the managed policy an ARN names: an AWS managed
// policy, or a customer managed policy of the caller's account. An ARN in
// another partition or account names nothing the caller can use.
func lookupPolicy(tx store.Tx, c *service.Call, ref policyARN) (managedPolicy, error) {
	if ref.Partition != c.Partition {
		return managedPolicy{}, errNoPolicy
	}
	if ref.AWSManaged() {
		p, ok := managed.ByARN(ref.ARN)
		if !ok {
			return managedPolicy{}, errNoPolicy
		}
		return awsManagedPolicy(c.Partition, p), nil
	}
	if ref.Account != c.AccountID {
		return managedPolicy{}, errNoPolicy
	}
	return lookupCustomerPolicy(tx, c, ref)
}

// lookupCustomerPolicy finds a customer managed policy of the caller's
// account. The store keeps no customer managed policies yet (the store's
// policy family is still to come), so none exists: CreatePolicy is not
// served until it does.
func lookupCustomerPolicy(_ store.Tx, _ *service.Call, _ policyARN) (managedPolicy, error) {
	return managedPolicy{}, errNoPolicy
}

// attachablePolicy finds the policy an ARN names, answering as AWS's
// attach operations and ListEntitiesForPolicy do when there is none or it
// cannot be attached.
func attachablePolicy(tx store.Tx, c *service.Call, ref policyARN) (managedPolicy, error) {
	p, err := lookupPolicy(tx, c, ref)
	if errors.Is(err, errNoPolicy) || err == nil && !p.Attachable {
		return managedPolicy{}, wireError("NoSuchEntity", "Policy %s does not exist or is not attachable.", ref.ARN)
	}
	return p, err
}

// accessDenied is AWS's answer to a change to an AWS managed policy: the
// policy belongs to AWS's account, and no resource-based policy there
// grants another account the action, so IAM refuses it as it refuses any
// cross-account IAM write. The wording is that of AWS's AccessDenied
// messages for a missing resource-based grant.
func accessDenied(c *service.Call, action, resource string) error {
	return &awsquery.Error{
		Code:    "AccessDenied",
		Message: fmt.Sprintf("User: %s is not authorized to perform: iam:%s on resource: %s because no resource-based policy allows the iam:%s action", c.Caller.ARN, action, resource, action),
		Status:  403,
		Sender:  true,
	}
}

// encodePolicyDocument URL-encodes a policy document the way IAM returns
// documents (GetPolicyVersion, Get*Policy, GetAccountAuthorizationDetails):
// RFC 3986 percent-encoding of every byte outside the unreserved set, so
// that spaces are %20 and never "+". The SDKs and the AWS CLI decode it.
func encodePolicyDocument(doc string) string {
	return strings.ReplaceAll(url.QueryEscape(doc), "+", "%20")
}

// documentError turns the policy library's verdict on a document into
// AWS's error: MalformedPolicyDocument (400) with the message IAM gives for
// the document's first problem, or LimitExceeded (409) for a size quota.
func documentError(err error) error {
	var pe *policy.Error
	var se *policy.SizeError
	switch {
	case errors.As(err, &pe):
		return wireError("MalformedPolicyDocument", "%s", pe.Message)
	case errors.As(err, &se):
		return wireError("LimitExceeded", "%s", se.Message)
	}
	return err
}
