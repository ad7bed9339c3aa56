package awsquery_test

import (
	"encoding/xml"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"testing"

	"github.com/iamd/iamd/awsquery"
	"github.com/iamd/iamd/internal/iamapi"
	"github.com/iamd/iamd/internal/stsapi"
)

// FuzzParseAndDecode feeds arbitrary query strings and bodies through
// ParseParams and Decode of an operation picked by the input: any outcome
// but a panic, a non-wire error, or a success with a value that does not
// encode is fine.
func FuzzParseAndDecode(f *testing.F) {
	for _, seed := range []struct {
		op          uint16
		query, body string
	}{
		{0, "", "Action=CreateUser&UserName=bob&Tags.member.1.Key=k&Tags.member.1.Value=v"},
		{1, "Action=ListUsers&MaxItems=10", ""},
		{2, "", "UserName=bob&TagKeys.member.1=a&TagKeys.member.2=b"},
		{3, "", "RoleArn=arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2Fr&RoleSessionName=s&PolicyArns.member.1.arn=arn%3Aaws%3Aiam%3A%3Aaws%3Apolicy%2FReadOnlyAccess&DurationSeconds=900"},
		{4, "", "ContextEntries.member.1.ContextKeyValues.member.1=x&ContextEntries.member.1.ContextKeyName=k&ContextEntries.member.1.ContextKeyType=string"},
		{5, "", "Tags.member.999999999.Key=k&Tags.member.0.Value=%zz"},
		{6, "", "Password=%ff%fe&UserName="},
		{7, "A=1&A=2", "A=3"},
	} {
		f.Add(seed.op, seed.query, []byte(seed.body))
	}
	type target struct {
		m   *awsquery.Model
		op  string
		typ reflect.Type
	}
	var targets []target
	for _, name := range iamapi.OperationNames {
		if t := iamapi.Operations[name]; t.Input != nil {
			targets = append(targets, target{iamapi.Model(), name, t.Input})
		}
	}
	for _, name := range stsapi.OperationNames {
		if t := stsapi.Operations[name]; t.Input != nil {
			targets = append(targets, target{stsapi.Model(), name, t.Input})
		}
	}
	// Put the operations the seeds are written for first.
	for i, name := range []string{"CreateUser", "ListUsers", "UntagUser", "AssumeRole", "SimulateCustomPolicy", "TagUser", "CreateLoginProfile"} {
		for j := range targets {
			if targets[j].op == name {
				targets[i], targets[j] = targets[j], targets[i]
			}
		}
	}
	f.Fuzz(func(t *testing.T, op uint16, query string, body []byte) {
		tg := targets[int(op)%len(targets)]
		r := &http.Request{Method: "POST", URL: &url.URL{Path: "/", RawQuery: query}, Header: http.Header{}}
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		params, err := awsquery.ParseParams(r, body)
		if err != nil {
			checkWireError(t, tg.m, err)
			return
		}
		// Decoding walks a map in random order: it must still be
		// deterministic, in its value and in its error.
		first, second := reflect.New(tg.typ), reflect.New(tg.typ)
		err1 := tg.m.Decode(tg.op, params, first.Interface())
		err2 := tg.m.Decode(tg.op, params, second.Interface())
		if (err1 == nil) != (err2 == nil) || err1 != nil && err1.Error() != err2.Error() {
			t.Fatalf("Decode is not deterministic: %v / %v", err1, err2)
		}
		if err1 != nil {
			checkWireError(t, tg.m, err1)
			return
		}
		if !reflect.DeepEqual(first.Interface(), second.Interface()) {
			t.Fatalf("Decode is not deterministic: %+v / %+v", first, second)
		}
	})
}

// checkWireError requires a wire error whose document parses back to its
// code and status.
func checkWireError(t *testing.T, m *awsquery.Model, err error) {
	t.Helper()
	e, ok := errors.AsType[*awsquery.Error](err)
	if !ok {
		t.Fatalf("non-wire error: %v", err)
	}
	if e.Status < 400 || e.Status > 499 || !e.Sender {
		t.Fatalf("bad input answered with %d (sender %v): %v", e.Status, e.Sender, e)
	}
	w := httptest.NewRecorder()
	awsquery.WriteError(w, e, m.Namespace(), "r")
	var doc struct {
		Code string `xml:"Error>Code"`
	}
	if err := xml.Unmarshal(w.Body.Bytes(), &doc); err != nil || doc.Code != e.Code || w.Code != e.Status {
		t.Fatalf("error document does not parse back (%v, %q, %d): %s", err, doc.Code, w.Code, w.Body.String())
	}
}
