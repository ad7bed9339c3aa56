package server

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/iamd/iamd/arn"
	"github.com/iamd/iamd/awsquery"
	"github.com/iamd/iamd/internal/awsid"
	"github.com/iamd/iamd/internal/service"
	"github.com/iamd/iamd/internal/store"
	"github.com/iamd/iamd/sigv4"
)

// keyLookup is the sigv4 credential source for one request. It remembers
// the key it found so that resolving the caller does not read it twice.
type keyLookup struct {
	s   *Server
	key store.AccessKey
	// session is the session of temporary credentials (ASIA...), nil for
	// long-term keys.
	session *store.Session
}

// Secret returns the unsealed secret of an access key, or
// sigv4.ErrUnknownAccessKey when the key does not exist or is inactive (AWS
// answers both with InvalidClientTokenId).
func (l *keyLookup) Secret(ctx context.Context, accessKeyID string) ([]byte, error) {
	if isTemporaryKey(accessKeyID) {
		var secret []byte
		err := l.s.store.View(ctx, func(tx store.Tx) error {
			var err error
			secret, err = l.sessionSecret(accessKeyID, tx)
			return err
		})
		if errors.Is(err, store.ErrNotFound) {
			return nil, sigv4.ErrUnknownAccessKey
		}
		return secret, err
	}
	if key, secret, ok := l.s.keys.get(accessKeyID, l.s.authz); ok {
		l.key = key
		return secret, nil
	}
	// The generation must be taken before the read: a write that commits
	// after it bumps it, so an entry read from an older snapshot is never
	// trusted. The account comes from the key id itself (iamd's key ids
	// encode it, as AWS's do); a key whose id names another account is
	// used but not cached.
	acct, idErr := awsid.AccountFromAccessKeyID(accessKeyID)
	gen := l.s.authz.Generation(acct)
	var key store.AccessKey
	err := l.s.store.View(ctx, func(tx store.Tx) error {
		var err error
		key, err = tx.GetAccessKey(accessKeyID)
		return err
	})
	if errors.Is(err, store.ErrNotFound) || (err == nil && key.Status != store.AccessKeyActive) {
		return nil, sigv4.ErrUnknownAccessKey
	}
	if err != nil {
		return nil, err
	}
	secret, err := l.s.keyring.Open(key.Secret, []byte(key.ID))
	if err != nil {
		return nil, fmt.Errorf("unsealing secret of %s: %w", key.ID, err)
	}
	if idErr == nil && acct == key.Account {
		l.s.keys.put(key, secret, gen)
	}
	l.key = key
	return secret, nil
}

// authenticate resolves the caller of a request into call: verifies the
// signature when the request carries one (always, whatever the action), and
// otherwise admits only what AWS admits unsigned, or what emulator mode's
// no-auth budget admits.
func (s *Server) authenticate(r *http.Request, body []byte, api *API, action string, call *service.Call) error {
	ctx := r.Context()
	signed := r.Header.Get("Authorization") != "" || r.URL.Query().Has("X-Amz-Credential")
	free := s.emulator && s.noAuth.take()
	call.NoAuth = free
	if !signed {
		switch {
		case free:
			s.emulatedCaller(call, "")
			return nil
		case api.Unsigned[action]:
			call.Caller = service.Principal{Type: service.Anonymous}
			return nil
		}
		return &awsquery.Error{Code: "MissingAuthenticationToken", Status: http.StatusForbidden, Sender: true,
			Message: "Request is missing Authentication Token"}
	}
	lookup := &keyLookup{s: s}
	v := sigv4.Verifier{Credentials: lookup, Now: s.now, Services: []string{api.Name}}
	res, err := v.Verify(ctx, r, body)
	if err != nil {
		if free && errors.Is(err, sigv4.ErrUnknownAccessKey) {
			if scope, ok := sigv4.ParseCredentialScope(r); ok {
				call.Region = scope.Region
				s.emulatedCaller(call, scope.AccessKeyID)
			} else {
				s.emulatedCaller(call, "")
			}
			return nil
		}
		return err
	}
	if res.Region != "" {
		call.Region = res.Region
	}
	if err := s.checkSecurityToken(lookup, res); err != nil {
		return err
	}
	if lookup.session != nil {
		resolveSession(lookup.session, call)
		return nil
	}
	s.resolveKeyOwner(lookup.key, call)
	s.keyUses.record(store.KeyUse{AccessKeyID: lookup.key.ID, Time: s.now().UTC(), Service: api.Name, Region: call.Region})
	return nil
}

// emulatedCaller is moto's stand-in identity for keys the emulator does not
// know: user "moto" of the default account.
func (s *Server) emulatedCaller(call *service.Call, accessKeyID string) {
	if accessKeyID == "" {
		accessKeyID = emulatorUserID
	}
	call.AccountID = EmulatorAccountID
	call.Caller = service.Principal{
		Type:        service.User,
		AccountID:   EmulatorAccountID,
		ARN:         fmt.Sprintf("arn:%s:sts::%s:user/moto", arn.PartitionOf(call.Region), EmulatorAccountID),
		UserID:      emulatorUserID,
		Name:        "moto",
		AccessKeyID: accessKeyID,
		Emulated:    true,
	}
}

// resolveKeyOwner sets the caller from the owner of a verified long-term
// access key: the account's root user or an IAM user (GetAccessKey already
// read the user's current name, id and path).
func (s *Server) resolveKeyOwner(key store.AccessKey, call *service.Call) {
	partition := arn.PartitionOf(call.Region)
	call.AccountID = key.Account
	if key.UserName == "" {
		call.Caller = service.Principal{
			Type:        service.Root,
			AccountID:   key.Account,
			ARN:         fmt.Sprintf("arn:%s:iam::%s:root", partition, key.Account),
			UserID:      key.Account,
			AccessKeyID: key.ID,
		}
		return
	}
	call.Caller = service.Principal{
		Type:        service.User,
		AccountID:   key.Account,
		ARN:         fmt.Sprintf("arn:%s:iam::%s:user%s%s", partition, key.Account, key.UserPath, key.UserName),
		UserID:      key.UserID,
		Name:        key.UserName,
		AccessKeyID: key.ID,
	}
}
