package sts

import (
	"context"
	"strings"

	"github.com/iamd/iamd/internal/service"
	"github.com/iamd/iamd/internal/stsapi"
)

var _ = family(func(s *Service, t service.Table) {
	t["AssumeRoot"] = service.Op(s.assumeRoot)
	t["GetDelegatedAccessToken"] = service.Op(s.getDelegatedAccessToken)
	t["GetWebIdentityToken"] = service.Op(s.getWebIdentityToken)
})

// rootTaskPolicyPrefix is where the AWS managed policies that scope an
// AssumeRoot session live (IAMAuditRootUserCredentials,
// IAMCreateRootUserPassword, IAMDeleteRootUserCredentials,
// S3UnlockBucketPolicy, SQSUnlockQueuePolicy; AssumeRoot API reference).
const rootTaskPolicyPrefix = ":iam::aws:policy/root-task/"

// assumeRoot is AssumeRoot. It needs an Organizations management account
// (or IAM's delegated administrator) with centralized root access enabled,
// and iamd has no organizations: every account is a standalone account,
// so the call is refused as AWS refuses it from such an account, with
// AccessDenied on the target's root. Root credentials are refused first,
// as the API reference says they cannot make this call.
func (s *Service) assumeRoot(_ context.Context, c *service.Call, in *stsapi.AssumeRootRequest) (*stsapi.AssumeRootResponse, error) {
	task := str(in.TaskPolicyArn.Arn)
	if !strings.Contains(task, rootTaskPolicyPrefix) {
		return nil, wireError("ValidationError", "The TaskPolicyArn %s is not a root task policy.", task)
	}
	target := in.TargetPrincipal
	if !strings.HasPrefix(target, "arn:") {
		target = "arn:" + c.Partition + ":iam::" + target + ":root"
	}
	return nil, notAuthorized(describe(c.Caller), "sts:AssumeRoot", target)
}

// getDelegatedAccessToken is GetDelegatedAccessToken, which exchanges a
// trade-in token issued by an AWS service for credentials. No service
// issues trade-in tokens to iamd, so none can be exchanged: the answer is
// the model's error for a token that can no longer be exchanged.
func (s *Service) getDelegatedAccessToken(_ context.Context, _ *service.Call, _ *stsapi.GetDelegatedAccessTokenRequest) (*stsapi.GetDelegatedAccessTokenResponse, error) {
	return nil, wireError("ExpiredTradeInTokenException",
		"The trade-in token provided in the request has expired and can no longer be exchanged for credentials. Request a new token and retry the operation.")
}

// getWebIdentityToken is GetWebIdentityToken (outbound web identity
// federation). The feature is off unless an account enables it, and iamd
// offers no way to enable it, so the answer is the model's
// OutboundWebIdentityFederationDisabledException.
func (s *Service) getWebIdentityToken(_ context.Context, _ *service.Call, _ *stsapi.GetWebIdentityTokenRequest) (*stsapi.GetWebIdentityTokenResponse, error) {
	return nil, wireError("OutboundWebIdentityFederationDisabledException",
		"The outbound web identity federation feature is not enabled for this account. To use this feature, you must first enable it through the AWS Management Console or API.")
}
