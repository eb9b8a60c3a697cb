package platform

import (
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"reflect"
	"strconv"
	"strings"
	"time"
)

// Lookuper finds an environment variable; os.LookupEnv in production, a map
// in tests.
type Lookuper func(key string) (string, bool)

// OSLookuper reads the process environment.
var OSLookuper Lookuper = os.LookupEnv

// MapLookuper reads from a map.
func MapLookuper(m map[string]string) Lookuper {
	return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
}

// Secret is a configuration value that is never logged in clear. A URL
// keeps its scheme, host and path and loses its password; anything else is
// replaced entirely.
type Secret string

// String masks the secret, so fmt and slog never print it by accident.
func (s Secret) String() string {
	if s == "" {
		return ""
	}
	u, err := url.Parse(string(s))
	// An '@' outside the userinfo means a password with an unescaped '?',
	// '#' or '/' cut the URL short: "postgres://u:123456?x@h/db" parses
	// as host "u:123456", which would print part of the password.
	if err == nil && u.Scheme != "" && u.Host != "" && (u.User != nil || !strings.Contains(string(s), "@")) {
		if _, has := u.User.Password(); has {
			u.User = url.UserPassword(u.User.Username(), "xxxxx")
		}
		q := u.Query()
		for k := range q {
			if strings.Contains(strings.ToLower(k), "password") {
				q.Set(k, "xxxxx")
			}
		}
		u.RawQuery = q.Encode()
		return u.String()
	}
	return "xxxxx"
}

// LogValue masks the secret in structured logs.
func (s Secret) LogValue() slog.Value { return slog.StringValue(s.String()) }

// Reveal returns the clear value, for the one place that needs it.
func (s Secret) Reveal() string { return string(s) }

// Load fills the struct dst points to from environment variables named by
// `env:"NAME"` tags, with `default:"…"` defaults. Nested structs are walked.
// Supported field types: string, Secret, bool, int, uint64, float64,
// time.Duration and slog.Level. Every bad value is reported, not just the first.
func Load(lookup Lookuper, dst any) error {
	v := reflect.ValueOf(dst)
	if v.Kind() != reflect.Pointer || v.Elem().Kind() != reflect.Struct {
		return errors.New("config: Load needs a pointer to a struct")
	}
	return errors.Join(load(lookup, v.Elem())...)
}

func load(lookup Lookuper, v reflect.Value) []error {
	var errs []error
	t := v.Type()
	for i := range t.NumField() {
		f := t.Field(i)
		fv := v.Field(i)
		if !f.IsExported() {
			continue
		}
		name := f.Tag.Get("env")
		if name == "" {
			if fv.Kind() == reflect.Struct && f.Type != reflect.TypeOf(time.Duration(0)) {
				errs = append(errs, load(lookup, fv)...)
			}
			continue
		}
		raw, ok := lookup(name)
		if !ok || raw == "" {
			raw, ok = f.Tag.Lookup("default")
			if !ok {
				continue
			}
		}
		if err := setField(fv, raw); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", name, err))
		}
	}
	return errs
}

func setField(fv reflect.Value, raw string) error {
	switch fv.Interface().(type) {
	case time.Duration:
		d, err := time.ParseDuration(raw)
		if err != nil {
			return fmt.Errorf("want a duration like 30s or 5m: %w", err)
		}
		fv.SetInt(int64(d))
		return nil
	case slog.Level:
		var l slog.Level
		if err := l.UnmarshalText([]byte(raw)); err != nil {
			return fmt.Errorf("want debug, info, warn or error: %w", err)
		}
		fv.SetInt(int64(l))
		return nil
	}
	switch fv.Kind() {
	case reflect.String:
		fv.SetString(raw)
	case reflect.Bool:
		b, err := strconv.ParseBool(raw)
		if err != nil {
			return fmt.Errorf("want true or false: %w", err)
		}
		fv.SetBool(b)
	case reflect.Int, reflect.Int64:
		n, err := strconv.ParseInt(raw, 10, 64)
		if err != nil {
			return fmt.Errorf("want an integer: %w", err)
		}
		fv.SetInt(n)
	case reflect.Uint64:
		n, err := strconv.ParseUint(raw, 10, 64)
		if err != nil {
			return fmt.Errorf("want a non-negative integer: %w", err)
		}
		fv.SetUint(n)
	case reflect.Float64:
		n, err := strconv.ParseFloat(raw, 64)
		if err != nil {
			return fmt.Errorf("want a number: %w", err)
		}
		fv.SetFloat(n)
	default:
		return fmt.Errorf("unsupported config field type %s", fv.Type())
	}
	return nil
}

// LogConfig logs every `env`-tagged field of cfg at info level, with Secret
// values masked, so an operator sees what a process actually runs with.
func LogConfig(logger *slog.Logger, msg string, cfg any) {
	var attrs []any
	collect(reflect.ValueOf(cfg), &attrs)
	logger.Info(msg, attrs...)
}

func collect(v reflect.Value, attrs *[]any) {
	if v.Kind() == reflect.Pointer {
		v = v.Elem()
	}
	t := v.Type()
	for i := range t.NumField() {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		name := f.Tag.Get("env")
		fv := v.Field(i)
		if name == "" {
			if fv.Kind() == reflect.Struct && f.Type != reflect.TypeOf(time.Duration(0)) {
				collect(fv, attrs)
			}
			continue
		}
		switch v := fv.Interface().(type) {
		case Secret:
			*attrs = append(*attrs, slog.String(name, v.String()))
			continue
		case time.Duration:
			*attrs = append(*attrs, slog.String(name, v.String()))
			continue
		}
		*attrs = append(*attrs, slog.Any(name, fv.Interface()))
	}
}

// NewLogger returns a JSON logger on stderr at level, tagged with the service.
func NewLogger(service string, level slog.Level) *slog.Logger {
	h := slog.NewJSONHandler(os.Stderr, &slog.HandlerOptions{Level: level})
	return slog.New(h).With("service", service)
}
