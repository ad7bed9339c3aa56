package managed_test

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/iamd/iamd/policy/managed"
)

// sharedData returns the path of ../shared/data/aws-managed-policies.json
// next to the repository (the directory holding go.mod), or skips the test
// when the shared directory is not there (e.g. a lone clone of the repo).
func sharedData(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Skip("no go.mod above the package directory, so no ../shared/data to compare with")
		}
		dir = parent
	}
	path := filepath.Join(dir, "..", "shared", "data", "aws-managed-policies.json")
	if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
		t.Skipf("%s is absent: the shared data directory is not next to this checkout", path)
	} else if err != nil {
		t.Fatal(err)
	}
	return path
}

// TestEmbeddedMatchesSharedData keeps the embedded copy identical, byte for
// byte, to the shared data file it was made from.
func TestEmbeddedMatchesSharedData(t *testing.T) {
	want, err := os.ReadFile(sharedData(t))
	if err != nil {
		t.Fatal(err)
	}
	gz, err := os.ReadFile("aws-managed-policies.json.gz")
	if err != nil {
		t.Fatal(err)
	}
	zr, err := gzip.NewReader(bytes.NewReader(gz))
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("embedded data (%d bytes) differs from the shared file (%d bytes); regenerate with: gzip -9 -n -c ../../../shared/data/aws-managed-policies.json > aws-managed-policies.json.gz", len(got), len(want))
	}
}

// TestAllMatchesSharedRecords checks every decoded field of every policy
// against an independent decoding of the shared file.
func TestAllMatchesSharedRecords(t *testing.T) {
	raw, err := os.ReadFile(sharedData(t))
	if err != nil {
		t.Fatal(err)
	}
	var recs []struct {
		Name, ARN, Path, DefaultVersionID, PolicyID string
		IsAttachable                                bool
		CreateDate, UpdateDate                      string
		Document                                    json.RawMessage
	}
	if err := json.Unmarshal(raw, &recs); err != nil {
		t.Fatal(err)
	}
	all := managed.All()
	if len(all) != len(recs) {
		t.Fatalf("All() has %d policies, the shared file %d", len(all), len(recs))
	}
	for i, r := range recs {
		p := all[i]
		if p.Name != r.Name || p.ARN != r.ARN || p.Path != r.Path || p.DefaultVersionID != r.DefaultVersionID ||
			p.PolicyID != r.PolicyID || p.IsAttachable != r.IsAttachable {
			t.Errorf("record %d: got %+v, want %+v", i, p, r)
		}
		if got := p.CreateDate.Format("2006-01-02T15:04:05-07:00"); got != r.CreateDate {
			t.Errorf("%s: CreateDate %s, want %s", p.Name, got, r.CreateDate)
		}
		if got := p.UpdateDate.Format("2006-01-02T15:04:05-07:00"); got != r.UpdateDate {
			t.Errorf("%s: UpdateDate %s, want %s", p.Name, got, r.UpdateDate)
		}
		if !bytes.Equal(p.Document, r.Document) {
			t.Errorf("%s: document differs from the shared file", p.Name)
		}
		if !json.Valid(p.Document) || len(p.Document) == 0 || p.Document[0] != '{' {
			t.Errorf("%s: document is not a JSON object", p.Name)
		}
	}
}

func TestAll(t *testing.T) {
	all := managed.All()
	if len(all) != 1452 {
		t.Errorf("All() has %d policies, want 1452", len(all))
	}
	for i := 1; i < len(all); i++ {
		if all[i-1].Name >= all[i].Name {
			t.Fatalf("All() not sorted by name at %d: %q then %q", i, all[i-1].Name, all[i].Name)
		}
	}
	// The returned slice is the caller's: changing it must not change the package's.
	all[0].Name = "changed"
	if managed.All()[0].Name == "changed" {
		t.Error("All() returned the package's own slice")
	}
}

func TestByName(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		wantARN  string
		wantPath string
		wantDoc  string
		found    bool
	}{
		{name: "AdministratorAccess", wantARN: "arn:aws:iam::aws:policy/AdministratorAccess", wantPath: "/",
			wantDoc: `{"Version":"2012-10-17","Statement":[{"Action":"*","Resource":"*","Effect":"Allow"}]}`, found: true},
		{name: "ViewOnlyAccess", wantARN: "arn:aws:iam::aws:policy/job-function/ViewOnlyAccess", wantPath: "/job-function/", found: true},
		{name: "AWSLambdaBasicExecutionRole", wantARN: "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole", wantPath: "/service-role/", found: true},
		{name: "administratoraccess", found: false},
		{name: "", found: false},
		{name: "NoSuchPolicy", found: false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p, ok := managed.ByName(tt.name)
			if ok != tt.found {
				t.Fatalf("ByName(%q) found = %v, want %v", tt.name, ok, tt.found)
			}
			if !ok {
				return
			}
			if p.Name != tt.name || p.ARN != tt.wantARN || p.Path != tt.wantPath {
				t.Errorf("ByName(%q) = %s %s %s, want %s %s", tt.name, p.Name, p.ARN, p.Path, tt.wantARN, tt.wantPath)
			}
			if tt.wantDoc != "" && string(p.Document) != tt.wantDoc {
				t.Errorf("ByName(%q).Document = %s, want %s", tt.name, p.Document, tt.wantDoc)
			}
		})
	}
}

func TestAdministratorAccessFields(t *testing.T) {
	p, ok := managed.ByName("AdministratorAccess")
	if !ok {
		t.Fatal("AdministratorAccess not found")
	}
	want := time.Date(2015, 2, 6, 18, 39, 46, 0, time.UTC)
	if !p.CreateDate.Equal(want) || !p.UpdateDate.Equal(want) {
		t.Errorf("dates = %v, %v; want %v", p.CreateDate, p.UpdateDate, want)
	}
	if p.DefaultVersionID != "v1" || p.PolicyID != "ANPAIWMBCKSKIEE64ZLYK" || !p.IsAttachable {
		t.Errorf("got %s %s %v", p.DefaultVersionID, p.PolicyID, p.IsAttachable)
	}
}

func TestByARN(t *testing.T) {
	t.Parallel()
	tests := []struct {
		arn      string
		wantName string // "" = not found
	}{
		{"arn:aws:iam::aws:policy/AdministratorAccess", "AdministratorAccess"},
		{"arn:aws-cn:iam::aws:policy/AdministratorAccess", "AdministratorAccess"},
		{"arn:aws-us-gov:iam::aws:policy/ReadOnlyAccess", "ReadOnlyAccess"},
		{"arn:aws-iso-b:iam::aws:policy/ReadOnlyAccess", "ReadOnlyAccess"},
		{"arn:aws:iam::aws:policy/job-function/ViewOnlyAccess", "ViewOnlyAccess"},
		{"arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole", "AWSLambdaBasicExecutionRole"},
		// The path is part of the ARN: without it, or with another one, nothing matches.
		{"arn:aws:iam::aws:policy/ViewOnlyAccess", ""},
		{"arn:aws:iam::aws:policy/service-role/AdministratorAccess", ""},
		{"arn:aws:iam::123456789012:policy/AdministratorAccess", ""},
		{"arn:aws:iam:us-east-1:aws:policy/AdministratorAccess", ""},
		{"arn:aws:s3::aws:policy/AdministratorAccess", ""},
		{"arn:azure:iam::aws:policy/AdministratorAccess", ""},
		{"arn:aws-:iam::aws:policy/AdministratorAccess", ""},
		{"arn::iam::aws:policy/AdministratorAccess", ""},
		{"arn:aws:iam::aws:policy/administratoraccess", ""},
		{"AdministratorAccess", ""},
		{"", ""},
		{"arn:aws", ""},
	}
	for _, tt := range tests {
		t.Run(tt.arn, func(t *testing.T) {
			t.Parallel()
			p, ok := managed.ByARN(tt.arn)
			if ok != (tt.wantName != "") {
				t.Fatalf("ByARN(%q) found = %v, want %v", tt.arn, ok, tt.wantName != "")
			}
			if ok && p.Name != tt.wantName {
				t.Errorf("ByARN(%q) = %s, want %s", tt.arn, p.Name, tt.wantName)
			}
		})
	}
}

// TestEveryPolicyByNameAndARN checks that each policy is found by both keys.
func TestEveryPolicyByNameAndARN(t *testing.T) {
	for _, p := range managed.All() {
		if got, ok := managed.ByName(p.Name); !ok || got.ARN != p.ARN {
			t.Errorf("ByName(%q) = %v, %v", p.Name, got.ARN, ok)
		}
		if got, ok := managed.ByARN(p.ARN); !ok || got.Name != p.Name {
			t.Errorf("ByARN(%q) = %v, %v", p.ARN, got.Name, ok)
		}
	}
}

func ExampleByARN() {
	p, ok := managed.ByARN("arn:aws-cn:iam::aws:policy/AdministratorAccess")
	if !ok {
		return
	}
	fmt.Println(p.Name, p.Path, string(p.Document))
	// Output:
	// AdministratorAccess / {"Version":"2012-10-17","Statement":[{"Action":"*","Resource":"*","Effect":"Allow"}]}
}
