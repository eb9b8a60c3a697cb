package consolesvc

import (
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"
)

func TestSafeNextStaysOnTheSite(t *testing.T) {
	t.Parallel()
	tests := map[string]string{
		"/alerts/abc?seq=3":          "/alerts/abc?seq=3",
		"/alerts?status=raised":      "/alerts?status=raised",
		"":                           "/alerts",
		"alerts":                     "/alerts",
		"//evil.example/x":           "/alerts",
		"/\\evil.example":            "/alerts",
		"/\t/evil.example":           "/alerts",
		"/%09/evil.example":          "/%09/evil.example", // stays a path on this site
		"https://evil.example/":      "/alerts",
		"javascript:alert(1)":        "/alerts",
		"/alerts\r\nSet-Cookie: x=1": "/alerts",
		"///evil.example":            "/alerts",
	}
	for in, want := range tests {
		if got := safeNext(in); got != want {
			t.Errorf("safeNext(%q) = %q, want %q", in, got, want)
		}
	}
}

func FuzzSafeNext(f *testing.F) {
	for _, s := range []string{"/alerts", "//x", "/\\x", "/\t/x", "https://x", "/a?b=c#d", "/%2F%2Fx"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, next string) {
		got := safeNext(next)
		if !strings.HasPrefix(got, "/") || strings.HasPrefix(got, "//") || strings.ContainsAny(got, "\\\t\r\n") {
			t.Fatalf("safeNext(%q) = %q leaves the site", next, got)
		}
		u, err := url.Parse(got)
		if err != nil || u.Host != "" || u.Scheme != "" {
			t.Fatalf("safeNext(%q) = %q parses to host %q scheme %q (%v)", next, got, u.Host, u.Scheme, err)
		}
	})
}

func TestSessionStoreStaysBounded(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	s := newSessions(DefaultIdleTimeout, DefaultAbsoluteTimeout, func() time.Time { return now })
	s.max = 10
	signedIn := s.start(httptest.NewRecorder(), session{signedIn: true})
	var first *session
	for i := range 50 {
		now = now.Add(time.Second)
		ss := s.start(httptest.NewRecorder(), session{})
		if ss == nil {
			t.Fatalf("anonymous session %d refused although older anonymous ones could go", i)
		}
		if first == nil {
			first = ss
		}
	}
	if len(s.byID) > s.max {
		t.Errorf("the store holds %d sessions, more than its cap %d", len(s.byID), s.max)
	}
	if _, ok := s.byID[signedIn.id]; !ok {
		t.Error("a flood of sign-in forms evicted a signed-in session")
	}
	if _, ok := s.byID[first.id]; ok {
		t.Error("the oldest anonymous session survived the flood")
	}
	// Full of signed-in sessions: new ones are refused, not added.
	for range 20 {
		s.start(httptest.NewRecorder(), session{signedIn: true})
	}
	if len(s.byID) > s.max {
		t.Errorf("the store grew to %d sessions past its cap %d", len(s.byID), s.max)
	}
}
