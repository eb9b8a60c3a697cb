package platform_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/holdfast/holdfast/pkg/platform"
)

// serviceConfig is shaped like a service's configuration: the shared
// settings embedded, its own settings beside them, and a named nested group.
type serviceConfig struct {
	platform.Common
	Listen   string          `env:"TEST_LISTEN" default:"127.0.0.1:8080"`
	APIKey   platform.Secret `env:"TEST_API_KEY"`
	Debug    bool            `env:"TEST_DEBUG"`
	Workers  int             `env:"TEST_WORKERS" default:"4"`
	MaxBytes uint64          `env:"TEST_MAX_BYTES" default:"1024"`
	Ratio    float64         `env:"TEST_RATIO" default:"0.5"`
	Poll     time.Duration   `env:"TEST_POLL" default:"1m"`
	Audit    auditConfig
	Untagged string
}

type auditConfig struct {
	Level slog.Level `env:"TEST_AUDIT_LEVEL" default:"warn"`
	Sink  string     `env:"TEST_AUDIT_SINK"`
}

func defaultServiceConfig() serviceConfig {
	return serviceConfig{
		Common: platform.Common{
			LogLevel:        slog.LevelInfo,
			NATSURL:         "nats://127.0.0.1:4322",
			DataDir:         ".data",
			StreamReplicas:  1,
			ShutdownTimeout: 20 * time.Second,
			Tracing:         platform.Tracing{SampleRatio: 1},
		},
		Listen:   "127.0.0.1:8080",
		Workers:  4,
		MaxBytes: 1024,
		Ratio:    0.5,
		Poll:     time.Minute,
		Audit:    auditConfig{Level: slog.LevelWarn},
	}
}

func TestLoad(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		env  map[string]string
		want func() serviceConfig
	}{
		{
			name: "nothing set gives the defaults",
			env:  map[string]string{},
			want: defaultServiceConfig,
		},
		{
			name: "empty values fall back to the defaults",
			env:  map[string]string{"TEST_WORKERS": "", "HOLDFAST_NATS_URL": "", "TEST_AUDIT_LEVEL": ""},
			want: defaultServiceConfig,
		},
		{
			name: "every supported type, embedded and nested",
			env: map[string]string{
				"HOLDFAST_LOG_LEVEL":            "debug",
				"HOLDFAST_NATS_URL":             "nats://nats-0:4222,nats://nats-1:4222",
				"HOLDFAST_DATABASE_URL":         "postgres://holdfast:pw-123456@db:5432/holdfast",
				"HOLDFAST_DATA_DIR":             "/var/lib/holdfast",
				"HOLDFAST_AUTH_PUBLIC_KEY_FILE": "/etc/holdfast/auth.pub",
				"HOLDFAST_STREAM_REPLICAS":      "3",
				"HOLDFAST_SHUTDOWN_TIMEOUT":     "45s",
				"TEST_LISTEN":                   ":9090",
				"TEST_API_KEY":                  "key-abcdef",
				"TEST_DEBUG":                    "true",
				"TEST_WORKERS":                  "-2",
				"TEST_MAX_BYTES":                "18446744073709551615",
				"TEST_RATIO":                    "0.125",
				"TEST_POLL":                     "1h30m",
				"TEST_AUDIT_LEVEL":              "ERROR",
				"TEST_AUDIT_SINK":               "stdout",
				"Untagged":                      "ignored",
			},
			want: func() serviceConfig {
				return serviceConfig{
					Common: platform.Common{
						LogLevel:          slog.LevelDebug,
						NATSURL:           "nats://nats-0:4222,nats://nats-1:4222",
						DatabaseURL:       "postgres://holdfast:pw-123456@db:5432/holdfast",
						DataDir:           "/var/lib/holdfast",
						AuthPublicKeyFile: "/etc/holdfast/auth.pub",
						StreamReplicas:    3,
						ShutdownTimeout:   45 * time.Second,
						Tracing:           platform.Tracing{SampleRatio: 1},
					},
					Listen:   ":9090",
					APIKey:   "key-abcdef",
					Debug:    true,
					Workers:  -2,
					MaxBytes: 18446744073709551615,
					Ratio:    0.125,
					Poll:     90 * time.Minute,
					Audit:    auditConfig{Level: slog.LevelError, Sink: "stdout"},
				}
			},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var got serviceConfig
			if err := platform.Load(platform.MapLookuper(tc.env), &got); err != nil {
				t.Fatalf("Load: %v", err)
			}
			if diff := cmp.Diff(tc.want(), got); diff != "" {
				t.Errorf("Load mismatch (-want, +got):\n%s", diff)
			}
		})
	}
}

func TestLoadReportsEveryBadValue(t *testing.T) {
	t.Parallel()
	env := map[string]string{
		"TEST_WORKERS":              "many",
		"TEST_DEBUG":                "maybe",
		"HOLDFAST_SHUTDOWN_TIMEOUT": "soon",
		"HOLDFAST_LOG_LEVEL":        "loud",
		"TEST_MAX_BYTES":            "-1",
		"TEST_RATIO":                "half",
		"TEST_LISTEN":               ":1234", // good values do not hide bad ones
	}
	var cfg serviceConfig
	err := platform.Load(platform.MapLookuper(env), &cfg)
	if err == nil {
		t.Fatal("Load succeeded, want an error naming every bad variable")
	}
	joined, ok := err.(interface{ Unwrap() []error })
	if !ok {
		t.Fatalf("Load error %T is not a joined error: %v", err, err)
	}
	var got []string
	for _, e := range joined.Unwrap() {
		name, _, _ := strings.Cut(e.Error(), ":")
		got = append(got, name)
	}
	// Load walks fields in declaration order, embedded Common first.
	want := []string{"HOLDFAST_LOG_LEVEL", "HOLDFAST_SHUTDOWN_TIMEOUT", "TEST_DEBUG", "TEST_WORKERS", "TEST_MAX_BYTES", "TEST_RATIO"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("variables named by the errors mismatch (-want, +got):\n%s\nerror: %v", diff, err)
	}
	if cfg.Listen != ":1234" {
		t.Errorf("Listen = %q, want the good value loaded despite the bad ones", cfg.Listen)
	}
}

func TestLoadRejectsWhatItCannotFill(t *testing.T) {
	t.Parallel()
	type withSlice struct {
		Hosts []string `env:"TEST_HOSTS"`
	}
	cases := []struct {
		name    string
		dst     any
		wantErr string
	}{
		{name: "struct value", dst: serviceConfig{}, wantErr: "pointer to a struct"},
		{name: "pointer to non-struct", dst: new(int), wantErr: "pointer to a struct"},
		{name: "nil pointer", dst: (*serviceConfig)(nil), wantErr: "pointer to a struct"},
		{name: "nil", dst: nil, wantErr: "pointer to a struct"},
		{name: "unsupported field type", dst: &withSlice{}, wantErr: "TEST_HOSTS: unsupported config field type []string"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			err := platform.Load(platform.MapLookuper(map[string]string{"TEST_HOSTS": "a,b"}), tc.dst)
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("Load(%T) error = %v, want one containing %q", tc.dst, err, tc.wantErr)
			}
		})
	}
}

func TestSecretString(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name   string
		secret platform.Secret
		want   string
		clear  string // must not appear in the masked form
	}{
		{
			name:   "postgres URL keeps user, host and database",
			secret: "postgres://holdfast:s3cr3t-Pass@db.internal:5432/holdfast?sslmode=disable",
			want:   "postgres://holdfast:xxxxx@db.internal:5432/holdfast?sslmode=disable",
			clear:  "s3cr3t-Pass",
		},
		{
			name:   "password in the query",
			secret: "postgres://holdfast@db/holdfast?sslmode=require&password=hunter22",
			want:   "postgres://holdfast@db/holdfast?password=xxxxx&sslmode=require",
			clear:  "hunter22",
		},
		{
			name:   "URL without a password is shown as is",
			secret: "nats://127.0.0.1:4222",
			want:   "nats://127.0.0.1:4222",
		},
		{
			name:   "unescaped ? in the password is replaced entirely",
			secret: "postgres://u:123456?x@db/holdfast",
			want:   "xxxxx",
			clear:  "123456",
		},
		{
			name:   "unescaped / in the password is replaced entirely",
			secret: "postgres://u:123456/x@db/holdfast",
			want:   "xxxxx",
			clear:  "123456",
		},
		{
			name:   "non-URL secret is replaced entirely",
			secret: "sk_live_abcdef123456",
			want:   "xxxxx",
			clear:  "abcdef123456",
		},
		{
			name:   "key=value DSN is replaced entirely",
			secret: "host=db user=holdfast password=hunter22",
			want:   "xxxxx",
			clear:  "hunter22",
		},
		{
			name:   "empty stays empty",
			secret: "",
			want:   "",
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got := map[string]string{
				"String":   tc.secret.String(),
				"%v":       fmt.Sprintf("%v", tc.secret),
				"LogValue": tc.secret.LogValue().String(),
			}
			want := map[string]string{"String": tc.want, "%v": tc.want, "LogValue": tc.want}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("masked forms mismatch (-want, +got):\n%s", diff)
			}
			for how, s := range got {
				if tc.clear != "" && strings.Contains(s, tc.clear) {
					t.Errorf("%s = %q reveals %q", how, s, tc.clear)
				}
			}
			if got := tc.secret.Reveal(); got != string(tc.secret) {
				t.Errorf("Reveal() = %q, want the clear value %q", got, string(tc.secret))
			}
		})
	}
}

func TestLogConfigMasksSecrets(t *testing.T) {
	t.Parallel()
	const password = "Pw-9f8e7d6c"
	cfg := defaultServiceConfig()
	cfg.DatabaseURL = platform.Secret("postgres://holdfast:" + password + "@db:5432/holdfast")
	cfg.APIKey = "key-0123456789"

	for _, dst := range []struct {
		name string
		cfg  any
	}{{"value", cfg}, {"pointer", &cfg}} {
		t.Run(dst.name, func(t *testing.T) {
			t.Parallel()
			var buf bytes.Buffer
			platform.LogConfig(slog.New(slog.NewJSONHandler(&buf, nil)), "config", dst.cfg)

			if strings.Contains(buf.String(), password) || strings.Contains(buf.String(), "0123456789") {
				t.Fatalf("log reveals a secret: %s", buf.String())
			}
			var line map[string]any
			if err := json.Unmarshal(buf.Bytes(), &line); err != nil {
				t.Fatalf("decode log line %q: %v", buf.String(), err)
			}
			got := map[string]any{}
			for _, k := range []string{"msg", "HOLDFAST_DATABASE_URL", "TEST_API_KEY", "HOLDFAST_NATS_URL", "TEST_LISTEN", "TEST_AUDIT_LEVEL", "Untagged"} {
				if v, ok := line[k]; ok {
					got[k] = v
				}
			}
			want := map[string]any{
				"msg":                   "config",
				"HOLDFAST_DATABASE_URL": "postgres://holdfast:xxxxx@db:5432/holdfast",
				"TEST_API_KEY":          "xxxxx",
				"HOLDFAST_NATS_URL":     "nats://127.0.0.1:4322",
				"TEST_LISTEN":           "127.0.0.1:8080",
				"TEST_AUDIT_LEVEL":      "WARN",
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("logged config mismatch (-want, +got):\n%s", diff)
			}
		})
	}
}

func TestCommonValidate(t *testing.T) {
	t.Parallel()
	valid := defaultServiceConfig().Common
	cases := []struct {
		name   string
		modify func(*platform.Common)
		want   []string // variables the error names; none for a valid config
	}{
		{name: "defaults are valid", modify: func(*platform.Common) {}},
		{name: "five replicas", modify: func(c *platform.Common) { c.StreamReplicas = 5 }},
		{name: "two replicas", modify: func(c *platform.Common) { c.StreamReplicas = 2 }, want: []string{"HOLDFAST_STREAM_REPLICAS"}},
		{name: "zero shutdown timeout", modify: func(c *platform.Common) { c.ShutdownTimeout = 0 }, want: []string{"HOLDFAST_SHUTDOWN_TIMEOUT"}},
		{name: "negative shutdown timeout", modify: func(c *platform.Common) { c.ShutdownTimeout = -time.Second }, want: []string{"HOLDFAST_SHUTDOWN_TIMEOUT"}},
		{name: "no NATS URL", modify: func(c *platform.Common) { c.NATSURL = "" }, want: []string{"HOLDFAST_NATS_URL"}},
		{name: "sample ratio above one", modify: func(c *platform.Common) { c.Tracing.SampleRatio = 1.5 }, want: []string{"HOLDFAST_TRACE_SAMPLE_RATIO"}},
		{name: "negative sample ratio", modify: func(c *platform.Common) { c.Tracing.SampleRatio = -0.1 }, want: []string{"HOLDFAST_TRACE_SAMPLE_RATIO"}},
		{
			name:   "every problem at once",
			modify: func(c *platform.Common) { c.NATSURL, c.StreamReplicas, c.ShutdownTimeout = "", 2, 0 },
			want:   []string{"HOLDFAST_NATS_URL", "HOLDFAST_STREAM_REPLICAS", "HOLDFAST_SHUTDOWN_TIMEOUT"},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c := valid
			tc.modify(&c)
			err := c.Validate()
			var got []string
			if err != nil {
				for line := range strings.Lines(err.Error()) {
					name, _, _ := strings.Cut(line, ":")
					got = append(got, name)
				}
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("Validate() = %v; named variables mismatch (-want, +got):\n%s", err, diff)
			}
		})
	}
}

func TestLoadErrorsNameTheVariable(t *testing.T) {
	t.Parallel()
	var cfg serviceConfig
	err := platform.Load(platform.MapLookuper(map[string]string{"TEST_POLL": "5"}), &cfg)
	if err == nil || !strings.HasPrefix(err.Error(), "TEST_POLL: want a duration") {
		t.Errorf("Load error = %v, want it to start with the variable name and what is expected", err)
	}
}

// FuzzSecretString checks that a URL's password never survives masking,
// whatever the password is.
func FuzzSecretString(f *testing.F) {
	for _, seed := range []string{"hunter22", "s3cr3tPassw0rd", "xxxxxx", "000000", "postgres", "holdfast"} {
		f.Add(seed)
	}
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	const masked = "postgres://u:xxxxx@h/db"
	f.Fuzz(func(t *testing.T, raw string) {
		if len(raw) < 6 {
			t.Skip("passwords are at least 6 characters")
		}
		// Map every byte into [A-Za-z0-9] so each input is a usable password
		// rather than one the fuzzer has to stumble upon.
		p := []byte(raw)
		for i, b := range p {
			p[i] = alphabet[int(b)%len(alphabet)]
		}
		password := string(p)

		got := platform.Secret("postgres://u:" + password + "@h/db").String()
		if got != masked {
			t.Errorf("String() = %q, want %q", got, masked)
		}
		// A password that happens to spell part of the scheme, like
		// "postgres", appears in any faithful rendering of the URL.
		if !strings.Contains(masked, password) && strings.Contains(got, password) {
			t.Errorf("String() = %q reveals the password %q", got, password)
		}
	})
}
