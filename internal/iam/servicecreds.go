package iam

import (
	"crypto/rand"
	"encoding/base64"
	"fmt"
)

// AWS's quota on service-specific credentials: two per user per service
// (IAM User Guide, "IAM and AWS STS quotas").
const maxServiceCredentialsPerService = 2

// credentialKind is how a service's credentials authenticate.
type credentialKind int

const (
	// userPassword credentials are a generated user name and password
	// (CodeCommit's HTTPS Git credentials, Amazon Keyspaces).
	userPassword credentialKind = iota
	// apiKey credentials are a long-term API key: a public alias and a
	// secret shown once, optionally expiring (Amazon Bedrock, CloudWatch
	// Logs; IAM User Guide, "API keys for AWS services").
	apiKey
)

// credentialService is a service that accepts service-specific
// credentials.
type credentialService struct {
	kind credentialKind
	// keyPrefix starts the API key a client sends, ahead of the base64 of
	// alias:secret (Bedrock's keys begin "ABSK").
	keyPrefix string
}

// credentialServices are the services IAM issues service-specific
// credentials for (IAM User Guide, "Service-specific credentials for IAM
// users" and "API keys for AWS services").
var credentialServices = map[string]credentialService{
	"codecommit.amazonaws.com": {kind: userPassword},
	"cassandra.amazonaws.com":  {kind: userPassword},
	"bedrock.amazonaws.com":    {kind: apiKey, keyPrefix: "ABSK"},
	"logs.amazonaws.com":       {kind: apiKey, keyPrefix: "ACWL"},
}

// lookupCredentialService finds a service by name; AWS answers an unknown
// one with NoSuchEntity, not the model's NotSupportedService (localstack's
// recorded AWS response).
func lookupCredentialService(name string) (credentialService, error) {
	svc, ok := credentialServices[name]
	if !ok {
		return credentialService{}, wireError("NoSuchEntity", "No such service %s is supported for Service Specific Credentials", name)
	}
	return svc, nil
}

// noSuchServiceCredential is AWS's answer for a credential id the user
// does not have (localstack's recorded AWS response).
func noSuchServiceCredential(id string) error {
	return wireError("NoSuchEntity", "No such credential %s exists", id)
}

// serviceUserName is the user name of a user-and-password credential:
// "jane-at-123456789012" for the first, and for a second credential of the
// same user and service, which must differ, "jane+1-at-123456789012" (the
// API reference of ServiceSpecificCredential gives the first form).
func serviceUserName(user, account string, slot int) string {
	if slot == 0 {
		return fmt.Sprintf("%s-at-%s", user, account)
	}
	return fmt.Sprintf("%s+%d-at-%s", user, slot, account)
}

// serviceCredentialAlias is the public part of an API key: the user name
// with a suffix naming the key's slot and the account, as
// serviceUserName's (the model: "the IAM user name and a suffix containing
// version and creation information").
func serviceCredentialAlias(user, account string, slot int) string {
	return serviceUserName(user, account, slot)
}

// newServicePassword returns a fresh password for a user-and-password
// credential: 32 random bytes in base64, 44 characters like the AWS CLI
// example's "+oaFsNk7tLco+C/obP9GhhcOzGcKOayTmE1LP6qpGWQ=".
func newServicePassword() string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic("iam: crypto/rand failed: " + err.Error())
	}
	return base64.StdEncoding.EncodeToString(b)
}

// apiKeySecret is the bearer token a client sends with an API key: the
// service's prefix and the base64 of alias:password.
func apiKeySecret(svc credentialService, alias, password string) string {
	return svc.keyPrefix + base64.StdEncoding.EncodeToString([]byte(alias+":"+password))
}
