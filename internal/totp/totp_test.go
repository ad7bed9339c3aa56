package totp_test

import (
	"bytes"
	"errors"
	"image/png"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/qrcode"
	"github.com/pquerna/otp"

	"github.com/iamd/iamd/internal/totp"
)

// rfcSeed is the SHA-1 seed of RFC 6238's Appendix B test vectors.
var rfcSeed = []byte("12345678901234567890")

// TestRFC6238Vectors checks the SHA-1 test vectors of RFC 6238 Appendix B,
// truncated to six digits (the RFC prints eight; a six-digit code is the
// same HOTP value modulo 10^6).
func TestRFC6238Vectors(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		unix int64
		want string
	}{
		{"59", 59, "287082"},
		{"1111111109", 1111111109, "081804"},
		{"1111111111", 1111111111, "050471"},
		{"1234567890", 1234567890, "005924"},
		{"2000000000", 2000000000, "279037"},
		{"20000000000", 20000000000, "353130"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := totp.Code(rfcSeed, totp.Step(time.Unix(c.unix, 0)))
			if err != nil || got != c.want {
				t.Errorf("Code at %d = %q, %v; want %q", c.unix, got, err, c.want)
			}
		})
	}
}

func TestStep(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		at   time.Time
		want int64
	}{
		{"epoch", time.Unix(0, 0), 0},
		{"last second of step 0", time.Unix(29, 999999999), 0},
		{"first second of step 1", time.Unix(30, 0), 1},
		{"RFC example", time.Unix(1111111109, 0), 37037036},
		{"before epoch", time.Unix(-1, 0), -1},
	}
	for _, c := range cases {
		if got := totp.Step(c.at); got != c.want {
			t.Errorf("%s: Step = %d, want %d", c.name, got, c.want)
		}
	}
}

func mustCode(t *testing.T, seed []byte, step int64) string {
	t.Helper()
	c, err := totp.Code(seed, step)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// clock is the injected time of the verification tests: a fixed instant in
// the middle of a step.
var clock = time.Date(2026, 3, 1, 12, 0, 15, 0, time.UTC)

func TestVerifyWindowAndReplay(t *testing.T) {
	t.Parallel()
	seed, err := totp.NewSeed()
	if err != nil {
		t.Fatal(err)
	}
	now := totp.Step(clock)
	cases := []struct {
		name     string
		code     string
		lastUsed int64
		want     int64
		err      error
	}{
		{"current step", mustCode(t, seed, now), 0, now, nil},
		{"previous step (device clock behind)", mustCode(t, seed, now-1), 0, now - 1, nil},
		{"next step (device clock ahead)", mustCode(t, seed, now+1), 0, now + 1, nil},
		{"two steps behind", mustCode(t, seed, now-2), 0, 0, totp.ErrInvalidCode},
		{"two steps ahead", mustCode(t, seed, now+2), 0, 0, totp.ErrInvalidCode},
		{"code used again", mustCode(t, seed, now), now, 0, totp.ErrReplayed},
		{"older code after a newer one", mustCode(t, seed, now-1), now, 0, totp.ErrReplayed},
		{"newer code after an older one", mustCode(t, seed, now+1), now, now + 1, nil},
		{"five digits", "12345", 0, 0, totp.ErrInvalidCode},
		{"letters", "12a456", 0, 0, totp.ErrInvalidCode},
		{"empty", "", 0, 0, totp.ErrInvalidCode},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := totp.Verify(seed, c.code, now, c.lastUsed)
			if !errors.Is(err, c.err) || got != c.want {
				t.Errorf("Verify = %d, %v; want %d, %v", got, err, c.want, c.err)
			}
		})
	}
}

// TestVerifyWrongSeed checks that a code of another seed is refused in
// every step of the window (a coincidence has probability 3 in a million;
// the fixed seeds and step make the test deterministic).
func TestVerifyWrongSeed(t *testing.T) {
	t.Parallel()
	other := bytes.Repeat([]byte{7}, totp.SeedSize)
	now := totp.Step(clock)
	if _, err := totp.Verify(rfcSeed, mustCode(t, other, now), now, 0); !errors.Is(err, totp.ErrInvalidCode) {
		t.Errorf("code of another seed: err = %v, want ErrInvalidCode", err)
	}
}

func TestVerifyPair(t *testing.T) {
	t.Parallel()
	seed := bytes.Repeat([]byte{0x5a}, totp.SeedSize)
	now := totp.Step(clock)
	cases := []struct {
		name         string
		code1, code2 string
		window       int64
		lastUsed     int64
		want         int64
		err          error
	}{
		{"previous and current", mustCode(t, seed, now-1), mustCode(t, seed, now), totp.Window, 0, now, nil},
		{"current and next", mustCode(t, seed, now), mustCode(t, seed, now+1), totp.Window, 0, now + 1, nil},
		{"same code twice", mustCode(t, seed, now), mustCode(t, seed, now), totp.Window, 0, 0, totp.ErrInvalidCode},
		{"reversed order", mustCode(t, seed, now), mustCode(t, seed, now-1), totp.Window, 0, 0, totp.ErrInvalidCode},
		{"not consecutive", mustCode(t, seed, now-1), mustCode(t, seed, now+1), totp.Window, 0, 0, totp.ErrInvalidCode},
		{"outside the window", mustCode(t, seed, now+1), mustCode(t, seed, now+2), totp.Window, 0, 0, totp.ErrInvalidCode},
		{"drifted device, resync window", mustCode(t, seed, now+8), mustCode(t, seed, now+9), totp.ResyncWindow, 0, now + 9, nil},
		{"beyond the resync window", mustCode(t, seed, now+11), mustCode(t, seed, now+12), totp.ResyncWindow, 0, 0, totp.ErrInvalidCode},
		{"pair already used", mustCode(t, seed, now-1), mustCode(t, seed, now), totp.Window, now, 0, totp.ErrReplayed},
		{"pair overlapping the last use", mustCode(t, seed, now), mustCode(t, seed, now+1), totp.Window, now, 0, totp.ErrReplayed},
		{"bad format", "abcdef", mustCode(t, seed, now), totp.Window, 0, 0, totp.ErrInvalidCode},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := totp.VerifyPair(seed, c.code1, c.code2, now, c.window, c.lastUsed)
			if !errors.Is(err, c.err) || got != c.want {
				t.Errorf("VerifyPair = %d, %v; want %d, %v", got, err, c.want, c.err)
			}
		})
	}
}

// TestDriftCorrection walks a device whose clock runs eight steps ahead:
// its codes fail the normal window, a resync finds them and records the
// drift, and later codes verify against the corrected center.
func TestDriftCorrection(t *testing.T) {
	t.Parallel()
	seed := bytes.Repeat([]byte{0x33}, totp.SeedSize)
	now := totp.Step(clock)
	const ahead = 8
	if _, err := totp.Verify(seed, mustCode(t, seed, now+ahead), now, 0); !errors.Is(err, totp.ErrInvalidCode) {
		t.Fatalf("drifted code accepted without resync: %v", err)
	}
	last, err := totp.VerifyPair(seed, mustCode(t, seed, now+ahead), mustCode(t, seed, now+ahead+1), now, totp.ResyncWindow, 0)
	if err != nil {
		t.Fatal(err)
	}
	drift := last - now // what a caller records
	later := now + 3    // ninety seconds on, by the server's clock
	got, err := totp.Verify(seed, mustCode(t, seed, later+ahead), later+drift, last)
	if err != nil || got != later+ahead {
		t.Errorf("Verify after resync = %d, %v; want %d", got, err, later+ahead)
	}
}

func TestSeed(t *testing.T) {
	t.Parallel()
	a, err := totp.NewSeed()
	if err != nil {
		t.Fatal(err)
	}
	b, _ := totp.NewSeed()
	if len(a) != totp.SeedSize || bytes.Equal(a, b) {
		t.Fatalf("NewSeed: %d bytes, repeated=%v", len(a), bytes.Equal(a, b))
	}
	enc := totp.EncodeSeed(a)
	if len(enc) != 64 || strings.ContainsAny(enc, "=abcdefghijklmnopqrstuvwxyz01890") {
		t.Errorf("EncodeSeed = %q: want 64 upper-case Base32 characters without padding", enc)
	}
	dec, err := totp.DecodeSeed(enc)
	if err != nil || !bytes.Equal(dec, a) {
		t.Errorf("DecodeSeed(EncodeSeed(s)) = %x, %v", dec, err)
	}
	for _, bad := range []string{"", "not base32!", "A"} {
		if _, err := totp.DecodeSeed(bad); !errors.Is(err, totp.ErrSeed) {
			t.Errorf("DecodeSeed(%q) err = %v, want ErrSeed", bad, err)
		}
	}
}

func TestURI(t *testing.T) {
	t.Parallel()
	seed := bytes.Repeat([]byte{0x42}, totp.SeedSize)
	raw := totp.URI("iamd", "phone@123456789012", seed)
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	if u.Scheme != "otpauth" || u.Host != "totp" || u.Path != "/iamd:phone@123456789012" {
		t.Errorf("URI %q: scheme/host/path", raw)
	}
	q := u.Query()
	if q.Get("secret") != totp.EncodeSeed(seed) || q.Get("issuer") != "iamd" ||
		q.Get("algorithm") != "SHA1" || q.Get("digits") != "6" || q.Get("period") != "30" {
		t.Errorf("URI %q: query %v", raw, q)
	}
	// The otp library, as an authenticator app would, reads it back.
	k, err := otp.NewKeyFromURL(raw)
	if err != nil {
		t.Fatal(err)
	}
	if k.Secret() != totp.EncodeSeed(seed) || k.Issuer() != "iamd" || k.Period() != 30 || k.Digits() != otp.DigitsSix {
		t.Errorf("otp reads %v", k)
	}
}

// TestQRCodePNG decodes the PNG with image/png and the QR code in it with
// an independent decoder (gozxing), and requires the URI back.
func TestQRCodePNG(t *testing.T) {
	t.Parallel()
	seed, _ := totp.NewSeed()
	uri := totp.URI("iamd", "a-device-with-a-long-name@123456789012", seed)
	b, err := totp.QRCodePNG(uri)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(b, []byte("\x89PNG\r\n\x1a\n")) {
		t.Fatalf("not a PNG: % x", b[:8])
	}
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	bmp, err := gozxing.NewBinaryBitmapFromImage(img)
	if err != nil {
		t.Fatal(err)
	}
	res, err := qrcode.NewQRCodeReader().Decode(bmp, nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.GetText() != uri {
		t.Errorf("QR code holds %q, want %q", res.GetText(), uri)
	}
}

func FuzzVerify(f *testing.F) {
	f.Add("287082", int64(1), int64(0))
	f.Add("", int64(-5), int64(-1))
	f.Fuzz(func(t *testing.T, code string, center, last int64) {
		if center > 1<<40 || center < -1<<40 {
			return
		}
		s, err := totp.Verify(rfcSeed, code, center, last)
		if err == nil && (s <= last || s < center-totp.Window || s > center+totp.Window) {
			t.Fatalf("Verify(%q, %d, %d) accepted step %d", code, center, last, s)
		}
	})
}

func BenchmarkVerify(b *testing.B) {
	seed := bytes.Repeat([]byte{1}, totp.SeedSize)
	now := totp.Step(clock)
	code, _ := totp.Code(seed, now+1)
	for b.Loop() {
		if _, err := totp.Verify(seed, code, now, 0); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkQRCodePNG(b *testing.B) {
	uri := totp.URI("iamd", "phone@123456789012", bytes.Repeat([]byte{1}, totp.SeedSize))
	for b.Loop() {
		if _, err := totp.QRCodePNG(uri); err != nil {
			b.Fatal(err)
		}
	}
}
