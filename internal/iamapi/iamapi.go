// Package iamapi holds the AWS IAM API: its botocore model, embedded
// (see PROVENANCE.md), and the Go input and output types generated from it
// by internal/apigen. The model drives awsquery's decoding, validation and
// encoding; the types are what the IAM service's handlers take and return.
package iamapi

//go:generate go run ../apigen -model iam-2010-05-08.service.json.gz -pkg iamapi -out api_gen.go

import (
	"bytes"
	"compress/gzip"
	_ "embed"
	"fmt"
	"io"
	"sync"

	"github.com/iamd/iamd/awsquery"
)

// ModelFile is the model's file name in ../shared/data/aws-api, of which
// the embedded copy is a gzip-compressed, otherwise unchanged copy.
const ModelFile = "iam-2010-05-08.service.json"

//go:embed iam-2010-05-08.service.json.gz
var modelGzip []byte

// ModelJSON returns the embedded botocore model, decompressed.
func ModelJSON() ([]byte, error) {
	zr, err := gzip.NewReader(bytes.NewReader(modelGzip))
	if err != nil {
		return nil, err
	}
	return io.ReadAll(zr)
}

var loadModel = sync.OnceValues(func() (*awsquery.Model, error) {
	data, err := ModelJSON()
	if err != nil {
		return nil, err
	}
	return awsquery.LoadModel(data)
})

// Model returns the IAM model, loaded on first use and shared afterwards.
// The embedded model is part of the build and its tests load it, so a
// failure here is a broken build: Model panics rather than make every
// caller handle an error that cannot happen in a tested binary.
func Model() *awsquery.Model {
	m, err := loadModel()
	if err != nil {
		panic(fmt.Sprintf("iamapi: embedded model: %v", err))
	}
	return m
}
