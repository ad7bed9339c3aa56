package awsquery_test

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/iamd/iamd/awsquery"
	"github.com/iamd/iamd/internal/iamapi"
)

const formType = "application/x-www-form-urlencoded"

func TestParseParams(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name        string
		method      string
		query       string
		contentType string
		body        string
		want        url.Values
	}{
		{"POST form body", "POST", "", formType, "Action=ListUsers&Version=2010-05-08",
			url.Values{"Action": {"ListUsers"}, "Version": {"2010-05-08"}}},
		{"GET query string", "GET", "Action=GetUser&UserName=bob", "", "",
			url.Values{"Action": {"GetUser"}, "UserName": {"bob"}}},
		{"query string and body merge", "POST", "Action=CreateUser", formType, "UserName=bob",
			url.Values{"Action": {"CreateUser"}, "UserName": {"bob"}}},
		{"percent-encoding and plus", "POST", "", formType, "Path=%2Fa%20b%2F&Name=a+b&Doc=%7B%22x%22%3A1%7D",
			url.Values{"Path": {"/a b/"}, "Name": {"a b"}, "Doc": {`{"x":1}`}}},
		{"semicolon is a character, not a separator", "POST", "", formType, "A=1;B=2",
			url.Values{"A": {"1;B=2"}}},
		{"empty pairs and values", "POST", "", formType, "&&Tags=&Flag&",
			url.Values{"Tags": {""}, "Flag": {""}}},
		{"charset utf-8 in any case", "POST", "", formType + "; charset=UTF-8", "A=%C3%A9",
			url.Values{"A": {"é"}}},
		{"media type in any case", "POST", "", "Application/X-WWW-Form-URLEncoded", "A=1",
			url.Values{"A": {"1"}}},
		{"empty body with another content type", "POST", "A=1", "application/json", "",
			url.Values{"A": {"1"}}},
		{"parameter without name ignored", "POST", "", formType, "=x&A=1",
			url.Values{"A": {"1"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := httptest.NewRequest(tc.method, "/?"+tc.query, strings.NewReader(tc.body))
			if tc.contentType != "" {
				r.Header.Set("Content-Type", tc.contentType)
			}
			got, err := awsquery.ParseParams(r, []byte(tc.body))
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("got %v, want %v", got, tc.want)
			}
		})
	}
}

func TestParseParamsRejects(t *testing.T) {
	t.Parallel()
	var b strings.Builder
	for i := 0; i <= awsquery.MaxParams; i++ {
		b.WriteString("p" + strconv.Itoa(i) + "=1&")
	}
	many := b.String()
	for _, tc := range []struct {
		name        string
		query       string
		contentType string
		body        string
		code        string
		status      int
	}{
		{"duplicate in the body", "", formType, "UserName=a&UserName=b", "InvalidQueryParameter", 400},
		{"duplicate in the query string", "UserName=a&UserName=b", "", "", "InvalidQueryParameter", 400},
		{"duplicate across query string and body", "UserName=a", formType, "UserName=b", "InvalidQueryParameter", 400},
		{"duplicate with the same value", "", formType, "A=1&A=1", "InvalidQueryParameter", 400},
		{"duplicate spelled differently", "", formType, "UserName=a&User%4Eame=b", "InvalidQueryParameter", 400},
		{"bad escape", "", formType, "A=%zz", "MalformedQueryString", 404},
		{"truncated escape", "", formType, "A=%4", "MalformedQueryString", 404},
		{"escape at the end", "", formType, "A=abc%", "MalformedQueryString", 404},
		{"bad escape in a name", "A%G1=1", "", "", "MalformedQueryString", 404},
		{"invalid UTF-8 value", "", formType, "A=%ff%fe", "MalformedQueryString", 404},
		{"invalid UTF-8 name", "", formType, "%c3=1", "MalformedQueryString", 404},
		{"raw invalid UTF-8", "", formType, "A=\xff", "MalformedQueryString", 404},
		{"JSON body", "", "application/json", `{"Action":"ListUsers"}`, "UnsupportedMediaType", 415},
		{"body without content type", "", "", "Action=ListUsers", "UnsupportedMediaType", 415},
		{"unparsable content type", "", "form;;=", "A=1", "UnsupportedMediaType", 415},
		{"other charset", "", formType + "; charset=iso-8859-1", "A=1", "UnsupportedMediaType", 415},
		{"too many parameters", "", formType, many, "InvalidQueryParameter", 400},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := &http.Request{Method: "POST", URL: &url.URL{Path: "/", RawQuery: tc.query}, Header: http.Header{}}
			if tc.contentType != "" {
				r.Header.Set("Content-Type", tc.contentType)
			}
			_, err := awsquery.ParseParams(r, []byte(tc.body))
			e, ok := errors.AsType[*awsquery.Error](err)
			if !ok {
				t.Fatalf("ParseParams error = %v, want %s", err, tc.code)
			}
			if e.Code != tc.code || e.Status != tc.status || !e.Sender || e.Message == "" {
				t.Fatalf("error %+v, want %s %d", e, tc.code, tc.status)
			}
		})
	}
}

func TestParseParamsLargeValue(t *testing.T) {
	t.Parallel()
	body := "Action=CreateUser&UserName=" + strings.Repeat("%41", 1<<20)
	r := httptest.NewRequest("POST", "/", nil)
	r.Header.Set("Content-Type", formType)
	got, err := awsquery.ParseParams(r, []byte(body))
	if err != nil {
		t.Fatal(err)
	}
	if v := got.Get("UserName"); len(v) != 1<<20 || strings.Trim(v, "A") != "" {
		t.Fatalf("decoded a value of %d bytes", len(v))
	}
}

// TestGarbageRequests sends whole bad requests through ParseParams and
// Decode, as the server does: each gets an AWS-style 4xx error.
func TestGarbageRequests(t *testing.T) {
	t.Parallel()
	m := iamapi.Model()
	for _, tc := range []struct {
		name, contentType, body, code string
	}{
		{"truncated form", formType, "Action=CreateUser&UserName=bob&Tags.member.1.Key=k&Tags.mem", "ValidationError"},
		{"truncated escape", formType, "Action=CreateUser&UserName=bo%6", "MalformedQueryString"},
		{"bad escape", formType, "Action=CreateUser&UserName=%zz", "MalformedQueryString"},
		{"invalid UTF-8", formType, "Action=CreateUser&UserName=%c3%28", "MalformedQueryString"},
		{"duplicate", formType, "Action=CreateUser&UserName=a&UserName=b", "InvalidQueryParameter"},
		{"binary", formType, "\x00\x01\x02\xff=\xfe", "MalformedQueryString"},
		{"JSON", "application/x-amz-json-1.1", `{"UserName":"bob"}`, "UnsupportedMediaType"},
		{"10 MB value", formType, "Action=CreateUser&UserName=" + strings.Repeat("a", 10<<20), "ValidationError"},
		{"huge index", formType, "Action=CreateUser&UserName=bob&Tags.member.999999999.Key=k&Tags.member.999999999.Value=v", "InvalidParameterValue"},
		// Paths that go below a scalar name no member: ignored, as AWS
		// ignores unknown parameters.
		{"path below a scalar", formType, "Action=CreateUser&UserName=bob&Tags.member.1.Key.a.b.c.d.e.f=x&UserName.x=y", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := httptest.NewRequest("POST", "/", nil)
			r.Header.Set("Content-Type", tc.contentType)
			params, err := awsquery.ParseParams(r, []byte(tc.body))
			var in iamapi.CreateUserRequest
			if err == nil {
				err = m.Decode("CreateUser", params, &in)
			}
			if tc.code == "" {
				if err != nil || !reflect.DeepEqual(in, iamapi.CreateUserRequest{UserName: "bob"}) {
					t.Fatalf("decoded %+v, %v; want only the user name", in, err)
				}
				return
			}
			e, ok := errors.AsType[*awsquery.Error](err)
			if !ok || e.Code != tc.code || e.Status < 400 || e.Status > 499 {
				t.Fatalf("error = %v, want %s", err, tc.code)
			}
		})
	}
}
