package iam

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"time"

	"github.com/iamd/iamd/internal/awsid"
	"github.com/iamd/iamd/internal/iamapi"
	"github.com/iamd/iamd/internal/service"
	"github.com/iamd/iamd/internal/store"
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

var _ = family((*Service).serviceCredentialOperations)

var _ = entity(store.KindServiceSpecificCredential, "No such credential %s exists", "")

func (s *Service) serviceCredentialOperations(t service.Table) {
	t["CreateServiceSpecificCredential"] = service.Op(s.createServiceCredential)
	t["ResetServiceSpecificCredential"] = service.Op(s.resetServiceCredential)
	t["UpdateServiceSpecificCredential"] = service.Op(s.updateServiceCredential)
	t["DeleteServiceSpecificCredential"] = service.Op(s.deleteServiceCredential)
	t["ListServiceSpecificCredentials"] = service.Op(s.listServiceCredentials)
}

// serviceCredentialStatus is a credential's status as IAM reports it:
// Expired once an API key's expiration has passed, whatever it was set to.
func serviceCredentialStatus(sc store.ServiceSpecificCredential, now time.Time) string {
	if !sc.Expiration.IsZero() && !now.Before(sc.Expiration) {
		return "Expired"
	}
	return string(sc.Status)
}

// apiServiceCredential renders a credential with its secret, which IAM
// shows only when it creates or resets one.
func apiServiceCredential(sc store.ServiceSpecificCredential, password string, now time.Time) *iamapi.ServiceSpecificCredential {
	out := &iamapi.ServiceSpecificCredential{
		CreateDate:                  sc.Created,
		ServiceName:                 sc.ServiceName,
		ServiceSpecificCredentialId: sc.ID,
		UserName:                    sc.UserName,
		Status:                      serviceCredentialStatus(sc, now),
	}
	if !sc.Expiration.IsZero() {
		out.ExpirationDate = ptr(sc.Expiration)
	}
	svc := credentialServices[sc.ServiceName]
	if svc.kind == apiKey {
		out.ServiceCredentialAlias = ptr(sc.Alias)
		out.ServiceCredentialSecret = ptr(apiKeySecret(svc, sc.Alias, password))
	} else {
		out.ServiceUserName = ptr(sc.ServiceUserName)
		out.ServicePassword = ptr(password)
	}
	return out
}

// sealServicePassword seals a credential's password, bound to its id.
func (s *Service) sealServicePassword(id, password string) ([]byte, error) {
	return s.keyring.Seal([]byte(password), []byte(id))
}

func (s *Service) createServiceCredential(ctx context.Context, c *service.Call, in *iamapi.CreateServiceSpecificCredentialRequest) (*iamapi.CreateServiceSpecificCredentialResponse, error) {
	sc := store.ServiceSpecificCredential{
		ID:          awsid.Unique(awsid.ServiceCredential),
		Account:     c.AccountID,
		UserName:    in.UserName,
		ServiceName: in.ServiceName,
		Status:      store.AccessKeyActive,
		Created:     c.Now,
	}
	password := newServicePassword()
	var err error
	if sc.Password, err = s.sealServicePassword(sc.ID, password); err != nil {
		return nil, err
	}
	err = s.store.Update(ctx, func(tx store.Tx) error {
		u, err := tx.GetUser(c.AccountID, in.UserName) // the user first, as AWS answers
		if err != nil {
			return err
		}
		sc.UserName = u.Name
		svc, err := lookupCredentialService(in.ServiceName)
		if err != nil {
			return err
		}
		if in.CredentialAgeDays != nil {
			if svc.kind != apiKey {
				return wireError("InvalidInput", "CredentialAgeDays is valid only for services that support long-term API keys, not %s.", in.ServiceName)
			}
			sc.Expiration = c.Now.AddDate(0, 0, int(*in.CredentialAgeDays))
		}
		p, err := tx.ListServiceSpecificCredentials(c.AccountID, u.Name, in.ServiceName, store.ListOptions{MaxItems: 1000})
		if err != nil {
			return err
		}
		if len(p.Items) >= maxServiceCredentialsPerService {
			return wireError("LimitExceeded", "Cannot exceed quota for ServiceSpecificCredentialsPerUserPerService: %d", maxServiceCredentialsPerService)
		}
		// The user's credentials for a service have distinct user names:
		// the first free slot names this one.
		taken := make(map[string]bool, len(p.Items))
		for _, have := range p.Items {
			taken[have.ServiceUserName] = true
		}
		slot := 0
		for taken[serviceUserName(u.Name, c.AccountID, slot)] {
			slot++
		}
		sc.ServiceUserName = serviceUserName(u.Name, c.AccountID, slot)
		if svc.kind == apiKey {
			sc.Alias = serviceCredentialAlias(u.Name, c.AccountID, slot)
		}
		return tx.CreateServiceSpecificCredential(sc)
	})
	if err != nil {
		return nil, storeError(err)
	}
	return &iamapi.CreateServiceSpecificCredentialResponse{ServiceSpecificCredential: apiServiceCredential(sc, password, c.Now)}, nil
}

// credentialOwner is the user a credential operation acts on: the named
// user or the caller. The root user has no service-specific credentials,
// so an id given for it names nothing.
func credentialOwner(c *service.Call, userName *string, id string) (string, error) {
	user, err := keyOwner(c, userName)
	if err != nil {
		return "", err
	}
	if user == "" {
		return "", noSuchServiceCredential(id)
	}
	return user, nil
}

func (s *Service) resetServiceCredential(ctx context.Context, c *service.Call, in *iamapi.ResetServiceSpecificCredentialRequest) (*iamapi.ResetServiceSpecificCredentialResponse, error) {
	user, err := credentialOwner(c, in.UserName, in.ServiceSpecificCredentialId)
	if err != nil {
		return nil, err
	}
	password := newServicePassword()
	sealed, err := s.sealServicePassword(in.ServiceSpecificCredentialId, password)
	if err != nil {
		return nil, err
	}
	var sc store.ServiceSpecificCredential
	err = s.store.Update(ctx, func(tx store.Tx) error {
		if err := tx.ResetServiceSpecificCredential(c.AccountID, user, in.ServiceSpecificCredentialId, sealed); err != nil {
			return err
		}
		sc, err = tx.GetServiceSpecificCredential(c.AccountID, user, in.ServiceSpecificCredentialId)
		return err
	})
	if err != nil {
		return nil, storeError(err)
	}
	return &iamapi.ResetServiceSpecificCredentialResponse{ServiceSpecificCredential: apiServiceCredential(sc, password, c.Now)}, nil
}

func (s *Service) updateServiceCredential(ctx context.Context, c *service.Call, in *iamapi.UpdateServiceSpecificCredentialRequest) (*service.Empty, error) {
	user, err := credentialOwner(c, in.UserName, in.ServiceSpecificCredentialId)
	if err != nil {
		return nil, err
	}
	if err := checkCredentialStatus(in.Status, "Credential"); err != nil {
		return nil, err
	}
	err = s.store.Update(ctx, func(tx store.Tx) error {
		return tx.UpdateServiceSpecificCredentialStatus(c.AccountID, user, in.ServiceSpecificCredentialId, store.AccessKeyStatus(in.Status))
	})
	if err != nil {
		return nil, storeError(err)
	}
	return &service.Empty{}, nil
}

func (s *Service) deleteServiceCredential(ctx context.Context, c *service.Call, in *iamapi.DeleteServiceSpecificCredentialRequest) (*service.Empty, error) {
	user, err := credentialOwner(c, in.UserName, in.ServiceSpecificCredentialId)
	if err != nil {
		return nil, err
	}
	err = s.store.Update(ctx, func(tx store.Tx) error {
		return tx.DeleteServiceSpecificCredential(c.AccountID, user, in.ServiceSpecificCredentialId)
	})
	if err != nil {
		return nil, storeError(err)
	}
	return &service.Empty{}, nil
}

func (s *Service) listServiceCredentials(ctx context.Context, c *service.Call, in *iamapi.ListServiceSpecificCredentialsRequest) (*iamapi.ListServiceSpecificCredentialsResponse, error) {
	all := in.AllUsers != nil && *in.AllUsers
	if all && in.UserName != nil {
		// The API reference: AllUsers "cannot be specified together with
		// UserName".
		return nil, wireError("InvalidInput", "AllUsers cannot be specified together with UserName.")
	}
	user := ""
	if !all {
		var err error
		if user, err = keyOwner(c, in.UserName); err != nil {
			return nil, err
		}
	}
	serviceName := str(in.ServiceName)
	if serviceName != "" {
		if _, err := lookupCredentialService(serviceName); err != nil {
			return nil, err
		}
	}
	out := &iamapi.ListServiceSpecificCredentialsResponse{ServiceSpecificCredentials: []iamapi.ServiceSpecificCredentialMetadata{}}
	if !all && user == "" {
		// The root user has no service-specific credentials.
		out.IsTruncated = ptr(false)
		return out, nil
	}
	var p store.Page[store.ServiceSpecificCredential]
	err := s.store.View(ctx, func(tx store.Tx) error {
		var err error
		p, err = tx.ListServiceSpecificCredentials(c.AccountID, user, serviceName, page(in.Marker, in.MaxItems))
		return err
	})
	if err != nil {
		return nil, storeError(err)
	}
	for _, sc := range p.Items {
		m := iamapi.ServiceSpecificCredentialMetadata{
			UserName:                    sc.UserName,
			Status:                      serviceCredentialStatus(sc, c.Now),
			CreateDate:                  sc.Created,
			ServiceSpecificCredentialId: sc.ID,
			ServiceName:                 sc.ServiceName,
		}
		if !sc.Expiration.IsZero() {
			m.ExpirationDate = ptr(sc.Expiration)
		}
		if credentialServices[sc.ServiceName].kind == apiKey {
			m.ServiceCredentialAlias = ptr(sc.Alias)
		} else {
			m.ServiceUserName = ptr(sc.ServiceUserName)
		}
		out.ServiceSpecificCredentials = append(out.ServiceSpecificCredentials, m)
	}
	out.IsTruncated, out.Marker = truncation(p)
	return out, nil
}
