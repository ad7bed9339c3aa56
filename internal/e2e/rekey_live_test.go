package e2e_test

import (
	"fmt"
	"slices"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// TestRotateMasterKeyWhileServing rotates the master key while the server
// keeps serving and creating secrets: access keys are created before,
// during and after `iamd keys rotate-master`, and every one of them must
// sign requests both on the running server and after a restart that holds
// only the new key — the rotation is done without downtime and without a
// secret sealed under a key that was then retired.
func TestRotateMasterKeyWhileServing(t *testing.T) {
	t.Setenv("IAMD_MASTER_KEY", "")
	dir := t.TempDir()
	in := start(t, dir)
	admin := in.adminCreds(t)
	ac := in.IAM(admin)

	var mu sync.Mutex
	var keys []creds
	newKey := func(i int) error {
		name := fmt.Sprintf("u%05d", i)
		if _, err := ac.CreateUser(ctx(t), &iam.CreateUserInput{UserName: aws.String(name)}); err != nil {
			return err
		}
		k, err := ac.CreateAccessKey(ctx(t), &iam.CreateAccessKeyInput{UserName: aws.String(name)})
		if err != nil {
			return err
		}
		mu.Lock()
		keys = append(keys, creds{ID: aws.ToString(k.AccessKey.AccessKeyId), Secret: aws.ToString(k.AccessKey.SecretAccessKey)})
		mu.Unlock()
		return nil
	}
	for i := range 5 {
		if err := newKey(i); err != nil {
			t.Fatal(err)
		}
	}
	// Keep creating keys while the rotation runs.
	stop := make(chan struct{})
	done := make(chan error, 1)
	go func() {
		i := 100
		for {
			select {
			case <-stop:
				done <- nil
				return
			default:
			}
			if err := newKey(i); err != nil {
				done <- err
				return
			}
			i++
		}
	}()
	out, err := enfExec(t, "keys", "rotate-master", "--data", dir)
	close(stop)
	if cerr := <-done; cerr != nil {
		t.Fatalf("creating keys during the rotation: %v", cerr)
	}
	if err != nil {
		t.Fatalf("iamd keys rotate-master while serving: %v\n%s", err, out)
	}
	if ids, active := masterKeyIDs(t, dir); !slices.Equal(ids, []string{"2"}) || active != 2 {
		t.Fatalf("key file after rotation: keys %v active %d, want only key 2", ids, active)
	}
	for i := 90000; i < 90003; i++ {
		if err := newKey(i); err != nil {
			t.Fatal(err)
		}
	}
	all := append([]creds{admin}, keys...)
	if len(all) < 10 {
		t.Fatalf("only %d keys made around the rotation", len(all))
	}
	check := func(srv *instance, when string) {
		t.Helper()
		for _, k := range all {
			if _, err := srv.STS(k).GetCallerIdentity(ctx(t), &sts.GetCallerIdentityInput{}); err != nil {
				t.Fatalf("%s: key %s no longer signs: %v\n%s", when, k.ID, err, srv.Log())
			}
		}
	}
	check(in, "on the running server")
	in.stop(t)
	again := start(t, dir)
	check(again, "after a restart with only the new key")
}
