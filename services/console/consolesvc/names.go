package consolesvc

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"

	attendancev1 "github.com/holdfast/holdfast/proto/holdfast/attendance/v1"
	riskv1 "github.com/holdfast/holdfast/proto/holdfast/risk/v1"
)

// idView shows employees on one page: by pseudonym, or by name and id once
// the session has revealed them.
type idView struct {
	names    *pseudonyms
	tenant   string
	revealed map[string]string
	lang     string
}

// Who is how the page names an employee: "员工 K7Q2MX" / "Employee K7Q2MX",
// or "张三 (e1)" after a reveal. An empty id (the system) is "—".
func (p page) Who(id string) string {
	if id == "" {
		return "—"
	}
	if name, ok := p.ids.revealed[id]; ok {
		return name + " (" + id + ")"
	}
	if p.ids.names == nil {
		return translate(p.Lang, "employee.pseudonym")
	}
	return translate(p.Lang, "employee.pseudonym") + " " + p.ids.names.code(p.ids.tenant, id)
}

// Revealed says the session has revealed the employee's name.
func (p page) Revealed(id string) bool {
	_, ok := p.ids.revealed[id]
	return ok
}

// EmployeeURL is the employee page's link, naming the employee by an
// opaque reference, not their id.
func (p page) EmployeeURL(id string) string {
	if p.ids.names == nil {
		return "/employees/" + url.PathEscape(id)
	}
	return "/employees/" + p.ids.names.ref(p.ids.tenant, id)
}

// EmployeeRef is the employee's opaque reference (see EmployeeURL).
func (p page) EmployeeRef(id string) string {
	if p.ids.names == nil {
		return ""
	}
	return p.ids.names.ref(p.ids.tenant, id)
}

// Revealer says the user may ask for names (the attendance service checks
// the manager's subtree).
func (p page) Revealer() bool {
	return p.User != nil && p.User.HasAny("hr", "auditor", "admin", "manager")
}

// PseudonymCode is the employee's code alone, e.g. "K7Q2MXAB" (for
// element ids and files).
func (p page) PseudonymCode(id string) string {
	if p.ids.names == nil {
		return ""
	}
	return p.ids.names.code(p.ids.tenant, id)
}

// employeeID is the employee a /employees/{ref} path names. Only a
// reference the console made for the user's tenant is accepted, never an
// id typed by hand: the page would show that id's pseudonym, linking the
// two without a recorded reveal.
func (s *Server) employeeID(r *http.Request, ss *session) (string, bool) {
	return s.names.resolve(ss.principal.Tenant, r.PathValue("id"))
}

// revealName asks the attendance service for an employee's name with the
// user's reason; the service checks the user's role and subtree and records
// the reveal. The session then shows the name for its lifetime.
func (s *Server) revealName(w http.ResponseWriter, r *http.Request, ss *session) {
	id, ok := s.employeeID(r, ss)
	if !ok {
		s.render(w, r, ss, http.StatusNotFound, "error.html", page{Problem: "error.notfound"})
		return
	}
	reason := strings.TrimSpace(r.PostForm.Get("reason"))
	if reason == "" {
		s.invalid(w, r, ss, []string{"reason: " + translate(s.lang(r, ss), "reveal.reason.required")})
		return
	}
	if s.apis.attendance == nil {
		s.render(w, r, ss, http.StatusServiceUnavailable, "error.html", page{Problem: "employee.notconnected"})
		return
	}
	ctx, cancel := userContext(r.Context(), ss)
	defer cancel()
	resp, err := s.apis.attendance.RevealEmployeeIdentity(ctx, &attendancev1.RevealEmployeeIdentityRequest{
		RequestId: requestID(r), EmployeeId: id, Reason: reason,
	})
	if err != nil {
		s.apiError(w, r, ss, err)
		return
	}
	s.sessions.reveal(ss, id, resp.GetName())
	http.Redirect(w, r, "/employees/"+s.names.ref(ss.principal.Tenant, id), http.StatusSeeOther)
}

// Explain is the alert's explanation in the page's language, with the
// employee's id (which the risk service writes into it) replaced by their
// pseudonym code, or by name and id once revealed.
func (p page) Explain(a *riskv1.Alert) string {
	text := a.GetExplanationEn()
	if p.Lang == langZH {
		text = a.GetExplanationZh()
	}
	id := a.GetEmployeeId()
	switch name, revealed := p.ids.revealed[id]; {
	case id == "" || p.ids.names == nil:
		return text
	case revealed:
		return replaceWord(text, id, name+" ("+id+")")
	default:
		return replaceWord(text, id, p.ids.names.code(p.ids.tenant, id))
	}
}

// replaceWord replaces id where it stands as a word of its own, so "e1" is
// replaced in "Employee e1 made" but not inside "e10" or another id.
func replaceWord(text, id, with string) string {
	word := regexp.MustCompile(`(^|[^A-Za-z0-9_-])` + regexp.QuoteMeta(id) + `($|[^A-Za-z0-9_-])`)
	return word.ReplaceAllString(text, "${1}"+strings.ReplaceAll(with, "$", "$$")+"${2}")
}
