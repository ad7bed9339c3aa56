// Package policy parses, validates and evaluates AWS IAM policy documents
// the way AWS does, following the IAM User Guide ("Policy evaluation
// logic", "IAM JSON policy elements reference", "Condition operators",
// "Policy variables", "Cross-account policy evaluation logic",
// "Permissions boundaries", "Session policies") and the Organizations
// guide (SCPs, RCPs).
//
// A document is parsed once, with Parse, into an immutable compiled form
// (wildcards split, CIDRs, dates, numbers and ARNs parsed, policy
// variables located, statements indexed by service) that is safe for
// concurrent use. Evaluate then decides a Request against a PolicySet
// without I/O, without a clock and without errors: everything that can
// fail did so at Parse time.
//
// The package depends on the standard library only, so that services
// outside iamd can import it.
package policy
