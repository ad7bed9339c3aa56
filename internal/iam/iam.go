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

// Operations is IAM's operation table: every resource family's operations.
func (s *Service) Operations() service.Table {
	t := service.Table{}
	for _, register := range families {
		register(s, t)
	}
	return t
}

// families are the registration functions of the resource families, each
// added by its own file's init, so that a family is one file to read (and
// to write) without touching a shared list.
var families []func(*Service, service.Table)

// family registers a resource family's operations.
func family(register func(*Service, service.Table)) bool {
	families = append(families, register)
	return true
}

// wireError builds an AWS error with the HTTP status and fault IAM's model
// gives its code.
func wireError(code, format string, args ...any) *awsquery.Error {
	return iamapi.Model().Errorf(code, format, args...)
}

// entityMessage gives AWS's NoSuchEntity and EntityAlreadyExists messages
// for one kind of entity; each family file adds its kinds in init.
type entityMessage struct {
	notFound string // format with the name, e.g. "The user with name %s cannot be found."
	exists   string // format with the name, e.g. "User with name %s already exists."
}

var entityMessages = map[store.Kind]entityMessage{}

// entity registers the messages of a kind of entity.
func entity(k store.Kind, notFound, exists string) bool {
	entityMessages[k] = entityMessage{notFound: notFound, exists: exists}
	return true
}

var _ = entity(store.KindUser, "The user with name %s cannot be found.", "User with name %s already exists.")
var _ = entity(store.KindGroup, "The group with name %s cannot be found.", "Group with name %s already exists.")
var _ = entity(store.KindAccessKey, "The Access Key with id %s cannot be found.", "")

func noSuchUser(name string) error {
	return wireError("NoSuchEntity", entityMessages[store.KindUser].notFound, name)
}

func noSuchAccessKey(id string) error {
	return wireError("NoSuchEntity", entityMessages[store.KindAccessKey].notFound, id)
}

// storeError maps a store error to AWS's error for the entity it names;
// anything unrecognised passes through and becomes InternalFailure (logged,
// never shown to the client).
func storeError(err error) error {
	var se *store.Error
	if err == nil || !errors.As(err, &se) {
		return err
	}
	m := entityMessages[se.Kind]
	switch {
	case errors.Is(err, store.ErrNotFound) && m.notFound != "":
		return wireError("NoSuchEntity", m.notFound, se.Name)
	case errors.Is(err, store.ErrAlreadyExists) && m.exists != "":
		return wireError("EntityAlreadyExists", m.exists, se.Name)
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
