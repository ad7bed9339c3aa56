// Package sigv4 verifies and produces AWS Signature Version 4 signatures,
// so that a self-hosted AWS-compatible service accepts requests from the
// AWS CLI, the SDKs and Terraform unchanged, and answers a bad signature
// with the error code and message AWS itself sends.
//
// Verifier.Verify checks both forms AWS defines: the Authorization header
// ("AWS4-HMAC-SHA256 Credential=..., SignedHeaders=..., Signature=...") and
// the presigned query string (X-Amz-Algorithm, X-Amz-Credential,
// X-Amz-Date, X-Amz-Expires, X-Amz-SignedHeaders, X-Amz-Signature,
// X-Amz-Security-Token). The canonical request follows AWS's rules for
// every service but S3: the URI path is normalized and encoded twice, the
// query string is decoded, re-encoded and sorted, header values are
// trimmed with runs of spaces collapsed, and the payload hash is computed
// from the body (an X-Amz-Content-Sha256 header is checked against it).
// The request time must lie within 15 minutes of the server clock; the
// error outside it is the one AWS's SDKs recognise as clock skew.
//
// The caller supplies the secrets (CredentialSource) and keeps everything
// else: the package does no I/O, keeps no state and imports only the
// standard library. A failure is an *Error with AWS's code, HTTP status
// and message; see the messages table in errors.go for each one's source.
//
// Sign and Presign produce signatures the same way, for tests and clients.
package sigv4
