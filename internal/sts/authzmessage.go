package sts

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/iamd/iamd/internal/seal"
	"github.com/iamd/iamd/internal/service"
	"github.com/iamd/iamd/internal/stsapi"
)

var _ = family(func(s *Service, t service.Table) {
	t["DecodeAuthorizationMessage"] = service.Op(s.decodeAuthorizationMessage)
})

// AuthorizationMessage is what an encoded authorization message says about
// a denied request, in the JSON form DecodeAuthorizationMessage returns (as
// in the AWS CLI example of the STS API reference:
// {"allowed":false,"explicitDeny":true,"matchedStatements":{"items":[...]},
// "failures":{"items":[]},"context":{"principal":{...},"action":...,
// "resource":...,"conditions":{"items":[...]}}}).
type AuthorizationMessage struct {
	Allowed           bool                          `json:"allowed"`
	ExplicitDeny      bool                          `json:"explicitDeny"`
	MatchedStatements Items[AuthorizationStatement] `json:"matchedStatements"`
	Failures          Items[Value]                  `json:"failures"`
	Context           AuthorizationContext          `json:"context"`
}

// Items is AWS's list wrapper in decoded messages: {"items": [...]}.
type Items[T any] struct {
	Items []T `json:"items"`
}

// Value is AWS's value wrapper: {"value": "..."}.
type Value struct {
	Value string `json:"value"`
}

// AuthorizationStatement is a statement that decided the request.
type AuthorizationStatement struct {
	StatementID     string                        `json:"statementId"`
	Effect          string                        `json:"effect"` // "ALLOW" or "DENY"
	Principals      Items[Value]                  `json:"principals"`
	PrincipalGroups Items[Value]                  `json:"principalGroups"`
	Actions         Items[Value]                  `json:"actions"`
	Resources       Items[Value]                  `json:"resources"`
	Conditions      Items[AuthorizationCondition] `json:"conditions"`
}

// AuthorizationContext is the request as it was evaluated.
type AuthorizationContext struct {
	Principal  AuthorizationPrincipal        `json:"principal"`
	Action     string                        `json:"action"`
	Resource   string                        `json:"resource"`
	Conditions Items[AuthorizationCondition] `json:"conditions"`
}

// AuthorizationPrincipal is the caller: its unique id (AIDA..., or
// AROA...:session) and ARN.
type AuthorizationPrincipal struct {
	ID   string `json:"id"`
	Name string `json:"name,omitempty"`
	ARN  string `json:"arn"`
}

// AuthorizationCondition is one context key and its values.
type AuthorizationCondition struct {
	Key    string       `json:"key"`
	Values Items[Value] `json:"values"`
}

// authzMessageAD binds an encoded message to its account: a message made
// for one account cannot be decoded by callers of another.
func authzMessageAD(account string) []byte {
	return []byte("iamd authorization message for account " + account)
}

// EncodeAuthorizationMessage seals a decision for the AccessDenied
// response of a request by a caller of account, so that only iamd (holding
// the master key) can read it back, and only for a caller of the same
// account: AES-GCM through package seal, with the account as associated
// data, in unpadded base64url. Enforcement calls it for the encoded
// message it attaches to denials.
func EncodeAuthorizationMessage(kr *seal.Keyring, account string, m AuthorizationMessage) (string, error) {
	plain, err := json.Marshal(normalizeMessage(m))
	if err != nil {
		return "", err
	}
	sealed, err := kr.Seal(plain, authzMessageAD(account))
	if err != nil {
		return "", fmt.Errorf("sealing authorization message: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(sealed), nil
}

// errBadMessage reports an encoded message that is not one of iamd's, or
// not one for the caller's account.
var errBadMessage = errors.New("sts: not an authorization message of this account")

// DecodeAuthorizationMessage opens what EncodeAuthorizationMessage sealed
// for the account and returns its JSON.
func DecodeAuthorizationMessage(kr *seal.Keyring, account, encoded string) (string, error) {
	sealed, err := base64.RawURLEncoding.DecodeString(encoded)
	if err != nil {
		return "", errBadMessage
	}
	plain, err := kr.Open(sealed, authzMessageAD(account))
	if err != nil {
		return "", errBadMessage
	}
	return string(plain), nil
}

// normalizeMessage turns nil lists into empty ones, which AWS's JSON
// always spells out ("items":[]).
func normalizeMessage(m AuthorizationMessage) AuthorizationMessage {
	fix := func(v *Items[Value]) {
		if v.Items == nil {
			v.Items = []Value{}
		}
	}
	fixCond := func(c *Items[AuthorizationCondition]) {
		if c.Items == nil {
			c.Items = []AuthorizationCondition{}
		}
		for i := range c.Items {
			fix(&c.Items[i].Values)
		}
	}
	if m.MatchedStatements.Items == nil {
		m.MatchedStatements.Items = []AuthorizationStatement{}
	}
	for i := range m.MatchedStatements.Items {
		st := &m.MatchedStatements.Items[i]
		fix(&st.Principals)
		fix(&st.PrincipalGroups)
		fix(&st.Actions)
		fix(&st.Resources)
		fixCond(&st.Conditions)
	}
	fix(&m.Failures)
	fixCond(&m.Context.Conditions)
	return m
}

// decodeAuthorizationMessage is DecodeAuthorizationMessage. Whether the
// caller may call it (sts:DecodeAuthorizationMessage) is enforcement's
// question; the message itself opens only for callers of the account it
// was made for.
func (s *Service) decodeAuthorizationMessage(_ context.Context, c *service.Call, in *stsapi.DecodeAuthorizationMessageRequest) (*stsapi.DecodeAuthorizationMessageResponse, error) {
	msg, err := DecodeAuthorizationMessage(s.keyring, c.Caller.AccountID, in.EncodedMessage)
	if err != nil {
		// The model's InvalidAuthorizationMessageException: "the token
		// contains invalid characters ... or the message has expired".
		return nil, wireError("InvalidAuthorizationMessageException", "Message is not valid")
	}
	return &stsapi.DecodeAuthorizationMessageResponse{DecodedMessage: &msg}, nil
}
