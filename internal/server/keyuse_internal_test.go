package server

import (
	"testing"
	"time"

	"github.com/iamd/iamd/internal/store"
)

func TestKeyUsesCoalesce(t *testing.T) {
	k := newKeyUses()
	t0 := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	k.record(store.KeyUse{AccessKeyID: "A", Time: t0, Service: "iam", Region: "us-east-1"})
	k.record(store.KeyUse{AccessKeyID: "A", Time: t0.Add(time.Second), Service: "sts", Region: "eu-west-1"})
	k.record(store.KeyUse{AccessKeyID: "A", Time: t0.Add(-time.Second), Service: "iam", Region: "us-west-2"}) // late, older: ignored
	k.record(store.KeyUse{AccessKeyID: "B", Time: t0, Service: "iam", Region: "us-east-1"})
	got := map[string]store.KeyUse{}
	for _, u := range k.take() {
		got[u.AccessKeyID] = u
	}
	if len(got) != 2 || got["A"].Service != "sts" || !got["A"].Time.Equal(t0.Add(time.Second)) || got["B"].Region != "us-east-1" {
		t.Fatalf("coalesced uses = %+v", got)
	}
	if rest := k.take(); rest != nil {
		t.Fatalf("take after take = %+v, want nothing", rest)
	}
}
