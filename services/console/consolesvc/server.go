// Package consolesvc is the HR console: a thin server-rendered web
// application (net/http, html/template, no JavaScript build) that calls
// Holdfast's gRPC APIs as the signed-in user. It adds no authority of its
// own: every page's data comes from an API call made with the user's token,
// so the APIs' role and org-subtree checks decide what the user sees.
package consolesvc

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	"github.com/holdfast/holdfast/pkg/auth"
	riskv1 "github.com/holdfast/holdfast/proto/holdfast/risk/v1"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// contentSecurityPolicy allows nothing but the console's own stylesheet:
// no scripts, no frames, forms only to itself.
const contentSecurityPolicy = "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; " +
	"frame-ancestors 'none'; base-uri 'none'"

// Config wires the console.
type Config struct {
	// Risk is a connection to the risk service.
	Risk grpc.ClientConnInterface
	// Client, Order and Attendance are connections to those services, for
	// the employee page's timeline, customers and check-ins (and, for
	// Attendance, revealing names). A nil one leaves its sections empty
	// with a note that the service is not connected.
	Client, Order, Attendance grpc.ClientConnInterface
	// PseudonymKey (at least 32 bytes) derives each tenant's pseudonym
	// secret. When empty the console draws a random key at start: the
	// pseudonyms then change at every restart. See pseudonym.go.
	PseudonymKey []byte
	// Verifier checks tokens pasted at sign-in (and the dev tokens).
	Verifier *auth.Verifier
	// DevIssuer, when set, enables the development sign-in form, where the
	// console signs a token for whoever the user says they are. Only the
	// dev stack sets it.
	DevIssuer *auth.Issuer
	// IdleTimeout and AbsoluteTimeout bound sessions (defaults 30 min, 12 h).
	IdleTimeout, AbsoluteTimeout time.Duration
	Logger                       *slog.Logger
	// Now is the clock; time.Now when nil.
	Now func() time.Time
}

// Server is the console's HTTP handler.
type Server struct {
	cfg      Config
	risk     riskv1.RiskServiceClient
	apis     employeeAPIs
	names    *pseudonyms
	sessions *sessions
	pages    map[string]*template.Template
	mux      *http.ServeMux
	now      func() time.Time
}

// New returns the console.
func New(cfg Config) (*Server, error) {
	if cfg.Risk == nil || cfg.Verifier == nil {
		return nil, errors.New("console: Risk and Verifier are required")
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	now := cfg.Now
	if now == nil {
		now = time.Now
	}
	idle, absolute := cfg.IdleTimeout, cfg.AbsoluteTimeout
	if idle <= 0 {
		idle = DefaultIdleTimeout
	}
	if absolute <= 0 {
		absolute = DefaultAbsoluteTimeout
	}
	var err error
	s := &Server{
		cfg: cfg, risk: riskv1.NewRiskServiceClient(cfg.Risk), sessions: newSessions(idle, absolute, now),
		pages: map[string]*template.Template{}, mux: http.NewServeMux(), now: now,
	}
	s.apis = newEmployeeAPIs(cfg)
	key := cfg.PseudonymKey
	if len(key) == 0 {
		cfg.Logger.Warn("console: no pseudonym key configured; pseudonyms change at every restart")
		key = []byte(randomToken())
	}
	if s.names, err = newPseudonyms(key); err != nil {
		return nil, err
	}
	if err := s.parseTemplates(); err != nil {
		return nil, err
	}
	static, err := fs.Sub(staticFS, "static")
	if err != nil {
		return nil, err
	}
	s.mux.Handle("GET /static/", http.StripPrefix("/static/", http.FileServerFS(static)))
	s.mux.HandleFunc("GET /login", s.loginPage)
	s.mux.HandleFunc("POST /login", s.login)
	s.mux.HandleFunc("POST /logout", s.signedIn(s.logout))
	s.mux.HandleFunc("POST /lang", s.anySession(s.switchLang))
	s.mux.HandleFunc("GET /{$}", s.signedIn(func(w http.ResponseWriter, r *http.Request, ss *session) {
		http.Redirect(w, r, homeOf(ss), http.StatusSeeOther)
	}))
	s.mux.HandleFunc("GET /me", s.signedIn(s.myPage))
	s.mux.HandleFunc("GET /risk", s.signedIn(s.riskList))
	s.mux.HandleFunc("GET /employees/{id}", s.signedIn(s.employeePage))
	s.mux.HandleFunc("POST /employees/{id}/reveal", s.signedIn(s.revealName))
	s.mux.HandleFunc("GET /alerts", s.signedIn(s.alertQueue))
	s.mux.HandleFunc("GET /alerts/{id}", s.signedIn(s.alertPage))
	s.mux.HandleFunc("POST /alerts/{id}/{action}", s.signedIn(s.alertAction))
	s.mux.HandleFunc("POST /alerts/{id}/suppress", s.signedIn(s.suppressAlert))
	s.mux.HandleFunc("GET /rules", s.signedIn(s.rulesPage))
	s.mux.HandleFunc("GET /rules/{id}", s.signedIn(s.rulePage))
	s.mux.HandleFunc("POST /rules/{id}/backtest", s.signedIn(s.backtestRule))
	s.mux.HandleFunc("POST /rules/{id}/save", s.signedIn(s.saveRule))
	s.mux.HandleFunc("POST /rules/{id}/{action}", s.signedIn(s.setRuleEnabled))
	s.mux.HandleFunc("GET /alerts/{id}/bundle", s.signedIn(s.evidenceBundle))
	s.mux.HandleFunc("GET /team", s.signedIn(s.teamPage))
	s.mux.HandleFunc("GET /team.csv", s.signedIn(s.teamCSV))
	return s, nil
}

func (s *Server) parseTemplates() error {
	base := template.Must(template.New("layout.html").Funcs(templateFuncs).ParseFS(templateFS, "templates/layout.html"))
	entries, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		return err
	}
	for _, e := range entries {
		name := strings.TrimPrefix(e, "templates/")
		if name == "layout.html" {
			continue
		}
		t, err := template.Must(base.Clone()).ParseFS(templateFS, e)
		if err != nil {
			return fmt.Errorf("console: template %s: %w", name, err)
		}
		s.pages[name] = t
	}
	return nil
}

// ServeHTTP sets the security headers every response carries, then routes.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Security-Policy", contentSecurityPolicy)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
	// same-origin, not no-referrer: under no-referrer browsers send
	// "Origin: null" on form posts, which the CSRF check must refuse.
	h.Set("Referrer-Policy", "same-origin")
	h.Set("Cross-Origin-Opener-Policy", "same-origin")
	h.Set("Strict-Transport-Security", "max-age=31536000")
	if !strings.HasPrefix(r.URL.Path, "/static/") {
		h.Set("Cache-Control", "no-store")
	}
	s.mux.ServeHTTP(w, r)
}

type handler func(http.ResponseWriter, *http.Request, *session)

// signedIn runs h for a signed-in session; a browser without one goes to
// the sign-in page. Unsafe methods must pass the CSRF check.
func (s *Server) signedIn(h handler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		ss := s.sessions.get(r)
		if ss == nil || !ss.signedIn {
			if r.Method != http.MethodGet {
				s.forbidden(w, r, ss)
				return
			}
			http.Redirect(w, r, "/login?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
			return
		}
		if r.Method != http.MethodGet && !s.csrfOK(r, ss) {
			s.forbidden(w, r, ss)
			return
		}
		h(w, r, ss)
	}
}

// anySession runs h for any session, anonymous or not, after the CSRF check.
func (s *Server) anySession(h handler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		ss := s.sessions.get(r)
		if ss == nil || !s.csrfOK(r, ss) {
			s.forbidden(w, r, ss)
			return
		}
		h(w, r, ss)
	}
}

// csrfOK checks a state-changing request: the form's token must be the
// session's, and a browser-sent Origin must be this site.
func (s *Server) csrfOK(r *http.Request, ss *session) bool {
	if origin := r.Header.Get("Origin"); origin != "" {
		u, err := url.Parse(origin)
		if err != nil || u.Host != r.Host {
			return false
		}
	}
	if err := r.ParseForm(); err != nil {
		return false
	}
	return ss.validCSRF(r.PostForm.Get("csrf"))
}

// homeOf is where a user lands: the alert queue for those who read alerts,
// their own indicators for everyone else.
func homeOf(ss *session) string {
	if ss.principal.HasAny("hr", "auditor", "manager", "admin") {
		return "/alerts"
	}
	return "/me"
}

// userContext is ctx carrying the user's token for the API call.
func userContext(ctx context.Context, ss *session) (context.Context, context.CancelFunc) {
	return userContextFor(ctx, ss, 10*time.Second)
}

// userContextFor is userContext with its own deadline, for the calls that
// are long by nature: a backtest replays the tenant's whole history (the
// demo tenant's takes about 5 s; the risk service caps it at 5 min).
func userContextFor(ctx context.Context, ss *session, d time.Duration) (context.Context, context.CancelFunc) {
	ctx = metadata.AppendToOutgoingContext(ctx, "authorization", "Bearer "+ss.token)
	return context.WithTimeout(ctx, d)
}

// page is what every template gets.
type page struct {
	Lang string
	// Path is the page's own URL, where the language switch returns to.
	Path    string
	CSRF    string
	User    *auth.Principal
	Title   string
	Problem string
	Fields  []string
	Data    any
	// ids shows employees by pseudonym, or by name once revealed.
	ids idView
}

// Reader says the user reads alerts (hr, auditor, manager, admin).
func (p page) Reader() bool {
	return p.User != nil && p.User.HasAny("hr", "auditor", "manager", "admin")
}

// HR says the user handles cases (hr), e.g. suppresses a rule.
func (p page) HR() bool { return p.User != nil && p.User.HasAny("hr") }

// Admin says the user may change rules.
func (p page) Admin() bool { return p.User != nil && p.User.HasAny("admin") }

// Backtester says the user may run backtests (hr, auditor, admin).
func (p page) Backtester() bool { return p.User != nil && p.User.HasAny("hr", "auditor", "admin") }

// T translates key for the page's language.
func (p page) T(key string) string { return translate(p.Lang, key) }

// IndicatorName is a risk indicator's name for people ("Neglected working
// days"), or the API's name for one the console does not know.
func (p page) IndicatorName(name string) string {
	if _, ok := messages["indicator."+name]; ok {
		return translate(p.Lang, "indicator."+name)
	}
	return name
}

func (s *Server) lang(r *http.Request, ss *session) string {
	if ss != nil && ss.lang != "" {
		return ss.lang
	}
	return negotiateLang(r)
}

func (s *Server) render(w http.ResponseWriter, r *http.Request, ss *session, code int, name string, p page) {
	t := s.pages[name]
	p.Lang = s.lang(r, ss)
	if r.Method == http.MethodGet {
		p.Path = r.URL.RequestURI()
	}
	if ss != nil {
		p.CSRF = ss.csrf
		if ss.signedIn {
			p.User = &ss.principal
			p.ids = idView{names: s.names, tenant: ss.principal.Tenant, revealed: ss.revealed, lang: p.Lang}
		}
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(code)
	if err := t.ExecuteTemplate(w, "layout.html", p); err != nil {
		s.cfg.Logger.ErrorContext(r.Context(), "console: render", "page", name, "error", err)
	}
}

func (s *Server) forbidden(w http.ResponseWriter, r *http.Request, ss *session) {
	s.render(w, r, ss, http.StatusForbidden, "error.html", page{Problem: "error.forbidden"})
}

// apiError renders an API call's failure as the page the user needs.
func (s *Server) apiError(w http.ResponseWriter, r *http.Request, ss *session, err error) {
	st := status.Convert(err)
	code, key := http.StatusInternalServerError, "error.title"
	var fields []string
	switch st.Code() {
	case codes.Unauthenticated:
		s.sessions.end(w, ss)
		http.Redirect(w, r, "/login", http.StatusSeeOther)
		return
	case codes.PermissionDenied:
		code, key = http.StatusForbidden, "error.forbidden"
	case codes.NotFound:
		code, key = http.StatusNotFound, "error.notfound"
	case codes.InvalidArgument:
		code, key = http.StatusBadRequest, "error.invalid"
		fields = fieldViolations(st)
	case codes.FailedPrecondition, codes.Aborted, codes.AlreadyExists:
		code, key = http.StatusConflict, "error.conflict"
		fields = []string{st.Message()}
	case codes.Unavailable, codes.DeadlineExceeded:
		code, key = http.StatusServiceUnavailable, "error.unavailable"
	default:
		s.cfg.Logger.ErrorContext(r.Context(), "console: API call failed", "code", st.Code().String(), "error", st.Message())
	}
	s.render(w, r, ss, code, "error.html", page{Problem: key, Fields: fields})
}
