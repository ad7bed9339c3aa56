package policy

import "unicode/utf8"

// SizeLimit is one of IAM's policy size quotas. IAM counts characters
// without whitespace; the quota depends on where a document is stored, not
// on its kind, so it is separate from Parse.
type SizeLimit struct {
	// Max is the largest allowed size in characters.
	Max int
	// Entity is "user", "group" or "role" for inline policies (whose
	// quota applies to the sum of the entity's inline policies), empty
	// otherwise.
	Entity string
	msg    msgID
}

// The size quotas of the IAM User Guide ("IAM and AWS STS quotas").
var (
	// UserInlineLimit: all inline policies of a user together.
	UserInlineLimit = SizeLimit{Max: 2048, Entity: "user", msg: msgInlineSize}
	// GroupInlineLimit: all inline policies of a group together.
	GroupInlineLimit = SizeLimit{Max: 5120, Entity: "group", msg: msgInlineSize}
	// RoleInlineLimit: all inline policies of a role together.
	RoleInlineLimit = SizeLimit{Max: 10240, Entity: "role", msg: msgInlineSize}
	// ManagedLimit: one managed policy version (and so a boundary).
	ManagedLimit = SizeLimit{Max: 6144, msg: msgManagedSize}
	// TrustPolicyLimit: a role's trust policy (the default quota).
	TrustPolicyLimit = SizeLimit{Max: 2048, msg: msgTrustSize}
)

// SizeError is the LimitExceeded error CheckSize returns (HTTP 409 in
// IAM's API). Its Error method returns AWS's message, e.g.
// "Cannot exceed quota for PolicySize: 6144" for a managed policy or
// "Maximum policy size of 2048 bytes exceeded for user alice" for inline
// user policies.
type SizeError struct {
	Limit   SizeLimit
	Size    int
	Message string
}

// Error returns AWS's message.
func (e *SizeError) Error() string { return e.Message }

// Code returns the AWS error code, "LimitExceeded".
func (e *SizeError) Code() string { return "LimitExceeded" }

// Size returns a document's size as IAM counts it: characters, not
// counting whitespace outside string values.
func Size(doc []byte) int {
	n := 0
	inString, escaped := false, false
	for i := 0; i < len(doc); {
		c := doc[i]
		size := 1
		if c >= utf8.RuneSelf {
			_, size = utf8.DecodeRune(doc[i:])
		}
		switch {
		case inString:
			n++
			switch {
			case escaped:
				escaped = false
			case c == '\\':
				escaped = true
			case c == '"':
				inString = false
			}
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
		default:
			n++
			if c == '"' {
				inString = true
			}
		}
		i += size
	}
	return n
}

// CheckSize checks documents stored together (an entity's inline policies
// are limited as a sum) against a quota. entity names the user, group or
// role for inline quotas' messages.
func CheckSize(limit SizeLimit, entity string, docs ...[]byte) error {
	total := 0
	for _, d := range docs {
		total += Size(d)
	}
	if total <= limit.Max {
		return nil
	}
	var m string
	if limit.msg == msgInlineSize {
		m = limit.msg.text(limit.Max, limit.Entity, entity)
	} else {
		m = limit.msg.text(limit.Max)
	}
	return &SizeError{Limit: limit, Size: total, Message: m}
}
