package awsquery

import (
	"encoding/base64"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// MaxListIndex is the largest list or map index Decode accepts
// (Tags.member.N with N from 1 to MaxListIndex). The largest list limit in
// the IAM and STS models is 256, and the SDKs and botocore number elements
// from 1 without gaps, so no client request comes near it. AWS documents
// neither a bound nor what it does with gaps; rather than guess (and
// silently drop elements after a gap, or allocate by index), Decode
// rejects an index that is not a canonical decimal in [1, MaxListIndex]
// and a list with a gap, with InvalidParameterValue. Memory follows the
// number of parameters, never the indexes.
const MaxListIndex = 10000

// Decode fills dst, a pointer to the operation's generated input struct,
// from Query parameters, then validates it against the model.
//
// The encodings are the ones the AWS SDKs produce: scalars as Name=value;
// lists as Name.member.N (N from 1, without gaps; Name.N when the model
// flattens the list; Name= for an empty list); maps as Name.entry.N.key and
// Name.entry.N.value; nested structures as Name.Child; booleans true/false;
// timestamps ISO 8601 or epoch seconds; blobs base64. Parameters that name
// no member (Action, Version, the X-Amz-* signing parameters, anything
// else) are ignored, as AWS ignores them.
//
// A value that cannot be read as its type (MaxItems=abc) or a malformed list
// index is an InvalidParameterValue error. Constraint violations are one
// ValidationError listing all of them in AWS's words, for example
//
//	2 validation errors detected: Value '' at 'userName' failed to satisfy
//	constraint: Member must have length greater than or equal to 1; Value ''
//	at 'userName' failed to satisfy constraint: Member must satisfy regular
//	expression pattern: [\w+=,.@-]+
//
// Values of sensitive members (passwords, secrets) are never echoed. dst
// is left unchanged when Decode returns an error.
func (m *Model) Decode(operation string, params url.Values, dst any) error {
	return m.decode(operation, params, dst, true)
}

func (m *Model) decode(operation string, params url.Values, dst any, validate bool) error {
	op, ok := m.ops[operation]
	if !ok {
		return InvalidAction(operation, m.apiVersion)
	}
	if op.input == nil {
		return nil
	}
	rv := reflect.ValueOf(dst)
	if rv.Kind() != reflect.Pointer || rv.IsNil() {
		return fmt.Errorf("awsquery: Decode needs a non-nil pointer, got %T", dst)
	}
	p, err := m.planFor(op.input, rv.Type().Elem())
	if err != nil {
		return err
	}
	d := decoder{}
	root := d.node()
	for key, values := range params {
		if len(values) != 1 {
			// ParseParams never produces these; a caller building
			// url.Values by hand gets the same answer a duplicate gets.
			return NewError(CodeInvalidQueryParameter, http.StatusBadRequest,
				"The parameter %s is given more than once; each parameter may appear only once in the query string and the body together.", clip(key))
		}
		d.insertStruct(root, p, key, key, values[0])
	}
	if d.indexErr != "" {
		return NewError(CodeInvalidParameterValue, http.StatusBadRequest,
			"Invalid list index in parameter %s: list elements are numbered from 1 to %d without gaps.", clip(d.indexErr), MaxListIndex)
	}
	// Decode into a fresh value so that dst changes only on success.
	tmp := reflect.New(p.typ).Elem()
	d.fillStruct(p, root, tmp, "")
	if d.convErr != nil {
		return d.convErr
	}
	if validate && len(d.violations) > 0 {
		return ValidationError(violationMessage(d.violations))
	}
	rv.Elem().Set(tmp)
	return nil
}

// qnode is one parameter path's node in the tree built from the request
// before it is bound to Go values: the tree lets list elements arrive in
// any order and keeps "absent" apart from "empty", which required members
// and empty lists need.
type qnode struct {
	present bool
	set     bool     // a value (or an empty-list marker) was given here
	val     string   // the value of a scalar
	kids    []*qnode // structure members by field index; map entry key, value
	items   []qitem  // list elements and map entries, in arrival order
	byIndex map[int]int
}

type qitem struct {
	idx int
	n   *qnode
}

// item returns the element node for a list or map index.
func (d *decoder) item(n *qnode, idx int) *qnode {
	if n.byIndex != nil {
		if i, ok := n.byIndex[idx]; ok {
			return n.items[i].n
		}
	} else {
		for _, it := range n.items {
			if it.idx == idx {
				return it.n
			}
		}
	}
	c := d.node()
	n.items = append(n.items, qitem{idx, c})
	if len(n.items) > 8 {
		if n.byIndex == nil {
			n.byIndex = make(map[int]int, 16)
			for i, it := range n.items {
				n.byIndex[it.idx] = i
			}
		}
		n.byIndex[idx] = len(n.items) - 1
	}
	return c
}

func (d *decoder) kid(n *qnode, i, count int) *qnode {
	if n.kids == nil {
		n.kids = d.kids(count)
	}
	if n.kids[i] == nil {
		n.kids[i] = d.node()
	}
	return n.kids[i]
}

type decoder struct {
	indexErr   string // the smallest parameter name with a bad index
	convErr    *Error
	violations []string

	// Nodes and child slices come from slabs: a request's tree is built
	// and dropped together, so one allocation serves many nodes.
	nodes    []qnode
	kidSlots []*qnode
}

func (d *decoder) node() *qnode {
	if len(d.nodes) == cap(d.nodes) {
		d.nodes = make([]qnode, 0, 16)
	}
	d.nodes = d.nodes[:len(d.nodes)+1]
	return &d.nodes[len(d.nodes)-1]
}

func (d *decoder) kids(n int) []*qnode {
	if n > 16 {
		return make([]*qnode, n)
	}
	if len(d.kidSlots)+n > cap(d.kidSlots) {
		d.kidSlots = make([]*qnode, 0, 64)
	}
	d.kidSlots = d.kidSlots[:len(d.kidSlots)+n]
	return d.kidSlots[len(d.kidSlots)-n : len(d.kidSlots) : len(d.kidSlots)]
}

// insertStruct places one parameter below a structure node. It reports
// whether the parameter named a member (else it is ignored).
func (d *decoder) insertStruct(n *qnode, p *plan, full, rest, val string) bool {
	seg, rest, _ := strings.Cut(rest, ".")
	i, ok := p.byWire[seg]
	if !ok {
		return false
	}
	f := &p.fields[i]
	var c *qnode
	if n.kids != nil && n.kids[i] != nil {
		c = n.kids[i]
	} else {
		c = d.node()
	}
	if !d.insertValue(c, f.plan, full, rest, val) {
		return false
	}
	if n.kids == nil {
		n.kids = d.kids(len(p.fields))
	}
	n.kids[i] = c
	n.present = true
	return true
}

func (d *decoder) insertValue(n *qnode, p *plan, full, rest, val string) bool {
	s := p.shape
	switch s.kind {
	case kindStructure:
		if rest == "" {
			return false
		}
		return d.insertStruct(n, p, full, rest, val)
	case kindList:
		if rest == "" {
			// Name= is how the SDKs send an empty list.
			if val != "" {
				return false
			}
			n.set, n.present = true, true
			return true
		}
		if !s.flattened {
			var seg string
			seg, rest, _ = strings.Cut(rest, ".")
			if seg != s.elem.wire {
				return false
			}
		}
		idx, rest, ok := d.index(full, rest)
		if !ok {
			return false
		}
		if !d.insertValue(d.item(n, idx), p.elem, full, rest, val) {
			return false
		}
		n.present = true
		return true
	case kindMap:
		if rest == "" {
			if val != "" {
				return false
			}
			n.set, n.present = true, true
			return true
		}
		if !s.flattened {
			var seg string
			seg, rest, _ = strings.Cut(rest, ".")
			if seg != "entry" {
				return false
			}
		}
		idx, rest, ok := d.index(full, rest)
		if !ok {
			return false
		}
		seg, rest, _ := strings.Cut(rest, ".")
		var which int
		var vp *plan
		switch seg {
		case s.key.wire:
			which, vp = 0, p.key
		case s.val.wire:
			which, vp = 1, p.val
		default:
			return false
		}
		e := d.item(n, idx)
		if !d.insertValue(d.kid(e, which, 2), vp, full, rest, val) {
			return false
		}
		e.present, n.present = true, true
		return true
	default:
		if rest != "" {
			return false
		}
		n.set, n.present, n.val = true, true, val
		return true
	}
}

// index reads the list index at the start of rest. A segment that is not a
// canonical decimal in [1, MaxListIndex] is recorded as a bad index.
func (d *decoder) index(full, rest string) (int, string, bool) {
	seg, rest, _ := strings.Cut(rest, ".")
	idx, err := strconv.Atoi(seg)
	if err != nil || idx < 1 || idx > MaxListIndex || seg[0] == '0' || seg[0] == '+' {
		d.badIndex(full)
		return 0, "", false
	}
	return idx, rest, true
}

func (d *decoder) badIndex(full string) {
	if d.indexErr == "" || full < d.indexErr {
		d.indexErr = full
	}
}

// fillStruct binds a structure node to v (a struct value) and validates its
// members in model order.
func (d *decoder) fillStruct(p *plan, n *qnode, v reflect.Value, path string) {
	for i := range p.fields {
		f := &p.fields[i]
		var c *qnode
		if n != nil && n.kids != nil {
			c = n.kids[i]
		}
		fpath := joinPath(path, f.m.path)
		if c == nil || !c.present {
			if f.m.required {
				d.violations = append(d.violations, "Value null at '"+fpath+"' failed to satisfy constraint: Member must not be null")
			}
			continue
		}
		d.fillValue(f.plan, c, v.Field(f.index), fpath)
	}
}

func joinPath(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
}

// fillValue binds node n to v, allocating v's pointer when the Go type is
// one, and validates the value.
func (d *decoder) fillValue(p *plan, n *qnode, v reflect.Value, path string) {
	if d.convErr != nil {
		return
	}
	if p.ptr {
		nv := reflect.New(p.typ)
		v.Set(nv)
		v = nv.Elem()
	}
	s := p.shape
	switch s.kind {
	case kindStructure:
		d.fillStruct(p, n, v, path)
	case kindList:
		d.fillList(p, n, v, path)
	case kindMap:
		d.fillMap(p, n, v, path)
	default:
		d.fillScalar(p, n.val, v, path)
	}
}

// sortedItems orders the elements by index and checks that the indexes run
// from 1 without gaps.
func (d *decoder) sortedItems(n *qnode, path string) ([]qitem, bool) {
	// An element whose parameters all turned out to name nothing (say
	// Tags.member.1.Bogus) was created on the way down: it does not exist.
	items := slices.DeleteFunc(n.items, func(it qitem) bool { return !it.n.present })
	if !slices.IsSortedFunc(items, cmpItem) {
		slices.SortFunc(items, cmpItem)
	}
	for i, it := range items {
		if it.idx != i+1 {
			if d.convErr == nil {
				d.convErr = NewError(CodeInvalidParameterValue, http.StatusBadRequest,
					"Invalid list index in parameter %s: list elements are numbered from 1 to %d without gaps; element %d is missing.", path, MaxListIndex, i+1)
			}
			return nil, false
		}
	}
	return items, true
}

func cmpItem(a, b qitem) int { return a.idx - b.idx }

func (d *decoder) fillList(p *plan, n *qnode, v reflect.Value, path string) {
	items, ok := d.sortedItems(n, path)
	if !ok {
		return
	}
	s := p.shape
	sl := reflect.MakeSlice(p.typ, len(items), len(items))
	v.Set(sl)
	d.checkLength(s, len(items), path, s.elem.shape.kind.scalar() && !s.elem.shape.sensitive, items)
	elem := p.elem
	if elem.shape.kind.scalar() {
		// AWS reports a list of scalars as one violation at the list,
		// naming every constraint on its elements (below).
		broken := false
		for i, it := range items {
			if !d.bindScalar(elem, it.n.val, sl.Index(i), path) {
				return
			}
			if !broken && !scalarOK(elem.shape, it.n.val) {
				broken = true
			}
		}
		if broken {
			d.violate(path, listValue(items), elem.shape.sensitive, elemConstraints(elem.shape))
		}
		return
	}
	for i, it := range items {
		d.fillValue(elem, it.n, sl.Index(i), path+"."+strconv.Itoa(i+1)+".member")
	}
}

func (d *decoder) fillMap(p *plan, n *qnode, v reflect.Value, path string) {
	items, ok := d.sortedItems(n, path)
	if !ok {
		return
	}
	mv := reflect.MakeMapWithSize(p.typ, len(items))
	v.Set(mv)
	d.checkLength(p.shape, len(items), path, false, nil)
	keyBroken, valBroken := false, false
	for _, it := range items {
		var kn, vn *qnode
		if it.n.kids != nil {
			kn, vn = it.n.kids[0], it.n.kids[1]
		}
		if kn == nil || !kn.present {
			d.violations = append(d.violations, "Value null at '"+path+"' failed to satisfy constraint: Map keys must satisfy constraint: [Member must not be null]")
			continue
		}
		k := reflect.New(p.key.typ).Elem()
		if !d.bindScalar(p.key, kn.val, k, path) {
			return
		}
		keyBroken = keyBroken || !scalarOK(p.key.shape, kn.val)
		val := reflect.New(p.val.typ).Elem()
		if vn != nil && vn.present {
			if p.val.shape.kind.scalar() {
				if !d.bindScalar(p.val, vn.val, val, path) {
					return
				}
				valBroken = valBroken || !scalarOK(p.val.shape, vn.val)
			} else {
				d.fillValue(p.val, vn, val, path+".entry."+strconv.Itoa(it.idx)+".value")
			}
		}
		mv.SetMapIndex(k, val)
	}
	if keyBroken {
		d.violate(path, "", true, "Map keys must satisfy constraint: "+elemConstraints(p.key.shape))
	}
	if valBroken {
		d.violate(path, "", true, "Map value must satisfy constraint: "+elemConstraints(p.val.shape))
	}
}

// unptr returns the plan with its pointer-ness removed, for binding into an
// element that has already been allocated.
func unptr(p *plan) *plan {
	if !p.ptr {
		return p
	}
	c := *p
	c.ptr = false
	return &c
}

// fillScalar parses a scalar into v and validates it.
func (d *decoder) fillScalar(p *plan, raw string, v reflect.Value, path string) {
	if !d.bindScalar(unptr(p), raw, v, path) {
		return
	}
	s := p.shape
	switch s.kind {
	case kindString:
		d.checkString(s, raw, path)
	case kindBlob:
		d.checkLength(s, v.Len(), path, false, nil)
	case kindInteger, kindLong, kindFloat, kindDouble:
		var f float64
		if s.kind == kindFloat || s.kind == kindDouble {
			f = v.Float()
		} else {
			f = float64(v.Int())
		}
		if s.hasMin && f < s.min {
			d.violate(path, raw, s.sensitive, s.valMin)
		}
		if s.hasMax && f > s.max {
			d.violate(path, raw, s.sensitive, s.valMax)
		}
	}
}

// bindScalar parses raw as the scalar type of p into v (not a pointer). A
// value that is not of its type stops decoding with InvalidParameterValue.
func (d *decoder) bindScalar(p *plan, raw string, v reflect.Value, path string) bool {
	s := p.shape
	fail := func(want string) bool {
		if d.convErr == nil {
			shown := "'" + clip(raw) + "'"
			if s.sensitive {
				shown = "given"
			}
			d.convErr = NewError(CodeInvalidParameterValue, http.StatusBadRequest,
				"The value %s at '%s' is not valid: %s.", shown, path, want)
		}
		return false
	}
	switch s.kind {
	case kindString:
		v.SetString(raw)
	case kindInteger, kindLong:
		n, err := strconv.ParseInt(raw, 10, v.Type().Bits())
		if err != nil {
			return fail(fmt.Sprintf("it must be a %d-bit integer", v.Type().Bits()))
		}
		v.SetInt(n)
	case kindFloat, kindDouble:
		f, err := strconv.ParseFloat(raw, v.Type().Bits())
		if err != nil || math.IsNaN(f) && !strings.EqualFold(raw, "NaN") {
			return fail("it must be a number")
		}
		v.SetFloat(f)
	case kindBoolean:
		switch {
		case strings.EqualFold(raw, "true"):
			v.SetBool(true)
		case strings.EqualFold(raw, "false"):
			v.SetBool(false)
		default:
			return fail("it must be true or false")
		}
	case kindTimestamp:
		t, ok := parseTimestamp(raw)
		if !ok {
			return fail("it must be an ISO 8601 timestamp or seconds since the epoch")
		}
		v.Set(reflect.ValueOf(t))
	case kindBlob:
		b, err := base64.StdEncoding.DecodeString(raw)
		if err != nil {
			return fail("it must be base64")
		}
		v.SetBytes(b)
	}
	return true
}

// parseTimestamp reads the forms the SDKs send (ISO 8601 with or without
// fractional seconds and offset) and epoch seconds.
func parseTimestamp(s string) (time.Time, bool) {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05Z0700", "2006-01-02T15:04:05.999999999Z0700", "2006-01-02T15:04:05", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), true
		}
	}
	if f, err := strconv.ParseFloat(s, 64); err == nil && !math.IsNaN(f) && !math.IsInf(f, 0) && math.Abs(f) < 1e11 {
		sec, frac := math.Modf(f)
		return time.Unix(int64(sec), int64(math.Round(frac*1e9))).UTC(), true
	}
	return time.Time{}, false
}

// length counts a string as AWS's constraints do: in characters (Unicode
// code points, the unit of Smithy's length trait), not bytes.
func length(s string) int { return utf8.RuneCountInString(s) }

// checkString validates a string's length, pattern and enum, in that order.
func (d *decoder) checkString(s *shape, v, path string) {
	if s.hasMin || s.hasMax {
		n := float64(length(v))
		if s.hasMin && n < s.min {
			d.violate(path, v, s.sensitive, s.lenMin)
		}
		if s.hasMax && n > s.max {
			d.violate(path, v, s.sensitive, s.lenMax)
		}
	}
	if s.pattern != nil && !s.pattern.match(v) {
		d.violate(path, v, s.sensitive, s.patMsg)
	}
	if s.enumSet != nil {
		if _, ok := s.enumSet[v]; !ok {
			d.violate(path, v, s.sensitive, s.enumMsg)
		}
	}
}

// checkLength validates the length of a list, map or blob. A list of
// non-sensitive scalars is echoed as Java prints a list ("[a, b]"); other
// composite values are not echoed.
func (d *decoder) checkLength(s *shape, n int, path string, echo bool, items []qitem) {
	if !s.hasMin && !s.hasMax {
		return
	}
	value, hidden := "", true
	if echo {
		value, hidden = listValue(items), false
	}
	if s.hasMin && float64(n) < s.min {
		d.violate(path, value, hidden, s.lenMin)
	}
	if s.hasMax && float64(n) > s.max {
		d.violate(path, value, hidden, s.lenMax)
	}
}

// scalarOK reports whether a scalar value meets its shape's constraints.
func scalarOK(s *shape, v string) bool {
	switch s.kind {
	case kindString:
		if s.hasMin || s.hasMax {
			n := float64(length(v))
			if s.hasMin && n < s.min || s.hasMax && n > s.max {
				return false
			}
		}
		if s.pattern != nil && !s.pattern.match(v) {
			return false
		}
		if s.enumSet != nil {
			if _, ok := s.enumSet[v]; !ok {
				return false
			}
		}
	case kindInteger, kindLong, kindFloat, kindDouble:
		f, _ := strconv.ParseFloat(v, 64)
		if s.hasMin && f < s.min || s.hasMax && f > s.max {
			return false
		}
	case kindBlob:
		b, _ := base64.StdEncoding.DecodeString(v)
		n := float64(len(b))
		if s.hasMin && n < s.min || s.hasMax && n > s.max {
			return false
		}
	}
	return true
}

// elemConstraints lists every constraint of an element shape the way AWS
// reports a list whose element broke one: "[Member must have length less
// than or equal to 128, Member must have length greater than or equal to
// 1, Member must satisfy regular expression pattern: ..., Member must not
// be null]" (maximum before minimum, as in AWS's messages).
func elemConstraints(s *shape) string {
	parts := make([]string, 0, 5)
	for _, c := range []string{s.lenMax, s.lenMin, s.valMax, s.valMin, s.patMsg, s.enumMsg} {
		if c != "" {
			parts = append(parts, c)
		}
	}
	parts = append(parts, "Member must not be null")
	return "Member must satisfy constraint: [" + strings.Join(parts, ", ") + "]"
}

// listValue prints a list of scalars as Java's List.toString does.
func listValue(items []qitem) string {
	var b strings.Builder
	b.WriteByte('[')
	for i, it := range items {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(it.n.val)
	}
	b.WriteByte(']')
	return b.String()
}

// violate records one constraint violation in AWS's form: "Value 'v' at
// 'path' failed to satisfy constraint: C", or "Value at 'path' ..." when
// the value must not be echoed.
//
// Where the forms come from (AWS answers quoted in public trackers):
//   - "Value 'x' at 'userName' failed to satisfy constraint: Member must
//     have length less than or equal to 64" (issue 4's own example; the same
//     wording, and "Value null at 'groupName' ... Member must not be null",
//     in the error table of an IAM-compatible service that copies AWS's:
//     https://www.shangyun51.com/documentdetail?id=958).
//   - Sensitive members lose the value, "Value at 'username' failed to
//     satisfy constraint: ..." (Cognito's username and password are
//     sensitive: https://github.com/ks888/LambStatus/issues/6).
//   - Lists of scalars: "Value '[GET, POST, OPTIONS]' at
//     'cors.allowMethods' failed to satisfy constraint: Member must satisfy
//     constraint: [Member must have length less than or equal to 6, Member
//     must have length greater than or equal to 0, Member must satisfy
//     regular expression pattern: .*, Member must not be null]" (a Lambda
//     answer); IAM's tagKeys the same with its own constraints.
//   - Nested paths "tags.1.member.key", joined by "; " after "2 validation
//     errors detected: " (IAM answers to CreateUser with bad tags, quoted
//     by S3-compatible IAM implementations' tests).
//
// The value of a structure or of a list of structures is not echoed:
// AWS prints Java objects there, which nothing here can reproduce.
func (d *decoder) violate(path, value string, hidden bool, constraint string) {
	var b strings.Builder
	b.Grow(len(path) + len(value) + len(constraint) + 48)
	if hidden {
		b.WriteString("Value at '")
	} else {
		b.WriteString("Value '")
		b.WriteString(value)
		b.WriteString("' at '")
	}
	b.WriteString(path)
	b.WriteString("' failed to satisfy constraint: ")
	b.WriteString(constraint)
	d.violations = append(d.violations, b.String())
}

// violationMessage joins violations as AWS does: "1 validation error
// detected: V" or "N validation errors detected: V1; V2".
func violationMessage(vs []string) string {
	var b strings.Builder
	b.WriteString(strconv.Itoa(len(vs)))
	if len(vs) == 1 {
		b.WriteString(" validation error detected: ")
	} else {
		b.WriteString(" validation errors detected: ")
	}
	b.WriteString(strings.Join(vs, "; "))
	return b.String()
}
