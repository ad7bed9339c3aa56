package sts_test

import (
	"bytes"
	"context"
	"errors"
	"testing"
	"time"

	"github.com/iamd/iamd/awsquery"
	"github.com/iamd/iamd/internal/authz"
	"github.com/iamd/iamd/internal/seal"
	"github.com/iamd/iamd/internal/service"
	"github.com/iamd/iamd/internal/store"
	"github.com/iamd/iamd/internal/store/sqlite"
	"github.com/iamd/iamd/internal/sts"
	"github.com/iamd/iamd/internal/stsapi"
)

const (
	callerAccount = "111122223333"
	roleAccount   = "444455556666"
)

var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// TestAssumeRoleCallerPolicies checks that AssumeRole across accounts is
// decided with the caller's own policies as the given Authorizer gathers
// them: the server's, whose gathering is cached until it is told of a
// change (Changed), or, without one, the service's own, which reads the
// store on every call.
func TestAssumeRoleCallerPolicies(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name       string
		authorizer bool
		// allowedAfterWrite is whether AssumeRole is still allowed after
		// the caller's policy is deleted, before Changed.
		allowedAfterWrite bool
	}{
		{"server's authorizer", true, true},
		{"own authorizer", false, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newCrossAccount(t, tc.authorizer)
			call, update, az := f.call, f.update, f.az
			denied := func(err error) bool {
				var we *awsquery.Error
				return errors.As(err, &we) && we.Code == "AccessDenied"
			}
			if err := call(); err != nil {
				t.Fatalf("with the caller's allow: %v", err)
			}
			update(func(tx store.Tx) error {
				return tx.DeleteInlinePolicy(callerAccount, store.Entity{Kind: store.KindUser, Name: "carol"}, "assume")
			})
			switch err := call(); {
			case tc.allowedAfterWrite && err != nil:
				t.Fatalf("before Changed, the cached policies should still allow: %v", err)
			case !tc.allowedAfterWrite && !denied(err):
				t.Fatalf("without the caller's allow: %v, want AccessDenied", err)
			}
			az.Changed(callerAccount)
			if err := call(); !denied(err) {
				t.Fatalf("after Changed: %v, want AccessDenied", err)
			}
		})
	}
}

// crossAccount is a caller, carol, in one account allowed by an inline
// policy to assume a role of another account whose trust policy names the
// caller's account.
type crossAccount struct {
	az     *authz.Authorizer
	call   func() error
	update func(fn func(tx store.Tx) error)
}

// newCrossAccount builds the store and the service; with authorizer, the
// service uses az (as the server's would be), else its own.
func newCrossAccount(tb testing.TB, authorizer bool) crossAccount {
	tb.Helper()
	st, err := sqlite.OpenTemp()
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { st.Close() })
	kr, err := seal.NewKeyring(bytes.Repeat([]byte{7}, 32))
	if err != nil {
		tb.Fatal(err)
	}
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + callerAccount + `:root"},"Action":"sts:AssumeRole"}]}`
	carol := store.User{Account: callerAccount, ID: "AIDACAROL00000000001", Name: "carol", Path: "/", Created: t0}
	update := func(fn func(tx store.Tx) error) {
		tb.Helper()
		if err := st.Update(context.Background(), fn); err != nil {
			tb.Fatal(err)
		}
	}
	update(func(tx store.Tx) error {
		for _, a := range []string{callerAccount, roleAccount} {
			if err := tx.CreateAccount(store.Account{ID: a, Created: t0}); err != nil {
				return err
			}
		}
		if err := tx.CreateRole(store.Role{Account: roleAccount, ID: "AROATARGET0000000001", Name: "Target", Path: "/", Created: t0, AssumeRolePolicy: trust, MaxSessionDuration: 3600}); err != nil {
			return err
		}
		if err := tx.CreateUser(carol); err != nil {
			return err
		}
		return tx.PutInlinePolicy(callerAccount, store.Entity{Kind: store.KindUser, Name: "carol"}, store.InlinePolicy{Name: "assume",
			Document: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"arn:aws:iam::` + roleAccount + `:role/Target"}]}`})
	})
	az := authz.New(st, authz.Options{})
	svc := sts.New(st, kr)
	if authorizer {
		svc.UseAuthorizer(az)
	}
	assume := svc.Operations()["AssumeRole"]
	c := &service.Call{
		Action: "AssumeRole", AccountID: callerAccount, Partition: "aws", Region: "us-east-1", Now: t0,
		Caller: service.Principal{Type: service.User, AccountID: callerAccount, ARN: "arn:aws:iam::" + callerAccount + ":user/carol", UserID: carol.ID, Name: "carol", AccessKeyID: "AKIACAROL"},
	}
	in := stsapi.AssumeRoleRequest{RoleArn: "arn:aws:iam::" + roleAccount + ":role/Target", RoleSessionName: "s"}
	call := func() error {
		_, err := assume(context.Background(), c, func(dst any) error {
			*dst.(*stsapi.AssumeRoleRequest) = in
			return nil
		})
		return err
	}
	return crossAccount{az: az, call: call, update: update}
}

// BenchmarkAssumeRoleCrossAccount measures a cross-account AssumeRole
// (authorization and issuance of the session) with the caller's policies
// cached by the server's Authorizer and read from the store every call.
func BenchmarkAssumeRoleCrossAccount(b *testing.B) {
	for _, bc := range []struct {
		name       string
		authorizer bool
	}{{"cached", true}, {"uncached", false}} {
		b.Run(bc.name, func(b *testing.B) {
			f := newCrossAccount(b, bc.authorizer)
			b.ReportAllocs()
			for b.Loop() {
				if err := f.call(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
