package awsid_test

import (
	"regexp"
	"testing"

	"github.com/iamd/iamd/internal/awsid"
)

func TestAccessKeyAccountEncoding(t *testing.T) {
	t.Parallel()
	// A fixed vector, checked against an independent Python decoder of the
	// publicly described scheme: ASIAY34FZKBOKMUTVV7A → 609629065308.
	if got, err := awsid.AccountFromAccessKeyID("ASIAY34FZKBOKMUTVV7A"); err != nil || got != "609629065308" {
		t.Fatalf("fixed vector decoded to %q, %v", got, err)
	}
	re := regexp.MustCompile(`^(AKIA|ASIA)[A-Z2-7]{16}$`)
	for _, acct := range []string{"123456789012", "000000000001", "999999999999", "609629065308"} {
		for _, prefix := range []string{awsid.LongTermAccessKey, awsid.TemporaryAccessKey} {
			id := awsid.AccessKeyIDFor(prefix, acct)
			if !re.MatchString(id) {
				t.Fatalf("AccessKeyIDFor(%s, %s) = %q: bad form", prefix, acct, id)
			}
			got, err := awsid.AccountFromAccessKeyID(id)
			if err != nil || got != acct {
				t.Fatalf("AccountFromAccessKeyID(%q) = %q, %v; want %s", id, got, err, acct)
			}
		}
	}
	for _, bad := range []string{"", "AKIA", "AKIA0000000000000000", "AKIAIOSFODNN7EXAMPLE1"} {
		if _, err := awsid.AccountFromAccessKeyID(bad); err == nil {
			t.Errorf("AccountFromAccessKeyID(%q) accepted", bad)
		}
	}
}
