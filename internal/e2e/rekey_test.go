package e2e_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/iamd/iamd/internal/totp"
)

// masterKeyIDs reads the key ids and the active id of a data directory's
// key file.
func masterKeyIDs(t *testing.T, dir string) ([]string, uint32) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "master.key"))
	if err != nil {
		t.Fatal(err)
	}
	var kf struct {
		Active uint32            `json:"active"`
		Keys   map[string]string `json:"keys"`
	}
	if err := json.Unmarshal(b, &kf); err != nil {
		t.Fatal(err)
	}
	var ids []string
	for id := range kf.Keys {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return ids, kf.Active
}

// TestRotateMasterKey seals secrets through the API (access keys, an MFA
// seed, a session secret), rotates the master key with `iamd keys
// rotate-master`, restarts the server with the new key file only, and
// checks that every credential still works: the keys still sign, the
// session still signs, the MFA device still verifies a code.
func TestRotateMasterKey(t *testing.T) {
	t.Setenv("IAMD_MASTER_KEY", "")
	dir := t.TempDir()
	in := start(t, dir)
	admin := in.adminCreds(t)
	ac := in.IAM(admin)
	if _, err := ac.CreateUser(ctx(t), &iam.CreateUserInput{UserName: aws.String("alice")}); err != nil {
		t.Fatal(err)
	}
	if _, err := ac.PutUserPolicy(ctx(t), &iam.PutUserPolicyInput{UserName: aws.String("alice"), PolicyName: aws.String("sessions"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:GetSessionToken","Resource":"*"}]}`)}); err != nil {
		t.Fatal(err)
	}
	alice := userCreds(t, ac, "alice")
	d := createDevice(t, ac, "alice")
	c1, c2 := d.codes(t, -1) // the previous and the current step: later codes stay usable
	if _, err := ac.EnableMFADevice(ctx(t), &iam.EnableMFADeviceInput{UserName: aws.String("alice"), SerialNumber: aws.String(d.serial),
		AuthenticationCode1: aws.String(c1), AuthenticationCode2: aws.String(c2)}); err != nil {
		t.Fatalf("EnableMFADevice: %v", err)
	}
	tok, err := in.STS(alice).GetSessionToken(ctx(t), &sts.GetSessionTokenInput{})
	if err != nil {
		t.Fatalf("GetSessionToken: %v", err)
	}
	session := sessionCreds(tok.Credentials)
	in.stop(t)

	if ids, active := masterKeyIDs(t, dir); !slices.Equal(ids, []string{"1"}) || active != 1 {
		t.Fatalf("key file before rotation: keys %v active %d", ids, active)
	}
	out, err := enfExec(t, "keys", "rotate-master", "--data", dir)
	if err != nil {
		t.Fatalf("iamd keys rotate-master: %v\n%s", err, out)
	}
	for _, want := range []string{
		"master key 2 is active",
		"re-sealed 2 in access_keys.secret", // the administrator's and alice's
		"re-sealed 1 in mfa_devices.seed",
		"re-sealed 1 in sessions.secret",
		"retired keys [1]",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("rotate-master output lacks %q:\n%s", want, out)
		}
	}
	for _, secret := range []string{admin.Secret, alice.Secret, session.Secret} {
		if strings.Contains(out, secret) {
			t.Fatalf("rotate-master output shows a secret:\n%s", out)
		}
	}
	if ids, active := masterKeyIDs(t, dir); !slices.Equal(ids, []string{"2"}) || active != 2 {
		t.Fatalf("key file after rotation: keys %v active %d, want only key 2", ids, active)
	}

	in = start(t, dir)
	checks := []struct {
		name string
		run  func() error
	}{
		{"administrator key signs", func() error {
			_, err := in.IAM(admin).GetUser(ctx(t), &iam.GetUserInput{UserName: aws.String("alice")})
			return err
		}},
		{"user key signs", func() error {
			_, err := in.STS(alice).GetCallerIdentity(ctx(t), &sts.GetCallerIdentityInput{})
			return err
		}},
		{"session signs", func() error {
			_, err := in.STS(session).GetCallerIdentity(ctx(t), &sts.GetCallerIdentityInput{})
			return err
		}},
		{"MFA device verifies", func() error {
			code, err := totp.Code(d.seed, totp.Step(time.Now())+1)
			if err != nil {
				return err
			}
			_, err = in.STS(alice).GetSessionToken(ctx(t), &sts.GetSessionTokenInput{SerialNumber: aws.String(d.serial), TokenCode: aws.String(code)})
			return err
		}},
		{"new key after rotation signs", func() error {
			c := userCreds(t, in.IAM(admin), "alice")
			_, err := in.STS(c).GetCallerIdentity(ctx(t), &sts.GetCallerIdentityInput{})
			return err
		}},
	}
	for _, c := range checks {
		t.Run(c.name, func(t *testing.T) {
			if err := c.run(); err != nil {
				t.Fatalf("after rotation and restart: %v\n%s", err, in.Log())
			}
		})
	}
	// A wrong secret is still refused: the checks above prove the
	// re-sealed secrets, not a server that stopped checking.
	bad := alice
	bad.Secret = strings.Repeat("x", len(alice.Secret))
	_, err = in.STS(bad).GetCallerIdentity(ctx(t), &sts.GetCallerIdentityInput{})
	wantAPIError(t, err, "SignatureDoesNotMatch", "")
}

// TestRotateMasterKeyRefusals checks the command's usage and a data
// directory without a key file.
func TestRotateMasterKeyRefusals(t *testing.T) {
	t.Setenv("IAMD_MASTER_KEY", "")
	empty := t.TempDir()
	cases := []struct {
		name string
		args []string
		want string
	}{
		{"no subcommand", []string{"keys"}, "usage: iamd keys rotate-master"},
		{"unknown subcommand", []string{"keys", "rotate"}, "usage: iamd keys rotate-master"},
		{"extra argument", []string{"keys", "rotate-master", "--data", empty, "now"}, `unexpected argument "now"`},
		{"no key file", []string{"keys", "rotate-master", "--data", filepath.Join(empty, "nothing")}, "no master key file at"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			out, err := enfExec(t, tc.args...)
			if err == nil || !strings.Contains(out, tc.want) {
				t.Fatalf("iamd %v: err %v, output %q; want a failure saying %q", tc.args, err, out, tc.want)
			}
		})
	}
	if _, err := os.Stat(filepath.Join(empty, "nothing")); err == nil {
		t.Fatal("rotate-master created the data directory it was pointed at")
	}
}
