package iam

import (
	"context"

	"github.com/iamd/iamd/internal/iamapi"
	"github.com/iamd/iamd/internal/service"
	"github.com/iamd/iamd/internal/store"
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
