package queryclient

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
)

func TestCall(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !strings.Contains(r.Header.Get("Authorization"), "/us-east-1/iam/aws4_request") {
			http.Error(w, "unsigned", http.StatusForbidden)
			return
		}
		r.ParseForm()
		switch r.Form.Get("Action") {
		case "GetUser":
			w.Write([]byte("<GetUserResponse><GetUserResult/></GetUserResponse>"))
		case "Wrong":
			w.Write([]byte("<OtherResponse/>"))
		default:
			w.WriteHeader(http.StatusNotFound)
			w.Write([]byte("<ErrorResponse><Error><Code>NoSuchEntity</Code><Message>gone</Message></Error></ErrorResponse>"))
		}
	}))
	defer srv.Close()
	c := New(srv.URL, aws.Credentials{AccessKeyID: "AKIAEXAMPLE", SecretAccessKey: "secret"}, 1)
	defer c.Close()
	tests := []struct {
		name, action string
		code         string // "" for success, "-" for a non-API error
	}{
		{"success", "GetUser", ""},
		{"API error", "DeleteUser", "NoSuchEntity"},
		{"wrong document", "Wrong", "-"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := c.Call(context.Background(), "iam", tc.action, url.Values{"UserName": {"x"}})
			var ae *APIError
			switch {
			case tc.code == "" && err != nil:
				t.Errorf("Call: %v", err)
			case tc.code == "-" && (err == nil || errors.As(err, &ae)):
				t.Errorf("Call: %v, want a non-API error", err)
			case tc.code != "" && tc.code != "-" && (!errors.As(err, &ae) || ae.Code != tc.code):
				t.Errorf("Call: %v, want %s", err, tc.code)
			}
		})
	}
}
