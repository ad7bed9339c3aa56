package iam

// For roles.go (PutRolePermissionsBoundary, CreateRole's
// PermissionsBoundary, GetRole's output): check and resolve a boundary ARN
// with boundaryPolicy(tx, c, arn), which returns the ARN to store or AWS's
// error, and render a stored boundary with apiBoundary(arn).

import (
	"context"
	"errors"

	"github.com/iamd/iamd/internal/iamapi"
	"github.com/iamd/iamd/internal/service"
	"github.com/iamd/iamd/internal/store"
)

var _ = family((*Service).boundaryOperations)

func (s *Service) boundaryOperations(t service.Table) {
	t["PutUserPermissionsBoundary"] = service.Op(s.putUserPermissionsBoundary)
	t["DeleteUserPermissionsBoundary"] = service.Op(s.deleteUserPermissionsBoundary)
}

// boundaryPolicy checks that arn names a managed policy the caller's
// account can use as a permissions boundary (an AWS managed policy or one
// of its own customer managed policies, attachable) and returns the ARN to
// store, in the caller's partition. It answers as AWS does (localstack's
// recorded AWS responses): InvalidInput "ARN ... is not valid." for an ARN
// that is not a policy's, NoSuchEntity "Scope ARN: ... does not exist or is
// not attachable." for a policy that is not there.
func boundaryPolicy(tx store.Tx, c *service.Call, arn string) (string, error) {
	ref, err := parsePolicyARN(arn)
	if err != nil {
		return "", err
	}
	p, err := lookupPolicy(tx, c, ref)
	if errors.Is(err, errNoPolicy) || err == nil && !p.Attachable {
		return "", wireError("NoSuchEntity", "Scope ARN: %s does not exist or is not attachable.", arn)
	}
	if err != nil {
		return "", err
	}
	return p.ARN, nil
}

// apiBoundary renders a stored permissions boundary; nil for none. AWS
// answers PermissionsBoundaryType "Policy" (what GetUser and GetRole
// return, awsdocs/iam-user-guide#82), although the API model's enum names
// the value "PermissionsBoundaryPolicy".
func apiBoundary(arn string) *iamapi.AttachedPermissionsBoundary {
	if arn == "" {
		return nil
	}
	return &iamapi.AttachedPermissionsBoundary{PermissionsBoundaryType: ptr("Policy"), PermissionsBoundaryArn: ptr(arn)}
}

func (s *Service) putUserPermissionsBoundary(ctx context.Context, c *service.Call, in *iamapi.PutUserPermissionsBoundaryRequest) (*service.Empty, error) {
	if _, err := parsePolicyARN(in.PermissionsBoundary); err != nil {
		return nil, err
	}
	err := s.store.Update(ctx, func(tx store.Tx) error {
		if _, err := tx.GetUser(c.AccountID, in.UserName); err != nil {
			return err
		}
		arn, err := boundaryPolicy(tx, c, in.PermissionsBoundary)
		if err != nil {
			return err
		}
		return tx.SetUserPermissionsBoundary(c.AccountID, in.UserName, arn)
	})
	if err != nil {
		return nil, storeError(err)
	}
	return &service.Empty{}, nil
}

// deleteUserPermissionsBoundary removes the user's boundary; a user without
// one is left as it is.
func (s *Service) deleteUserPermissionsBoundary(ctx context.Context, c *service.Call, in *iamapi.DeleteUserPermissionsBoundaryRequest) (*service.Empty, error) {
	err := s.store.Update(ctx, func(tx store.Tx) error {
		return tx.SetUserPermissionsBoundary(c.AccountID, in.UserName, "")
	})
	if err != nil {
		return nil, storeError(err)
	}
	return &service.Empty{}, nil
}
