package domain

import (
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"sync"
)

// ValidationError lists what is wrong with an input, field by field.
// Messages are bilingual so they can be shown to users as they are.
type ValidationError struct {
	Fields map[string]string
}

func (e *ValidationError) Error() string {
	keys := make([]string, 0, len(e.Fields))
	for k := range e.Fields {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, 0, len(keys))
	for _, k := range keys {
		parts = append(parts, k+": "+e.Fields[k])
	}
	return "invalid input: " + strings.Join(parts, "; ")
}

// Add records a problem with field; the first message for a field wins.
func (e *ValidationError) Add(field, msg string) {
	if e.Fields == nil {
		e.Fields = map[string]string{}
	}
	if _, ok := e.Fields[field]; !ok {
		e.Fields[field] = msg
	}
}

// Err returns e when it holds at least one problem, nil otherwise.
func (e *ValidationError) Err() error {
	if e == nil || len(e.Fields) == 0 {
		return nil
	}
	return e
}

// Sentinel errors the API maps to status codes.
var (
	ErrNotFound  = errors.New("not found")
	ErrForbidden = errors.New("forbidden")
	ErrConflict  = errors.New("conflict")
)

// ForbiddenError explains why an action is not allowed.
type ForbiddenError struct{ Reason string }

func (e *ForbiddenError) Error() string        { return "forbidden: " + e.Reason }
func (e *ForbiddenError) Is(target error) bool { return target == ErrForbidden }

// Forbidden builds a ForbiddenError.
func Forbidden(format string, args ...any) error {
	return &ForbiddenError{Reason: fmt.Sprintf(format, args...)}
}

// Errors of the record store that callers act on.
var (
	// ErrBadCursor means a pagination cursor was not one the store issued
	// for this listing.
	ErrBadCursor = errors.New("invalid cursor")
	// ErrIdempotencyMismatch means an idempotency key came back with other content.
	ErrIdempotencyMismatch = errors.New("idempotency key reused with different content")
	// ErrRecentlySurveyed means the contact had a survey within the contact gap.
	ErrRecentlySurveyed = errors.New("contact surveyed recently")
	// ErrDuplicateAnswer means the survey token was already answered: nothing changed.
	ErrDuplicateAnswer = errors.New("survey already answered")
	// ErrComplaintSurveyed means a closed complaint already had its survey.
	ErrComplaintSurveyed = errors.New("complaint already surveyed")
	// ErrBusy means a write lost a race with another on the same item
	// (a transaction conflict): worth retrying at once, with backoff.
	ErrBusy = errors.New("item busy: write conflicted with another")
	// ErrNoLink means no public base URL is known, so a link to mail cannot
	// be made: nothing is stored or sent.
	ErrNoLink = errors.New("no public base URL for links (PublicBaseUrl empty and none learned yet)")
)

// InputError is a request that cannot be served as asked, with a
// machine-readable code (the API answers 400 with it) and a bilingual message.
type InputError struct{ Code, Message string }

func (e *InputError) Error() string { return e.Code + ": " + e.Message }

// lazyRE compiles pattern at its first use instead of at package
// initialisation, which every function's cold start pays for (README,
// Figures: cold start); a pattern with a counted repetition such as
// {1,128} compiles into a program with that many steps.
func lazyRE(pattern string) func() *regexp.Regexp {
	return sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(pattern) })
}
