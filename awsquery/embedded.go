package awsquery

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"sync"
)

// Embedded is a gzip-compressed model compiled into a binary, decompressed
// and loaded on first use and shared afterwards, so that importing a
// service's package costs nothing until the model is needed.
type Embedded struct {
	name string
	gz   []byte
	load func() (*Model, error)
}

// NewEmbedded wraps the gzip-compressed model gz, named name in messages.
func NewEmbedded(name string, gz []byte) *Embedded {
	e := &Embedded{name: name, gz: gz}
	e.load = sync.OnceValues(func() (*Model, error) {
		data, err := e.JSON()
		if err != nil {
			return nil, err
		}
		return LoadModel(data)
	})
	return e
}

// JSON returns the model document, decompressed.
func (e *Embedded) JSON() ([]byte, error) {
	zr, err := gzip.NewReader(bytes.NewReader(e.gz))
	if err != nil {
		return nil, err
	}
	return io.ReadAll(zr)
}

// Model returns the loaded model. The embedded model is part of the build
// and its package's tests load it, so a failure here is a broken build:
// Model panics rather than make every caller handle an error that cannot
// happen in a tested binary.
func (e *Embedded) Model() *Model {
	m, err := e.load()
	if err != nil {
		panic(fmt.Sprintf("awsquery: embedded model %s: %v", e.name, err))
	}
	return m
}
