// Package iam implements the AWS IAM operations over iamd's store, one file
// per resource family. Every operation runs in one store transaction, so
// that a failed call changes nothing; inputs arrive decoded and validated
// against the API model, and the checks here are the semantic ones AWS
// makes beyond the model (existence, uniqueness, quotas, dependencies).
package iam

import (
	"errors"
	"fmt"
	"strings"

	"github.com/iamd/iamd/awsquery"
	"github.com/iamd/iamd/internal/iamapi"
	"github.com/iamd/iamd/internal/seal"
	"github.com/iamd/iamd/internal/service"
	"github.com/iamd/iamd/internal/store"
)

// AWS's default quotas (IAM User Guide, "IAM and AWS STS quotas").
const (
	maxAccessKeysPerUser = 2
	maxGroupsPerUser     = 10
	maxTagsPerResource   = 50
)

// Service is IAM over one store.
type Service struct {
	store   store.Store
	keyring *seal.Keyring
}

// New returns the IAM service.
func New(st store.Store, kr *seal.Keyring) *Service {
	return &Service{store: st, keyring: kr}
}

// Operations is IAM's operation table.
func (s *Service) Operations() service.Table {
	t := service.Table{}
	s.userOperations(t)
	s.groupOperations(t)
	s.accessKeyOperations(t)
	return t
}

// wireError builds an AWS error with the HTTP status and fault IAM's model
// gives its code.
func wireError(code, format string, args ...any) *awsquery.Error {
	return iamapi.Model().Errorf(code, format, args...)
}

// notFound, exists and similar give the AWS messages for store errors about
// a named entity, so that each operation states only what it is about.
func noSuchUser(name string) error {
	return wireError("NoSuchEntity", "The user with name %s cannot be found.", name)
}

func noSuchGroup(name string) error {
	return wireError("NoSuchEntity", "The group with name %s cannot be found.", name)
}

func noSuchAccessKey(id string) error {
	return wireError("NoSuchEntity", "The Access Key with id %s cannot be found.", id)
}

// storeError maps a store error to AWS's error for the entity it names;
// anything unrecognised passes through and becomes InternalFailure.
func storeError(err error) error {
	var se *store.Error
	if !errors.As(err, &se) {
		return err
	}
	switch {
	case errors.Is(err, store.ErrNotFound):
		switch se.Kind {
		case store.KindUser:
			return noSuchUser(se.Name)
		case store.KindGroup:
			return noSuchGroup(se.Name)
		case store.KindAccessKey:
			return noSuchAccessKey(se.Name)
		}
	case errors.Is(err, store.ErrAlreadyExists):
		switch se.Kind {
		case store.KindUser:
			return wireError("EntityAlreadyExists", "User with name %s already exists.", se.Name)
		case store.KindGroup:
			return wireError("EntityAlreadyExists", "Group with name %s already exists.", se.Name)
		}
	case errors.Is(err, store.ErrInvalidArgument) && strings.Contains(se.Name, "marker"):
		return wireError("InvalidInput", "Invalid value for parameter Marker.")
	}
	return err
}

// userARN is the ARN of an IAM user.
func userARN(partition, account, path, name string) string {
	return fmt.Sprintf("arn:%s:iam::%s:user%s%s", partition, account, path, name)
}

// groupARN is the ARN of an IAM group.
func groupARN(partition, account, path, name string) string {
	return fmt.Sprintf("arn:%s:iam::%s:group%s%s", partition, account, path, name)
}

// pathOr returns *p, or the default path "/".
func pathOr(p *string) string {
	if p == nil || *p == "" {
		return "/"
	}
	return *p
}

// str returns *p or "".
func str(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

// page converts the model's Marker/MaxItems to store options.
func page(marker *string, maxItems *int32) store.ListOptions {
	o := store.ListOptions{Marker: str(marker)}
	if maxItems != nil {
		o.MaxItems = int(*maxItems)
	}
	return o
}

// pathPage is page with a PathPrefix.
func pathPage(prefix, marker *string, maxItems *int32) store.PathListOptions {
	o := page(marker, maxItems)
	return store.PathListOptions{PathPrefix: str(prefix), Marker: o.Marker, MaxItems: o.MaxItems}
}

// truncation is the IsTruncated/Marker pair of a list response.
func truncation[T any](p store.Page[T]) (*bool, *string) {
	t := p.Truncated()
	if !t {
		return &t, nil
	}
	m := p.Marker
	return &t, &m
}

// callerUserName is the user an operation without UserName acts on: the
// caller itself. Root is "" (root's own access keys); a role session cannot
// use these operations without naming a user.
func callerUserName(c *service.Call) (string, error) {
	switch c.Caller.Type {
	case service.Root:
		return "", nil
	case service.User:
		if c.Caller.Emulated {
			return "", wireError("ValidationError", "Must specify userName when calling with non-User credentials")
		}
		return c.Caller.Name, nil
	}
	return "", wireError("ValidationError", "Must specify userName when calling with non-User credentials")
}
