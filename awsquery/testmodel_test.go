package awsquery_test

import (
	"testing"
	"time"

	"github.com/iamd/iamd/awsquery"
)

// testModel exercises the encodings and shapes that the IAM and STS models
// do not use on input (maps, flattened lists, locationName, timestamps,
// blobs, floats) in the forms botocore's QuerySerializer and XML parser
// give them.
const testModel = `{
 "metadata": {"protocol": "query", "apiVersion": "2020-01-01", "xmlNamespace": "https://t.example.com/doc/2020-01-01/",
              "serviceId": "T", "endpointPrefix": "t"},
 "operations": {
  "Put": {"name": "Put", "input": {"shape": "PutIn"}, "output": {"shape": "PutOut", "resultWrapper": "PutResult"},
          "errors": [{"shape": "Gone"}]},
  "Ping": {"name": "Ping"}
 },
 "shapes": {
  "PutIn": {"type": "structure", "required": ["Name"], "members": {
    "Name": {"shape": "Str"},
    "Count": {"shape": "Int"},
    "Big": {"shape": "Long"},
    "Ratio": {"shape": "Dbl"},
    "Flag": {"shape": "Bool"},
    "When": {"shape": "Ts"},
    "Data": {"shape": "Blob"},
    "Items": {"shape": "StrList"},
    "Flat": {"shape": "FlatList"},
    "Renamed": {"shape": "Str", "locationName": "OtherName"},
    "Named": {"shape": "NamedList"},
    "FlatNamed": {"shape": "FlatNamedList"},
    "Attrs": {"shape": "Attrs"},
    "FlatAttrs": {"shape": "FlatAttrs"},
    "Inner": {"shape": "Inner"},
    "Inners": {"shape": "InnerList"}
  }},
  "PutOut": {"type": "structure", "required": ["Name", "Items", "When"], "members": {
    "Name": {"shape": "Str"},
    "Items": {"shape": "StrList"},
    "Optional": {"shape": "StrList"},
    "Flat": {"shape": "FlatList"},
    "Named": {"shape": "NamedList"},
    "Attrs": {"shape": "Attrs"},
    "FlatAttrs": {"shape": "FlatAttrs"},
    "When": {"shape": "Ts"},
    "Data": {"shape": "Blob"},
    "Ratio": {"shape": "Dbl"},
    "Flag": {"shape": "Bool"},
    "Count": {"shape": "Int"},
    "Inner": {"shape": "Inner"},
    "Renamed": {"shape": "Str", "locationName": "OtherName"}
  }},
  "Inner": {"type": "structure", "required": ["Id"], "members": {
    "Id": {"shape": "Str"},
    "Deep": {"shape": "Inner2"}
  }},
  "Inner2": {"type": "structure", "members": {"Leaf": {"shape": "Int"}}},
  "InnerList": {"type": "list", "member": {"shape": "Inner"}},
  "Str": {"type": "string"},
  "Int": {"type": "integer"},
  "Long": {"type": "long"},
  "Dbl": {"type": "double"},
  "Bool": {"type": "boolean"},
  "Ts": {"type": "timestamp"},
  "Blob": {"type": "blob"},
  "StrList": {"type": "list", "member": {"shape": "Str"}},
  "FlatList": {"type": "list", "member": {"shape": "Str"}, "flattened": true},
  "NamedList": {"type": "list", "member": {"shape": "Str", "locationName": "item"}},
  "FlatNamedList": {"type": "list", "member": {"shape": "Str", "locationName": "Entry"}, "flattened": true},
  "Attrs": {"type": "map", "key": {"shape": "Str"}, "value": {"shape": "Str"}},
  "FlatAttrs": {"type": "map", "key": {"shape": "Str", "locationName": "Name"}, "value": {"shape": "Int", "locationName": "Val"},
                "flattened": true},
  "Gone": {"type": "structure", "members": {}, "error": {"code": "Gone", "httpStatusCode": 410, "senderFault": true},
           "exception": true}
 }
}`

type putIn struct {
	Name      string
	Count     *int32
	Big       *int64
	Ratio     *float64
	Flag      *bool
	When      *time.Time
	Data      []byte
	Items     []string
	Flat      []string
	Renamed   *string
	Named     []string
	FlatNamed []string
	Attrs     map[string]string
	FlatAttrs map[string]int32
	Inner     *inner
	Inners    []inner
}

type putOut struct {
	Name      string
	Items     []string
	Optional  []string
	Flat      []string
	Named     []string
	Attrs     map[string]string
	FlatAttrs map[string]int32
	When      time.Time
	Data      []byte
	Ratio     *float64
	Flag      *bool
	Count     *int32
	Inner     *inner
	Renamed   *string
}

type inner struct {
	Id   string
	Deep *inner2
}

type inner2 struct {
	Leaf *int32
}

func loadTestModel(t testing.TB) *awsquery.Model {
	t.Helper()
	m, err := awsquery.LoadModel([]byte(testModel))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func ptr[T any](v T) *T { return &v }
