package policycmp

import (
	"fmt"
	"testing"

	"github.com/cedar-policy/cedar-go"
	"github.com/iamd/iamd/policy"
)

// BenchmarkDecision measures one allowed decision per iteration for each
// engine and statement count, with everything that can be prepared ahead
// (parsing, compiling, the request) done before the timer starts. The
// sub-benchmark names put the engine last, so that
// `benchstat -col /engine` shows the engines side by side.
func BenchmarkDecision(b *testing.B) {
	for _, n := range Sizes {
		b.Run(fmt.Sprintf("N=%d/engine=iamd", n), func(b *testing.B) {
			set, req := iamdSetup(b, n, objectARN(n))
			b.ReportAllocs()
			for b.Loop() {
				if d := policy.Evaluate(req, set); d.Effect != policy.Allow {
					b.Fatal("denied")
				}
			}
		})
		b.Run(fmt.Sprintf("N=%d/engine=cedar", n), func(b *testing.B) {
			ps, req := cedarSetup(b, n, objectARN(n))
			entities := cedar.EntityMap{}
			b.ReportAllocs()
			for b.Loop() {
				if d, _ := cedar.Authorize(ps, entities, req); d != cedar.Allow {
					b.Fatal("denied")
				}
			}
		})
		b.Run(fmt.Sprintf("N=%d/engine=minio", n), func(b *testing.B) {
			p, args := minioSetup(b, n, bucket(n))
			b.ReportAllocs()
			for b.Loop() {
				if !p.IsAllowed(args) {
					b.Fatal("denied")
				}
			}
		})
	}
}
