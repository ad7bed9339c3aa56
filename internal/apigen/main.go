// Command apigen writes the Go types of an AWS Query service from its
// botocore model: for every operation its input and output structs, every
// structure and enum they reach, the sorted operation names and each
// operation's input/output type pair. The decoder and encoder in awsquery
// bind to these types by name, so the naming rules here are the contract of
// docs/architecture.md ("Generated API types"):
//
//   - Go type name = shape name with its first letter upper-cased; field
//     name = member name with its first letter upper-cased.
//   - Required scalars are values, optional scalars pointers; timestamps
//     are time.Time, blobs []byte; lists are slices, maps Go maps; nested
//     structures are values when required, pointers when optional.
//   - Enums are strings, with one typed constant per value.
//
// Usage (from go:generate in internal/iamapi and internal/stsapi):
//
//	go run ./internal/apigen -model iam-2010-05-08.service.json.gz -pkg iamapi -out api_gen.go
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
)

func main() {
	model := flag.String("model", "", "botocore service model (.json or .json.gz)")
	pkg := flag.String("pkg", "", "Go package name of the output")
	out := flag.String("out", "", "output file")
	flag.Parse()
	if *model == "" || *pkg == "" || *out == "" {
		flag.Usage()
		os.Exit(2)
	}
	if err := run(*model, *pkg, *out); err != nil {
		fmt.Fprintln(os.Stderr, "apigen:", err)
		os.Exit(1)
	}
}

func run(modelPath, pkg, out string) error {
	data, err := os.ReadFile(modelPath)
	if err != nil {
		return err
	}
	src, err := Generate(data, pkg, filepath.Base(modelPath))
	if err != nil {
		return err
	}
	return os.WriteFile(out, src, 0o644)
}
