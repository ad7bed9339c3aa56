package iam

import (
	"context"
	"errors"
	"testing"

	"github.com/iamd/iamd/awsquery"
	"github.com/iamd/iamd/internal/iamapi"
	"github.com/iamd/iamd/internal/service"
)

// TestChangePasswordCallers checks that only an IAM user's own credentials
// may change a password: root, role sessions, federated users and the
// emulator's stand-in identity get the model's InvalidUserType before the
// store is touched (the service here has none).
func TestChangePasswordCallers(t *testing.T) {
	t.Parallel()
	s := New(nil, nil)
	cases := []struct {
		name   string
		caller service.Principal
	}{
		{"root", service.Principal{Type: service.Root}},
		{"role session", service.Principal{Type: service.AssumedRole, Name: "r"}},
		{"federated user", service.Principal{Type: service.FederatedUser, Name: "f"}},
		{"emulated user", service.Principal{Type: service.User, Name: "moto", Emulated: true}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := s.changePassword(context.Background(), &service.Call{Caller: c.caller},
				&iamapi.ChangePasswordRequest{OldPassword: "a", NewPassword: "b"})
			var we *awsquery.Error
			if !errors.As(err, &we) || we.Code != "InvalidUserType" || we.Status != 400 {
				t.Fatalf("err = %v, want InvalidUserType 400", err)
			}
		})
	}
}
