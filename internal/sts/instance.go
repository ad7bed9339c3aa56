package sts

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/iamd/iamd/arn"
	"github.com/iamd/iamd/internal/service"
	"github.com/iamd/iamd/internal/store"
	"github.com/iamd/iamd/policy"
)

// InstanceSessionDuration is how long the credentials EC2 hands to an
// instance last here: one hour, which every role allows (the smallest
// MaxSessionDuration); the metadata service renews them before they end.
const InstanceSessionDuration = time.Hour

// ec2Service is the service principal that assumes an instance profile's
// role on an instance's behalf.
const ec2Service = "ec2.amazonaws.com"

// InstanceCredentials are a role session made for an instance profile.
type InstanceCredentials struct {
	RoleName           string
	InstanceProfileARN string
	InstanceProfileID  string
	AccessKeyID        string
	SecretAccessKey    string
	SessionToken       string
	Expiration         time.Time
}

// InstanceRequest says which instance profile an instance runs with.
type InstanceRequest struct {
	// Profile is the instance profile's name (unique across the store's
	// accounts) or its ARN.
	Profile string
	// InstanceID is the role session name, as EC2 names an instance's
	// sessions after the instance ("i-0123456789abcdef0").
	InstanceID string
	// Region is recorded as the role's last-used region.
	Region string
	// Emulator skips the trust policy, as emulator mode's other
	// relaxations do.
	Emulator bool
	Now      time.Time
}

// NewInstanceID returns a random EC2-style instance id, i- and 17 hex
// digits.
func NewInstanceID() string {
	b := make([]byte, 9)
	_, _ = rand.Read(b)
	return "i-" + hex.EncodeToString(b)[:17]
}

// InstanceProfileCredentials makes a role session for the role of an
// instance profile, as EC2 does for an instance launched with it: the
// role's trust policy must allow the service principal ec2.amazonaws.com
// to sts:AssumeRole (outside emulator mode), and the session is named
// after the instance. It is what the instance metadata service (package
// imds) hands out.
func (s *Service) InstanceProfileCredentials(ctx context.Context, req InstanceRequest) (InstanceCredentials, error) {
	if req.Now.IsZero() {
		req.Now = time.Now()
	}
	var out InstanceCredentials
	err := s.store.Update(ctx, func(tx store.Tx) error {
		prof, partition, err := findInstanceProfile(tx, req.Profile)
		if err != nil {
			return err
		}
		if prof.RoleName == "" {
			return fmt.Errorf("instance profile %s holds no role", prof.Name)
		}
		role, err := tx.GetRole(prof.Account, prof.RoleName)
		if err != nil {
			return fmt.Errorf("role %s of instance profile %s: %w", prof.RoleName, prof.Name, err)
		}
		c := &service.Call{
			AccountID: prof.Account,
			Partition: partition,
			Region:    req.Region,
			Now:       req.Now.UTC(),
			Caller:    service.Principal{Type: service.AssumedRole, AccountID: prof.Account},
		}
		rARN := roleARN(partition, role.Account, role.Path, role.Name)
		if !req.Emulator {
			var rctx policy.Context
			rctx.Set("aws:PrincipalType", "Service")
			rctx.Set("aws:PrincipalIsAWSService", "true")
			rctx.Set("aws:PrincipalServiceName", ec2Service)
			rctx.Set("sts:RoleSessionName", req.InstanceID)
			rctx.Set("aws:CurrentTime", c.Now.Format(timeLayout))
			d, err := trustAllows(TrustRequest{Role: role, RoleARN: rARN, Action: "sts:AssumeRole", Context: rctx,
				Principal: policy.Principal{Type: policy.Service, Service: ec2Service}})
			if err != nil {
				return err
			}
			if !d.Allowed() {
				return fmt.Errorf("the trust policy of role %s does not allow %s to assume it", rARN, ec2Service)
			}
		}
		secs := int32(InstanceSessionDuration / time.Second)
		creds, _, _, err := s.issueRoleSession(c, tx, RoleSessionSpec{Role: role, SessionName: req.InstanceID, DurationSeconds: &secs})
		if err != nil {
			return err
		}
		out = InstanceCredentials{
			RoleName:           role.Name,
			InstanceProfileARN: fmt.Sprintf("arn:%s:iam::%s:instance-profile%s%s", partition, prof.Account, prof.Path, prof.Name),
			InstanceProfileID:  prof.ID,
			AccessKeyID:        creds.AccessKeyId,
			SecretAccessKey:    creds.SecretAccessKey,
			SessionToken:       creds.SessionToken,
			Expiration:         creds.Expiration,
		}
		return nil
	})
	return out, err
}

// errProfileNotFound and errProfileAmbiguous explain a --instance-profile
// that names no profile, or a name several accounts have.
var (
	errProfileNotFound  = errors.New("no such instance profile")
	errProfileAmbiguous = errors.New("several accounts have an instance profile of that name; give its ARN")
)

// findInstanceProfile resolves a profile name or ARN to the profile and the
// partition its ARNs use.
func findInstanceProfile(tx store.Tx, profile string) (store.InstanceProfile, string, error) {
	if strings.HasPrefix(profile, "arn:") {
		a, err := arn.Parse(profile)
		if err != nil || a.Service != "iam" || !strings.HasPrefix(a.Resource, "instance-profile/") {
			return store.InstanceProfile{}, "", fmt.Errorf("%s is not an instance profile ARN", profile)
		}
		name := a.Resource[strings.LastIndexByte(a.Resource, '/')+1:]
		p, err := tx.GetInstanceProfile(a.AccountID, name)
		if errors.Is(err, store.ErrNotFound) {
			return p, "", fmt.Errorf("%s: %w", profile, errProfileNotFound)
		}
		return p, a.Partition, err
	}
	var found []store.InstanceProfile
	accounts, err := listAll(func(o store.ListOptions) (store.Page[store.Account], error) { return tx.ListAccounts(o) })
	if err != nil {
		return store.InstanceProfile{}, "", err
	}
	for _, a := range accounts {
		p, err := tx.GetInstanceProfile(a.ID, profile)
		if errors.Is(err, store.ErrNotFound) {
			continue
		}
		if err != nil {
			return store.InstanceProfile{}, "", err
		}
		found = append(found, p)
	}
	switch len(found) {
	case 0:
		return store.InstanceProfile{}, "", fmt.Errorf("%s: %w", profile, errProfileNotFound)
	case 1:
		return found[0], "aws", nil
	}
	return store.InstanceProfile{}, "", fmt.Errorf("%s: %w", profile, errProfileAmbiguous)
}
