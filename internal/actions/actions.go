// Package actions is the IAM and STS part of AWS's Service Authorization
// Reference, embedded: for every action its access level, the resource
// types it acts on and the condition keys it supports, and for every
// resource type its ARN format. Enforcement reads it to know which ARN an
// operation is authorized on and which context keys to supply, so that
// those facts come from AWS's reference and not from a hand-written list.
// PROVENANCE.md says where the data comes from; a test keeps it equal to
// the shared reference file.
package actions

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"sync"
)

// SourceFile is the shared reference file (in ../shared/data) of which the
// embedded data is the "iam" and "sts" entries, unchanged.
const SourceFile = "aws-service-actions.json"

// Prefixes are the service prefixes embedded.
var Prefixes = []string{"iam", "sts"}

//go:embed iam-sts.json
var data []byte

// Access is an action's access level in the reference.
type Access string

// The access levels of the Service Authorization Reference.
const (
	List                  Access = "List"
	Read                  Access = "Read"
	Write                 Access = "Write"
	PermissionsManagement Access = "Permissions management"
	Tagging               Access = "Tagging"
)

// ReadOnly reports whether actions of this level only read: List and Read.
// The other levels (Write, Permissions management, Tagging) change state.
func (a Access) ReadOnly() bool { return a == List || a == Read }

// Action is one action of a service.
type Action struct {
	// Name is the action as the reference spells it ("CreateUser").
	Name string
	// Access is its access level.
	Access Access
	// Resources are the resource types it acts on, in the reference's
	// order; empty when it supports no resource-level permissions.
	Resources []string
	// Conditions are the condition keys it supports (its own and those
	// of its resource types), as the reference spells them, e.g.
	// "aws:RequestTag/${TagKey}".
	Conditions []string
}

// HasCondition reports whether the action supports the condition key,
// compared without regard to case as IAM compares keys.
func (a Action) HasCondition(key string) bool {
	for _, k := range a.Conditions {
		if strings.EqualFold(k, key) {
			return true
		}
	}
	return false
}

// Service is one service prefix of the reference.
type Service struct {
	Prefix string
	Name   string
	// Actions by name folded to lower case.
	actions map[string]Action
	// Resources maps a resource type to its ARN format, e.g. "user" →
	// "arn:${Partition}:iam::${Account}:user/${UserNameWithPath}".
	Resources map[string]string
	// Conditions maps a condition key to its type ("String", "ARN",
	// "ArrayOfString", ...).
	Conditions map[string]string
}

// Action returns the named action, matched without regard to case.
func (s *Service) Action(name string) (Action, bool) {
	a, ok := s.actions[strings.ToLower(name)]
	return a, ok
}

// ActionNames returns the service's action names, sorted.
func (s *Service) ActionNames() []string {
	names := make([]string, 0, len(s.actions))
	for _, a := range s.actions {
		names = append(names, a.Name)
	}
	sort.Strings(names)
	return names
}

// entry is one service in the reference file's schema.
type entry struct {
	Name    string `json:"name"`
	Actions map[string]struct {
		Access     Access   `json:"access"`
		Resources  []string `json:"resources"`
		Conditions []string `json:"conditions"`
	} `json:"actions"`
	Resources  map[string]string `json:"resources"`
	Conditions map[string]string `json:"conditions"`
}

var load = sync.OnceValues(func() (map[string]*Service, error) {
	return Parse(data)
})

// Parse reads services in the reference file's schema (a JSON object of
// service prefix → service), for the embedded data and for tests that
// compare it with the shared file.
func Parse(b []byte) (map[string]*Service, error) {
	var raw map[string]entry
	if err := json.Unmarshal(b, &raw); err != nil {
		return nil, fmt.Errorf("actions: %w", err)
	}
	out := make(map[string]*Service, len(raw))
	for prefix, e := range raw {
		s := &Service{Prefix: prefix, Name: e.Name, actions: map[string]Action{}, Resources: e.Resources, Conditions: e.Conditions}
		for name, a := range e.Actions {
			s.actions[strings.ToLower(name)] = Action{Name: name, Access: a.Access, Resources: a.Resources, Conditions: a.Conditions}
		}
		out[prefix] = s
	}
	return out, nil
}

// Embedded returns the embedded data; it fails only if the embedded file
// is broken, which the package's tests rule out.
func Embedded() (map[string]*Service, error) { return load() }

// Lookup returns the service with the prefix ("iam", "sts"), or nil.
func Lookup(prefix string) *Service {
	m, err := load()
	if err != nil {
		return nil
	}
	return m[strings.ToLower(prefix)]
}

// Find returns an action of a service, both matched without regard to case.
func Find(prefix, action string) (Action, bool) {
	s := Lookup(prefix)
	if s == nil {
		return Action{}, false
	}
	return s.Action(action)
}
