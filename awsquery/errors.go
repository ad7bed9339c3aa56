package awsquery

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
)

// Error is the one error type that reaches the wire: an AWS error code, its
// message, the HTTP status it is sent with, and whether the fault is the
// sender's (Type Sender) or the service's (Type Receiver). Handlers return
// it (or wrap it); WriteError renders it.
type Error struct {
	Code    string
	Message string
	Status  int
	Sender  bool
}

// Error formats the error as "Code: Message", the way the SDKs print it.
func (e *Error) Error() string {
	if e.Message == "" {
		return e.Code
	}
	return e.Code + ": " + e.Message
}

// NewError returns a wire error. Statuses below 500 are the sender's fault.
func NewError(code string, status int, format string, args ...any) *Error {
	msg := format
	if len(args) > 0 {
		msg = fmt.Sprintf(format, args...)
	}
	return &Error{Code: code, Message: msg, Status: status, Sender: status < 500}
}

// Codes and statuses of the errors that the protocol layer itself returns.
// They are the ones in AWS's list of errors common to all Query APIs
// (https://docs.aws.amazon.com/IAM/latest/APIReference/CommonErrors.html;
// the same list appears for every Query service, e.g.
// https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/CommonErrors.html),
// with the statuses given there.
const (
	CodeValidationError       = "ValidationError"
	CodeInvalidAction         = "InvalidAction"
	CodeMissingAction         = "MissingAction"
	CodeInvalidParameterValue = "InvalidParameterValue"
	CodeInvalidQueryParameter = "InvalidQueryParameter"
	CodeMalformedQueryString  = "MalformedQueryString"
	CodeUnsupportedMediaType  = "UnsupportedMediaType"
	CodeInternalFailure       = "InternalFailure"
)

// ValidationError returns the 400 error AWS answers when an input breaks the
// model's constraints.
func ValidationError(message string) *Error {
	return &Error{Code: CodeValidationError, Message: message, Status: http.StatusBadRequest, Sender: true}
}

// InvalidAction returns the error for an Action the service does not have,
// with the message AWS sends for it.
func InvalidAction(action, version string) *Error {
	return &Error{
		Code:    CodeInvalidAction,
		Message: "Could not find operation " + action + " for version " + version,
		Status:  http.StatusBadRequest,
		Sender:  true,
	}
}

// MissingAction returns the error for a request without an Action.
func MissingAction() *Error {
	return &Error{Code: CodeMissingAction, Message: "Missing Action", Status: http.StatusBadRequest, Sender: true}
}

// InternalFailure returns the 500 error that stands for any unexpected
// failure; the details belong in the server's log under the request id, not
// on the wire.
func InternalFailure() *Error {
	return &Error{
		Code:    CodeInternalFailure,
		Message: "The request processing has failed because of an unknown error, exception or failure.",
		Status:  http.StatusInternalServerError,
	}
}

// AsError returns the wire error inside err, or InternalFailure when err
// carries none (so that no internal detail leaks), or nil for a nil err.
func AsError(err error) *Error {
	if err == nil {
		return nil
	}
	if e, ok := errors.AsType[*Error](err); ok && e != nil {
		return e
	}
	return InternalFailure()
}

// WriteError renders e as AWS's Query error document with e's status,
// Content-Type text/xml and the request id in the x-amzn-RequestId header
// and in the body, where aws-sdk-go-v2 and botocore read Code, Message and
// RequestId from:
//
//	<ErrorResponse xmlns="..."><Error><Type>Sender</Type><Code>NoSuchEntity</Code>
//	<Message>...</Message></Error><RequestId>...</RequestId></ErrorResponse>
func WriteError(w http.ResponseWriter, e *Error, namespace, requestID string) {
	if e == nil {
		e = InternalFailure()
	}
	status := e.Status
	if status < 400 || status > 599 {
		status = http.StatusInternalServerError
		if e.Sender {
			status = http.StatusBadRequest
		}
	}
	body := AppendError(nil, e, namespace, requestID)
	h := w.Header()
	h.Set("Content-Type", "text/xml")
	h.Set("Content-Length", strconv.Itoa(len(body)))
	if requestID != "" {
		h.Set("x-amzn-RequestId", requestID)
	}
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// AppendError appends the error document for e to b.
func AppendError(b []byte, e *Error, namespace, requestID string) []byte {
	b = append(b, `<ErrorResponse xmlns="`...)
	b = appendEscaped(b, namespace)
	b = append(b, `"><Error><Type>`...)
	if e.Sender {
		b = append(b, "Sender"...)
	} else {
		b = append(b, "Receiver"...)
	}
	b = append(b, `</Type><Code>`...)
	b = appendEscaped(b, e.Code)
	b = append(b, `</Code><Message>`...)
	b = appendEscaped(b, e.Message)
	b = append(b, `</Message></Error><RequestId>`...)
	b = appendEscaped(b, requestID)
	b = append(b, "</RequestId></ErrorResponse>\n"...)
	return b
}
