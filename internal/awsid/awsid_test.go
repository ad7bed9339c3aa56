package awsid_test

import (
	"regexp"
	"testing"

	"github.com/iamd/iamd/internal/awsid"
)

func TestFormats(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		gen  func() string
		re   string
	}{
		{"user id", func() string { return awsid.Unique(awsid.User) }, `^AIDA[A-Z2-7]{17}$`},
		{"group id", func() string { return awsid.Unique(awsid.Group) }, `^AGPA[A-Z2-7]{17}$`},
		{"role id", func() string { return awsid.Unique(awsid.Role) }, `^AROA[A-Z2-7]{17}$`},
		{"access key", func() string { return awsid.AccessKeyID(awsid.LongTermAccessKey) }, `^AKIA[A-Z2-7]{16}$`},
		{"temporary key", func() string { return awsid.AccessKeyID(awsid.TemporaryAccessKey) }, `^ASIA[A-Z2-7]{16}$`},
		{"secret", awsid.SecretAccessKey, `^[A-Za-z0-9+/]{40}$`},
		{"account", awsid.AccountID, `^[1-9][0-9]{11}$`},
		{"request id", awsid.RequestID, `^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			re := regexp.MustCompile(c.re)
			seen := map[string]bool{}
			for range 200 {
				v := c.gen()
				if !re.MatchString(v) {
					t.Fatalf("%q does not match %s", v, c.re)
				}
				if seen[v] {
					t.Fatalf("duplicate %q in 200 draws", v)
				}
				seen[v] = true
			}
		})
	}
}
