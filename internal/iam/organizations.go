package iam

// This file is the one place that says how iamd answers the operations of
// IAM's model that only make sense for an account in an AWS Organizations
// organization, or that AWS offers only to onboarded partners or as a
// preview. An iamd account is a standalone account: it is in no
// organization and no partner can onboard, so each of these operations
// answers what AWS answers such an account. The table below is the
// documentation: the README's coverage table is generated from it
// (go run ./internal/iam/coveragegen).

import (
	"context"
	"fmt"
	"reflect"

	"github.com/iamd/iamd/awsquery"
	"github.com/iamd/iamd/internal/iamapi"
	"github.com/iamd/iamd/internal/service"
)

// OrganizationsAnswer is iamd's documented answer to one
// Organizations-only or preview operation.
type OrganizationsAnswer struct {
	// Operation is the IAM action.
	Operation string
	// Code is the AWS error code the operation answers; empty when it
	// succeeds with the empty result a standalone account has.
	Code string
	// Status is the HTTP status of the error.
	Status int
	// Message is the error message (fmt format with the value arg
	// returns), or a description of the empty result.
	Message string
	// Source says where the code and the message come from, and where
	// iamd's wording is its own because AWS's is not on record.
	Source string

	// arg picks the value the message names from the call and its
	// decoded input.
	arg func(c *service.Call, in any) string
}

// AWS's answers for an account outside an organization. The codes are the
// model's (shapes without an error trait are named by the shape, as the
// SDKs match them); the messages are the API reference's descriptions of
// the errors unless Source says otherwise.
const (
	msgNoOrganization = "The request was rejected because no organization is associated with your account."
	srcNoOrganization = "IAM API reference, OrganizationNotFound: the error the centralized root access operations give an account with no organization"
	msgFeatureOff     = "The request failed because outbound identity federation is disabled for your Amazon Web Services account."
)

// organizationsAnswers is the table, in the model's (alphabetical) order.
var organizationsAnswers = []OrganizationsAnswer{
	delegationMissing("AcceptDelegationRequest"),
	delegationMissing("AssociateDelegationRequest"),
	{
		Operation: "CreateDelegationRequest", Code: "AccessDenied", Status: 403,
		Message: "Account %s is not onboarded as a partner for IAM temporary delegation.",
		Source: "IAM API reference: CreateDelegationRequest \"is not available for general use\", only to partners that went through onboarding; " +
			"the message is iamd's (AWS's is not on record)",
		arg: func(c *service.Call, _ any) string { return c.AccountID },
	},
	{
		Operation: "DisableOrganizationsRootCredentialsManagement", Code: "OrganizationNotFoundException", Status: 400,
		Message: msgNoOrganization, Source: srcNoOrganization,
	},
	{
		Operation: "DisableOrganizationsRootSessions", Code: "OrganizationNotFoundException", Status: 400,
		Message: msgNoOrganization, Source: srcNoOrganization,
	},
	{
		Operation: "DisableOutboundWebIdentityFederation", Code: "FeatureDisabled", Status: 404,
		Message: "The request failed because outbound identity federation is already disabled for your Amazon Web Services account. You cannot disable the feature multiple times",
		Source:  "IAM API reference, FeatureDisabled: the feature is off in every iamd account",
	},
	{
		Operation: "EnableOrganizationsRootCredentialsManagement", Code: "OrganizationNotFoundException", Status: 400,
		Message: msgNoOrganization, Source: srcNoOrganization,
	},
	{
		Operation: "EnableOrganizationsRootSessions", Code: "OrganizationNotFoundException", Status: 400,
		Message: msgNoOrganization, Source: srcNoOrganization,
	},
	{
		Operation: "EnableOutboundWebIdentityFederation", Code: "FeatureDisabled", Status: 404,
		Message: "Outbound identity federation cannot be enabled: iamd does not issue web identity tokens (STS GetWebIdentityToken).",
		Source: "iamd's deviation: AWS enables the feature for any account, but iamd has no token vending, " +
			"so the feature stays disabled and the answer is the model's error for a disabled feature",
	},
	{
		Operation: "GenerateOrganizationsAccessReport", Code: "AWSOrganizationsNotInUseException", Status: 400,
		Message: "Your account is not a member of an organization.",
		Source: "Organizations' answer to an account outside an organization (as the AWS CLI prints it for DescribeOrganization); " +
			"the report is built from Organizations' data, which a standalone account does not have",
	},
	delegationMissing("GetDelegationRequest"),
	{
		Operation: "GetHumanReadableSummary", Code: "NoSuchEntity", Status: 404,
		Message: "The entity %s cannot be found.",
		Source:  "the only entities summarized are delegation requests, and an iamd account has none; the message follows IAM's NoSuchEntity wording",
		arg:     func(_ *service.Call, in any) string { return in.(*iamapi.GetHumanReadableSummaryRequest).EntityArn },
	},
	{
		Operation: "GetOrganizationsAccessReport", Code: "NoSuchEntity", Status: 404,
		Message: "The report with job ID %s cannot be found.",
		Source:  "no organizations access report job can exist (GenerateOrganizationsAccessReport fails); the message follows IAM's NoSuchEntity wording",
		arg:     func(_ *service.Call, in any) string { return in.(*iamapi.GetOrganizationsAccessReportRequest).JobId },
	},
	{
		Operation: "GetOutboundWebIdentityFederationInfo", Code: "FeatureDisabled", Status: 404,
		Message: msgFeatureOff,
		Source:  "IAM API reference: FeatureDisabled is the operation's error while the feature is off, as it is in every iamd account; the wording is iamd's",
	},
	{
		Operation: "ListDelegationRequests",
		Message:   "an empty list: no partner can create a delegation request for an iamd account",
		Source:    "IAM API reference, ListDelegationRequests",
	},
	{
		Operation: "ListOrganizationsFeatures", Code: "OrganizationNotFoundException", Status: 400,
		Message: msgNoOrganization, Source: srcNoOrganization,
	},
	delegationMissing("RejectDelegationRequest"),
	delegationMissing("SendDelegationToken"),
	delegationMissing("UpdateDelegationRequest"),
}

// delegationMissing is the answer of the operations on one delegation
// request: there is none, since only onboarded partners create them.
func delegationMissing(op string) OrganizationsAnswer {
	return OrganizationsAnswer{
		Operation: op, Code: "NoSuchEntity", Status: 404,
		Message: "The delegation request with id %s cannot be found.",
		Source:  "only onboarded partners create delegation requests (IAM API reference, CreateDelegationRequest); the message follows IAM's NoSuchEntity wording",
		arg: func(_ *service.Call, in any) string {
			return reflect.ValueOf(in).Elem().FieldByName("DelegationRequestId").String()
		},
	}
}

// OrganizationsOnly returns the table of Organizations-only and preview
// operations with iamd's answer to each, for the README's coverage table.
func OrganizationsOnly() []OrganizationsAnswer {
	return append([]OrganizationsAnswer(nil), organizationsAnswers...)
}

var _ = family((*Service).organizationsOperations)

func (s *Service) organizationsOperations(t service.Table) {
	for _, a := range organizationsAnswers {
		if a.Code == "" {
			continue // answered by its own handler below
		}
		t[a.Operation] = a.handler()
	}
	t["ListDelegationRequests"] = service.Op(s.listDelegationRequests)
}

// handler decodes and validates the input as every operation does (so
// that malformed input gets the ValidationError AWS gives first), then
// answers the table's error.
func (a OrganizationsAnswer) handler() service.Handler {
	in := iamapi.Operations[a.Operation].Input
	return func(_ context.Context, c *service.Call, decode func(dst any) error) (any, error) {
		var v any = &struct{}{}
		if in != nil {
			v = reflect.New(in).Interface()
			if err := decode(v); err != nil {
				return nil, err
			}
		}
		return nil, a.answer(c, v)
	}
}

// answer builds the wire error for one call.
func (a OrganizationsAnswer) answer(c *service.Call, in any) *awsquery.Error {
	msg := a.Message
	if a.arg != nil {
		msg = fmt.Sprintf(a.Message, a.arg(c, in))
	}
	return &awsquery.Error{Code: a.Code, Message: msg, Status: a.Status, Sender: a.Status < 500}
}

// listDelegationRequests lists the account's delegation requests: none,
// so any marker is one iamd did not issue.
func (s *Service) listDelegationRequests(_ context.Context, _ *service.Call, in *iamapi.ListDelegationRequestsRequest) (*iamapi.ListDelegationRequestsResponse, error) {
	if str(in.Marker) != "" {
		return nil, badMarker()
	}
	return &iamapi.ListDelegationRequestsResponse{DelegationRequests: []iamapi.DelegationRequest{}, IsTruncated: ptr(false)}, nil
}
