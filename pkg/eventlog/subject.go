package eventlog

import (
	"errors"
	"fmt"
	"strings"
)

// ErrInvalidToken is returned when a tenant, aggregate type, aggregate id or
// request id is not a valid subject token. Callers map it to InvalidArgument.
var ErrInvalidToken = errors.New("invalid token")

// MaxTokenLen bounds every token so subjects stay short and ids stay ids.
const MaxTokenLen = 128

// ValidToken reports whether s can be used as one subject token: 1 to
// MaxTokenLen characters of [A-Za-z0-9_-]. Dots, wildcards and spaces would
// change the subject's meaning, so they are never allowed.
func ValidToken(s string) bool {
	if s == "" || len(s) > MaxTokenLen {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '_', c == '-':
		default:
			return false
		}
	}
	return true
}

// CheckToken returns an error wrapping ErrInvalidToken that names field when
// value is not a valid token.
func CheckToken(field, value string) error {
	if !ValidToken(value) {
		return fmt.Errorf("%s: %w: want 1-%d characters of [A-Za-z0-9_-]", field, ErrInvalidToken, MaxTokenLen)
	}
	return nil
}

// AggregateRef names one aggregate: the unit of consistency, stored as one subject.
type AggregateRef struct {
	// Context is the bounded context, lower case: "client", "order", "risk"...
	Context string
	Tenant  string
	Type    string
	ID      string
}

// Validate checks every part of the reference is a valid subject token.
func (r AggregateRef) Validate() error {
	return errors.Join(
		checkContext(r.Context),
		CheckToken("tenant", r.Tenant),
		CheckToken("aggregate_type", r.Type),
		CheckToken("aggregate_id", r.ID),
	)
}

// Subject is the NATS subject holding the aggregate's events.
func (r AggregateRef) Subject() string {
	return r.Context + "." + r.Tenant + "." + r.Type + "." + r.ID
}

// Stream is the name of the stream the aggregate's context writes.
func (r AggregateRef) Stream() string { return strings.ToUpper(r.Context) }

func checkContext(c string) error {
	for _, s := range DomainStreams() {
		if len(s.Subjects) == 1 && s.Subjects[0] == c+".>" {
			return nil
		}
	}
	return fmt.Errorf("context %q: %w: not a Holdfast context", c, ErrInvalidToken)
}

// ParseSubject splits a domain subject back into its aggregate reference.
func ParseSubject(subject string) (AggregateRef, error) {
	parts := strings.Split(subject, ".")
	if len(parts) != 4 {
		return AggregateRef{}, fmt.Errorf("subject %q: %w: want context.tenant.type.id", subject, ErrInvalidToken)
	}
	r := AggregateRef{Context: parts[0], Tenant: parts[1], Type: parts[2], ID: parts[3]}
	return r, r.Validate()
}
