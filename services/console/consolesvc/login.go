package consolesvc

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/holdfast/holdfast/pkg/auth"
)

// devTokenTTL is how long a dev sign-in's token lives; the session's
// absolute timeout is shorter anyway.
const devTokenTTL = 12 * time.Hour

type loginData struct {
	Dev   bool
	Next  string
	Roles []string
}

// loginPage shows the sign-in form in a fresh anonymous session, whose CSRF
// token the form carries.
func (s *Server) loginPage(w http.ResponseWriter, r *http.Request) {
	ss := s.sessions.get(r)
	if ss == nil {
		if ss = s.sessions.start(w, session{}); ss == nil {
			http.Error(w, "too many sign-ins in progress; try again shortly", http.StatusServiceUnavailable)
			return
		}
	}
	next := r.URL.Query().Get("next")
	if next != "" {
		next = safeNext(next)
	}
	s.render(w, r, ss, http.StatusOK, "login.html", page{Data: loginData{
		Dev: s.cfg.DevIssuer != nil, Next: next,
		Roles: []string{"hr", "auditor", "manager", "admin", "sales", "senior_sales"},
	}})
}

// login signs the user in with a pasted token, or in dev with a token the
// console signs, and starts a new session.
func (s *Server) login(w http.ResponseWriter, r *http.Request) {
	ss := s.sessions.get(r)
	if ss == nil || !s.csrfOK(r, ss) {
		s.forbidden(w, r, ss)
		return
	}
	token := strings.TrimSpace(r.PostForm.Get("token"))
	if token == "" && s.cfg.DevIssuer != nil {
		p := auth.Principal{Tenant: strings.TrimSpace(r.PostForm.Get("tenant")), Subject: strings.TrimSpace(r.PostForm.Get("employee"))}
		if role, err := auth.ParseRole(r.PostForm.Get("role")); err == nil {
			p.Roles = []auth.Role{role}
		}
		// Issue refuses an incomplete principal; the empty token then fails below.
		token, _ = s.cfg.DevIssuer.Issue(p, devTokenTTL)
	}
	p, err := s.cfg.Verifier.Verify(token)
	if token == "" || err != nil {
		s.render(w, r, ss, http.StatusUnauthorized, "login.html", page{Problem: "login.failed", Data: loginData{
			Dev: s.cfg.DevIssuer != nil, Next: safeNext(r.PostForm.Get("next")),
			Roles: []string{"hr", "auditor", "manager", "admin", "sales", "senior_sales"},
		}})
		return
	}
	lang := ss.lang
	s.sessions.end(w, ss)
	signed := s.sessions.start(w, session{signedIn: true, principal: p, token: token, lang: lang, expiresAt: tokenExpiry(s, token)})
	if signed == nil {
		http.Error(w, "too many sessions; try again shortly", http.StatusServiceUnavailable)
		return
	}
	target := homeOf(signed)
	if next := r.PostForm.Get("next"); next != "" {
		target = safeNext(next)
	}
	http.Redirect(w, r, target, http.StatusSeeOther) //nolint:gosec // target is homeOf or safeNext's local path
}

// tokenExpiry bounds the session by the token's own lifetime. The token
// was verified already; this only reads its exp claim.
func tokenExpiry(s *Server, token string) time.Time {
	parts := strings.Split(token, ".")
	if len(parts) == 3 {
		var claims struct {
			Exp int64 `json:"exp"`
		}
		if raw, err := base64.RawURLEncoding.DecodeString(parts[1]); err == nil && json.Unmarshal(raw, &claims) == nil && claims.Exp > 0 {
			return time.Unix(claims.Exp, 0)
		}
	}
	return s.now().Add(devTokenTTL)
}

func (s *Server) logout(w http.ResponseWriter, r *http.Request, ss *session) {
	s.sessions.end(w, ss)
	http.Redirect(w, r, "/login", http.StatusSeeOther)
}

// switchLang stores the chosen language in the session.
func (s *Server) switchLang(w http.ResponseWriter, r *http.Request, ss *session) {
	if l := r.PostForm.Get("lang"); l == langZH || l == langEN {
		ss.lang = l
		s.sessions.update(ss)
	}
	http.Redirect(w, r, safeNext(r.PostForm.Get("next")), http.StatusSeeOther) //nolint:gosec // safeNext keeps it a local path
}

// safeNext keeps redirects on this site: only a local absolute path (and
// its query), rebuilt from its parsed parts. Control characters and
// backslashes are refused outright: browsers drop tabs and read "\\" as
// "/", which would turn "/\t/evil.example" into another site.
func safeNext(next string) string {
	const fallback = "/alerts"
	for _, r := range next {
		if r < 0x20 || r == 0x7f || r == '\\' {
			return fallback
		}
	}
	u, err := url.Parse(next)
	if err != nil || !strings.HasPrefix(next, "/") || u.Scheme != "" || u.Host != "" || u.User != nil || u.Opaque != "" ||
		!strings.HasPrefix(u.Path, "/") || strings.HasPrefix(u.Path, "//") {
		return fallback
	}
	out := (&url.URL{Path: u.Path}).EscapedPath()
	if !strings.HasPrefix(out, "/") || strings.HasPrefix(out, "//") {
		return fallback
	}
	if u.RawQuery != "" {
		out += "?" + u.Query().Encode()
	}
	return out
}
