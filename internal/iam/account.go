package iam

import (
	"context"

	"github.com/iamd/iamd/internal/iamapi"
	"github.com/iamd/iamd/internal/service"
	"github.com/iamd/iamd/internal/store"
	"github.com/iamd/iamd/policy"
)

var _ = family((*Service).accountOperations)

// The alias messages are AWS's: "The account alias prod already exists."
// (trussworks/terraform-aws-bootstrap#118, awslabs/aws-deployment-framework#465
// quote it from CreateAccountAlias). The not-found form follows IAM's
// "... cannot be found." wording of the other entities.
var _ = entity(store.KindAccountAlias, "The account alias %s cannot be found.", "The account alias %s already exists.")

func (s *Service) accountOperations(t service.Table) {
	t["CreateAccountAlias"] = service.Op(s.createAccountAlias)
	t["DeleteAccountAlias"] = service.Op(s.deleteAccountAlias)
	t["ListAccountAliases"] = service.Op(s.listAccountAliases)
	t["GetAccountSummary"] = service.Op(s.getAccountSummary)
}

// createAccountAlias gives the account its alias. The alias pattern (3 to
// 63 lower-case letters, digits and single hyphens, neither first nor
// last) is the model's and is checked before this runs; what remains is
// global uniqueness. An account has at most one alias, and AWS keeps it so
// by replacement: creating an alias while another is set swaps it
// (observed against AWS in floci-io/floci#2103; the console's "Edit"
// does the same). Asking for the alias the account already has, or one
// another account holds, is EntityAlreadyExists.
func (s *Service) createAccountAlias(ctx context.Context, c *service.Call, in *iamapi.CreateAccountAliasRequest) (*service.Empty, error) {
	err := s.store.Update(ctx, func(tx store.Tx) error {
		a, err := tx.GetAccount(c.AccountID)
		if err != nil {
			return err
		}
		if a.Alias == in.AccountAlias {
			return store.AlreadyExists(store.KindAccountAlias, in.AccountAlias)
		}
		return tx.SetAccountAlias(c.AccountID, in.AccountAlias)
	})
	if err != nil {
		return nil, storeError(err)
	}
	return &service.Empty{}, nil
}

// deleteAccountAlias removes the alias, which must be the account's own:
// naming any other alias is NoSuchEntity, so that a stale value cannot
// clear the current one.
func (s *Service) deleteAccountAlias(ctx context.Context, c *service.Call, in *iamapi.DeleteAccountAliasRequest) (*service.Empty, error) {
	err := s.store.Update(ctx, func(tx store.Tx) error {
		a, err := tx.GetAccount(c.AccountID)
		if err != nil {
			return err
		}
		if a.Alias == "" || a.Alias != in.AccountAlias {
			return store.NotFound(store.KindAccountAlias, in.AccountAlias)
		}
		return tx.SetAccountAlias(c.AccountID, "")
	})
	if err != nil {
		return nil, storeError(err)
	}
	return &service.Empty{}, nil
}

// listAccountAliases lists the account's alias: none or one, so the list
// is never truncated and there is no page after the first.
func (s *Service) listAccountAliases(ctx context.Context, c *service.Call, in *iamapi.ListAccountAliasesRequest) (*iamapi.ListAccountAliasesResponse, error) {
	var a store.Account
	err := s.store.View(ctx, func(tx store.Tx) error {
		var err error
		a, err = tx.GetAccount(c.AccountID)
		return err
	})
	if err != nil {
		return nil, storeError(err)
	}
	out := &iamapi.ListAccountAliasesResponse{AccountAliases: []string{}, IsTruncated: ptr(false)}
	if a.Alias != "" {
		out.AccountAliases = append(out.AccountAliases, a.Alias)
	}
	return out, nil
}

// AWS's default quotas that no other family enforces yet, as
// GetAccountSummary reports them (IAM User Guide, "IAM and AWS STS
// quotas"; the API reference's GetAccountSummary example).
const (
	maxUsersPerAccount     = 5000
	maxGroupsPerAccount    = 300
	maxPolicyVersionsInUse = 10000
)

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// getAccountSummary answers every key of AWS's SummaryMap: the account's
// entity counts, read from the store in one snapshot, and the quotas iamd
// enforces (AWS's defaults). PolicyVersionsInUse counts the versions of
// the account's customer managed policies; MFADevices the virtual devices,
// MFADevicesInUse those assigned; AccountMFAEnabled, AccountAccessKeysPresent
// and AccountSigningCertificatesPresent are about the root user, and
// AccountPasswordPresent says whether root has a console password.
func (s *Service) getAccountSummary(ctx context.Context, c *service.Call, _ *service.Empty) (*iamapi.GetAccountSummaryResponse, error) {
	var sum store.AccountSummary
	var a store.Account
	err := s.store.View(ctx, func(tx store.Tx) error {
		var err error
		if a, err = tx.GetAccount(c.AccountID); err != nil {
			return err
		}
		sum, err = tx.AccountSummary(c.AccountID)
		return err
	})
	if err != nil {
		return nil, storeError(err)
	}
	m := map[string]int{
		"Users":                             sum.Users,
		"UsersQuota":                        maxUsersPerAccount,
		"Groups":                            sum.Groups,
		"GroupsQuota":                       maxGroupsPerAccount,
		"Roles":                             sum.Roles,
		"RolesQuota":                        maxRolesPerAccount,
		"Policies":                          sum.Policies,
		"PoliciesQuota":                     maxCustomerPolicies,
		"PolicyVersionsInUse":               sum.PolicyVersions,
		"PolicyVersionsInUseQuota":          maxPolicyVersionsInUse,
		"VersionsPerPolicyQuota":            maxPolicyVersions,
		"InstanceProfiles":                  sum.InstanceProfiles,
		"InstanceProfilesQuota":             maxInstanceProfilesPerAccount,
		"ServerCertificates":                sum.ServerCertificates,
		"ServerCertificatesQuota":           maxServerCertificates,
		"Providers":                         sum.Providers,
		"MFADevices":                        sum.MFADevices,
		"MFADevicesInUse":                   sum.MFADevicesInUse,
		"AccountMFAEnabled":                 b2i(sum.RootMFAEnabled),
		"AccountAccessKeysPresent":          b2i(sum.RootAccessKeys > 0),
		"AccountSigningCertificatesPresent": b2i(sum.RootSigningCertificates > 0),
		"AccountPasswordPresent":            b2i(len(a.RootPasswordHash) > 0),
		"AccessKeysPerUserQuota":            maxAccessKeysPerUser,
		"SigningCertificatesPerUserQuota":   maxSigningCertificatesPerUser,
		"GroupsPerUserQuota":                maxGroupsPerUser,
		"AttachedPoliciesPerUserQuota":      maxAttachedPolicies,
		"AttachedPoliciesPerGroupQuota":     maxAttachedPolicies,
		"AttachedPoliciesPerRoleQuota":      maxAttachedPolicies,
		"UserPolicySizeQuota":               policy.UserInlineLimit.Max,
		"GroupPolicySizeQuota":              policy.GroupInlineLimit.Max,
		"RolePolicySizeQuota":               policy.RoleInlineLimit.Max,
		"PolicySizeQuota":                   policy.ManagedLimit.Max,
		"AssumeRolePolicySizeQuota":         policy.TrustPolicyLimit.Max,
		"GlobalEndpointTokenVersion":        a.GlobalEndpointTokenVersion,
	}
	out := &iamapi.GetAccountSummaryResponse{SummaryMap: make(map[string]int32, len(m))}
	for k, v := range m {
		out.SummaryMap[k] = int32(v)
	}
	return out, nil
}
