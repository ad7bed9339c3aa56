package authz_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/iamd/iamd/internal/authz"
	"github.com/iamd/iamd/internal/store"
)

// BenchmarkAuthorizeCall decides a cached GetUser of a user with ten
// attached policies: the per-request cost enforcement adds to a request
// once the user's policies are gathered.
func BenchmarkAuthorizeCall(b *testing.B) { benchAuthorize(b, false) }

// BenchmarkAuthorizeCallAfterChange is the same request when every one
// follows a change to the account: the user's ten policies are gathered
// from the store each time (their compiled forms stay cached by content).
// It is the cost of the first request after a write.
func BenchmarkAuthorizeCallAfterChange(b *testing.B) { benchAuthorize(b, true) }

func benchAuthorize(b *testing.B, changed bool) {
	w := newWorld(&testing.T{})
	bob := w.user("bob")
	for i := 0; i < 10; i++ {
		doc := fmt.Sprintf(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:GetObject","s3:ListBucket"],"Resource":"arn:aws:s3:::b%d/*"},{"Effect":"Allow","Action":"ec2:Describe*","Resource":"*"},{"Effect":"Deny","Action":"s3:DeleteBucket","Resource":"*"}]}`, i)
		if i == 9 {
			doc = allow("iam:GetUser", "arn:aws:iam::*:user/${aws:username}")
		}
		w.attach(store.KindUser, "bob", w.managed(fmt.Sprintf("p%d", i), doc))
	}
	a := authz.New(w.st, authz.Options{})
	c := call(bob, "GetUser", getUser("bob"))
	if d, err := a.AuthorizeCall(context.Background(), c); err != nil || !d.Allowed() {
		b.Fatalf("%v %v", d, err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if changed {
			a.Changed(acct)
		}
		d, err := a.AuthorizeCall(context.Background(), c)
		if err != nil || !d.Allowed() {
			b.Fatal(err)
		}
		d.Release()
	}
}
