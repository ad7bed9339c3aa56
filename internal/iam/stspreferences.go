package iam

import (
	"context"

	"github.com/iamd/iamd/internal/iamapi"
	"github.com/iamd/iamd/internal/service"
	"github.com/iamd/iamd/internal/store"
)

var _ = family((*Service).stsPreferenceOperations)

func (s *Service) stsPreferenceOperations(t service.Table) {
	t["SetSecurityTokenServicePreferences"] = service.Op(s.setSecurityTokenServicePreferences)
}

// tokenVersions maps the API's names of STS global-endpoint token versions
// to the numbers GetAccountSummary reports.
var tokenVersions = map[string]int{
	iamapi.GlobalEndpointTokenVersionV1Token: 1,
	iamapi.GlobalEndpointTokenVersionV2Token: 2,
}

// setSecurityTokenServicePreferences records which session-token version
// STS's global endpoint issues for the account; GetAccountSummary reports
// it as GlobalEndpointTokenVersion. The model's enum has already refused
// any other value.
func (s *Service) setSecurityTokenServicePreferences(ctx context.Context, c *service.Call, in *iamapi.SetSecurityTokenServicePreferencesRequest) (*service.Empty, error) {
	v := tokenVersions[in.GlobalEndpointTokenVersion]
	err := s.store.Update(ctx, func(tx store.Tx) error {
		return tx.SetGlobalEndpointTokenVersion(c.AccountID, v)
	})
	if err != nil {
		return nil, storeError(err)
	}
	return &service.Empty{}, nil
}
