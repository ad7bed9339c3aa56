// Package iamapi holds the AWS IAM API: its botocore model, embedded
// (see PROVENANCE.md), and the Go input and output types generated from it
// by internal/apigen. The model drives awsquery's decoding, validation and
// encoding; the types are what the IAM service's handlers take and return.
package iamapi

//go:generate go run ../apigen -model iam-2010-05-08.service.json.gz -pkg iamapi -out api_gen.go

import (
	_ "embed"

	"github.com/iamd/iamd/awsquery"
)

// ModelFile is the model's file name in ../shared/data/aws-api, of which
// the embedded copy is a gzip-compressed, otherwise unchanged copy.
const ModelFile = "iam-2010-05-08.service.json"

//go:embed iam-2010-05-08.service.json.gz
var modelGzip []byte

var embedded = awsquery.NewEmbedded(ModelFile, modelGzip)

// ModelJSON returns the embedded botocore model, decompressed.
func ModelJSON() ([]byte, error) { return embedded.JSON() }

// Model returns the IAM model, loaded on first use and shared afterwards;
// it panics only if the embedded model is broken (see awsquery.Embedded).
func Model() *awsquery.Model { return embedded.Model() }
