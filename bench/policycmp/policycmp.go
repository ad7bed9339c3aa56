// Package policycmp measures iamd's policy engine side by side with two other
// Go policy engines on the same decision: N Allow statements
// {Action: s3:GetObject, Resource: arn:aws:s3:::bucket-i/*}, i = 0..N-1, and
// a request for an object in bucket-(N-1), so that only the last statement
// matches. The peers are cedar-go (equivalent permit policies with a `like`
// pattern) and minio's AWS-policy package, which lives in this separate
// module so that neither enters iamd's own dependencies (minio's is AGPL).
package policycmp

import (
	"encoding/json"
	"fmt"
	"strings"
)

// Sizes are the statement counts the benchmarks run at.
var Sizes = []int{1, 10, 100, 1000}

// objectKey is the object every request asks for.
const objectKey = "reports/2026/q1.csv"

// iamDocument returns the AWS policy document with n Allow statements.
func iamDocument(n int) []byte {
	type statement struct {
		Sid      string
		Effect   string
		Action   string
		Resource string
	}
	doc := struct {
		Version   string
		Statement []statement
	}{Version: "2012-10-17"}
	for i := range n {
		doc.Statement = append(doc.Statement, statement{
			Sid:      fmt.Sprintf("Bucket%d", i),
			Effect:   "Allow",
			Action:   "s3:GetObject",
			Resource: fmt.Sprintf("arn:aws:s3:::bucket-%d/*", i),
		})
	}
	b, err := json.Marshal(doc)
	if err != nil {
		panic(err) // cannot happen: the value is plain strings
	}
	return b
}

// cedarPolicies returns n Cedar permit policies equivalent to iamDocument's
// statements: the action by equality, the resource ARN (passed in the
// context, as Cedar has no ARN type) by a `like` pattern.
func cedarPolicies(n int) string {
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, "@id(\"Bucket%d\")\npermit (principal, action == Action::\"s3:GetObject\", resource)\nwhen { context.arn like \"arn:aws:s3:::bucket-%d/*\" };\n", i, i)
	}
	return b.String()
}

// bucket is the bucket the request targets: the last statement's.
func bucket(n int) string { return fmt.Sprintf("bucket-%d", n-1) }

// objectARN is the ARN of the requested object.
func objectARN(n int) string { return "arn:aws:s3:::" + bucket(n) + "/" + objectKey }
