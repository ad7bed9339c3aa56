// Package stsapi holds the AWS STS API: its botocore model, embedded
// (see PROVENANCE.md), and the Go input and output types generated from it
// by internal/apigen. The model drives awsquery's decoding, validation and
// encoding; the types are what the STS service's handlers take and return.
package stsapi

//go:generate go run ../apigen -model sts-2011-06-15.service.json.gz -pkg stsapi -out api_gen.go

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
const ModelFile = "sts-2011-06-15.service.json"

//go:embed sts-2011-06-15.service.json.gz
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

// Model returns the STS model, loaded on first use and shared afterwards.
// The embedded model is part of the build and its tests load it, so a
// failure here is a broken build: Model panics rather than make every
// caller handle an error that cannot happen in a tested binary.
func Model() *awsquery.Model {
	m, err := loadModel()
	if err != nil {
		panic(fmt.Sprintf("stsapi: embedded model: %v", err))
	}
	return m
}
