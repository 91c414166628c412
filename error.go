package yaqaza

import (
	"errors"
	"fmt"
)

// Error codes are stable: API clients and the console switch on them. Each maps
// to exactly one HTTP status, in the http package.
const (
	EINVALID      = "invalid"      // the request is malformed or breaks a rule
	EUNAUTHORIZED = "unauthorized" // no valid credential
	EFORBIDDEN    = "forbidden"    // the actor may not do this
	ENOTFOUND     = "not_found"    // no such thing, or the actor may not see it
	ECONFLICT     = "conflict"     // the current state refuses the change
	ETOOLARGE     = "too_large"    // the body or batch is over its limit
	ERATELIMIT    = "rate_limited" // too many requests
	EUNAVAILABLE  = "unavailable"  // a dependency is down; retry later
	EINTERNAL     = "internal"     // a bug or an unexpected failure
)

// Error is the one error type that crosses service boundaries. Message is safe
// to show to the caller; internal errors are logged and shown as "internal error".
type Error struct {
	Code    string
	Message string
	// Field names the input field at fault, when there is one.
	Field string
}

func (e *Error) Error() string {
	return fmt.Sprintf("yaqaza error: code=%s message=%s", e.Code, e.Message)
}

// Errorf is a helper returning an *Error with the given code and formatted message.
func Errorf(code string, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Invalidf returns an EINVALID error that names the field at fault.
func Invalidf(field, format string, args ...any) *Error {
	return &Error{Code: EINVALID, Field: field, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of an *Error in err's chain, or EINTERNAL.
func ErrorCode(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage returns the message of an *Error in err's chain, or
// "internal error" for anything else, so that internals never leak.
func ErrorMessage(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Message
	}
	return "internal error"
}
