package awsquery_test

import (
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/iamd/iamd/awsquery"
	"github.com/iamd/iamd/internal/iamapi"
)

// createUserBody is what the AWS CLI sends for
// aws iam create-user --user-name ... --path ... --tags (3 tags).
const createUserBody = "Action=CreateUser&Version=2010-05-08&UserName=alice.smith&Path=%2Fengineering%2Fplatform%2F" +
	"&Tags.member.1.Key=team&Tags.member.1.Value=platform&Tags.member.2.Key=cost-center&Tags.member.2.Value=4711" +
	"&Tags.member.3.Key=email&Tags.member.3.Value=alice%40example.com"

func BenchmarkParseParamsCreateUser(b *testing.B) {
	r := &http.Request{Method: "POST", URL: &url.URL{Path: "/"}, Header: http.Header{"Content-Type": {"application/x-www-form-urlencoded; charset=utf-8"}}}
	body := []byte(createUserBody)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := awsquery.ParseParams(r, body); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDecodeCreateUserWithTags(b *testing.B) {
	m := iamapi.Model()
	params, err := url.ParseQuery(createUserBody)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		var in iamapi.CreateUserRequest
		if err := m.Decode("CreateUser", params, &in); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDecodeValidationError(b *testing.B) {
	m := iamapi.Model()
	params := url.Values{"UserName": {strings.Repeat("x", 65)}, "Tags.member.1.Key": {"bad#"}, "Tags.member.1.Value": {"v"}}
	b.ReportAllocs()
	for b.Loop() {
		var in iamapi.CreateUserRequest
		if err := m.Decode("CreateUser", params, &in); err == nil {
			b.Fatal("no error")
		}
	}
}

func BenchmarkEncodeListUsers100(b *testing.B) {
	m := iamapi.Model()
	out := &iamapi.ListUsersResponse{IsTruncated: ptr(true), Marker: ptr("bWFya2Vy")}
	for i := range 100 {
		name := "user-" + strconv.Itoa(i)
		out.Users = append(out.Users, iamapi.User{Path: "/", UserName: name, UserId: "AIDAEXAMPLE" + strconv.Itoa(i),
			Arn: "arn:aws:iam::123456789012:user/" + name, CreateDate: created})
	}
	b.ReportAllocs()
	for b.Loop() {
		if err := m.Encode(io.Discard, "ListUsers", out, "b5e0c1c9-5e6f-4c2b-9d7e-0d6a3c1f2a11"); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkWriteError(b *testing.B) {
	e := iamapi.Model().Errorf("NoSuchEntity", "The user with name bob cannot be found.")
	w := discardWriter{h: http.Header{}}
	b.ReportAllocs()
	for b.Loop() {
		awsquery.WriteError(w, e, "https://iam.amazonaws.com/doc/2010-05-08/", "b5e0c1c9-5e6f-4c2b-9d7e-0d6a3c1f2a11")
	}
}

type discardWriter struct{ h http.Header }

func (d discardWriter) Header() http.Header         { return d.h }
func (d discardWriter) Write(p []byte) (int, error) { return len(p), nil }
func (d discardWriter) WriteHeader(int)             {}
