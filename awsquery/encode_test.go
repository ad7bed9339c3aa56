package awsquery_test

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/iamd/iamd/awsquery"
	"github.com/iamd/iamd/internal/iamapi"
	"github.com/iamd/iamd/internal/stsapi"
)

var created = time.Date(2013, 6, 8, 3, 20, 41, 270e6, time.UTC)

func TestEncode(t *testing.T) {
	t.Parallel()
	iam, sts := iamapi.Model(), stsapi.Model()
	test := loadTestModel(t)
	const iamNS = `xmlns="https://iam.amazonaws.com/doc/2010-05-08/"`
	for _, tc := range []struct {
		name  string
		model *awsquery.Model
		op    string
		out   any
		want  string
	}{
		{"CreateUser: members in model order, optional nil left out, timestamp to the second", iam, "CreateUser",
			&iamapi.CreateUserResponse{User: &iamapi.User{Path: "/", UserName: "Bob", UserId: "AIDAEXAMPLE", Arn: "arn:aws:iam::123456789012:user/Bob", CreateDate: created}},
			`<CreateUserResponse ` + iamNS + `><CreateUserResult><User><Path>/</Path><UserName>Bob</UserName><UserId>AIDAEXAMPLE</UserId>` +
				`<Arn>arn:aws:iam::123456789012:user/Bob</Arn><CreateDate>2013-06-08T03:20:41Z</CreateDate></User></CreateUserResult>` +
				`<ResponseMetadata><RequestId>req-1</RequestId></ResponseMetadata></CreateUserResponse>` + "\n"},
		{"ListUsers: required empty list present, boolean", iam, "ListUsers",
			iamapi.ListUsersResponse{IsTruncated: ptr(false)},
			`<ListUsersResponse ` + iamNS + `><ListUsersResult><Users></Users><IsTruncated>false</IsTruncated></ListUsersResult>` +
				`<ResponseMetadata><RequestId>req-1</RequestId></ResponseMetadata></ListUsersResponse>` + "\n"},
		{"ListUserTags: list of structures", iam, "ListUserTags",
			&iamapi.ListUserTagsResponse{Tags: []iamapi.Tag{{Key: "a", Value: "1"}, {Key: "b", Value: ""}}, IsTruncated: ptr(true), Marker: ptr("m")},
			`<ListUserTagsResponse ` + iamNS + `><ListUserTagsResult><Tags><member><Key>a</Key><Value>1</Value></member>` +
				`<member><Key>b</Key><Value></Value></member></Tags><IsTruncated>true</IsTruncated><Marker>m</Marker></ListUserTagsResult>` +
				`<ResponseMetadata><RequestId>req-1</RequestId></ResponseMetadata></ListUserTagsResponse>` + "\n"},
		{"GetAccountSummary: map entries sorted by key", iam, "GetAccountSummary",
			&iamapi.GetAccountSummaryResponse{SummaryMap: map[string]int32{"Users": 3, "Groups": 1}},
			`<GetAccountSummaryResponse ` + iamNS + `><GetAccountSummaryResult><SummaryMap><entry><key>Groups</key><value>1</value></entry>` +
				`<entry><key>Users</key><value>3</value></entry></SummaryMap></GetAccountSummaryResult>` +
				`<ResponseMetadata><RequestId>req-1</RequestId></ResponseMetadata></GetAccountSummaryResponse>` + "\n"},
		{"operation without output: no Result element", iam, "AddUserToGroup", nil,
			`<AddUserToGroupResponse ` + iamNS + `><ResponseMetadata><RequestId>req-1</RequestId></ResponseMetadata></AddUserToGroupResponse>` + "\n"},
		{"STS credentials", sts, "GetSessionToken",
			&stsapi.GetSessionTokenResponse{Credentials: &stsapi.Credentials{AccessKeyId: "ASIAEXAMPLE", SecretAccessKey: "s", SessionToken: "t", Expiration: created}},
			`<GetSessionTokenResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetSessionTokenResult><Credentials>` +
				`<AccessKeyId>ASIAEXAMPLE</AccessKeyId><SecretAccessKey>s</SecretAccessKey><SessionToken>t</SessionToken>` +
				`<Expiration>2013-06-08T03:20:41Z</Expiration></Credentials></GetSessionTokenResult>` +
				`<ResponseMetadata><RequestId>req-1</RequestId></ResponseMetadata></GetSessionTokenResponse>` + "\n"},
		{"every form of the test model", test, "Put",
			&putOut{Name: "n", Flat: []string{"f1", "f2"}, Named: []string{"i"}, Attrs: map[string]string{"k": "v"},
				FlatAttrs: map[string]int32{"b": 2, "a": 1}, When: created.In(time.FixedZone("X", 3600)), Data: []byte("hi"),
				Ratio: ptr(0.25), Flag: ptr(true), Count: ptr(int32(-3)), Inner: &inner{Id: "x", Deep: &inner2{Leaf: ptr(int32(9))}}, Renamed: ptr("r")},
			`<PutResponse xmlns="https://t.example.com/doc/2020-01-01/"><PutResult><Name>n</Name><Items></Items>` +
				`<Flat>f1</Flat><Flat>f2</Flat><Named><item>i</item></Named><Attrs><entry><key>k</key><value>v</value></entry></Attrs>` +
				`<FlatAttrs><Name>a</Name><Val>1</Val></FlatAttrs><FlatAttrs><Name>b</Name><Val>2</Val></FlatAttrs>` +
				`<When>2013-06-08T03:20:41Z</When><Data>aGk=</Data><Ratio>0.25</Ratio><Flag>true</Flag><Count>-3</Count>` +
				`<Inner><Id>x</Id><Deep><Leaf>9</Leaf></Deep></Inner><OtherName>r</OtherName></PutResult>` +
				`<ResponseMetadata><RequestId>req-1</RequestId></ResponseMetadata></PutResponse>` + "\n"},
		{"output shape with a nil output", test, "Put", (*putOut)(nil),
			`<PutResponse xmlns="https://t.example.com/doc/2020-01-01/"><PutResult></PutResult>` +
				`<ResponseMetadata><RequestId>req-1</RequestId></ResponseMetadata></PutResponse>` + "\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var b bytes.Buffer
			if err := tc.model.Encode(&b, tc.op, tc.out, "req-1"); err != nil {
				t.Fatal(err)
			}
			if b.String() != tc.want {
				t.Fatalf("encoded\n%s\nwant\n%s", b.String(), tc.want)
			}
		})
	}
}

// TestEncodeEscapes checks that any string survives the trip through XML:
// markup characters and carriage returns as themselves, characters XML
// cannot carry as U+FFFD.
func TestEncodeEscapes(t *testing.T) {
	t.Parallel()
	m := iamapi.Model()
	for _, tc := range []struct{ name, in, want string }{
		{"markup", `<a href="x">&'</a>`, `<a href="x">&'</a>`},
		{"policy document whitespace", "{\n\t\"Version\": \"2012-10-17\"\r\n}", "{\n\t\"Version\": \"2012-10-17\"\r\n}"},
		{"control characters", "a\x00b\x01c\x1fd", "a\uFFFDb\uFFFDc\uFFFDd"},
		{"invalid UTF-8", "a\xffb\xc3", "a\uFFFDb\uFFFD"},
		{"non-characters", "a\uFFFEb\uFFFF", "a\uFFFDb\uFFFD"},
		{"non-ASCII", "ключ 値 😀", "ключ 値 😀"},
		{"CDATA terminator", "]]>", "]]>"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var b bytes.Buffer
			if err := m.Encode(&b, "GetUserPolicy", &iamapi.GetUserPolicyResponse{UserName: "u", PolicyName: "p", PolicyDocument: tc.in}, "r"); err != nil {
				t.Fatal(err)
			}
			var doc struct {
				Doc string `xml:"GetUserPolicyResult>PolicyDocument"`
			}
			if err := xml.Unmarshal(b.Bytes(), &doc); err != nil {
				t.Fatalf("encoded document does not parse: %v\n%s", err, b.String())
			}
			if doc.Doc != tc.want {
				t.Fatalf("parsed %q, want %q", doc.Doc, tc.want)
			}
		})
	}
}

func TestEncodeErrors(t *testing.T) {
	t.Parallel()
	m := iamapi.Model()
	var b bytes.Buffer
	if err := m.Encode(&b, "Frobnicate", nil, "r"); err == nil {
		t.Error("Encode accepted an unknown operation")
	}
	if err := m.Encode(&b, "CreateUser", &struct{ Nope int }{}, "r"); err == nil {
		t.Error("Encode accepted a type that does not match the output shape")
	}
	if err := m.Encode(failingWriter{}, "CreateUser", &iamapi.CreateUserResponse{}, "r"); err == nil {
		t.Error("Encode hid the writer's error")
	}
}

type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

func TestWriteError(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name       string
		err        *awsquery.Error
		ns         string
		wantStatus int
		wantBody   string
	}{
		{"sender", iamapi.Model().Errorf("NoSuchEntity", "The user with name bob cannot be found."), "https://iam.amazonaws.com/doc/2010-05-08/", 404,
			`<ErrorResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><Error><Type>Sender</Type><Code>NoSuchEntity</Code>` +
				`<Message>The user with name bob cannot be found.</Message></Error><RequestId>rid</RequestId></ErrorResponse>` + "\n"},
		{"receiver", awsquery.InternalFailure(), "ns", 500,
			`<ErrorResponse xmlns="ns"><Error><Type>Receiver</Type><Code>InternalFailure</Code>` +
				`<Message>The request processing has failed because of an unknown error, exception or failure.</Message></Error><RequestId>rid</RequestId></ErrorResponse>` + "\n"},
		{"escaped message", awsquery.ValidationError(`Value 'a<&>' at 'x'`), "ns", 400,
			`<ErrorResponse xmlns="ns"><Error><Type>Sender</Type><Code>ValidationError</Code>` +
				`<Message>Value &apos;a&lt;&amp;&gt;&apos; at &apos;x&apos;</Message></Error><RequestId>rid</RequestId></ErrorResponse>` + "\n"},
		{"missing status of a sender error", &awsquery.Error{Code: "X", Message: "m", Sender: true}, "ns", 400,
			`<ErrorResponse xmlns="ns"><Error><Type>Sender</Type><Code>X</Code><Message>m</Message></Error><RequestId>rid</RequestId></ErrorResponse>` + "\n"},
		{"nil error", nil, "ns", 500,
			`<ErrorResponse xmlns="ns"><Error><Type>Receiver</Type><Code>InternalFailure</Code>` +
				`<Message>The request processing has failed because of an unknown error, exception or failure.</Message></Error><RequestId>rid</RequestId></ErrorResponse>` + "\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			w := httptest.NewRecorder()
			awsquery.WriteError(w, tc.err, tc.ns, "rid")
			if w.Code != tc.wantStatus || w.Header().Get("Content-Type") != "text/xml" || w.Header().Get("x-amzn-RequestId") != "rid" {
				t.Fatalf("status %d headers %v", w.Code, w.Header())
			}
			if w.Body.String() != tc.wantBody {
				t.Fatalf("body\n%s\nwant\n%s", w.Body.String(), tc.wantBody)
			}
		})
	}
}

func TestErrorHelpers(t *testing.T) {
	t.Parallel()
	nse := awsquery.NewError("NoSuchEntity", 404, "The user with name %s cannot be found.", "bob")
	if nse.Error() != "NoSuchEntity: The user with name bob cannot be found." || !nse.Sender {
		t.Errorf("NewError = %+v (%s)", nse, nse)
	}
	if e := awsquery.AsError(fmt.Errorf("getting user: %w", nse)); e != nse {
		t.Errorf("AsError lost the wrapped wire error: %v", e)
	}
	if e := awsquery.AsError(errors.New("database is locked")); e.Code != "InternalFailure" || e.Status != 500 || e.Sender || strings.Contains(e.Message, "database") {
		t.Errorf("AsError of an internal error = %+v", e)
	}
	if awsquery.AsError(nil) != nil {
		t.Error("AsError(nil) is not nil")
	}
	if e := awsquery.InvalidAction("Frobnicate", "2010-05-08"); e.Message != "Could not find operation Frobnicate for version 2010-05-08" || e.Status != 400 {
		t.Errorf("InvalidAction = %+v", e)
	}
	if e := awsquery.NewError("ServiceUnavailable", 503, "busy"); e.Sender {
		t.Error("a 503 is the sender's fault")
	}
}

func TestWriteResponse(t *testing.T) {
	t.Parallel()
	m := iamapi.Model()
	w := httptest.NewRecorder()
	if err := m.WriteResponse(w, "GetUser", &iamapi.GetUserResponse{User: iamapi.User{Path: "/", UserName: "bob", UserId: "AIDA", Arn: "arn", CreateDate: created}}, "rid"); err != nil {
		t.Fatal(err)
	}
	if w.Code != 200 || w.Header().Get("Content-Type") != "text/xml" || w.Header().Get("x-amzn-RequestId") != "rid" ||
		w.Header().Get("Content-Length") != strconv.Itoa(w.Body.Len()) || !strings.Contains(w.Body.String(), "<UserName>bob</UserName>") {
		t.Fatalf("status %d headers %v body %s", w.Code, w.Header(), w.Body.String())
	}
	// A failure leaves the response unwritten, free for an error.
	w = httptest.NewRecorder()
	if err := m.WriteResponse(w, "GetUser", &struct{ Wrong bool }{}, "rid"); err == nil {
		t.Fatal("WriteResponse accepted a type that does not match the output shape")
	}
	if w.Body.Len() != 0 || len(w.Header()) != 0 {
		t.Fatalf("WriteResponse wrote %v %q before failing", w.Header(), w.Body.String())
	}
}
