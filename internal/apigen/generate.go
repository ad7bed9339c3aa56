package main

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"go/format"
	"io"
	"slices"
	"strings"
	"unicode"
)

type model struct {
	Metadata struct {
		ServiceID string `json:"serviceId"`
	} `json:"metadata"`
	Operations map[string]struct {
		Input  *ref `json:"input"`
		Output *ref `json:"output"`
	} `json:"operations"`
	Shapes map[string]*shapeDef `json:"shapes"`
}

type ref struct {
	Shape string `json:"shape"`
}

type shapeDef struct {
	Type     string          `json:"type"`
	Members  json.RawMessage `json:"members"`
	Required []string        `json:"required"`
	Member   *ref            `json:"member"`
	Key      *ref            `json:"key"`
	Value    *ref            `json:"value"`
	Enum     []string        `json:"enum"`

	members []memberDef // in model order
}

type memberDef struct {
	name     string
	shape    string
	required bool
}

// Generate returns the gofmt-ed Go source of the API types of a botocore
// model (JSON, or JSON compressed with gzip). source names the model in the
// generated header. The output depends on the model only.
func Generate(data []byte, pkg, source string) ([]byte, error) {
	if len(data) > 2 && data[0] == 0x1f && data[1] == 0x8b {
		zr, err := gzip.NewReader(bytes.NewReader(data))
		if err != nil {
			return nil, err
		}
		if data, err = io.ReadAll(zr); err != nil {
			return nil, err
		}
	}
	var m model
	if err := json.Unmarshal(data, &m); err != nil {
		return nil, fmt.Errorf("model: %w", err)
	}
	for name, s := range m.Shapes {
		if err := s.readMembers(); err != nil {
			return nil, fmt.Errorf("shape %s: %w", name, err)
		}
	}
	g := &generator{m: &m, reached: map[string]bool{}, goNames: map[string]string{}}
	return g.run(pkg, strings.TrimSuffix(source, ".gz"))
}

// readMembers reads a structure's members in model order (a Go map would
// lose it, and the order is the order of the fields and of the XML).
func (s *shapeDef) readMembers() error {
	if len(s.Members) == 0 {
		return nil
	}
	req := map[string]bool{}
	for _, r := range s.Required {
		req[r] = true
	}
	dec := json.NewDecoder(bytes.NewReader(s.Members))
	if _, err := dec.Token(); err != nil {
		return err
	}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return err
		}
		var r ref
		if err := dec.Decode(&r); err != nil {
			return err
		}
		name := tok.(string)
		s.members = append(s.members, memberDef{name: name, shape: r.Shape, required: req[name]})
	}
	return nil
}

type generator struct {
	m       *model
	reached map[string]bool   // structure and enum shapes to generate
	goNames map[string]string // Go type name -> shape name (collision check)
}

func (g *generator) run(pkg, source string) ([]byte, error) {
	ops := make([]string, 0, len(g.m.Operations))
	for name := range g.m.Operations {
		ops = append(ops, name)
	}
	slices.Sort(ops)
	for _, name := range ops {
		op := g.m.Operations[name]
		for _, r := range []*ref{op.Input, op.Output} {
			if r != nil {
				if err := g.reach(r.Shape); err != nil {
					return nil, fmt.Errorf("operation %s: %w", name, err)
				}
			}
		}
	}
	shapes := make([]string, 0, len(g.reached))
	for name := range g.reached {
		shapes = append(shapes, name)
	}
	slices.SortFunc(shapes, func(a, b string) int { return strings.Compare(goName(a), goName(b)) })
	for _, name := range shapes {
		gn := goName(name)
		if other, dup := g.goNames[gn]; dup {
			return nil, fmt.Errorf("shapes %s and %s both become Go type %s", other, name, gn)
		}
		g.goNames[gn] = name
	}

	var b bytes.Buffer
	b.WriteString("// OperationNames lists every operation of the model, sorted.\n")
	b.WriteString("var OperationNames = []string{\n")
	for _, name := range ops {
		fmt.Fprintf(&b, "%q,\n", name)
	}
	b.WriteString("}\n\n")

	b.WriteString("// OperationType pairs an operation's generated input and output types; a\n")
	b.WriteString("// nil Type means the operation has no input (or no output) in the model.\n")
	b.WriteString("type OperationType struct {\nInput, Output reflect.Type\n}\n\n")
	b.WriteString("// Operations maps every operation name to its input and output types.\n")
	b.WriteString("var Operations = map[string]OperationType{\n")
	for _, name := range ops {
		op := g.m.Operations[name]
		in, out := "nil", "nil"
		if op.Input != nil {
			in = "reflect.TypeFor[" + goName(op.Input.Shape) + "]()"
		}
		if op.Output != nil {
			out = "reflect.TypeFor[" + goName(op.Output.Shape) + "]()"
		}
		fmt.Fprintf(&b, "%q: {Input: %s, Output: %s},\n", name, in, out)
	}
	b.WriteString("}\n\n")

	roles := g.roles(ops)
	for _, name := range shapes {
		s := g.m.Shapes[name]
		gn := goName(name)
		if s.Type != "structure" {
			if err := g.writeEnum(&b, name, s); err != nil {
				return nil, err
			}
			continue
		}
		if r := roles[name]; r != "" {
			fmt.Fprintf(&b, "// %s is %s.\n", gn, r)
		} else {
			fmt.Fprintf(&b, "// %s is the model's %s structure.\n", gn, name)
		}
		fmt.Fprintf(&b, "type %s struct {\n", gn)
		for _, mem := range s.members {
			t, err := g.fieldType(mem)
			if err != nil {
				return nil, fmt.Errorf("shape %s member %s: %w", name, mem.name, err)
			}
			fmt.Fprintf(&b, "%s %s\n", goName(mem.name), t)
		}
		b.WriteString("}\n\n")
	}
	var head bytes.Buffer
	fmt.Fprintf(&head, "// Code generated by internal/apigen from %s; DO NOT EDIT.\n\n", source)
	fmt.Fprintf(&head, "package %s\n\n", pkg)
	if bytes.Contains(b.Bytes(), []byte("time.Time")) {
		head.WriteString("import (\n\"reflect\"\n\"time\"\n)\n\n")
	} else {
		head.WriteString("import \"reflect\"\n\n")
	}
	head.Write(b.Bytes())
	src, err := format.Source(head.Bytes())
	if err != nil {
		return nil, fmt.Errorf("gofmt: %w", err)
	}
	return src, nil
}

// roles describes the structures that are operation inputs or outputs.
func (g *generator) roles(ops []string) map[string]string {
	uses := map[string][]string{}
	for _, name := range ops {
		op := g.m.Operations[name]
		if op.Input != nil {
			uses[op.Input.Shape] = append(uses[op.Input.Shape], "the input of "+name)
		}
		if op.Output != nil {
			uses[op.Output.Shape] = append(uses[op.Output.Shape], "the output of "+name)
		}
	}
	roles := map[string]string{}
	for shape, u := range uses {
		roles[shape] = strings.Join(u, ", ")
	}
	return roles
}

func (g *generator) reach(name string) error {
	s, ok := g.m.Shapes[name]
	if !ok {
		return fmt.Errorf("unknown shape %s", name)
	}
	switch s.Type {
	case "structure":
		if g.reached[name] {
			return nil
		}
		g.reached[name] = true
		for _, mem := range s.members {
			if err := g.reach(mem.shape); err != nil {
				return err
			}
		}
	case "list":
		if s.Member == nil {
			return fmt.Errorf("list %s has no member", name)
		}
		return g.reach(s.Member.Shape)
	case "map":
		if s.Key == nil || s.Value == nil {
			return fmt.Errorf("map %s lacks key or value", name)
		}
		if err := g.reach(s.Key.Shape); err != nil {
			return err
		}
		return g.reach(s.Value.Shape)
	case "string":
		if len(s.Enum) > 0 {
			g.reached[name] = true
		}
	}
	return nil
}

// scalarTypes are the Go types of botocore's scalar shape types.
var scalarTypes = map[string]string{
	"string":    "string",
	"integer":   "int32",
	"long":      "int64",
	"boolean":   "bool",
	"float":     "float32",
	"double":    "float64",
	"timestamp": "time.Time",
	"blob":      "[]byte",
}

func (g *generator) fieldType(mem memberDef) (string, error) {
	t, err := g.valueType(mem.shape)
	if err != nil {
		return "", err
	}
	s := g.m.Shapes[mem.shape]
	switch s.Type {
	case "list", "map", "blob":
		return t, nil
	}
	if mem.required {
		return t, nil
	}
	return "*" + t, nil
}

// valueType is the Go type of a shape where it is held by value (list
// elements, map values, required members).
func (g *generator) valueType(name string) (string, error) {
	s, ok := g.m.Shapes[name]
	if !ok {
		return "", fmt.Errorf("unknown shape %s", name)
	}
	if t, ok := scalarTypes[s.Type]; ok {
		return t, nil
	}
	switch s.Type {
	case "structure":
		return goName(name), nil
	case "list":
		e, err := g.valueType(s.Member.Shape)
		if err != nil {
			return "", err
		}
		return "[]" + e, nil
	case "map":
		k := g.m.Shapes[s.Key.Shape]
		if k == nil || k.Type != "string" {
			return "", fmt.Errorf("map %s has non-string keys", name)
		}
		v, err := g.valueType(s.Value.Shape)
		if err != nil {
			return "", err
		}
		return "map[string]" + v, nil
	}
	return "", fmt.Errorf("shape %s has unsupported type %q", name, s.Type)
}

func (g *generator) writeEnum(b *bytes.Buffer, name string, s *shapeDef) error {
	gn := goName(name)
	fmt.Fprintf(b, "// Values of the model's %s enum (the members that use it are strings).\nconst (\n", name)
	seen := map[string]string{}
	for _, v := range s.Enum {
		c := gn + constSuffix(v)
		if other, dup := seen[c]; dup {
			return fmt.Errorf("enum %s: values %q and %q both become constant %s", name, other, v, c)
		}
		if other, dup := g.goNames[c]; dup {
			return fmt.Errorf("enum %s: constant %s collides with type of shape %s", name, c, other)
		}
		seen[c] = v
		fmt.Fprintf(b, "%s string = %q\n", c, v)
	}
	b.WriteString(")\n\n")
	return nil
}

// constSuffix turns an enum value into a Go identifier suffix:
// "IN_PROGRESS" -> "InProgress", "aws-managed" -> "AwsManaged",
// "text/csv" -> "TextCsv", "v1Token" -> "V1Token".
func constSuffix(v string) string {
	parts := strings.FieldsFunc(v, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
	var b strings.Builder
	for _, p := range parts {
		if strings.ToUpper(p) == p {
			p = strings.ToLower(p)
		}
		b.WriteString(goName(p))
	}
	if b.Len() == 0 || !unicode.IsLetter(rune(b.String()[0])) {
		return "Value" + b.String()
	}
	return b.String()
}

// goName upper-cases the first letter, the rule for type and field names.
func goName(s string) string {
	if s == "" || s[0] < 'a' || s[0] > 'z' {
		return s
	}
	return string(s[0]-'a'+'A') + s[1:]
}
