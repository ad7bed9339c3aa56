package iam

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/iamd/iamd/awsquery"
	"github.com/iamd/iamd/internal/service"
	"github.com/iamd/iamd/internal/store"
)

func TestCredentialRow(t *testing.T) {
	t.Parallel()
	created := time.Date(2024, 1, 2, 3, 4, 5, 600, time.UTC)
	changed := created.Add(48 * time.Hour)
	used := time.Date(2024, 3, 1, 12, 0, 0, 0, time.FixedZone("CET", 3600))
	key := func(id string, at time.Time, status store.AccessKeyStatus) store.AccessKey {
		return store.AccessKey{ID: id, Created: at, Status: status}
	}
	usedKey := key("AKIA2", created.Add(time.Hour), store.AccessKeyActive)
	usedKey.LastUsed, usedKey.LastUsedRegion, usedKey.LastUsedService = used, "eu-west-1", "iam"
	cases := []struct {
		name   string
		h      credentialHolder
		maxAge int
		want   string
	}{
		{
			name: "root without credentials",
			h:    credentialHolder{Root: true, Name: reportRootUser, ARN: "arn:aws:iam::123456789012:root", Created: created},
			want: "<root_account>,arn:aws:iam::123456789012:root,2024-01-02T03:04:05+00:00,not_supported,no_information,not_supported,not_supported,false," +
				"false,N/A,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A",
		},
		{
			name: "user without password or keys",
			h:    credentialHolder{Name: "bob", ARN: "arn:aws:iam::123456789012:user/bob", Created: created},
			want: "bob,arn:aws:iam::123456789012:user/bob,2024-01-02T03:04:05+00:00,false,N/A,N/A,N/A,false," +
				"false,N/A,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A",
		},
		{
			name: "password never used, no rotation policy",
			h: credentialHolder{Name: "ann", ARN: "a", Created: created,
				Login: &store.LoginProfile{Created: created, PasswordChanged: changed}},
			want: "ann,a,2024-01-02T03:04:05+00:00,true,no_information,2024-01-04T03:04:05+00:00,N/A,false," +
				"false,N/A,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A",
		},
		{
			name: "password used, rotation after 90 days, set at creation",
			h: credentialHolder{Name: "ann", ARN: "a", Created: created, PasswordLastUsed: used,
				Login: &store.LoginProfile{Created: created}},
			maxAge: 90,
			want: "ann,a,2024-01-02T03:04:05+00:00,true,2024-03-01T11:00:00+00:00,2024-01-02T03:04:05+00:00,2024-04-01T03:04:05+00:00,false," +
				"false,N/A,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A",
		},
		{
			name: "password removed after use",
			h:    credentialHolder{Name: "cy", ARN: "a", Created: created, PasswordLastUsed: used},
			want: "cy,a,2024-01-02T03:04:05+00:00,false,2024-03-01T11:00:00+00:00,N/A,N/A,false," +
				"false,N/A,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A",
		},
		{
			name: "two keys ordered by creation, one inactive, one used; MFA",
			h: credentialHolder{Name: "dev", ARN: "a", Created: created, MFA: true,
				Keys: []store.AccessKey{usedKey, key("AKIA9", created, store.AccessKeyInactive)}},
			want: "dev,a,2024-01-02T03:04:05+00:00,false,N/A,N/A,N/A,true," +
				"false,2024-01-02T03:04:05+00:00,N/A,N/A,N/A," +
				"true,2024-01-02T04:04:05+00:00,2024-03-01T11:00:00+00:00,eu-west-1,iam,false,N/A,false,N/A",
		},
		{
			name: "certificates ordered by upload, one inactive",
			h: credentialHolder{Name: "ci", ARN: "a", Created: created, Certs: []store.SigningCertificate{
				{ID: "B", Uploaded: created.Add(time.Minute), Status: store.AccessKeyInactive},
				{ID: "A", Uploaded: created, Status: store.AccessKeyActive},
			}},
			want: "ci,a,2024-01-02T03:04:05+00:00,false,N/A,N/A,N/A,false," +
				"false,N/A,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,true,2024-01-02T03:04:05+00:00,false,2024-01-02T03:05:05+00:00",
		},
		{
			name: "root with a key and MFA",
			h: credentialHolder{Root: true, Name: reportRootUser, ARN: "r", Created: created, MFA: true,
				Keys: []store.AccessKey{key("AKIA1", created, store.AccessKeyActive)}},
			want: "<root_account>,r,2024-01-02T03:04:05+00:00,not_supported,no_information,not_supported,not_supported,true," +
				"true,2024-01-02T03:04:05+00:00,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A",
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			row := credentialRow(tc.h, tc.maxAge)
			if len(row) != len(credentialReportHeader) {
				t.Fatalf("row has %d columns, header %d", len(row), len(credentialReportHeader))
			}
			if got := strings.Join(row, ","); got != tc.want {
				t.Errorf("row\n got %s\nwant %s", got, tc.want)
			}
		})
	}
}

func TestRenderCredentialReport(t *testing.T) {
	t.Parallel()
	created := time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)
	// IAM names may contain commas ([\w+=,.@-]+): the CSV quotes them.
	out := renderCredentialReport([]credentialHolder{
		{Root: true, Name: reportRootUser, ARN: "r", Created: created},
		{Name: "a,b", ARN: "arn:aws:iam::1:user/a,b", Created: created},
	}, 0)
	lines := strings.Split(strings.TrimSuffix(string(out), "\n"), "\n")
	if len(lines) != 3 {
		t.Fatalf("%d lines:\n%s", len(lines), out)
	}
	const header = "user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,password_next_rotation,mfa_active," +
		"access_key_1_active,access_key_1_last_rotated,access_key_1_last_used_date,access_key_1_last_used_region,access_key_1_last_used_service," +
		"access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date,access_key_2_last_used_region,access_key_2_last_used_service," +
		"cert_1_active,cert_1_last_rotated,cert_2_active,cert_2_last_rotated"
	if lines[0] != header {
		t.Errorf("header\n got %s\nwant %s", lines[0], header)
	}
	recs, err := csv.NewReader(strings.NewReader(string(out))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if recs[2][0] != "a,b" || recs[1][0] != "<root_account>" {
		t.Errorf("records %q", recs)
	}
}

// TestCredentialReportLifecycle walks a report through AWS's states over
// the four hours a report stays current, with the call's clock moved
// forward rather than waited for.
func TestCredentialReportLifecycle(t *testing.T) {
	t.Parallel()
	s, c := newTestService(t)
	cx := context.Background()
	code := func(err error) string {
		var we *awsquery.Error
		if errors.As(err, &we) {
			return we.Code
		}
		return fmt.Sprint(err)
	}
	if _, err := s.getCredentialReport(cx, c, &service.Empty{}); code(err) != "ReportNotPresent" {
		t.Fatalf("before generation: %v", err)
	}
	state := func(want string) {
		t.Helper()
		out, err := s.generateCredentialReport(cx, c, &service.Empty{})
		if err != nil || *out.State != want {
			t.Fatalf("GenerateCredentialReport = %+v, %v; want %s", out, err, want)
		}
	}
	state("STARTED")
	first, err := s.getCredentialReport(cx, c, &service.Empty{})
	if err != nil || !first.GeneratedTime.Equal(c.Now) || !strings.HasPrefix(string(first.Content), "user,arn,") {
		t.Fatalf("GetCredentialReport = %+v, %v", first, err)
	}
	c.Now = c.Now.Add(credentialReportTTL - time.Second)
	state("COMPLETE") // current: not regenerated
	c.Now = c.Now.Add(time.Second)
	if _, err := s.getCredentialReport(cx, c, &service.Empty{}); code(err) != "ReportExpired" {
		t.Fatalf("after four hours: %v", err)
	}
	state("STARTED")
	second, err := s.getCredentialReport(cx, c, &service.Empty{})
	if err != nil || !second.GeneratedTime.Equal(c.Now) {
		t.Fatalf("regenerated report = %+v, %v", second, err)
	}
}
