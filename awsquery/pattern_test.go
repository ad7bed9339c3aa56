package awsquery_test

import (
	"encoding/json"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/iamd/iamd/awsquery"
	"github.com/iamd/iamd/internal/iamapi"
	"github.com/iamd/iamd/internal/stsapi"
)

// TestPatterns checks the translation of the models' Java patterns: whole
// value matching, \uXXXX escapes read as Java reads them, Unicode classes,
// Java's '.', and the one negative lookahead the IAM model uses.
func TestPatterns(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, pattern, value string
		match                bool
	}{
		{"user name", `[\w+=,.@-]+`, "bob.smith@example.com", true},
		{"user name with space", `[\w+=,.@-]+`, "bob smith", false},
		{"user name empty", `[\w+=,.@-]+`, "", false},
		{"\\w is ASCII as in Java", `[\w+=,.@-]+`, "jöhn", false},
		{"whole value, not a substring", `[\w+=,.@-]+`, "ok/not", false},
		{"alternation anchored as a whole: first branch", `(\u002F)|(\u002F[\u0021-\u007E]+\u002F)`, "/", true},
		{"alternation anchored as a whole: second branch", `(\u002F)|(\u002F[\u0021-\u007E]+\u002F)`, "/division_abc/", true},
		{"alternation anchored as a whole: prefix of a branch", `(\u002F)|(\u002F[\u0021-\u007E]+\u002F)`, "/a", false},
		{"path prefix", `\u002F[\u0021-\u007F]*`, "/engineering", true},
		{"path prefix needs the slash", `\u002F[\u0021-\u007F]*`, "engineering", false},
		{"tag key letters in any script", `[\p{L}\p{Z}\p{N}_.:/=+\-@]+`, "ключ 値 1", true},
		{"tag key rejects #", `[\p{L}\p{Z}\p{N}_.:/=+\-@]+`, "a#b", false},
		{"tag value may be empty", `[\p{L}\p{Z}\p{N}_.:/=+\-@]*`, "", true},
		{"account id", `\d{12}`, "123456789012", true},
		{"account id too short", `\d{12}`, "12345678901", false},
		{"policy document latin-1", `[\u0009\u000A\u000D\u0020-\u00FF]+`, "{\n\t\"Version\": \"2012-10-17\"}", true},
		{"policy document beyond latin-1", `[\u0009\u000A\u000D\u0020-\u00FF]+`, "{\"a\": \"€\"}", false},
		{"escaped slash and colon", `[\w+=,.@\:-]*`, "a:b", true},
		{"range with escaped slash after it", `^o-[0-9a-z]{10,32}\/r-[0-9a-z]{4,32}[0-9a-z-\/]*`, "o-abcdefghij/r-abcd/ou-ab-12/", true},
		{"model anchors kept", `^o-[a-z0-9]{10,32}$`, "o-abcdefghij", true},
		{"model anchors kept, trailing newline", `^o-[a-z0-9]{10,32}$`, "o-abcdefghij\n", false},
		{"redirect URL", `^http(s?)://[a-zA-Z0-9._/-]*(\?[a-zA-Z0-9._=&-]*)?(#[a-zA-Z0-9._/-]*)?$`, "https://example.com/cb?x=1#top", true},
		{"account alias", `^[a-z0-9]([a-z0-9]|-(?!-)){1,61}[a-z0-9]$`, "my-company-prod", true},
		{"account alias double hyphen (lookahead)", `^[a-z0-9]([a-z0-9]|-(?!-)){1,61}[a-z0-9]$`, "my--company", false},
		{"account alias leading hyphen", `^[a-z0-9]([a-z0-9]|-(?!-)){1,61}[a-z0-9]$`, "-company", false},
		{"account alias trailing hyphen", `^[a-z0-9]([a-z0-9]|-(?!-)){1,61}[a-z0-9]$`, "company-", false},
		{"java dot excludes line terminators", `a.c`, "abc", true},
		{"java dot excludes \\n", `a.c`, "a\nc", false},
		{"java dot excludes U+2028", `a.c`, "a\u2028c", false},
		{"java dot excludes \\r", `a.c`, "a\rc", false},
		// Java reads exactly four hex digits: \u10000-\u10FFFF is U+1000,
		// the range '0'-U+10FF and two 'F's, so a supplementary character
		// does not match STS's arnType pattern, in Java as here.
		{"STS arn pattern, BMP text", `[\u0009\u000A\u000D\u0020-\u007E\u0085\u00A0-\uD7FF\uE000-\uFFFD\u10000-\u10FFFF]+`, "arn:aws:iam::123456789012:role/Ünïcödé", true},
		{"STS arn pattern, supplementary character", `[\u0009\u000A\u000D\u0020-\u007E\u0085\u00A0-\uD7FF\uE000-\uFFFD\u10000-\u10FFFF]+`, "arn:😀", false},
		{"version id", `v[1-9][0-9]*(\.[A-Za-z0-9-]*)?`, "v12", true},
		{"version id rejects v0", `v[1-9][0-9]*(\.[A-Za-z0-9-]*)?`, "v0", false},
		{"printable ASCII", `[ -~]+`, "Hello, World!", true},
		{"printable ASCII rejects tab", `[ -~]+`, "a\tb", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			match, err := awsquery.CompilePattern(tc.pattern)
			if err != nil {
				t.Fatal(err)
			}
			if got := match(tc.value); got != tc.match {
				t.Fatalf("pattern %s on %q = %v, want %v", tc.pattern, tc.value, got, tc.match)
			}
		})
	}
}

// TestPatternsRejected checks that constructs RE2 cannot match exactly are
// refused when the model is loaded, not mistranslated.
func TestPatternsRejected(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ name, pattern, want string }{
		{"lookbehind", `(?<=a)b`, "unsupported group"},
		{"backreference", `(a)\1`, "invalid escape"},
		{"lookahead after a class", `[a-]+(?!-)`, "unsupported lookahead"},
		{"lookahead whose character is matched elsewhere too", `a-(?!-)[a-z-]+`, "cannot be rewritten exactly"},
		{"lookahead with a class", `a(?![bc])`, "unsupported lookahead"},
		{"bad unicode escape", `\u12`, `bad \u escape`},
		{"unterminated class", `[abc`, "unterminated"},
		{"possessive quantifier", `a*+`, "invalid nested repetition"},
		{"quote", `\Qa.b\E`, "unsupported escape"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := awsquery.CompilePattern(tc.pattern)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("CompilePattern(%s) error = %v, want one containing %q", tc.pattern, err, tc.want)
			}
		})
	}
}

// TestPatternFastPathAgrees checks the rune-class matcher against the
// regexp engine on every pattern of both models, over fixed samples and
// random strings of a mixed alphabet.
func TestPatternFastPathAgrees(t *testing.T) {
	t.Parallel()
	var sources []string
	for _, load := range []func() ([]byte, error){iamapi.ModelJSON, stsapi.ModelJSON} {
		data, err := load()
		if err != nil {
			t.Fatal(err)
		}
		var m struct {
			Shapes map[string]struct {
				Pattern *string `json:"pattern"`
			} `json:"shapes"`
		}
		if err := json.Unmarshal(data, &m); err != nil {
			t.Fatal(err)
		}
		for _, s := range m.Shapes {
			if s.Pattern != nil && !slices.Contains(sources, *s.Pattern) {
				sources = append(sources, *s.Pattern)
			}
		}
	}
	samples := []string{"", "a", "bob", "a b", "é", "ключ", "😀", "\t", "\n", "\r", "\x00", "\xff", "/", "/a/", "A1_=+,.@-",
		"\u0085", "\u00a0", "\u00ff", "\u0100", "\u2028", "\ud7ff", "\ue000", "\ufffd", "--", "a-b", "123456789012", "o-abcdefghij"}
	alphabet := []rune("aZ09_-=+,.@/:\\ \t\n\r\x00\x7fé€ключ😀\u0085\u00a0\u00ff\u0100\ufffd")
	rng := rand.New(rand.NewPCG(1, 2))
	for range 2000 {
		n := rng.IntN(12)
		r := make([]rune, n)
		for i := range r {
			r[i] = alphabet[rng.IntN(len(alphabet))]
		}
		samples = append(samples, string(r))
	}
	fastOnes := 0
	for _, src := range sources {
		match, slow, fast, err := awsquery.PatternPaths(src)
		if err != nil {
			t.Fatalf("%s: %v", src, err)
		}
		if fast {
			fastOnes++
		}
		for _, s := range samples {
			if a, b := match(s), slow(s); a != b {
				t.Errorf("pattern %s on %q: match %v, regexp %v", src, s, a, b)
			}
		}
	}
	if _, _, fast, _ := awsquery.PatternPaths(`[\w+=,.@-]+`); !fast || fastOnes < len(sources)/2 {
		t.Errorf("the fast path covers %d of %d patterns", fastOnes, len(sources))
	}
}
