package e2e_test

import (
	"bytes"
	"fmt"
	"image/png"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/qrcode"

	"github.com/iamd/iamd/internal/totp"
)

// device is a virtual MFA device as the test holds it: its serial and its
// seed, with which it computes codes as an authenticator app would.
type device struct {
	serial string
	seed   []byte
}

// codes returns the codes of steps from and from+1 relative to now.
func (d device) codes(t *testing.T, from int64) (string, string) {
	t.Helper()
	s := totp.Step(time.Now()) + from
	c1, err := totp.Code(d.seed, s)
	if err != nil {
		t.Fatal(err)
	}
	c2, err := totp.Code(d.seed, s+1)
	if err != nil {
		t.Fatal(err)
	}
	return c1, c2
}

func createDevice(t *testing.T, c *iam.Client, name string) device {
	t.Helper()
	out, err := c.CreateVirtualMFADevice(ctx(t), &iam.CreateVirtualMFADeviceInput{VirtualMFADeviceName: aws.String(name)})
	if err != nil {
		t.Fatal(err)
	}
	seed, err := totp.DecodeSeed(string(out.VirtualMFADevice.Base32StringSeed))
	if err != nil {
		t.Fatal(err)
	}
	return device{serial: aws.ToString(out.VirtualMFADevice.SerialNumber), seed: seed}
}

// enable enables d for user with the codes of the current and the next
// step: whatever step the server is in when it checks them (this one or,
// across a step boundary, the next), both are within its window.
func enable(t *testing.T, c *iam.Client, user string, d device) error {
	t.Helper()
	c1, c2 := d.codes(t, 0)
	_, err := c.EnableMFADevice(ctx(t), &iam.EnableMFADeviceInput{UserName: aws.String(user), SerialNumber: aws.String(d.serial),
		AuthenticationCode1: aws.String(c1), AuthenticationCode2: aws.String(c2)})
	return err
}

func serials(devs []iamtypes.VirtualMFADevice) []string {
	var out []string
	for _, d := range devs {
		out = append(out, aws.ToString(d.SerialNumber))
	}
	slices.Sort(out)
	return out
}

func listVirtual(t *testing.T, c *iam.Client, status iamtypes.AssignmentStatusType) []iamtypes.VirtualMFADevice {
	t.Helper()
	out, err := c.ListVirtualMFADevices(ctx(t), &iam.ListVirtualMFADevicesInput{AssignmentStatus: status})
	if err != nil {
		t.Fatal(err)
	}
	return out.VirtualMFADevices
}

// TestVirtualMFADevices walks the virtual MFA device operations: creation
// with a real seed and QR code, enabling with two consecutive codes, the
// lists, GetMFADevice,
// deactivation, deletion, DeleteUser's refusal while a device is assigned,
// and checks that the seed never reaches the server log.
func TestVirtualMFADevices(t *testing.T) {
	t.Parallel()
	in := start(t, "")
	admin := in.adminCreds(t)
	c := in.IAM(admin)
	cx := ctx(t)
	id, err := in.STS(admin).GetCallerIdentity(cx, &sts.GetCallerIdentityInput{})
	if err != nil {
		t.Fatal(err)
	}
	acct := aws.ToString(id.Account)
	createUsers(t, c, "bob", "alice")

	out, err := c.CreateVirtualMFADevice(cx, &iam.CreateVirtualMFADeviceInput{
		VirtualMFADeviceName: aws.String("bob-phone"), Path: aws.String("/eng/"),
		Tags: []iamtypes.Tag{{Key: aws.String("team"), Value: aws.String("blue")}},
	})
	if err != nil {
		t.Fatal(err)
	}
	v := out.VirtualMFADevice
	seedText := string(v.Base32StringSeed)
	seed, err := totp.DecodeSeed(seedText)
	if err != nil {
		t.Fatalf("Base32StringSeed %q: %v", seedText, err)
	}
	bob := device{serial: aws.ToString(v.SerialNumber), seed: seed}

	t.Run("CreateVirtualMFADevice answers the device", func(t *testing.T) {
		if want := "arn:aws:iam::" + acct + ":mfa/eng/bob-phone"; bob.serial != want {
			t.Errorf("SerialNumber %q, want %q", bob.serial, want)
		}
		if len(seedText) != 64 || strings.Trim(seedText, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567") != "" {
			t.Errorf("Base32StringSeed %q is not 64 Base32 characters", seedText)
		}
		if fmt.Sprint(tagPairs(v.Tags)) != "[team=blue]" || v.User != nil || v.EnableDate != nil {
			t.Errorf("device %+v", v)
		}
	})
	t.Run("the QR code is a PNG of the otpauth URI with the same seed", func(t *testing.T) {
		img, err := png.Decode(bytes.NewReader(v.QRCodePNG))
		if err != nil {
			t.Fatalf("QRCodePNG is not a PNG: %v", err)
		}
		bmp, err := gozxing.NewBinaryBitmapFromImage(img)
		if err != nil {
			t.Fatal(err)
		}
		res, err := qrcode.NewQRCodeReader().Decode(bmp, nil)
		if err != nil {
			t.Fatalf("no QR code in the PNG: %v", err)
		}
		u, err := url.Parse(res.GetText())
		if err != nil {
			t.Fatal(err)
		}
		if u.Scheme != "otpauth" || u.Host != "totp" || !strings.HasSuffix(u.Path, ":bob-phone@"+acct) {
			t.Errorf("QR code holds %q", res.GetText())
		}
		if u.Query().Get("secret") != seedText || u.Query().Get("issuer") == "" {
			t.Errorf("QR code secret/issuer %v, want secret %s", u.Query(), seedText)
		}
	})
	t.Run("duplicate device", func(t *testing.T) {
		_, err := c.CreateVirtualMFADevice(cx, &iam.CreateVirtualMFADeviceInput{VirtualMFADeviceName: aws.String("bob-phone"), Path: aws.String("/eng/")})
		apiErr(t, err, "EntityAlreadyExists", "MFADevice entity at the same path and name already exists.")
	})
	t.Run("unassigned in the lists, without its seed", func(t *testing.T) {
		if got := serials(listVirtual(t, c, iamtypes.AssignmentStatusTypeUnassigned)); !slices.Equal(got, []string{bob.serial}) {
			t.Errorf("Unassigned %v", got)
		}
		if got := serials(listVirtual(t, c, iamtypes.AssignmentStatusTypeAssigned)); len(got) != 0 {
			t.Errorf("Assigned %v", got)
		}
		for _, d := range listVirtual(t, c, iamtypes.AssignmentStatusTypeAny) {
			if len(d.Base32StringSeed) != 0 || len(d.QRCodePNG) != 0 {
				t.Errorf("ListVirtualMFADevices shows the seed of %s", aws.ToString(d.SerialNumber))
			}
		}
	})
	t.Run("EnableMFADevice refusals", func(t *testing.T) {
		c1, _ := bob.codes(t, 0)
		for name, codes := range map[string][2]string{
			"wrong codes":              {"000000", "000000"},
			"one code twice":           {c1, c1},
			"codes out of order":       func() [2]string { a, b := bob.codes(t, 0); return [2]string{b, a} }(),
			"codes three minutes away": func() [2]string { a, b := bob.codes(t, 6); return [2]string{a, b} }(),
		} {
			_, err := c.EnableMFADevice(cx, &iam.EnableMFADeviceInput{UserName: aws.String("bob"), SerialNumber: aws.String(bob.serial),
				AuthenticationCode1: aws.String(codes[0]), AuthenticationCode2: aws.String(codes[1])})
			if err == nil {
				t.Fatalf("%s: enabled", name)
			}
			apiErr(t, err, "InvalidAuthenticationCode", "Authentication code for device is not valid.")
		}
		c1, c2 := bob.codes(t, 0)
		_, err := c.EnableMFADevice(cx, &iam.EnableMFADeviceInput{UserName: aws.String("nobody"), SerialNumber: aws.String(bob.serial),
			AuthenticationCode1: aws.String(c1), AuthenticationCode2: aws.String(c2)})
		apiErr(t, err, "NoSuchEntity", "The user with name nobody cannot be found.")
		missing := "arn:aws:iam::" + acct + ":mfa/missing"
		_, err = c.EnableMFADevice(cx, &iam.EnableMFADeviceInput{UserName: aws.String("bob"), SerialNumber: aws.String(missing),
			AuthenticationCode1: aws.String(c1), AuthenticationCode2: aws.String(c2)})
		apiErr(t, err, "NoSuchEntity", "VirtualMFADevice with serial number "+missing+" doesn't exist.")
	})

	before := time.Now().Add(-2 * time.Second)
	if err := enable(t, c, "bob", bob); err != nil {
		t.Fatal(err)
	}

	t.Run("enabled", func(t *testing.T) {
		l, err := c.ListMFADevices(cx, &iam.ListMFADevicesInput{UserName: aws.String("bob")})
		if err != nil {
			t.Fatal(err)
		}
		if len(l.MFADevices) != 1 || aws.ToString(l.MFADevices[0].SerialNumber) != bob.serial ||
			aws.ToString(l.MFADevices[0].UserName) != "bob" || l.MFADevices[0].EnableDate.Before(before) {
			t.Errorf("ListMFADevices(bob) = %+v", l.MFADevices)
		}
		assigned := listVirtual(t, c, iamtypes.AssignmentStatusTypeAssigned)
		if len(assigned) != 1 || assigned[0].User == nil || aws.ToString(assigned[0].User.UserName) != "bob" ||
			aws.ToString(assigned[0].User.Arn) != "arn:aws:iam::"+acct+":user/bob" || assigned[0].EnableDate == nil {
			t.Errorf("Assigned = %+v", assigned)
		}
		g, err := c.GetMFADevice(cx, &iam.GetMFADeviceInput{SerialNumber: aws.String(bob.serial)})
		if err != nil {
			t.Fatal(err)
		}
		if aws.ToString(g.UserName) != "bob" || aws.ToString(g.SerialNumber) != bob.serial || g.EnableDate == nil {
			t.Errorf("GetMFADevice = %+v", g)
		}
		l, err = c.ListMFADevices(cx, &iam.ListMFADevicesInput{UserName: aws.String("alice")})
		if err != nil || len(l.MFADevices) != 0 {
			t.Errorf("ListMFADevices(alice) = %+v, %v", l, err)
		}
		_, err = c.ListMFADevices(cx, &iam.ListMFADevicesInput{UserName: aws.String("nobody")})
		apiErr(t, err, "NoSuchEntity", "The user with name nobody cannot be found.")
	})
	t.Run("a device has one user", func(t *testing.T) {
		err := enable(t, c, "alice", bob)
		apiErr(t, err, "EntityAlreadyExists", "MFA Device is already in use.")
	})
	t.Run("deletion conflicts while assigned", func(t *testing.T) {
		_, err := c.DeleteVirtualMFADevice(cx, &iam.DeleteVirtualMFADeviceInput{SerialNumber: aws.String(bob.serial)})
		apiErr(t, err, "DeleteConflict", "MFA VirtualDevice in use. Must deactivate first.")
		_, err = c.DeleteUser(cx, &iam.DeleteUserInput{UserName: aws.String("bob")})
		apiErr(t, err, "DeleteConflict", "Cannot delete entity, must delete MFA device first.")
	})
	t.Run("DeactivateMFADevice", func(t *testing.T) {
		_, err := c.DeactivateMFADevice(cx, &iam.DeactivateMFADeviceInput{UserName: aws.String("alice"), SerialNumber: aws.String(bob.serial)})
		apiErr(t, err, "NoSuchEntity", "MFA Device invalid for user.")
		if _, err := c.DeactivateMFADevice(cx, &iam.DeactivateMFADeviceInput{UserName: aws.String("bob"), SerialNumber: aws.String(bob.serial)}); err != nil {
			t.Fatal(err)
		}
		l, err := c.ListMFADevices(cx, &iam.ListMFADevicesInput{UserName: aws.String("bob")})
		if err != nil || len(l.MFADevices) != 0 {
			t.Errorf("ListMFADevices(bob) after deactivation = %+v, %v", l, err)
		}
		if got := serials(listVirtual(t, c, iamtypes.AssignmentStatusTypeUnassigned)); !slices.Equal(got, []string{bob.serial}) {
			t.Errorf("Unassigned after deactivation %v", got)
		}
		_, err = c.DeactivateMFADevice(cx, &iam.DeactivateMFADeviceInput{UserName: aws.String("bob"), SerialNumber: aws.String(bob.serial)})
		apiErr(t, err, "NoSuchEntity", "MFA Device invalid for user.")
	})
	t.Run("DeleteVirtualMFADevice", func(t *testing.T) {
		if _, err := c.DeleteVirtualMFADevice(cx, &iam.DeleteVirtualMFADeviceInput{SerialNumber: aws.String(bob.serial)}); err != nil {
			t.Fatal(err)
		}
		_, err := c.DeleteVirtualMFADevice(cx, &iam.DeleteVirtualMFADeviceInput{SerialNumber: aws.String(bob.serial)})
		apiErr(t, err, "NoSuchEntity", "VirtualMFADevice with serial number "+bob.serial+" doesn't exist.")
		_, err = c.GetMFADevice(cx, &iam.GetMFADeviceInput{SerialNumber: aws.String(bob.serial)})
		apiErr(t, err, "NoSuchEntity", "")
		if len(listVirtual(t, c, iamtypes.AssignmentStatusTypeAny)) != 0 {
			t.Error("the deleted device is still listed")
		}
		if _, err := c.DeleteUser(cx, &iam.DeleteUserInput{UserName: aws.String("bob")}); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("no seed in the log", func(t *testing.T) {
		if strings.Contains(in.Log(), seedText) {
			t.Error("the server log contains the seed")
		}
	})
}

// TestMFADeviceTags walks TagMFADevice, UntagMFADevice and
// ListMFADeviceTags, with the quota of 50 tags and a missing device.
func TestMFADeviceTags(t *testing.T) {
	t.Parallel()
	in := start(t, "")
	c := in.IAM(in.adminCreds(t))
	cx := ctx(t)
	d := createDevice(t, c, "tagged")
	if _, err := c.TagMFADevice(cx, &iam.TagMFADeviceInput{SerialNumber: aws.String(d.serial), Tags: []iamtypes.Tag{
		{Key: aws.String("env"), Value: aws.String("prod")}, {Key: aws.String("owner"), Value: aws.String("ops")}}}); err != nil {
		t.Fatal(err)
	}
	l, err := c.ListMFADeviceTags(cx, &iam.ListMFADeviceTagsInput{SerialNumber: aws.String(d.serial)})
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(tagPairs(l.Tags)) != "[env=prod owner=ops]" {
		t.Errorf("tags %v", tagPairs(l.Tags))
	}
	var many []iamtypes.Tag
	for i := range 49 {
		many = append(many, iamtypes.Tag{Key: aws.String(fmt.Sprintf("k%d", i)), Value: aws.String("v")})
	}
	_, err = c.TagMFADevice(cx, &iam.TagMFADeviceInput{SerialNumber: aws.String(d.serial), Tags: many})
	apiErr(t, err, "LimitExceeded", "")
	if _, err := c.UntagMFADevice(cx, &iam.UntagMFADeviceInput{SerialNumber: aws.String(d.serial), TagKeys: []string{"env", "absent"}}); err != nil {
		t.Fatal(err)
	}
	l, err = c.ListMFADeviceTags(cx, &iam.ListMFADeviceTagsInput{SerialNumber: aws.String(d.serial)})
	if err != nil || fmt.Sprint(tagPairs(l.Tags)) != "[owner=ops]" {
		t.Errorf("tags after untag %v, %v", tagPairs(l.Tags), err)
	}
	missing := strings.TrimSuffix(d.serial, "tagged") + "missing"
	_, err = c.TagMFADevice(cx, &iam.TagMFADeviceInput{SerialNumber: aws.String(missing), Tags: many[:1]})
	apiErr(t, err, "NoSuchEntity", "VirtualMFADevice with serial number "+missing+" doesn't exist.")
	_, err = c.UntagMFADevice(cx, &iam.UntagMFADeviceInput{SerialNumber: aws.String(missing), TagKeys: []string{"k"}})
	apiErr(t, err, "NoSuchEntity", "")
	_, err = c.ListMFADeviceTags(cx, &iam.ListMFADeviceTagsInput{SerialNumber: aws.String(missing)})
	apiErr(t, err, "NoSuchEntity", "")
}

// TestMFADevicesPerUser enables AWS's quota of eight MFA devices for one
// user and requires the ninth to be refused.
func TestMFADevicesPerUser(t *testing.T) {
	t.Parallel()
	in := start(t, "")
	c := in.IAM(in.adminCreds(t))
	createUsers(t, c, "erin")
	for i := range 8 {
		if err := enable(t, c, "erin", createDevice(t, c, fmt.Sprintf("erin-%d", i))); err != nil {
			t.Fatalf("device %d: %v", i, err)
		}
	}
	err := enable(t, c, "erin", createDevice(t, c, "erin-8"))
	apiErr(t, err, "LimitExceeded", "Cannot exceed quota for MFADevicesPerUser: 8")
	l, err := c.ListMFADevices(ctx(t), &iam.ListMFADevicesInput{UserName: aws.String("erin"), MaxItems: aws.Int32(5)})
	if err != nil {
		t.Fatal(err)
	}
	if len(l.MFADevices) != 5 || !l.IsTruncated || l.Marker == nil {
		t.Fatalf("first page %d devices, truncated %v", len(l.MFADevices), l.IsTruncated)
	}
	l2, err := c.ListMFADevices(ctx(t), &iam.ListMFADevicesInput{UserName: aws.String("erin"), Marker: l.Marker})
	if err != nil {
		t.Fatal(err)
	}
	if len(l2.MFADevices) != 3 || l2.IsTruncated {
		t.Errorf("second page %d devices, truncated %v", len(l2.MFADevices), l2.IsTruncated)
	}
}

// codesAt returns the device's codes of the steps s and s+1.
func (d device) codesAt(t *testing.T, s int64) (string, string) {
	t.Helper()
	c1, err := totp.Code(d.seed, s)
	if err != nil {
		t.Fatal(err)
	}
	c2, err := totp.Code(d.seed, s+1)
	if err != nil {
		t.Fatal(err)
	}
	return c1, c2
}

func enableWith(c *iam.Client, t *testing.T, user string, d device, c1, c2 string) error {
	_, err := c.EnableMFADevice(ctx(t), &iam.EnableMFADeviceInput{UserName: aws.String(user), SerialNumber: aws.String(d.serial),
		AuthenticationCode1: aws.String(c1), AuthenticationCode2: aws.String(c2)})
	return err
}

func resync(c *iam.Client, t *testing.T, user, serial, c1, c2 string) error {
	_, err := c.ResyncMFADevice(ctx(t), &iam.ResyncMFADeviceInput{UserName: aws.String(user), SerialNumber: aws.String(serial),
		AuthenticationCode1: aws.String(c1), AuthenticationCode2: aws.String(c2)})
	return err
}

// TestResyncMFADevice resynchronises a device whose clock runs ahead of
// the server's: two consecutive codes five minutes' window wide are
// accepted where EnableMFADevice's window of one step refuses them, each
// pair only once, and the missing user, device and assignment are AWS's
// NoSuchEntity.
func TestResyncMFADevice(t *testing.T) {
	t.Parallel()
	in := start(t, "")
	c := in.IAM(in.adminCreds(t))
	createUsers(t, c, "frank", "grace")
	fast := createDevice(t, c, "frank-fast")
	spare := createDevice(t, c, "spare")
	missing := strings.TrimSuffix(fast.serial, "frank-fast") + "missing"

	// A device running five steps (2½ minutes) ahead cannot be enabled
	// with its current codes: they are outside EnableMFADevice's window.
	s := totp.Step(time.Now())
	ahead1, ahead2 := fast.codesAt(t, s+5)
	apiErr(t, enableWith(c, t, "frank", fast, ahead1, ahead2), "InvalidAuthenticationCode", "Authentication code for device is not valid.")
	// Enabled with the codes of s and s+1: s+1 is the last step used.
	e1, e2 := fast.codesAt(t, s)
	if err := enableWith(c, t, "frank", fast, e1, e2); err != nil {
		t.Fatal(err)
	}
	enabledAt := s

	cases := []struct {
		name, user, serial string
		codes              func() (string, string)
		code, msg          string // "" for success
	}{
		{"missing user", "nobody", fast.serial, func() (string, string) { return fast.codesAt(t, enabledAt+3) },
			"NoSuchEntity", "The user with name nobody cannot be found."},
		{"missing device", "frank", missing, func() (string, string) { return fast.codesAt(t, enabledAt+3) },
			"NoSuchEntity", "VirtualMFADevice with serial number " + missing + " doesn't exist."},
		{"an unassigned device", "frank", spare.serial, func() (string, string) { return spare.codesAt(t, enabledAt+3) },
			"NoSuchEntity", "MFA Device invalid for user."},
		{"another user's device", "grace", fast.serial, func() (string, string) { return fast.codesAt(t, enabledAt+3) },
			"NoSuchEntity", "MFA Device invalid for user."},
		{"wrong codes", "frank", fast.serial, func() (string, string) { return "000000", "000000" },
			"InvalidAuthenticationCode", "Authentication code for device is not valid."},
		{"codes out of order", "frank", fast.serial, func() (string, string) { a, b := fast.codesAt(t, enabledAt+5); return b, a },
			"InvalidAuthenticationCode", "Authentication code for device is not valid."},
		{"codes beyond five minutes", "frank", fast.serial, func() (string, string) { return fast.codesAt(t, totp.Step(time.Now())+12) },
			"InvalidAuthenticationCode", "Authentication code for device is not valid."},
		{"the codes that enabled the device", "frank", fast.serial, func() (string, string) { return e1, e2 },
			"InvalidAuthenticationCode", "Authentication code for device is not valid."},
		{"the device's codes, 2½ minutes ahead", "frank", fast.serial, func() (string, string) { return fast.codesAt(t, enabledAt+5) }, "", ""},
		{"the same codes again", "frank", fast.serial, func() (string, string) { return fast.codesAt(t, enabledAt+5) },
			"InvalidAuthenticationCode", "Authentication code for device is not valid."},
		{"earlier codes than the last used", "frank", fast.serial, func() (string, string) { return fast.codesAt(t, enabledAt+3) },
			"InvalidAuthenticationCode", "Authentication code for device is not valid."},
		{"later codes", "frank", fast.serial, func() (string, string) { return fast.codesAt(t, enabledAt+7) }, "", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c1, c2 := tc.codes()
			err := resync(c, t, tc.user, tc.serial, c1, c2)
			if tc.code == "" {
				if err != nil {
					t.Fatalf("ResyncMFADevice: %v", err)
				}
				return
			}
			apiErr(t, err, tc.code, tc.msg)
		})
	}
	// Resynchronising leaves the assignment as it was.
	g, err := c.GetMFADevice(ctx(t), &iam.GetMFADeviceInput{SerialNumber: aws.String(fast.serial)})
	if err != nil || aws.ToString(g.UserName) != "frank" {
		t.Fatalf("GetMFADevice after resync = %+v, %v", g, err)
	}
}

// TestMFACodesAreSpent enables a device, deactivates it and tries to
// enable it again with the same two codes, before and after a restart of
// the server: the codes were used once and are refused, although they are
// still inside EnableMFADevice's window. The refusal is asserted only when
// the server's clock was still within that window (the second code's step
// at most); otherwise the attempt is repeated with a new device.
func TestMFACodesAreSpent(t *testing.T) {
	t.Parallel()
	in := start(t, "")
	admin := in.adminCreds(t)
	c := in.IAM(admin)
	createUsers(t, c, "heidi")
	for attempt := range 3 {
		d := createDevice(t, c, fmt.Sprintf("heidi-%d", attempt))
		s := totp.Step(time.Now())
		c1, c2 := d.codesAt(t, s)
		if err := enableWith(c, t, "heidi", d, c1, c2); err != nil {
			t.Fatalf("EnableMFADevice: %v", err)
		}
		deactivate := func() {
			if _, err := c.DeactivateMFADevice(ctx(t), &iam.DeactivateMFADeviceInput{UserName: aws.String("heidi"), SerialNumber: aws.String(d.serial)}); err != nil {
				t.Fatalf("DeactivateMFADevice: %v", err)
			}
		}
		deactivate()
		again := enableWith(c, t, "heidi", d, c1, c2)
		in.stop(t)
		in = start(t, in.DataDir)
		c = in.IAM(admin)
		afterRestart := enableWith(c, t, "heidi", d, c1, c2)
		if totp.Step(time.Now()) > s+1 {
			// The window may have moved past the codes: the refusals
			// would prove nothing. Clean up and try again.
			if again == nil || afterRestart == nil {
				deactivate()
			}
			continue
		}
		apiErr(t, again, "InvalidAuthenticationCode", "Authentication code for device is not valid.")
		apiErr(t, afterRestart, "InvalidAuthenticationCode", "Authentication code for device is not valid.")
		l, err := c.ListMFADevices(ctx(t), &iam.ListMFADevicesInput{UserName: aws.String("heidi")})
		if err != nil || len(l.MFADevices) != 0 {
			t.Fatalf("ListMFADevices(heidi) = %+v, %v: a refused EnableMFADevice assigned the device", l, err)
		}
		return
	}
	t.Fatal("three attempts crossed a time step boundary; the machine is too slow for this test")
}
