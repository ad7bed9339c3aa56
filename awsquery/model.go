package awsquery

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
)

// Model is a loaded botocore service model: the operations of one AWS Query
// service, the shapes of their inputs and outputs with every constraint,
// and the error codes with their HTTP statuses. It drives Decode and Encode
// and is safe for concurrent use; load it once per process.
type Model struct {
	apiVersion string
	namespace  string
	serviceID  string
	prefix     string
	ops        map[string]*Operation
	opNames    []string
	shapes     map[string]*shape
	errs       map[string]errorInfo

	plans sync.Map // planKey -> *plan
}

// Operation describes one operation of a model as the Query protocol uses
// it. Input and output shape names are empty for operations without them.
// The model shares one Operation with every caller: treat it as read-only.
type Operation struct {
	// Name is the operation's name, the value of the Action parameter.
	Name string
	// InputShape and OutputShape name the operation's structures.
	InputShape  string
	OutputShape string
	// ResultWrapper names the element that wraps the output inside the
	// response element (XResult), empty when the operation has no output.
	ResultWrapper string
	// Errors lists the error codes the model says the operation returns,
	// in model order.
	Errors []string

	input, output *shape
}

type errorInfo struct {
	status int
	sender bool
}

type shapeKind uint8

const (
	kindString shapeKind = iota + 1
	kindInteger
	kindLong
	kindBoolean
	kindFloat
	kindDouble
	kindTimestamp
	kindBlob
	kindList
	kindMap
	kindStructure
)

var kindNames = map[string]shapeKind{
	"string":    kindString,
	"integer":   kindInteger,
	"long":      kindLong,
	"boolean":   kindBoolean,
	"float":     kindFloat,
	"double":    kindDouble,
	"timestamp": kindTimestamp,
	"blob":      kindBlob,
	"list":      kindList,
	"map":       kindMap,
	"structure": kindStructure,
}

func (k shapeKind) scalar() bool { return k < kindList }

// shape is one named shape of the model with its constraints resolved.
type shape struct {
	name      string
	kind      shapeKind
	members   []*member // structure members, model order
	elem      *member   // list member
	key, val  *member   // map key and value
	flattened bool
	union     bool
	sensitive bool

	hasMin, hasMax bool
	min, max       float64
	pattern        *pattern
	enum           []string
	enumSet        map[string]struct{}

	// The messages of the shape's constraints, precomputed ("Member must
	// have length less than or equal to 64", ...); empty when the shape
	// has no such constraint.
	lenMin, lenMax, valMin, valMax, patMsg, enumMsg string
}

// member is a reference from a structure, list or map to a shape.
type member struct {
	name     string // the model's member name (Go field name, upper-cased)
	wire     string // the name on the wire: locationName, else name
	path     string // the name in validation messages: lower-camel name
	shape    *shape
	required bool
	located  bool // wire came from an explicit locationName
}

// ErrModel reports a model that LoadModel cannot use (not the Query
// protocol, dangling references, patterns Go cannot match exactly).
var ErrModel = errors.New("awsquery: invalid model")

type jsonModel struct {
	Metadata struct {
		APIVersion     string `json:"apiVersion"`
		XMLNamespace   string `json:"xmlNamespace"`
		Protocol       string `json:"protocol"`
		ServiceID      string `json:"serviceId"`
		EndpointPrefix string `json:"endpointPrefix"`
	} `json:"metadata"`
	Operations map[string]jsonOperation `json:"operations"`
	Shapes     map[string]jsonShape     `json:"shapes"`
}

type jsonOperation struct {
	Name  string   `json:"name"`
	Input *jsonRef `json:"input"`
	Out   *struct {
		Shape         string `json:"shape"`
		ResultWrapper string `json:"resultWrapper"`
	} `json:"output"`
	Errors []jsonRef `json:"errors"`
}

type jsonRef struct {
	Shape        string `json:"shape"`
	LocationName string `json:"locationName"`
}

type jsonShape struct {
	Type      string          `json:"type"`
	Members   json.RawMessage `json:"members"`
	Required  []string        `json:"required"`
	Member    *jsonRef        `json:"member"`
	Key       *jsonRef        `json:"key"`
	Value     *jsonRef        `json:"value"`
	Flattened bool            `json:"flattened"`
	Min       *json.Number    `json:"min"`
	Max       *json.Number    `json:"max"`
	Pattern   *string         `json:"pattern"`
	Enum      []string        `json:"enum"`
	Sensitive bool            `json:"sensitive"`
	Union     bool            `json:"union"`
	Error     *struct {
		Code           string `json:"code"`
		HTTPStatusCode int    `json:"httpStatusCode"`
		SenderFault    bool   `json:"senderFault"`
	} `json:"error"`
	Exception bool `json:"exception"`
}

// LoadModel parses a botocore service model (the *.service.json files) of
// a Query-protocol service and compiles every constraint, so that decoding
// never compiles anything per request.
func LoadModel(data []byte) (*Model, error) {
	var jm jsonModel
	if err := json.Unmarshal(data, &jm); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrModel, err)
	}
	if p := jm.Metadata.Protocol; p != "query" {
		return nil, fmt.Errorf("%w: protocol %q is not query", ErrModel, p)
	}
	m := &Model{
		apiVersion: jm.Metadata.APIVersion,
		namespace:  jm.Metadata.XMLNamespace,
		serviceID:  jm.Metadata.ServiceID,
		prefix:     jm.Metadata.EndpointPrefix,
		ops:        make(map[string]*Operation, len(jm.Operations)),
		shapes:     make(map[string]*shape, len(jm.Shapes)),
		errs:       map[string]errorInfo{},
	}
	// Create every shape first so that references resolve in any order
	// (and recursive shapes stay finite).
	for name, js := range jm.Shapes {
		kind, ok := kindNames[js.Type]
		if !ok {
			return nil, fmt.Errorf("%w: shape %s has unsupported type %q", ErrModel, name, js.Type)
		}
		m.shapes[name] = &shape{name: name, kind: kind}
	}
	patterns := map[string]*pattern{}
	for name, js := range jm.Shapes {
		if err := m.resolveShape(m.shapes[name], js, patterns); err != nil {
			return nil, fmt.Errorf("%w: shape %s: %v", ErrModel, name, err)
		}
	}
	for name, jo := range jm.Operations {
		op := &Operation{Name: name}
		if jo.Input != nil {
			s, err := m.structureRef(jo.Input.Shape)
			if err != nil {
				return nil, fmt.Errorf("%w: operation %s input: %v", ErrModel, name, err)
			}
			op.InputShape, op.input = s.name, s
		}
		if jo.Out != nil {
			s, err := m.structureRef(jo.Out.Shape)
			if err != nil {
				return nil, fmt.Errorf("%w: operation %s output: %v", ErrModel, name, err)
			}
			op.OutputShape, op.output = s.name, s
			op.ResultWrapper = jo.Out.ResultWrapper
			if op.ResultWrapper == "" {
				op.ResultWrapper = name + "Result"
			}
		}
		for _, e := range jo.Errors {
			es, ok := m.shapes[e.Shape]
			if !ok {
				return nil, fmt.Errorf("%w: operation %s: unknown error shape %s", ErrModel, name, e.Shape)
			}
			op.Errors = append(op.Errors, errorCode(es.name, jm.Shapes[e.Shape]))
		}
		m.ops[name] = op
		m.opNames = append(m.opNames, name)
	}
	slices.Sort(m.opNames)
	for name, js := range jm.Shapes {
		if js.Error == nil && !js.Exception {
			continue
		}
		status := 400
		if js.Error != nil && js.Error.HTTPStatusCode != 0 {
			status = js.Error.HTTPStatusCode
		}
		sender := status < 500
		if js.Error != nil && js.Error.SenderFault {
			sender = true
		}
		m.errs[errorCode(name, js)] = errorInfo{status: status, sender: sender}
	}
	return m, nil
}

func errorCode(name string, js jsonShape) string {
	if js.Error != nil && js.Error.Code != "" {
		return js.Error.Code
	}
	return name
}

func (m *Model) structureRef(name string) (*shape, error) {
	s, ok := m.shapes[name]
	if !ok {
		return nil, fmt.Errorf("unknown shape %s", name)
	}
	if s.kind != kindStructure {
		return nil, fmt.Errorf("shape %s is not a structure", name)
	}
	return s, nil
}

func (m *Model) ref(r *jsonRef, defaultWire string) (*member, error) {
	if r == nil {
		return nil, errors.New("missing member reference")
	}
	s, ok := m.shapes[r.Shape]
	if !ok {
		return nil, fmt.Errorf("unknown shape %s", r.Shape)
	}
	mem := &member{name: defaultWire, wire: defaultWire, shape: s}
	if r.LocationName != "" {
		mem.wire = r.LocationName
		mem.located = true
	}
	return mem, nil
}

func (m *Model) resolveShape(s *shape, js jsonShape, patterns map[string]*pattern) error {
	s.flattened = js.Flattened
	s.union = js.Union
	s.sensitive = js.Sensitive
	var err error
	switch s.kind {
	case kindStructure:
		if err := m.resolveMembers(s, js); err != nil {
			return err
		}
	case kindList:
		if s.elem, err = m.ref(js.Member, "member"); err != nil {
			return err
		}
	case kindMap:
		if s.key, err = m.ref(js.Key, "key"); err != nil {
			return err
		}
		if s.val, err = m.ref(js.Value, "value"); err != nil {
			return err
		}
	}
	if js.Min != nil {
		if s.min, err = js.Min.Float64(); err != nil {
			return err
		}
		s.hasMin = true
	}
	if js.Max != nil {
		if s.max, err = js.Max.Float64(); err != nil {
			return err
		}
		s.hasMax = true
	}
	if js.Pattern != nil {
		p, ok := patterns[*js.Pattern]
		if !ok {
			if p, err = compilePattern(*js.Pattern); err != nil {
				return err
			}
			patterns[*js.Pattern] = p
		}
		s.pattern = p
		s.patMsg = "Member must satisfy regular expression pattern: " + p.source
	}
	if len(js.Enum) > 0 {
		s.enum = js.Enum
		s.enumSet = make(map[string]struct{}, len(js.Enum))
		for _, v := range js.Enum {
			s.enumSet[v] = struct{}{}
		}
		s.enumMsg = "Member must satisfy enum value set: [" + strings.Join(js.Enum, ", ") + "]"
	}
	// Strings, blobs, lists and maps constrain their length; numbers their
	// value. The wording is AWS's (see validate.go).
	switch s.kind {
	case kindInteger, kindLong, kindFloat, kindDouble:
		if s.hasMin {
			s.valMin = "Member must have value greater than or equal to " + formatBound(s.min)
		}
		if s.hasMax {
			s.valMax = "Member must have value less than or equal to " + formatBound(s.max)
		}
	case kindString, kindBlob, kindList, kindMap:
		if s.hasMin {
			s.lenMin = "Member must have length greater than or equal to " + formatBound(s.min)
		}
		if s.hasMax {
			s.lenMax = "Member must have length less than or equal to " + formatBound(s.max)
		}
	}
	return nil
}

func formatBound(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

// resolveMembers reads a structure's members in model order: the order is
// the order of the XML elements in responses, so the JSON object is read
// token by token rather than into a Go map.
func (m *Model) resolveMembers(s *shape, js jsonShape) error {
	required := map[string]bool{}
	for _, r := range js.Required {
		required[r] = true
	}
	if len(js.Members) == 0 {
		return nil
	}
	dec := json.NewDecoder(bytes.NewReader(js.Members))
	if _, err := dec.Token(); err != nil { // {
		return err
	}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return err
		}
		name, _ := tok.(string)
		var r jsonRef
		if err := dec.Decode(&r); err != nil {
			return err
		}
		mem, err := m.ref(&r, name)
		if err != nil {
			return fmt.Errorf("member %s: %v", name, err)
		}
		mem.name = name
		mem.path = lowerFirst(name)
		mem.required = required[name]
		delete(required, name)
		s.members = append(s.members, mem)
	}
	for r := range required {
		return fmt.Errorf("required member %s is not a member", r)
	}
	return nil
}

// lowerFirst gives the name AWS uses for a member in validation messages:
// the member name with its first letter lower-cased ("UserName" becomes
// "userName", "SAMLAssertion" becomes "sAMLAssertion").
func lowerFirst(s string) string {
	if s == "" || s[0] < 'A' || s[0] > 'Z' {
		return s
	}
	return string(s[0]+'a'-'A') + s[1:]
}

// APIVersion is the model's API version, the value of the Version parameter
// ("2010-05-08" for IAM).
func (m *Model) APIVersion() string { return m.apiVersion }

// Namespace is the XML namespace of the service's responses and errors.
func (m *Model) Namespace() string { return m.namespace }

// ServiceID is the model's service id ("IAM", "STS").
func (m *Model) ServiceID() string { return m.serviceID }

// EndpointPrefix is the service's signing name ("iam", "sts"): the service
// in a SigV4 credential scope.
func (m *Model) EndpointPrefix() string { return m.prefix }

// Operation returns the named operation.
func (m *Model) Operation(name string) (*Operation, bool) {
	op, ok := m.ops[name]
	return op, ok
}

// OperationNames returns the names of every operation, sorted.
func (m *Model) OperationNames() []string { return slices.Clone(m.opNames) }

// ErrorStatus returns the HTTP status the model gives an error code
// (NoSuchEntity 404, EntityAlreadyExists 409, ...), and whether the model
// knows the code.
func (m *Model) ErrorStatus(code string) (int, bool) {
	e, ok := m.errs[code]
	return e.status, ok
}

// Errorf returns the wire error for one of the model's error codes with its
// HTTP status and fault. A code the model does not know is a sender error
// with status 400.
func (m *Model) Errorf(code, format string, args ...any) *Error {
	e, ok := m.errs[code]
	if !ok {
		e = errorInfo{status: 400, sender: true}
	}
	msg := format
	if len(args) > 0 {
		msg = fmt.Sprintf(format, args...)
	}
	return &Error{Code: code, Message: msg, Status: e.status, Sender: e.sender}
}
