// Package awsquery implements the AWS Query protocol, the wire format of
// IAM and STS, on the server side: it reads a request's parameters
// (ParseParams), decodes them into generated input types and validates
// them against a botocore model with AWS's own error messages
// (Model.Decode), writes responses (Model.Encode) and errors (WriteError)
// in the XML that the AWS CLI, the SDKs and Terraform parse.
//
// A Model is loaded once from a botocore service model (LoadModel); every
// constraint pattern is compiled then, and each Go type is bound to its
// shape on first use, so that a request costs no lookups by name and no
// regexp compilation. The package imports the standard library only.
package awsquery
