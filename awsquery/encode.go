package awsquery

import (
	"encoding/base64"
	"fmt"
	"io"
	"math"
	"net/http"
	"reflect"
	"slices"
	"strconv"
	"sync"
	"time"
	"unicode/utf8"
)

// TimestampLayout is how responses write timestamps: ISO 8601 in UTC to the
// second, as IAM and STS send them (IAM's CreateDate 2013-06-22T19:55:05Z;
// STS credentials' Expiration "2016-03-15T00:05:07Z" in the AWS CLI's
// assume-role example, awscli/examples/sts/assume-role.rst). Fractions of
// a second are dropped, not rounded.
const TimestampLayout = "2006-01-02T15:04:05Z"

var bufPool = sync.Pool{New: func() any { b := make([]byte, 0, 2048); return &b }}

// Encode writes the response document of an operation:
//
//	<XResponse xmlns="namespace"><XResult>...</XResult>
//	<ResponseMetadata><RequestId>id</RequestId></ResponseMetadata></XResponse>
//
// The result is driven by the model's output shape and out (the generated
// output struct or a pointer to it): members in model order, lists as
// <Name><member>...</member></Name>, maps as <entry><key/><value/></entry>,
// timestamps in TimestampLayout, blobs base64, nil optional members left
// out and required lists written even when empty. Operations without an
// output shape have no Result element, as in AWS's responses; out is then
// ignored. The document is written with one Write call.
func (m *Model) Encode(w io.Writer, operation string, out any, requestID string) error {
	bp := bufPool.Get().(*[]byte)
	defer putBuf(bp)
	b, err := m.appendResponse((*bp)[:0], operation, out, requestID)
	*bp = b
	if err != nil {
		return err
	}
	_, err = w.Write(b)
	return err
}

// WriteResponse is Encode for an HTTP response: status 200, Content-Type
// text/xml, Content-Length, and the request id also in x-amzn-RequestId
// (where the SDKs look for it first). When encoding fails nothing has been
// written, so the caller can still send an error.
func (m *Model) WriteResponse(w http.ResponseWriter, operation string, out any, requestID string) error {
	bp := bufPool.Get().(*[]byte)
	defer putBuf(bp)
	b, err := m.appendResponse((*bp)[:0], operation, out, requestID)
	*bp = b
	if err != nil {
		return err
	}
	h := w.Header()
	h.Set("Content-Type", "text/xml")
	h.Set("Content-Length", strconv.Itoa(len(b)))
	if requestID != "" {
		h.Set("x-amzn-RequestId", requestID)
	}
	w.WriteHeader(http.StatusOK)
	_, err = w.Write(b)
	return err
}

func putBuf(bp *[]byte) {
	if cap(*bp) <= 1<<20 {
		bufPool.Put(bp)
	}
}

func (m *Model) appendResponse(b []byte, operation string, out any, requestID string) ([]byte, error) {
	op, ok := m.ops[operation]
	if !ok {
		return b, fmt.Errorf("awsquery: Encode: unknown operation %q", operation)
	}
	b = append(b, '<')
	b = append(b, op.Name...)
	b = append(b, `Response xmlns="`...)
	b = appendEscaped(b, m.namespace)
	b = append(b, `">`...)
	if op.output != nil {
		b = appendOpen(b, op.ResultWrapper)
		if rv := reflect.ValueOf(out); out != nil && !(rv.Kind() == reflect.Pointer && rv.IsNil()) {
			if rv.Kind() == reflect.Pointer {
				rv = rv.Elem()
			}
			p, err := m.planFor(op.output, rv.Type())
			if err != nil {
				return b, err
			}
			b = appendStruct(b, p, rv)
		}
		b = appendClose(b, op.ResultWrapper)
	}
	b = append(b, `<ResponseMetadata><RequestId>`...)
	b = appendEscaped(b, requestID)
	b = append(b, `</RequestId></ResponseMetadata></`...)
	b = append(b, op.Name...)
	b = append(b, "Response>\n"...)
	return b, nil
}

func appendOpen(b []byte, name string) []byte {
	b = append(b, '<')
	b = append(b, name...)
	return append(b, '>')
}

func appendClose(b []byte, name string) []byte {
	b = append(b, '<', '/')
	b = append(b, name...)
	return append(b, '>')
}

func appendStruct(b []byte, p *plan, v reflect.Value) []byte {
	for i := range p.fields {
		f := &p.fields[i]
		b = appendMember(b, f.wire, f.plan, v.Field(f.index), f.m.required)
	}
	return b
}

// appendMember writes one member as an element named name, or nothing when
// it is an optional member left nil.
func appendMember(b []byte, name string, p *plan, v reflect.Value, required bool) []byte {
	if p.ptr {
		if v.IsNil() {
			return b
		}
		v = v.Elem()
	}
	s := p.shape
	switch s.kind {
	case kindList:
		if v.IsNil() && !required {
			return b
		}
		if s.flattened {
			for i := range v.Len() {
				b = appendMember(b, name, p.elem, v.Index(i), true)
			}
			return b
		}
		b = appendOpen(b, name)
		for i := range v.Len() {
			b = appendMember(b, s.elem.wire, p.elem, v.Index(i), true)
		}
		return appendClose(b, name)
	case kindMap:
		if v.IsNil() && !required {
			return b
		}
		keys := v.MapKeys()
		slices.SortFunc(keys, func(a, c reflect.Value) int {
			switch x, y := a.String(), c.String(); {
			case x < y:
				return -1
			case x > y:
				return 1
			}
			return 0
		})
		if !s.flattened {
			b = appendOpen(b, name)
		}
		for _, k := range keys {
			if s.flattened {
				b = appendOpen(b, name)
			} else {
				b = append(b, "<entry>"...)
			}
			b = appendMember(b, s.key.wire, p.key, k, true)
			b = appendMember(b, s.val.wire, p.val, v.MapIndex(k), true)
			if s.flattened {
				b = appendClose(b, name)
			} else {
				b = append(b, "</entry>"...)
			}
		}
		if !s.flattened {
			b = appendClose(b, name)
		}
		return b
	case kindStructure:
		b = appendOpen(b, name)
		b = appendStruct(b, p, v)
		return appendClose(b, name)
	case kindBlob:
		if v.IsNil() && !required {
			return b
		}
	}
	b = appendOpen(b, name)
	b = appendScalar(b, s.kind, v)
	return appendClose(b, name)
}

func appendScalar(b []byte, k shapeKind, v reflect.Value) []byte {
	switch k {
	case kindString:
		return appendEscaped(b, v.String())
	case kindInteger, kindLong:
		return strconv.AppendInt(b, v.Int(), 10)
	case kindBoolean:
		return strconv.AppendBool(b, v.Bool())
	case kindFloat, kindDouble:
		f := v.Float()
		switch {
		case math.IsNaN(f):
			return append(b, "NaN"...)
		case math.IsInf(f, 1):
			return append(b, "Infinity"...)
		case math.IsInf(f, -1):
			return append(b, "-Infinity"...)
		}
		return strconv.AppendFloat(b, f, 'f', -1, v.Type().Bits())
	case kindTimestamp:
		t, _ := reflect.TypeAssert[time.Time](v)
		return t.UTC().AppendFormat(b, TimestampLayout)
	case kindBlob:
		return base64.StdEncoding.AppendEncode(b, v.Bytes())
	}
	return b
}

// appendEscaped appends s as XML character data. Markup characters become
// entities and '\r' a character reference (so that it survives the
// parser's line-end normalisation); characters that XML 1.0 cannot carry at
// all (most C0 controls, unpaired surrogates, invalid UTF-8) become U+FFFD,
// as encoding/xml does.
func appendEscaped(b []byte, s string) []byte {
	last := 0
	for i := 0; i < len(s); {
		c := s[i]
		var esc string
		width := 1
		if c < utf8.RuneSelf {
			switch {
			case c == '&':
				esc = "&amp;"
			case c == '<':
				esc = "&lt;"
			case c == '>':
				esc = "&gt;"
			case c == '"':
				esc = "&quot;"
			case c == '\'':
				esc = "&apos;"
			case c == '\r':
				esc = "&#xD;"
			case c < 0x20 && c != '\t' && c != '\n':
				esc = "\uFFFD"
			default:
				i++
				continue
			}
		} else {
			r, size := utf8.DecodeRuneInString(s[i:])
			width = size
			if r == utf8.RuneError && size == 1 || r == 0xFFFE || r == 0xFFFF {
				esc = "\uFFFD"
			} else {
				i += size
				continue
			}
		}
		b = append(b, s[last:i]...)
		b = append(b, esc...)
		i += width
		last = i
	}
	return append(b, s[last:]...)
}
