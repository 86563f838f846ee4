// Package apperr is Rapport's one error type: a kind that decides the HTTP
// status in one place, a message that is safe to show users, the fields that
// failed validation, and the wrapped cause that only the logs see.
package apperr

import (
	"errors"
	"fmt"
	"strings"
)

// Kind classifies an error; the HTTP layer maps each kind to one status.
type Kind int

// The kinds of error. Internal is the zero value so that an unclassified
// error is never shown to users as anything but an internal error.
const (
	Internal     Kind = iota // a bug or an unexpected failure
	Invalid                  // the input is malformed or fails validation
	NotFound                 // no such resource for this user
	Conflict                 // the resource exists already or changed underneath
	Unauthorized             // no valid credentials
	Forbidden                // credentials valid, action not allowed
	Unavailable              // a dependency (the store) cannot be reached
	TooLarge                 // the request body exceeds its limit
	Unsupported              // the content type is not accepted
	RateLimited              // too many attempts
	Malformed                // the body or query cannot be parsed at all
)

var kindNames = map[Kind]string{
	Internal: "internal", Invalid: "invalid", NotFound: "not_found", Conflict: "conflict",
	Unauthorized: "unauthorized", Forbidden: "forbidden", Unavailable: "unavailable",
	TooLarge: "too_large", Unsupported: "unsupported", RateLimited: "rate_limited", Malformed: "malformed",
}

// String returns the kind's short name, used in problem types and logs.
func (k Kind) String() string { return kindNames[k] }

// FieldError names one input field and what is wrong with it.
type FieldError struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

// Error is the error type every package returns to the HTTP layer.
type Error struct {
	Kind    Kind
	Message string       // safe to show users
	Fields  []FieldError // for Invalid: each bad field
	// ExistingID is set on a Conflict caused by a duplicate.
	ExistingID string
	// RetryAfter is set on RateLimited, in seconds.
	RetryAfter int
	Err        error // the cause, for logs only
}

// Error returns the message, followed by the cause when there is one.
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.Kind.String())
	if e.Message != "" {
		b.WriteString(": ")
		b.WriteString(e.Message)
	}
	for _, f := range e.Fields {
		fmt.Fprintf(&b, "; %s: %s", f.Field, f.Message)
	}
	if e.Err != nil {
		b.WriteString(": ")
		b.WriteString(e.Err.Error())
	}
	return b.String()
}

// Public is what a user may read of e: its kind in words, its message and
// its field errors — never the cause, whose driver text is for the logs.
func (e *Error) Public() string {
	msg := strings.ReplaceAll(e.Kind.String(), "_", " ")
	if e.Message != "" {
		msg += ": " + e.Message
	}
	var fs []string
	for _, f := range e.Fields {
		fs = append(fs, f.Field+": "+f.Message)
	}
	if len(fs) > 0 {
		msg += " (" + strings.Join(fs, "; ") + ")"
	}
	return msg
}

// PublicOf is err's Public text, or "internal error" for an error that is
// not an *Error.
func PublicOf(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Public()
	}
	return "internal error"
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// E returns an error of the given kind with a user-safe message.
func E(kind Kind, format string, args ...any) *Error {
	return &Error{Kind: kind, Message: fmt.Sprintf(format, args...)}
}

// Wrap returns an error of the given kind that keeps cause for the logs.
func Wrap(kind Kind, cause error, format string, args ...any) *Error {
	return &Error{Kind: kind, Message: fmt.Sprintf(format, args...), Err: cause}
}

// KindOf returns the kind of err, Internal when err is not an *Error.
func KindOf(err error) Kind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return Internal
}

// Is reports whether err is an *Error of the given kind.
func Is(err error, kind Kind) bool { return err != nil && KindOf(err) == kind }

// Fields collects validation failures; its Err returns nil when there were none.
type Fields []FieldError

// Add records that field is wrong.
func (fs *Fields) Add(field, format string, args ...any) {
	*fs = append(*fs, FieldError{Field: field, Message: fmt.Sprintf(format, args...)})
}

// Err returns an Invalid error listing the fields, or nil when none failed.
func (fs Fields) Err() error {
	if len(fs) == 0 {
		return nil
	}
	return &Error{Kind: Invalid, Message: "validation failed", Fields: fs}
}

// InvalidField returns an Invalid error about a single field.
func InvalidField(field, format string, args ...any) *Error {
	var fs Fields
	fs.Add(field, format, args...)
	return fs.Err().(*Error)
}

// Renamed returns err with the fields it names renamed as names says
// (a field of one request that another form or call calls otherwise);
// err itself is left as it is.
func Renamed(err error, names map[string]string) error {
	var ae *Error
	if !errors.As(err, &ae) {
		return err
	}
	e := *ae
	e.Fields = append([]FieldError(nil), ae.Fields...)
	for i := range e.Fields {
		if n, ok := names[e.Fields[i].Field]; ok {
			e.Fields[i].Field = n
		}
	}
	return &e
}

// FieldsOf returns the fields an error names (none if it is not an
// *Error or names none).
func FieldsOf(err error) []FieldError {
	var e *Error
	if errors.As(err, &e) {
		return e.Fields
	}
	return nil
}
