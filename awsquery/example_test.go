package awsquery_test

import (
	"fmt"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"

	"github.com/iamd/iamd/awsquery"
)

// exampleModel is a two-operation excerpt in botocore's format.
const exampleModel = `{
 "metadata": {"protocol": "query", "apiVersion": "2010-05-08", "xmlNamespace": "https://iam.amazonaws.com/doc/2010-05-08/"},
 "operations": {
  "TagUser": {"input": {"shape": "TagUserRequest"}},
  "GetUser": {"input": {"shape": "GetUserRequest"}, "output": {"shape": "GetUserResponse", "resultWrapper": "GetUserResult"}}
 },
 "shapes": {
  "TagUserRequest": {"type": "structure", "required": ["UserName", "Tags"],
                     "members": {"UserName": {"shape": "userName"}, "Tags": {"shape": "tagList"}}},
  "GetUserRequest": {"type": "structure", "members": {"UserName": {"shape": "userName"}}},
  "GetUserResponse": {"type": "structure", "required": ["UserName"], "members": {"UserName": {"shape": "userName"}}},
  "tagList": {"type": "list", "member": {"shape": "Tag"}, "max": 50},
  "Tag": {"type": "structure", "required": ["Key", "Value"], "members": {"Key": {"shape": "tagKey"}, "Value": {"shape": "tagValue"}}},
  "userName": {"type": "string", "min": 1, "max": 64, "pattern": "[\\w+=,.@-]+"},
  "tagKey": {"type": "string", "min": 1, "max": 128},
  "tagValue": {"type": "string", "max": 256},
  "NoSuchEntityException": {"type": "structure", "members": {}, "error": {"code": "NoSuchEntity", "httpStatusCode": 404, "senderFault": true}, "exception": true}
 }
}`

// The generated types follow the model's names.
type TagUserRequest struct {
	UserName string
	Tags     []Tag
}

type Tag struct {
	Key, Value string
}

type GetUserResponse struct {
	UserName string
}

func ExampleModel_Decode() {
	m, err := awsquery.LoadModel([]byte(exampleModel))
	if err != nil {
		panic(err)
	}
	params, _ := url.ParseQuery("Action=TagUser&Version=2010-05-08&UserName=bob" +
		"&Tags.member.2.Key=team&Tags.member.2.Value=infra&Tags.member.1.Key=env&Tags.member.1.Value=prod")
	var in TagUserRequest
	if err := m.Decode("TagUser", params, &in); err != nil {
		panic(err)
	}
	fmt.Printf("%+v\n", in)

	params.Set("UserName", "bob smith")
	params.Del("Tags.member.1.Value")
	fmt.Println(m.Decode("TagUser", params, &in))
	// Output:
	// {UserName:bob Tags:[{Key:env Value:prod} {Key:team Value:infra}]}
	// ValidationError: 2 validation errors detected: Value 'bob smith' at 'userName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\w+=,.@-]+; Value null at 'tags.1.member.value' failed to satisfy constraint: Member must not be null
}

func ExampleModel_Encode() {
	m, err := awsquery.LoadModel([]byte(exampleModel))
	if err != nil {
		panic(err)
	}
	_ = m.Encode(os.Stdout, "GetUser", &GetUserResponse{UserName: "bob"}, "7a62c49f-347e-4fc4-9331-6e8eEXAMPLE")
	_ = m.Encode(os.Stdout, "TagUser", nil, "7a62c49f-347e-4fc4-9331-6e8eEXAMPLE")
	// Output:
	// <GetUserResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><GetUserResult><UserName>bob</UserName></GetUserResult><ResponseMetadata><RequestId>7a62c49f-347e-4fc4-9331-6e8eEXAMPLE</RequestId></ResponseMetadata></GetUserResponse>
	// <TagUserResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><ResponseMetadata><RequestId>7a62c49f-347e-4fc4-9331-6e8eEXAMPLE</RequestId></ResponseMetadata></TagUserResponse>
}

func ExampleWriteError() {
	m, err := awsquery.LoadModel([]byte(exampleModel))
	if err != nil {
		panic(err)
	}
	w := httptest.NewRecorder()
	awsquery.WriteError(w, m.Errorf("NoSuchEntity", "The user with name %s cannot be found.", "bob"), m.Namespace(), "req-1")
	fmt.Println(w.Code, w.Header().Get("Content-Type"))
	fmt.Print(strings.ReplaceAll(w.Body.String(), "><", ">\n<"))
	// Output:
	// 404 text/xml
	// <ErrorResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/">
	// <Error>
	// <Type>Sender</Type>
	// <Code>NoSuchEntity</Code>
	// <Message>The user with name bob cannot be found.</Message>
	// </Error>
	// <RequestId>req-1</RequestId>
	// </ErrorResponse>
}
