package awsquery

import (
	"fmt"
	"reflect"
	"time"
)

// A plan binds a shape of the model to a Go type once, so that decoding and
// encoding never look anything up by name per request. Plans follow the
// naming rules of the generated types (docs/architecture.md, "Generated API
// types"): field name = member name with its first letter upper-cased;
// optional scalars and structures may be pointers; lists are slices, maps
// are maps with string keys.
type plan struct {
	shape *shape
	typ   reflect.Type // the Go type after any pointer
	ptr   bool         // the Go type is a pointer to typ

	elem     *plan // list element
	key, val *plan // map key and value

	fields []field        // structure members in model order
	byWire map[string]int // wire name -> index into fields
}

type field struct {
	m     *member
	wire  string // the member's name on the wire (see wireName)
	index int    // Go field index
	plan  *plan
}

type planKey struct {
	s *shape
	t reflect.Type
}

var timeType = reflect.TypeFor[time.Time]()

// planFor returns the cached plan binding s to t, building it on first use.
func (m *Model) planFor(s *shape, t reflect.Type) (*plan, error) {
	k := planKey{s, t}
	if p, ok := m.plans.Load(k); ok {
		return p.(*plan), nil
	}
	building := map[planKey]*plan{}
	p, err := buildPlan(s, t, building)
	if err != nil {
		return nil, err
	}
	// Concurrent first uses build equal plans; keep whichever was first.
	actual, _ := m.plans.LoadOrStore(k, p)
	return actual.(*plan), nil
}

func buildPlan(s *shape, t reflect.Type, building map[planKey]*plan) (*plan, error) {
	if p, ok := building[planKey{s, t}]; ok {
		return p, nil // recursive shape: the plan is being filled in
	}
	p := &plan{shape: s, typ: t}
	if t.Kind() == reflect.Pointer && t != timeType {
		p.ptr = true
		p.typ = t.Elem()
	}
	building[planKey{s, t}] = p
	bad := func(want string) error {
		return fmt.Errorf("awsquery: shape %s (%s) cannot bind to Go type %s: want %s", s.name, kindName(s.kind), t, want)
	}
	pt := p.typ
	switch s.kind {
	case kindString:
		if pt.Kind() != reflect.String {
			return nil, bad("a string")
		}
	case kindInteger, kindLong:
		switch pt.Kind() {
		case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		default:
			return nil, bad("a signed integer")
		}
	case kindBoolean:
		if pt.Kind() != reflect.Bool {
			return nil, bad("a bool")
		}
	case kindFloat, kindDouble:
		if pt.Kind() != reflect.Float32 && pt.Kind() != reflect.Float64 {
			return nil, bad("a float")
		}
	case kindTimestamp:
		if pt != timeType {
			return nil, bad("time.Time")
		}
	case kindBlob:
		if p.ptr || pt.Kind() != reflect.Slice || pt.Elem().Kind() != reflect.Uint8 {
			return nil, bad("[]byte")
		}
	case kindList:
		if p.ptr || pt.Kind() != reflect.Slice {
			return nil, bad("a slice")
		}
		e, err := buildPlan(s.elem.shape, pt.Elem(), building)
		if err != nil {
			return nil, err
		}
		if e.ptr && e.shape.kind.scalar() {
			return nil, bad("a slice of non-pointer scalars")
		}
		p.elem = e
	case kindMap:
		if p.ptr || pt.Kind() != reflect.Map {
			return nil, bad("a map")
		}
		k, err := buildPlan(s.key.shape, pt.Key(), building)
		if err != nil {
			return nil, err
		}
		if k.ptr || k.shape.kind != kindString {
			return nil, bad("a map with string keys")
		}
		v, err := buildPlan(s.val.shape, pt.Elem(), building)
		if err != nil {
			return nil, err
		}
		if v.ptr {
			return nil, bad("a map with non-pointer values")
		}
		p.key, p.val = k, v
	case kindStructure:
		if pt.Kind() != reflect.Struct || pt == timeType {
			return nil, bad("a struct")
		}
		p.byWire = make(map[string]int, len(s.members))
		for _, mem := range s.members {
			goName := upperFirst(mem.name)
			sf, ok := pt.FieldByName(goName)
			if !ok || len(sf.Index) != 1 {
				return nil, fmt.Errorf("awsquery: Go type %s has no field %s for member %s of shape %s", pt, goName, mem.name, s.name)
			}
			fp, err := buildPlan(mem.shape, sf.Type, building)
			if err != nil {
				return nil, err
			}
			w := wireName(mem)
			p.byWire[w] = len(p.fields)
			p.fields = append(p.fields, field{m: mem, wire: w, index: sf.Index[0], plan: fp})
		}
	}
	return p, nil
}

// wireName is a structure member's name in Query parameters and XML
// elements: its locationName, else its member name; for a flattened list
// whose member has a locationName, that name (botocore's QuerySerializer
// replaces the last segment of the prefix with it).
func wireName(mem *member) string {
	s := mem.shape
	if s.kind == kindList && s.flattened && s.elem.located {
		return s.elem.wire
	}
	return mem.wire
}

func upperFirst(s string) string {
	if s == "" || s[0] < 'a' || s[0] > 'z' {
		return s
	}
	return string(s[0]-'a'+'A') + s[1:]
}

func kindName(k shapeKind) string {
	for n, v := range kindNames {
		if v == k {
			return n
		}
	}
	return "unknown"
}
