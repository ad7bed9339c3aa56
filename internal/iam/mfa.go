package iam

import (
	"context"
	"errors"
	"fmt"

	"github.com/iamd/iamd/internal/iamapi"
	"github.com/iamd/iamd/internal/mfacheck"
	"github.com/iamd/iamd/internal/service"
	"github.com/iamd/iamd/internal/store"
	"github.com/iamd/iamd/internal/totp"
)

var _ = family((*Service).mfaOperations)

// Virtual MFA device messages. The creation conflict and the
// InvalidAuthenticationCode text are AWS's (people quote both from the
// console and the CLI); the others are those AWS-compatible services use
// (moto for the missing device, the others from IAM clones whose messages
// match AWS where they can be checked).
const (
	msgMFAExists         = "MFADevice entity at the same path and name already exists."
	msgNoMFADevice       = "VirtualMFADevice with serial number %s doesn't exist."
	msgMFAInUse          = "MFA Device is already in use."
	msgMFANotForUser     = "MFA Device invalid for user."
	msgMFADeleteInUse    = "MFA VirtualDevice in use. Must deactivate first."
	msgInvalidAuthCode   = "Authentication code for device is not valid."
	totpIssuer           = "iamd"
	maxMFADevicesPerUser = 8 // "up to eight MFA devices" per user (IAM User Guide, quotas)
	// maxVirtualMFADevices is AWS's quota of virtual MFA devices,
	// assigned or not, in an account: equal to the users quota.
	maxVirtualMFADevices = 5000
)

var _ = entity(store.KindMFADevice, msgNoMFADevice, "")

func (s *Service) mfaOperations(t service.Table) {
	t["CreateVirtualMFADevice"] = service.Op(s.createVirtualMFADevice)
	t["EnableMFADevice"] = service.Op(s.enableMFADevice)
	t["ResyncMFADevice"] = service.Op(s.resyncMFADevice)
	t["DeactivateMFADevice"] = service.Op(s.deactivateMFADevice)
	t["DeleteVirtualMFADevice"] = service.Op(s.deleteVirtualMFADevice)
	t["ListMFADevices"] = service.Op(s.listMFADevices)
	t["ListVirtualMFADevices"] = service.Op(s.listVirtualMFADevices)
	t["GetMFADevice"] = service.Op(s.getMFADevice)
	t["TagMFADevice"] = service.Op(s.tagMFADevice)
	t["UntagMFADevice"] = service.Op(s.untagMFADevice)
	t["ListMFADeviceTags"] = service.Op(s.listMFADeviceTags)
}

// mfaSerial is the serial number of a virtual MFA device: its ARN.
func mfaSerial(partition, account, path, name string) string {
	return fmt.Sprintf("arn:%s:iam::%s:mfa%s%s", partition, account, path, name)
}

// noMFADevice is AWS's NoSuchEntity for a device missing from the account.
func noMFADevice(serial string) error {
	return wireError("NoSuchEntity", msgNoMFADevice, serial)
}

// mfaError maps the store's errors of an MFA operation: a device that is
// not found, or a serial number the store refuses as malformed, is the
// device missing; a missing user is the user's NoSuchEntity.
func mfaError(err error, serial string) error {
	var se *store.Error
	if errors.As(err, &se) && se.Kind == store.KindMFADevice &&
		(errors.Is(err, store.ErrNotFound) || errors.Is(err, store.ErrInvalidArgument)) {
		return noMFADevice(serial)
	}
	return storeError(err)
}

func invalidAuthenticationCode() error {
	return wireError("InvalidAuthenticationCode", msgInvalidAuthCode)
}

// createVirtualMFADevice makes an unassigned device with a new random
// seed. The seed is sealed (associated data: the serial number) before it
// reaches the store and is shown only here, in Base32 and as the QR code
// of its otpauth:// URI, as AWS returns them.
func (s *Service) createVirtualMFADevice(ctx context.Context, c *service.Call, in *iamapi.CreateVirtualMFADeviceRequest) (*iamapi.CreateVirtualMFADeviceResponse, error) {
	tags, err := checkTags(in.Tags)
	if err != nil {
		return nil, err
	}
	path := pathOr(in.Path)
	serial := mfaSerial(c.Partition, c.AccountID, path, in.VirtualMFADeviceName)
	// The device name has no maximum length in the model, but every other
	// operation names the device by a serial number of at most 256
	// characters: a longer one would make a device nothing can reach.
	if len(serial) > 256 {
		return nil, wireError("ValidationError", "1 validation error detected: Value '%s' at 'serialNumber' failed to satisfy constraint: Member must have length less than or equal to 256", serial)
	}
	seed, err := totp.NewSeed()
	if err != nil {
		return nil, err
	}
	// The QR code names the device and, since it has no user yet, the
	// account (API reference, VirtualMFADevice.QRCodePNG).
	qr, err := totp.QRCodePNG(totp.URI(totpIssuer, in.VirtualMFADeviceName+"@"+c.AccountID, seed))
	if err != nil {
		return nil, err
	}
	d := store.MFADevice{
		Account:      c.AccountID,
		SerialNumber: serial,
		Name:         in.VirtualMFADeviceName,
		Path:         path,
		Created:      c.Now,
	}
	if d.Seed, err = s.keyring.Seal(seed, []byte(serial)); err != nil {
		return nil, err
	}
	err = s.store.Update(ctx, func(tx store.Tx) error {
		sum, err := tx.AccountSummary(c.AccountID)
		if err != nil {
			return err
		}
		if sum.MFADevices >= maxVirtualMFADevices {
			return wireError("LimitExceeded", "Cannot exceed quota for VirtualMFADevicesPerAccount: %d", maxVirtualMFADevices)
		}
		if err := tx.CreateVirtualMFADevice(d); err != nil {
			return err
		}
		if len(tags) > 0 {
			return tx.TagResource(store.ResourceRef{Account: c.AccountID, Kind: store.KindMFADevice, ID: serial}, tags)
		}
		return nil
	})
	if errors.Is(err, store.ErrAlreadyExists) {
		return nil, wireError("EntityAlreadyExists", msgMFAExists)
	}
	if err != nil {
		return nil, storeError(err)
	}
	return &iamapi.CreateVirtualMFADeviceResponse{VirtualMFADevice: iamapi.VirtualMFADevice{
		SerialNumber:     serial,
		Base32StringSeed: []byte(totp.EncodeSeed(seed)),
		QRCodePNG:        qr,
		Tags:             apiTags(tags),
	}}, nil
}

// enableMFADevice assigns a device to a user after checking two
// consecutive codes from it: the codes of two successive time steps, both
// within one step of the server's time (totp.Window). The second code's
// step is recorded on the device (with the drift the pair shows), in the
// same transaction, so that the pair, or any earlier code, is refused
// from then on: by STS, by ResyncMFADevice, and by a later EnableMFADevice
// after the device is deactivated.
func (s *Service) enableMFADevice(ctx context.Context, c *service.Call, in *iamapi.EnableMFADeviceRequest) (*service.Empty, error) {
	err := s.store.Update(ctx, func(tx store.Tx) error {
		u, err := tx.GetUser(c.AccountID, in.UserName)
		if err != nil {
			return err
		}
		d, err := tx.GetMFADevice(c.AccountID, in.SerialNumber)
		if err != nil {
			return err
		}
		if d.Assigned() {
			return wireError("EntityAlreadyExists", msgMFAInUse)
		}
		p, err := tx.ListMFADevices(c.AccountID, u.Name, store.ListOptions{MaxItems: maxMFADevicesPerUser})
		if err != nil {
			return err
		}
		if len(p.Items) >= maxMFADevicesPerUser {
			return wireError("LimitExceeded", "Cannot exceed quota for MFADevicesPerUser: %d", maxMFADevicesPerUser)
		}
		if err := s.checkPair(tx, c, d, in.AuthenticationCode1, in.AuthenticationCode2, totp.Window); err != nil {
			return err
		}
		return tx.EnableMFADevice(c.AccountID, u.Name, d.SerialNumber, c.Now)
	})
	if err != nil {
		return nil, mfaError(err, in.SerialNumber)
	}
	return &service.Empty{}, nil
}

// checkPair verifies two consecutive codes of the device within window
// of the server's time and records their use (mfacheck.Pair); a refused
// pair is AWS's InvalidAuthenticationCode.
func (s *Service) checkPair(tx store.Tx, c *service.Call, d store.MFADevice, code1, code2 string, window int64) error {
	_, err := mfacheck.Pair(tx, s.keyring, d, code1, code2, c.Now, window)
	if errors.Is(err, mfacheck.ErrRefused) {
		return invalidAuthenticationCode()
	}
	return err
}

// resyncMFADevice brings the server back in step with a user's device
// whose clock has drifted: two consecutive codes are looked for within
// totp.ResyncWindow steps (five minutes) either side of the server's
// time, instead of EnableMFADevice's one, and the drift they show is
// recorded, so that single codes (STS's TokenCode) are then looked for
// around the device's time. Codes used before are refused, as everywhere.
// The device must be enabled for the named user; AWS's API has no
// resynchronisation of root's devices (UserName is required).
func (s *Service) resyncMFADevice(ctx context.Context, c *service.Call, in *iamapi.ResyncMFADeviceRequest) (*service.Empty, error) {
	err := s.store.Update(ctx, func(tx store.Tx) error {
		u, err := tx.GetUser(c.AccountID, in.UserName)
		if err != nil {
			return err
		}
		d, err := tx.GetMFADevice(c.AccountID, in.SerialNumber)
		if err != nil {
			return err
		}
		if !assignedTo(d, u.Name) {
			return wireError("NoSuchEntity", msgMFANotForUser)
		}
		return s.checkPair(tx, c, d, in.AuthenticationCode1, in.AuthenticationCode2, totp.ResyncWindow)
	})
	if err != nil {
		return nil, mfaError(err, in.SerialNumber)
	}
	return &service.Empty{}, nil
}

// mfaUser is the user an MFA operation without UserName acts on: the
// calling IAM user, or "" for root's own devices.
func mfaUser(c *service.Call, userName *string) (string, error) {
	if n := str(userName); n != "" {
		return n, nil
	}
	return callerUserName(c)
}

// deactivateMFADevice ends the device's assignment to the user; the device
// stays, unassigned, with its seed.
func (s *Service) deactivateMFADevice(ctx context.Context, c *service.Call, in *iamapi.DeactivateMFADeviceRequest) (*service.Empty, error) {
	user, err := mfaUser(c, in.UserName)
	if err != nil {
		return nil, err
	}
	err = s.store.Update(ctx, func(tx store.Tx) error {
		if user != "" {
			u, err := tx.GetUser(c.AccountID, user)
			if err != nil {
				return err
			}
			user = u.Name
		}
		d, err := tx.GetMFADevice(c.AccountID, in.SerialNumber)
		if err != nil {
			return err
		}
		if !assignedTo(d, user) {
			return wireError("NoSuchEntity", msgMFANotForUser)
		}
		return tx.DeactivateMFADevice(c.AccountID, user, d.SerialNumber)
	})
	if err != nil {
		return nil, mfaError(err, in.SerialNumber)
	}
	return &service.Empty{}, nil
}

// assignedTo reports whether the device is enabled for the user ("" for
// root); user is the name as stored.
func assignedTo(d store.MFADevice, user string) bool {
	if user == "" {
		return d.Root
	}
	return d.UserID != "" && store.FoldName(d.UserName) == store.FoldName(user)
}

// deleteVirtualMFADevice deletes an unassigned device and its tags; AWS
// wants an assigned device deactivated first.
func (s *Service) deleteVirtualMFADevice(ctx context.Context, c *service.Call, in *iamapi.DeleteVirtualMFADeviceRequest) (*service.Empty, error) {
	err := s.store.Update(ctx, func(tx store.Tx) error {
		d, err := tx.GetMFADevice(c.AccountID, in.SerialNumber)
		if err != nil {
			return err
		}
		if d.Assigned() {
			return wireError("DeleteConflict", msgMFADeleteInUse)
		}
		return tx.DeleteVirtualMFADevice(c.AccountID, d.SerialNumber)
	})
	if err != nil {
		return nil, mfaError(err, in.SerialNumber)
	}
	return &service.Empty{}, nil
}

// listMFADevices lists the MFA devices enabled for a user (the caller
// without UserName; root's own devices for root).
func (s *Service) listMFADevices(ctx context.Context, c *service.Call, in *iamapi.ListMFADevicesRequest) (*iamapi.ListMFADevicesResponse, error) {
	user, err := mfaUser(c, in.UserName)
	if err != nil {
		return nil, err
	}
	var p store.Page[store.MFADevice]
	err = s.store.View(ctx, func(tx store.Tx) error {
		if user != "" {
			u, err := tx.GetUser(c.AccountID, user)
			if err != nil {
				return err
			}
			user = u.Name
		}
		var err error
		p, err = tx.ListMFADevices(c.AccountID, user, page(in.Marker, in.MaxItems))
		return err
	})
	if err != nil {
		return nil, storeError(err)
	}
	out := &iamapi.ListMFADevicesResponse{MFADevices: make([]iamapi.MFADevice, 0, len(p.Items))}
	for _, d := range p.Items {
		out.MFADevices = append(out.MFADevices, iamapi.MFADevice{UserName: d.UserName, SerialNumber: d.SerialNumber, EnableDate: d.EnableDate})
	}
	out.IsTruncated, out.Marker = truncation(p)
	return out, nil
}

// assignmentFilters maps AWS's AssignmentStatus onto the store's filter;
// the model admits only these values, and Any is the default.
var assignmentFilters = map[string]store.MFAAssignment{
	"":           store.AnyAssignment,
	"Any":        store.AnyAssignment,
	"Assigned":   store.AssignedOnly,
	"Unassigned": store.UnassignedOnly,
}

// listVirtualMFADevices lists the account's virtual devices by assignment
// status. An assigned device carries its user (root's ARN and the
// account id for root) and its enable date; the seed is never shown again.
func (s *Service) listVirtualMFADevices(ctx context.Context, c *service.Call, in *iamapi.ListVirtualMFADevicesRequest) (*iamapi.ListVirtualMFADevicesResponse, error) {
	filter, ok := assignmentFilters[str(in.AssignmentStatus)]
	if !ok {
		return nil, wireError("ValidationError", "1 validation error detected: Value '%s' at 'assignmentStatus' failed to satisfy constraint: Member must satisfy enum value set: [Assigned, Unassigned, Any]", str(in.AssignmentStatus))
	}
	out := &iamapi.ListVirtualMFADevicesResponse{}
	err := s.store.View(ctx, func(tx store.Tx) error {
		p, err := tx.ListVirtualMFADevices(c.AccountID, filter, page(in.Marker, in.MaxItems))
		if err != nil {
			return err
		}
		out.VirtualMFADevices = make([]iamapi.VirtualMFADevice, 0, len(p.Items))
		for _, d := range p.Items {
			v := iamapi.VirtualMFADevice{SerialNumber: d.SerialNumber}
			if d.Assigned() {
				v.EnableDate = ptr(d.EnableDate)
				if v.User, err = mfaDeviceUser(tx, c, d); err != nil {
					return err
				}
			}
			out.VirtualMFADevices = append(out.VirtualMFADevices, v)
		}
		out.IsTruncated, out.Marker = truncation(p)
		return nil
	})
	if err != nil {
		return nil, storeError(err)
	}
	return out, nil
}

// mfaDeviceUser is the User of an assigned device, as ListVirtualMFADevices
// shows it: the IAM user without tags or boundary, or root.
func mfaDeviceUser(tx store.Tx, c *service.Call, d store.MFADevice) (*iamapi.User, error) {
	if d.Root {
		a, err := tx.GetAccount(c.AccountID)
		if err != nil {
			return nil, err
		}
		return &iamapi.User{
			UserId:     c.AccountID,
			Arn:        fmt.Sprintf("arn:%s:iam::%s:root", c.Partition, c.AccountID),
			CreateDate: a.Created,
		}, nil
	}
	u, err := tx.GetUserByID(d.UserID)
	if err != nil {
		return nil, err
	}
	user := apiUser(c, u, nil)
	user.PermissionsBoundary = nil
	return &user, nil
}

// getMFADevice describes one device. With UserName, the device must be
// enabled for that user.
func (s *Service) getMFADevice(ctx context.Context, c *service.Call, in *iamapi.GetMFADeviceRequest) (*iamapi.GetMFADeviceResponse, error) {
	var d store.MFADevice
	err := s.store.View(ctx, func(tx store.Tx) error {
		var err error
		if d, err = tx.GetMFADevice(c.AccountID, in.SerialNumber); err != nil {
			return err
		}
		if n := str(in.UserName); n != "" {
			u, err := tx.GetUser(c.AccountID, n)
			if err != nil {
				return err
			}
			if !assignedTo(d, u.Name) {
				return wireError("NoSuchEntity", msgMFANotForUser)
			}
		}
		return nil
	})
	if err != nil {
		return nil, mfaError(err, in.SerialNumber)
	}
	out := &iamapi.GetMFADeviceResponse{SerialNumber: d.SerialNumber}
	if d.Assigned() {
		out.EnableDate = ptr(d.EnableDate)
		if d.UserName != "" {
			out.UserName = ptr(d.UserName)
		}
	}
	return out, nil
}

// mfaTagRef is the tag reference of the account's device with the serial,
// after checking the device exists.
func mfaTagRef(tx store.Tx, c *service.Call, serial string) (store.ResourceRef, error) {
	d, err := tx.GetMFADevice(c.AccountID, serial)
	if err != nil {
		return store.ResourceRef{}, err
	}
	return store.ResourceRef{Account: c.AccountID, Kind: store.KindMFADevice, ID: d.SerialNumber}, nil
}

func (s *Service) tagMFADevice(ctx context.Context, c *service.Call, in *iamapi.TagMFADeviceRequest) (*service.Empty, error) {
	tags, err := checkTags(in.Tags)
	if err != nil {
		return nil, err
	}
	err = s.store.Update(ctx, func(tx store.Tx) error {
		ref, err := mfaTagRef(tx, c, in.SerialNumber)
		if err != nil {
			return err
		}
		return tagResource(tx, ref, tags, "MFADevice")
	})
	if err != nil {
		return nil, mfaError(err, in.SerialNumber)
	}
	return &service.Empty{}, nil
}

func (s *Service) untagMFADevice(ctx context.Context, c *service.Call, in *iamapi.UntagMFADeviceRequest) (*service.Empty, error) {
	err := s.store.Update(ctx, func(tx store.Tx) error {
		ref, err := mfaTagRef(tx, c, in.SerialNumber)
		if err != nil {
			return err
		}
		return tx.UntagResource(ref, in.TagKeys)
	})
	if err != nil {
		return nil, mfaError(err, in.SerialNumber)
	}
	return &service.Empty{}, nil
}

func (s *Service) listMFADeviceTags(ctx context.Context, c *service.Call, in *iamapi.ListMFADeviceTagsRequest) (*iamapi.ListMFADeviceTagsResponse, error) {
	var p store.Page[store.Tag]
	err := s.store.View(ctx, func(tx store.Tx) error {
		ref, err := mfaTagRef(tx, c, in.SerialNumber)
		if err != nil {
			return err
		}
		p, err = tx.ListTags(ref, page(in.Marker, in.MaxItems))
		return err
	})
	if err != nil {
		return nil, mfaError(err, in.SerialNumber)
	}
	out := &iamapi.ListMFADeviceTagsResponse{Tags: apiTags(p.Items)}
	if out.Tags == nil {
		out.Tags = []iamapi.Tag{}
	}
	out.IsTruncated, out.Marker = truncation(p)
	return out, nil
}
