package e2e_test

import (
	"encoding/xml"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/iamd/iamd/sigv4"
)

// TestPresignedAndSkew drives the server with requests signed by iamd's
// sigv4 package: a presigned GET URL (query-string authentication), stale
// and future dates, an expired presigned URL, a tampered one.
func TestPresignedAndSkew(t *testing.T) {
	t.Parallel()
	in := start(t, "")
	admin := in.adminCreds(t)
	c := sigv4.Credentials{AccessKeyID: admin.ID, SecretAccessKey: admin.Secret}
	get := func(t *testing.T, u string) (int, errorResponse, string) {
		t.Helper()
		resp, err := http.Get(u)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		var e errorResponse
		_ = xml.Unmarshal(b, &e)
		return resp.StatusCode, e, string(b)
	}
	presign := func(t *testing.T, at time.Time, expires time.Duration) string {
		t.Helper()
		r, _ := http.NewRequest("GET", in.URL+"/?Action=GetCallerIdentity&Version=2011-06-15", nil)
		u, err := sigv4.Presign(r, nil, c, "us-east-1", "sts", at, expires)
		if err != nil {
			t.Fatal(err)
		}
		return u
	}
	t.Run("presigned GET", func(t *testing.T) {
		status, _, body := get(t, presign(t, time.Now(), 5*time.Minute))
		if status != 200 || !strings.Contains(body, ":user/admin</Arn>") {
			t.Fatalf("presigned GetCallerIdentity: %d %s", status, body)
		}
	})
	// AWS's Query services keep a presigned URL valid for the longer of
	// X-Amz-Expires and the 15-minute skew window (EKS tokens presigned
	// with X-Amz-Expires=60 rely on that); past both it is refused.
	t.Run("presigned URL within its expiry", func(t *testing.T) {
		if status, _, body := get(t, presign(t, time.Now().Add(-50*time.Minute), time.Hour)); status != 200 {
			t.Fatalf("presigned URL inside X-Amz-Expires refused: %d %s", status, body)
		}
		if status, _, body := get(t, presign(t, time.Now().Add(-10*time.Minute), time.Minute)); status != 200 {
			t.Fatalf("presigned URL inside the skew window refused: %d %s", status, body)
		}
	})
	t.Run("presigned URL expired", func(t *testing.T) {
		for _, c := range []struct{ age, expires time.Duration }{{61 * time.Minute, time.Hour}, {20 * time.Minute, time.Minute}} {
			status, e, body := get(t, presign(t, time.Now().Add(-c.age), c.expires))
			if status != 403 || !strings.Contains(e.Message, "expired") {
				t.Fatalf("presigned %v ago for %v: %d %s", c.age, c.expires, status, body)
			}
		}
	})
	t.Run("tampered presigned URL", func(t *testing.T) {
		u := strings.Replace(presign(t, time.Now(), time.Minute), "GetCallerIdentity", "GetAccessKeyInfo", 1)
		status, e, _ := get(t, u)
		if status != 403 || e.Code != "SignatureDoesNotMatch" {
			t.Fatalf("tampered URL: %d %s", status, e.Code)
		}
	})
	for _, skew := range []time.Duration{-20 * time.Minute, 20 * time.Minute} {
		t.Run("header signature skewed "+skew.String(), func(t *testing.T) {
			body := "Action=GetCallerIdentity&Version=2011-06-15"
			r, _ := http.NewRequest("POST", in.URL+"/", strings.NewReader(body))
			r.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
			if err := sigv4.Sign(r, []byte(body), c, "us-east-1", "sts", time.Now().Add(skew)); err != nil {
				t.Fatal(err)
			}
			resp, err := http.DefaultClient.Do(r)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			b, _ := io.ReadAll(resp.Body)
			var e errorResponse
			_ = xml.Unmarshal(b, &e)
			want := "Signature expired"
			if skew > 0 {
				want = "Signature not yet current"
			}
			if resp.StatusCode != 403 || !strings.Contains(e.Message, want) {
				t.Fatalf("skewed request: %d %s %s", resp.StatusCode, e.Code, e.Message)
			}
		})
	}
}
