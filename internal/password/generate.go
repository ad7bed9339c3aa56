package password

import (
	"crypto/rand"
	"math/big"
)

// Character classes of AWS's password policy.
const (
	upper   = "ABCDEFGHJKLMNPQRSTUVWXYZ"
	lower   = "abcdefghijkmnopqrstuvwxyz"
	digits  = "23456789"
	symbols = "!@#$%^&*()_+-=[]{}|'"
)

// Generate returns a random password of length n (at least 8) that contains
// every character class AWS's password policy can require (upper, lower,
// digit, symbol), so it satisfies any policy whose minimum length is ≤ n.
// Look-alike characters (0/O, 1/l/I) are left out for people who type it.
func Generate(n int) string {
	if n < 8 {
		n = 8
	}
	all := upper + lower + digits + symbols
	out := make([]byte, n)
	for i, class := range []string{upper, lower, digits, symbols} {
		out[i] = pick(class)
	}
	for i := 4; i < n; i++ {
		out[i] = pick(all)
	}
	// Shuffle so the guaranteed classes are not always in front.
	for i := n - 1; i > 0; i-- {
		j := int(randInt(int64(i + 1)))
		out[i], out[j] = out[j], out[i]
	}
	return string(out)
}

func pick(set string) byte { return set[randInt(int64(len(set)))] }

func randInt(max int64) int64 {
	v, err := rand.Int(rand.Reader, big.NewInt(max))
	if err != nil {
		panic("password: crypto/rand failed: " + err.Error())
	}
	return v.Int64()
}
