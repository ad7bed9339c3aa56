package e2e_test

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

type errorResponse struct {
	XMLName xml.Name `xml:"ErrorResponse"`
	Type    string   `xml:"Error>Type"`
	Code    string   `xml:"Error>Code"`
	Message string   `xml:"Error>Message"`
	Request string   `xml:"RequestId"`
}

// post sends a raw request and returns status and body.
func post(t *testing.T, method, u, contentType string, body []byte) (int, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, u, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

func TestEmulator(t *testing.T) {
	t.Parallel()
	in := start(t, "", "--emulator")
	cx := ctx(t)
	anyKey := creds{ID: "AKIAUNKNOWNKEY000000", Secret: "whatever"}
	id, err := in.STS(anyKey).GetCallerIdentity(cx, &sts.GetCallerIdentityInput{})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(id.Arn) != "arn:aws:sts::123456789012:user/moto" || aws.ToString(id.UserId) != "AKIAIOSFODNN7EXAMPLE" || aws.ToString(id.Account) != "123456789012" {
		t.Errorf("emulator identity %s %s %s", aws.ToString(id.Arn), aws.ToString(id.UserId), aws.ToString(id.Account))
	}
	c := in.IAM(anyKey)
	me, err := c.GetUser(cx, &iam.GetUserInput{})
	if err != nil || aws.ToString(me.User.UserName) != "default_user" || aws.ToString(me.User.Arn) != "arn:aws:iam::123456789012:user/default_user" {
		t.Errorf("GetUser() in emulator = %+v, %v; want moto's default_user", me, err)
	}
	if _, err := c.CreateUser(cx, &iam.CreateUserInput{UserName: aws.String("bob")}); err != nil {
		t.Fatal(err)
	}
	status, body := post(t, "POST", in.URL+"/moto-api/reset", "", nil)
	if status != 200 || !strings.Contains(string(body), `"ok"`) {
		t.Fatalf("reset: %d %s", status, body)
	}
	_, err = c.GetUser(cx, &iam.GetUserInput{UserName: aws.String("bob")})
	apiErr(t, err, "NoSuchEntity", "")

	resetAuth := func(v string) map[string]string {
		t.Helper()
		status, body := post(t, "POST", in.URL+"/moto-api/reset-auth", "text/plain", []byte(v))
		if status != 200 {
			t.Fatalf("reset-auth %s: %d %s", v, status, body)
		}
		var m map[string]string
		if err := json.Unmarshal(body, &m); err != nil {
			t.Fatalf("reset-auth answer %s: %v", body, err)
		}
		return m
	}
	if m := resetAuth("2"); m["status"] != "ok" || m["PREVIOUS_INITIAL_NO_AUTH_ACTION_COUNT"] != "inf" {
		t.Errorf("first reset-auth answered %v", m)
	}
	// Two requests are free, the third is authenticated.
	for i := range 2 {
		if _, err := in.STS(anyKey).GetCallerIdentity(cx, &sts.GetCallerIdentityInput{}); err != nil {
			t.Fatalf("free request %d: %v", i, err)
		}
	}
	// The management endpoints do not count.
	post(t, "POST", in.URL+"/moto-api/reset", "", nil)
	_, err = in.STS(anyKey).GetCallerIdentity(cx, &sts.GetCallerIdentityInput{})
	apiErr(t, err, "InvalidClientTokenId", "")
	if m := resetAuth("3.0"); m["PREVIOUS_INITIAL_NO_AUTH_ACTION_COUNT"] != "2.0" {
		t.Errorf("previous count echoed as %q, want 2.0", m["PREVIOUS_INITIAL_NO_AUTH_ACTION_COUNT"])
	}
	if m := resetAuth("inf"); m["PREVIOUS_INITIAL_NO_AUTH_ACTION_COUNT"] != "3.0" {
		t.Errorf("previous count echoed as %q, want 3.0", m["PREVIOUS_INITIAL_NO_AUTH_ACTION_COUNT"])
	}
	if status, _ := post(t, "POST", in.URL+"/moto-api/reset-auth", "text/plain", []byte("lots")); status != 400 {
		t.Errorf("reset-auth with a non-number answered %d, want 400", status)
	}
}

func TestStrictHasNoMotoAPI(t *testing.T) {
	t.Parallel()
	in := start(t, "")
	for _, p := range []string{"/moto-api/reset", "/moto-api/reset-auth"} {
		status, body := post(t, "POST", in.URL+p, "text/plain", []byte("0"))
		if status == 200 {
			t.Errorf("%s answered 200 on a strict server: %s", p, body)
		}
	}
	// Nothing was wiped: the admin still works.
	if _, err := in.STS(in.adminCreds(t)).GetCallerIdentity(ctx(t), &sts.GetCallerIdentityInput{}); err != nil {
		t.Fatal(err)
	}
}

// TestBadInput sends malformed requests of every kind: each gets an
// AWS-style error with a 4xx status, never a 500 or a crash, and changes
// nothing.
func TestBadInput(t *testing.T) {
	t.Parallel()
	in := start(t, "", "--emulator")
	form := "application/x-www-form-urlencoded; charset=utf-8"
	huge := append([]byte("Action=CreateUser&Version=2010-05-08&UserName=x&Path="), bytes.Repeat([]byte("a"), 10<<20)...)
	cases := []struct {
		name, method, query, ctype string
		body                       []byte
		code                       string
	}{
		{"garbage body", "POST", "", form, []byte("\x00\x01\x02garbage%%%&&=="), ""},
		{"truncated form", "POST", "", form, []byte("Action=CreateUser&Version=2010-05-08&UserName=tr%2"), ""},
		{"10 MB value", "POST", "", form, huge, ""},
		{"json content type", "POST", "", "application/json", []byte(`{"Action":"CreateUser","UserName":"j"}`), ""},
		{"invalid utf-8", "POST", "", form, []byte("Action=CreateUser&Version=2010-05-08&UserName=%ff%fe"), ""},
		{"duplicate parameter", "POST", "", form, []byte("Action=CreateUser&Version=2010-05-08&UserName=d1&UserName=d2"), ""},
		{"query and body both", "POST", "?UserName=q1", form, []byte("Action=CreateUser&Version=2010-05-08&UserName=q2"), ""},
		{"unknown action", "POST", "", form, []byte("Action=CreateUnicorn&Version=2010-05-08"), "InvalidAction"},
		{"missing action", "POST", "", form, []byte("Version=2010-05-08&UserName=m"), ""},
		{"missing required", "POST", "", form, []byte("Action=CreateUser&Version=2010-05-08"), "ValidationError"},
		{"huge list index", "POST", "", form, []byte("Action=CreateUser&Version=2010-05-08&UserName=l&Tags.member.999999999.Key=k"), ""},
		{"empty body", "POST", "", form, nil, ""},
		{"bad method", "DELETE", "", "", nil, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			status, body := post(t, c.method, in.URL+"/"+c.query, c.ctype, c.body)
			if status < 400 || status >= 500 {
				t.Fatalf("status %d, want 4xx; body %.300s", status, body)
			}
			var e errorResponse
			if err := xml.Unmarshal(body, &e); err != nil || e.Code == "" || e.Message == "" || e.Request == "" {
				t.Fatalf("not an AWS ErrorResponse (%v): %.300s", err, body)
			}
			if c.code != "" && e.Code != c.code {
				t.Errorf("code %s, want %s (%s)", e.Code, c.code, e.Message)
			}
		})
	}
	// Nothing was created by any of them.
	users, err := in.IAM(creds{ID: "testing", Secret: "testing"}).ListUsers(ctx(t), &iam.ListUsersInput{})
	if err != nil {
		t.Fatal(err)
	}
	if len(users.Users) != 0 {
		t.Errorf("bad requests created users: %+v", users.Users)
	}
}

// TestUnsignedAndGet: strict mode refuses unsigned calls with AWS's error;
// GET with query parameters is served like POST.
func TestUnsignedAndGet(t *testing.T) {
	t.Parallel()
	strict := start(t, "")
	status, body := post(t, "POST", strict.URL+"/", "application/x-www-form-urlencoded", []byte("Action=ListUsers&Version=2010-05-08"))
	var e errorResponse
	_ = xml.Unmarshal(body, &e)
	if status != 403 || e.Code != "MissingAuthenticationToken" {
		t.Errorf("unsigned ListUsers: %d %s", status, body)
	}
	emu := start(t, "", "--emulator")
	q := url.Values{"Action": {"GetCallerIdentity"}, "Version": {"2011-06-15"}}
	status, body = post(t, "GET", emu.URL+"/?"+q.Encode(), "", nil)
	if status != 200 || !strings.Contains(string(body), "<GetCallerIdentityResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">") {
		t.Errorf("GET GetCallerIdentity: %d %s", status, body)
	}
}
