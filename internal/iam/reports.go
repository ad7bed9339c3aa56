package iam

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"sort"
	"time"

	"github.com/iamd/iamd/internal/iamapi"
	"github.com/iamd/iamd/internal/service"
	"github.com/iamd/iamd/internal/store"
)

var _ = family((*Service).reportOperations)

func (s *Service) reportOperations(t service.Table) {
	t["GenerateCredentialReport"] = service.Op(s.generateCredentialReport)
	t["GetCredentialReport"] = service.Op(s.getCredentialReport)
}

// credentialReportTTL is how long a credential report stays current. The
// IAM User Guide ("Generate credential reports for your AWS account"):
// IAM generates a new report only when the last one is more than four
// hours old, and GetCredentialReport answers ReportExpired for such a
// report.
const credentialReportTTL = 4 * time.Hour

// credentialReportHeader is the report's first line: AWS's columns, in
// AWS's order (IAM User Guide, "Understanding the report format").
var credentialReportHeader = []string{
	"user", "arn", "user_creation_time",
	"password_enabled", "password_last_used", "password_last_changed", "password_next_rotation",
	"mfa_active",
	"access_key_1_active", "access_key_1_last_rotated", "access_key_1_last_used_date",
	"access_key_1_last_used_region", "access_key_1_last_used_service",
	"access_key_2_active", "access_key_2_last_rotated", "access_key_2_last_used_date",
	"access_key_2_last_used_region", "access_key_2_last_used_service",
	"cert_1_active", "cert_1_last_rotated", "cert_2_active", "cert_2_last_rotated",
}

// The credential report's placeholder values, as the IAM User Guide
// defines them: N/A where a credential does not exist or was never used,
// no_information where a password exists but no use of it is on record,
// not_supported for what the root user does not have (a login profile's
// password state, password rotation).
const (
	reportNA           = "N/A"
	reportNoInfo       = "no_information"
	reportNotSupported = "not_supported"
	reportRootUser     = "<root_account>"
)

// reportTime formats a time as the report does: ISO 8601 in UTC with an
// explicit +00:00 offset, to the second ("2014-09-17T22:33:10+00:00").
func reportTime(t time.Time) string {
	return t.UTC().Format("2006-01-02T15:04:05+00:00")
}

// reportTimeOr is reportTime, or the placeholder for the zero time.
func reportTimeOr(t time.Time, none string) string {
	if t.IsZero() {
		return none
	}
	return reportTime(t)
}

func reportBool(b bool) string {
	if b {
		return "true"
	}
	return "false"
}

// credentialHolder is what the report knows of one user, or of the
// account's root user, as read from the store.
type credentialHolder struct {
	Root    bool
	Name    string
	ARN     string
	Created time.Time
	// Login is the user's login profile; nil when it has no password.
	Login *store.LoginProfile
	// PasswordLastUsed is the last console sign-in, zero when none is on
	// record.
	PasswordLastUsed time.Time
	MFA              bool
	Keys             []store.AccessKey
	Certs            []store.SigningCertificate
}

// credentialRow renders one line of the report. maxPasswordAge is the
// account password policy's MaxPasswordAge in days, 0 when passwords do
// not expire.
func credentialRow(h credentialHolder, maxPasswordAge int) []string {
	row := make([]string, 0, len(credentialReportHeader))
	row = append(row, h.Name, h.ARN, reportTime(h.Created))
	switch {
	case h.Root:
		// The root user's password is not a login profile: the report
		// says not_supported for its state, but does show its last use.
		row = append(row, reportNotSupported, reportTimeOr(h.PasswordLastUsed, reportNoInfo), reportNotSupported, reportNotSupported)
	case h.Login == nil:
		row = append(row, "false", reportTimeOr(h.PasswordLastUsed, reportNA), reportNA, reportNA)
	default:
		changed := h.Login.PasswordChanged
		if changed.IsZero() {
			changed = h.Login.Created
		}
		next := reportNA
		if maxPasswordAge > 0 {
			next = reportTime(changed.AddDate(0, 0, maxPasswordAge))
		}
		row = append(row, "true", reportTimeOr(h.PasswordLastUsed, reportNoInfo), reportTime(changed), next)
	}
	row = append(row, reportBool(h.MFA))
	keys := append([]store.AccessKey(nil), h.Keys...)
	sort.SliceStable(keys, func(i, j int) bool {
		if !keys[i].Created.Equal(keys[j].Created) {
			return keys[i].Created.Before(keys[j].Created)
		}
		return keys[i].ID < keys[j].ID
	})
	for i := range 2 {
		if i >= len(keys) {
			row = append(row, "false", reportNA, reportNA, reportNA, reportNA)
			continue
		}
		k := keys[i]
		row = append(row, reportBool(k.Status == store.AccessKeyActive), reportTime(k.Created))
		if k.LastUsed.IsZero() {
			row = append(row, reportNA, reportNA, reportNA)
			continue
		}
		row = append(row, reportTime(k.LastUsed), orNA(k.LastUsedRegion), orNA(k.LastUsedService))
	}
	certs := append([]store.SigningCertificate(nil), h.Certs...)
	sort.SliceStable(certs, func(i, j int) bool {
		if !certs[i].Uploaded.Equal(certs[j].Uploaded) {
			return certs[i].Uploaded.Before(certs[j].Uploaded)
		}
		return certs[i].ID < certs[j].ID
	})
	for i := range 2 {
		if i >= len(certs) {
			row = append(row, "false", reportNA)
			continue
		}
		row = append(row, reportBool(certs[i].Status == store.AccessKeyActive), reportTime(certs[i].Uploaded))
	}
	return row
}

func orNA(s string) string {
	if s == "" {
		return reportNA
	}
	return s
}

// renderCredentialReport writes the CSV: the header, then one line per
// holder (the root user first).
func renderCredentialReport(holders []credentialHolder, maxPasswordAge int) []byte {
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	_ = w.Write(credentialReportHeader)
	for _, h := range holders {
		_ = w.Write(credentialRow(h, maxPasswordAge))
	}
	w.Flush()
	return b.Bytes()
}

// everyPage reads a store list to the end.
func everyPage[T any](list func(marker string) (store.Page[T], error)) ([]T, error) {
	var all []T
	marker := ""
	for {
		p, err := list(marker)
		if err != nil {
			return nil, err
		}
		all = append(all, p.Items...)
		if !p.Truncated() {
			return all, nil
		}
		marker = p.Marker
	}
}

// credentialHolders reads the root user and every user of the account,
// with their credentials.
func credentialHolders(tx store.Tx, c *service.Call) ([]credentialHolder, error) {
	acct, err := tx.GetAccount(c.AccountID)
	if err != nil {
		return nil, err
	}
	root := credentialHolder{Root: true, Name: reportRootUser, ARN: fmt.Sprintf("arn:%s:iam::%s:root", c.Partition, c.AccountID), Created: acct.Created}
	if err := readCredentials(tx, c.AccountID, "", &root); err != nil {
		return nil, err
	}
	users, err := everyPage(func(m string) (store.Page[store.User], error) {
		return tx.ListUsers(c.AccountID, store.PathListOptions{Marker: m, MaxItems: 1000})
	})
	if err != nil {
		return nil, err
	}
	holders := make([]credentialHolder, 0, len(users)+1)
	holders = append(holders, root)
	for _, u := range users {
		h := credentialHolder{Name: u.Name, ARN: userARN(c.Partition, u.Account, u.Path, u.Name), Created: u.Created, PasswordLastUsed: u.PasswordLastUsed}
		lp, err := tx.GetLoginProfile(c.AccountID, u.Name)
		switch {
		case err == nil:
			h.Login = &lp
		case !errors.Is(err, store.ErrNotFound):
			return nil, err
		}
		if err := readCredentials(tx, c.AccountID, u.Name, &h); err != nil {
			return nil, err
		}
		holders = append(holders, h)
	}
	return holders, nil
}

// readCredentials fills in a user's ("" for root) access keys, signing
// certificates and whether an MFA device is enabled for it.
func readCredentials(tx store.Tx, account, user string, h *credentialHolder) error {
	keys, err := tx.ListAccessKeys(account, user, store.ListOptions{MaxItems: 1000})
	if err != nil {
		return err
	}
	h.Keys = keys.Items
	certs, err := tx.ListSigningCertificates(account, user, store.ListOptions{MaxItems: 1000})
	if err != nil {
		return err
	}
	h.Certs = certs.Items
	mfa, err := tx.ListMFADevices(account, user, store.ListOptions{MaxItems: 1})
	if err != nil {
		return err
	}
	h.MFA = len(mfa.Items) > 0
	return nil
}

// generateCredentialReport generates the account's credential report
// unless a current one exists. iamd generates the report within the call,
// so a new report is ready at once; the answer is still AWS's STARTED for
// a new report and COMPLETE for a current one (AWS CLI reference,
// generate-credential-report: "No report exists. Starting a new report
// generation task"), so that scripts that poll for COMPLETE work unchanged.
func (s *Service) generateCredentialReport(ctx context.Context, c *service.Call, _ *service.Empty) (*iamapi.GenerateCredentialReportResponse, error) {
	var started bool
	err := s.store.Update(ctx, func(tx store.Tx) error {
		started = false
		r, err := tx.GetCredentialReport(c.AccountID)
		if err == nil && c.Now.Sub(r.Generated) < credentialReportTTL {
			return nil
		}
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return err
		}
		holders, err := credentialHolders(tx, c)
		if err != nil {
			return err
		}
		maxAge, err := maxPasswordAge(tx, c.AccountID)
		if err != nil {
			return err
		}
		started = true
		return tx.PutCredentialReport(c.AccountID, store.CredentialReport{Generated: c.Now, Content: renderCredentialReport(holders, maxAge)})
	})
	if err != nil {
		return nil, storeError(err)
	}
	if started {
		return &iamapi.GenerateCredentialReportResponse{
			State:       ptr(iamapi.ReportStateTypeStarted),
			Description: ptr("No report exists. Starting a new report generation task"),
		}, nil
	}
	return &iamapi.GenerateCredentialReportResponse{State: ptr(iamapi.ReportStateTypeComplete)}, nil
}

// maxPasswordAge is the account's password expiry in days, 0 when it has
// no password policy or the policy lets passwords live for ever.
func maxPasswordAge(tx store.Tx, account string) (int, error) {
	p, err := tx.GetPasswordPolicy(account)
	if errors.Is(err, store.ErrNotFound) {
		return 0, nil
	}
	return p.MaxPasswordAge, err
}

// getCredentialReport returns the last report, base64-encoded on the wire
// (the SDKs decode the blob). The messages are the IAM API reference's
// descriptions of the errors: AWS's own answer carries no message (the AWS
// CLI prints "Unknown", prowler-cloud/prowler#272).
func (s *Service) getCredentialReport(ctx context.Context, c *service.Call, _ *service.Empty) (*iamapi.GetCredentialReportResponse, error) {
	var r store.CredentialReport
	err := s.store.View(ctx, func(tx store.Tx) error {
		var err error
		r, err = tx.GetCredentialReport(c.AccountID)
		return err
	})
	switch {
	case errors.Is(err, store.ErrNotFound):
		return nil, wireError("ReportNotPresent", "The request was rejected because the credential report does not exist. To generate a credential report, use GenerateCredentialReport.")
	case err != nil:
		return nil, storeError(err)
	case c.Now.Sub(r.Generated) >= credentialReportTTL:
		return nil, wireError("ReportExpired", "The request was rejected because the most recent credential report has expired. To generate a new credential report, use GenerateCredentialReport.")
	}
	return &iamapi.GetCredentialReportResponse{
		Content:       r.Content,
		ReportFormat:  ptr(iamapi.ReportFormatTypeTextCsv),
		GeneratedTime: ptr(r.Generated),
	}, nil
}
