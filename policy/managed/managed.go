// Package managed holds the AWS managed policies (AdministratorAccess,
// ReadOnlyAccess, the service-role policies, ...) as AWS's IAM API returned
// them, embedded in the binary so that iamd can serve ListPolicies,
// GetPolicy and GetPolicyVersion for the "aws" account without any network
// access. Callers opt in by importing it: the policy engine itself does not.
//
// The data is compressed in the binary and decoded on the first call, once,
// so that importing the package costs nothing at start-up. PROVENANCE.md
// says where the data comes from and how to refresh it.
package managed

import (
	"bytes"
	"compress/gzip"
	_ "embed"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"
)

// compressed is aws-managed-policies.json from the shared data directory,
// gzipped. It is the exact byte sequence of that file once decompressed; a
// test keeps it so.
//
//go:embed aws-managed-policies.json.gz
var compressed []byte

// Policy is one AWS managed policy: the fields of ListPolicies' Policy
// shape and the document of its default version.
type Policy struct {
	// Name is the policy name, e.g. "AdministratorAccess".
	Name string
	// ARN is "arn:aws:iam::aws:policy" + Path + Name, in the aws partition.
	ARN string
	// Path is the IAM path, e.g. "/" or "/service-role/".
	Path string
	// DefaultVersionID is the version whose document Document holds, e.g. "v3".
	DefaultVersionID string
	// PolicyID is AWS's unique id for the policy (an ANPA... id).
	PolicyID string
	// IsAttachable tells whether AWS lets the policy be attached to users,
	// groups and roles.
	IsAttachable bool
	// CreateDate is when AWS created the policy.
	CreateDate time.Time
	// UpdateDate is when the default version last changed.
	UpdateDate time.Time
	// Document is the default version's policy document as AWS returned it
	// (compact JSON, keys in AWS's order, single values not turned into
	// arrays). Callers must not modify it: it is shared by every caller.
	Document []byte
}

// record is the on-disk shape of one policy (see PROVENANCE.md).
type record struct {
	Name             string          `json:"name"`
	ARN              string          `json:"arn"`
	Path             string          `json:"path"`
	DefaultVersionID string          `json:"defaultVersionId"`
	PolicyID         string          `json:"policyId"`
	IsAttachable     bool            `json:"isAttachable"`
	CreateDate       string          `json:"createDate"`
	UpdateDate       string          `json:"updateDate"`
	Document         json.RawMessage `json:"document"`
}

// catalog is the decoded data with its lookup indexes.
type catalog struct {
	all    []Policy
	byName map[string]int
	// byResource maps "policy" + Path + Name (the ARN's resource part) to the
	// index in all, so that an ARN in any partition finds its policy.
	byResource map[string]int
}

var (
	loadOnce sync.Once
	loaded   *catalog
)

// load decodes the embedded data on first use. The data is built into the
// binary and checked by the package's tests, so a failure here means a
// corrupted build: it panics rather than make every caller handle an error
// that cannot happen in a correct binary.
func load() *catalog {
	loadOnce.Do(func() {
		c, err := decode(compressed)
		if err != nil {
			panic("managed: embedded AWS managed policies are corrupt: " + err.Error())
		}
		loaded = c
	})
	return loaded
}

// decode gunzips and parses the embedded data and builds the indexes.
func decode(gz []byte) (*catalog, error) {
	zr, err := gzip.NewReader(bytes.NewReader(gz))
	if err != nil {
		return nil, fmt.Errorf("gunzip: %w", err)
	}
	raw, err := io.ReadAll(zr)
	if err != nil {
		return nil, fmt.Errorf("gunzip: %w", err)
	}
	var recs []record
	if err := json.Unmarshal(raw, &recs); err != nil {
		return nil, fmt.Errorf("decode JSON: %w", err)
	}
	c := &catalog{
		all:        make([]Policy, len(recs)),
		byName:     make(map[string]int, len(recs)),
		byResource: make(map[string]int, len(recs)),
	}
	for i, r := range recs {
		created, err := time.Parse(time.RFC3339, r.CreateDate)
		if err != nil {
			return nil, fmt.Errorf("policy %q: createDate: %w", r.Name, err)
		}
		updated, err := time.Parse(time.RFC3339, r.UpdateDate)
		if err != nil {
			return nil, fmt.Errorf("policy %q: updateDate: %w", r.Name, err)
		}
		resource, ok := strings.CutPrefix(r.ARN, "arn:aws:iam::aws:")
		if !ok || resource != "policy"+r.Path+r.Name {
			return nil, fmt.Errorf("policy %q: ARN %q does not match its path", r.Name, r.ARN)
		}
		c.all[i] = Policy{
			Name:             r.Name,
			ARN:              r.ARN,
			Path:             r.Path,
			DefaultVersionID: r.DefaultVersionID,
			PolicyID:         r.PolicyID,
			IsAttachable:     r.IsAttachable,
			CreateDate:       created,
			UpdateDate:       updated,
			Document:         []byte(r.Document),
		}
		if _, dup := c.byName[r.Name]; dup {
			return nil, fmt.Errorf("policy %q appears twice", r.Name)
		}
		c.byName[r.Name] = i
		c.byResource[resource] = i
	}
	return c, nil
}

// All returns every AWS managed policy, sorted by name. The slice is the
// caller's own; the documents in it are shared and must not be modified.
func All() []Policy {
	c := load()
	out := make([]Policy, len(c.all))
	copy(out, c.all)
	return out
}

// ByName returns the managed policy with exactly this name (AWS managed
// policy names are matched with their case, as GetPolicy matches ARNs).
func ByName(name string) (Policy, bool) {
	c := load()
	i, ok := c.byName[name]
	if !ok {
		return Policy{}, false
	}
	return c.all[i], true
}

// ByARN returns the managed policy with this ARN. Any partition is
// accepted ("arn:aws-cn:iam::aws:policy/ReadOnlyAccess" finds
// ReadOnlyAccess), because AWS publishes the same managed policies in every
// partition; the Policy returned still carries its aws-partition ARN and
// document.
func ByARN(arn string) (Policy, bool) {
	rest, ok := strings.CutPrefix(arn, "arn:")
	if !ok {
		return Policy{}, false
	}
	partition, rest, ok := strings.Cut(rest, ":")
	if !ok || !validPartition(partition) {
		return Policy{}, false
	}
	resource, ok := strings.CutPrefix(rest, "iam::aws:")
	if !ok {
		return Policy{}, false
	}
	c := load()
	i, ok := c.byResource[resource]
	if !ok {
		return Policy{}, false
	}
	return c.all[i], true
}

// validPartition reports whether p has the form of an AWS partition name
// ("aws", "aws-cn", "aws-us-gov", "aws-iso-b", ...): "aws" optionally
// followed by hyphen-separated lower-case words.
func validPartition(p string) bool {
	rest, ok := strings.CutPrefix(p, "aws")
	if !ok {
		return false
	}
	for rest != "" {
		word, ok := strings.CutPrefix(rest, "-")
		if !ok {
			return false
		}
		n := 0
		for n < len(word) && (word[n] >= 'a' && word[n] <= 'z' || word[n] >= '0' && word[n] <= '9') {
			n++
		}
		if n == 0 {
			return false
		}
		rest = word[n:]
	}
	return true
}
