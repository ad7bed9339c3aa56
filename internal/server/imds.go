package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/iamd/iamd/internal/imds"
	"github.com/iamd/iamd/internal/seal"
	"github.com/iamd/iamd/internal/store"
	"github.com/iamd/iamd/internal/sts"
)

// imdsRegion is the region an instance's credentials are issued in: the
// role's last-used region, and the region of the session's signatures
// (the SDKs choose their own).
const imdsRegion = "us-east-1"

// startIMDS serves the EC2 instance metadata credential endpoints on their
// own listener (cfg.IMDS), handing out the credentials of cfg.InstanceProfile's
// role, as EC2 does for an instance launched with that profile. The
// profile is looked up at each issuance, so it may be created (or its role
// changed) after the server starts. It returns the function that stops the
// listener.
func startIMDS(cfg Config, st store.Store, kr *seal.Keyring, now func() time.Time, log *slog.Logger) (func(context.Context) error, error) {
	if cfg.InstanceProfile == "" {
		return nil, errors.New("--imds needs --instance-profile NAME")
	}
	stsSvc := sts.New(st, kr)
	instanceID := sts.NewInstanceID()
	md := imds.New(imds.Options{
		Now:    now,
		Logger: log,
		Source: func(ctx context.Context) (imds.Credentials, error) {
			c, err := stsSvc.InstanceProfileCredentials(ctx, sts.InstanceRequest{
				Profile:    cfg.InstanceProfile,
				InstanceID: instanceID,
				Region:     imdsRegion,
				Emulator:   cfg.Emulator,
				Now:        now(),
			})
			if err != nil {
				return imds.Credentials{}, err
			}
			return imds.Credentials{
				RoleName:           c.RoleName,
				AccessKeyID:        c.AccessKeyID,
				SecretAccessKey:    c.SecretAccessKey,
				Token:              c.SessionToken,
				Expiration:         c.Expiration,
				InstanceProfileARN: c.InstanceProfileARN,
				InstanceProfileID:  c.InstanceProfileID,
			}, nil
		},
	})
	ln, err := net.Listen("tcp", cfg.IMDS)
	if err != nil {
		return nil, fmt.Errorf("--imds: %w", err)
	}
	srv := &http.Server{Handler: md, ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 120 * time.Second, MaxHeaderBytes: 16 << 10}
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Error("imds listener stopped", "err", err)
		}
	}()
	log.Info("imds listening", "addr", "http://"+ln.Addr().String(), "instance_profile", cfg.InstanceProfile, "instance_id", instanceID)
	return srv.Shutdown, nil
}
