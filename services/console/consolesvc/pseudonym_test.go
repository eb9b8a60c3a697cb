package consolesvc

import (
	"bytes"
	"encoding/base64"
	"net/http"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/timestamppb"

	attendancev1 "github.com/holdfast/holdfast/proto/holdfast/attendance/v1"
	clientv1 "github.com/holdfast/holdfast/proto/holdfast/client/v1"
	riskv1 "github.com/holdfast/holdfast/proto/holdfast/risk/v1"
)

func testPseudonyms(t testing.TB) *pseudonyms {
	t.Helper()
	p, err := newPseudonyms(bytes.Repeat([]byte("k"), 32))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestPseudonymCodes(t *testing.T) {
	p := testPseudonyms(t)
	code := p.code("acme", "e1")
	if !regexp.MustCompile(`^[0-9A-HJKMNP-TV-Z]{8}$`).MatchString(code) {
		t.Errorf("code %q is not 8 Crockford base32 characters", code)
	}
	if again := testPseudonyms(t).code("acme", "e1"); again != code {
		t.Errorf("the same key gives %q then %q", code, again)
	}
	if other := p.code("globex", "e1"); other == code {
		t.Errorf("e1 is %q in two tenants: codes must not link tenants", code)
	}
	if other := p.code("acme", "e2"); other == code {
		t.Errorf("e1 and e2 share %q", code)
	}
	otherKey, err := newPseudonyms(bytes.Repeat([]byte("j"), 32))
	if err != nil {
		t.Fatal(err)
	}
	if otherKey.code("acme", "e1") == code {
		t.Error("another key gives the same code")
	}
	if _, err := newPseudonyms(make([]byte, 31)); err == nil {
		t.Error("a 31-byte key was accepted")
	}
	// Codes are spread: 2 000 employees of one tenant collide rarely.
	seen := map[string]bool{}
	for i := range 2000 {
		seen[p.code("acme", "emp"+strings.Repeat("x", i%7)+string(rune('a'+i%26))+string(rune('a'+i/26)))] = true
	}
	if len(seen) < 1995 {
		t.Errorf("2000 employees got only %d codes", len(seen))
	}
}

func TestPseudonymRefs(t *testing.T) {
	p := testPseudonyms(t)
	ref := p.ref("acme", "e1")
	if strings.Contains(ref, "e1") && len(ref) < 10 {
		t.Errorf("ref %q shows the id", ref)
	}
	if again := p.ref("acme", "e1"); again != ref {
		t.Errorf("refs are not stable: %q then %q", ref, again)
	}
	if id, ok := p.resolve("acme", ref); !ok || id != "e1" {
		t.Errorf("resolve(ref) = %q, %v", id, ok)
	}
	// Another tenant's console user cannot use acme's reference.
	if id, ok := p.resolve("globex", ref); ok {
		t.Errorf("globex resolves acme's ref to %q", id)
	}
	for _, bad := range []string{"", "e1", "!!!", ref[:len(ref)-1], ref + "A", strings.ToUpper(ref)} {
		if id, ok := p.resolve("acme", bad); ok && bad != ref {
			t.Errorf("resolve(%q) = %q: a reference the console did not make", bad, id)
		}
	}
}

func FuzzResolve(f *testing.F) {
	p := testPseudonyms(f)
	f.Add(p.ref("acme", "e1"))
	f.Add("")
	f.Add("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")
	f.Fuzz(func(t *testing.T, ref string) {
		id, ok := p.resolve("acme", ref)
		if ok && p.ref("acme", id) != ref {
			t.Errorf("resolve(%q) = %q, whose ref is %q", ref, id, p.ref("acme", id))
		}
	})
}

func TestLoadOrCreatePseudonymKey(t *testing.T) {
	path := filepath.Join(t.TempDir(), "console", "pseudonym.key")
	k1, err := LoadOrCreatePseudonymKey(path)
	if err != nil || len(k1) != MinPseudonymKeyLen {
		t.Fatalf("create: %d bytes, %v", len(k1), err)
	}
	k2, err := LoadOrCreatePseudonymKey(path)
	if err != nil || !bytes.Equal(k1, k2) {
		t.Errorf("reload: %v, same=%v", err, bytes.Equal(k1, k2))
	}
	if _, err := ReadPseudonymKey(filepath.Join(t.TempDir(), "missing")); err == nil {
		t.Error("a missing key file was accepted")
	}
}

func TestPageStatus(t *testing.T) {
	denied, missing := status.Error(codes.PermissionDenied, "no"), status.Error(codes.NotFound, "no")
	all := func(err error) map[string]error {
		m := map[string]error{}
		for _, s := range employeeSections {
			m[s] = err
		}
		return m
	}
	some := all(denied)
	delete(some, "customers")
	mixed := all(denied)
	mixed["lifecycle"] = missing
	unconnected := map[string]error{
		"risk": denied, "alerts": denied, "interactions": errNotConnected, "orders": errNotConnected,
		"lifecycle": errNotConnected, "checkins": errNotConnected, "customers": errNotConnected,
	}
	for _, c := range []struct {
		name string
		errs map[string]error
		want int
	}{
		{"all read", map[string]error{}, http.StatusOK},
		{"all denied", all(denied), http.StatusForbidden},
		{"one read", some, http.StatusOK},
		{"denied or missing", mixed, http.StatusNotFound},
		{"all missing", all(missing), http.StatusNotFound},
		{"denied where connected", unconnected, http.StatusForbidden},
		{"nothing connected", all(errNotConnected), http.StatusOK},
	} {
		if got := pageStatus(c.errs); got != c.want {
			t.Errorf("%s: %d, want %d", c.name, got, c.want)
		}
	}
}

func TestBuildTimeline(t *testing.T) {
	at := func(min int) *timestamppb.Timestamp {
		return timestamppb.New(time.Date(2026, 11, 20, 9, min, 0, 0, time.UTC))
	}
	rd := employeeReads{
		interactions: []*clientv1.Interaction{
			{InteractionId: "i1", EmployeeId: "e1", CustomerId: "c1", Text: "加我私人微信", OccurredAt: at(10), Sequence: 42},
			{InteractionId: "i2", EmployeeId: "e1", CustomerId: "c1", Text: "hello", OccurredAt: at(5), Sequence: 40},
		},
		lifecycle: []*attendancev1.TimelineEntry{{Sequence: 3, EventType: "holdfast.attendance.v1.EmployeeHired", OccurredAt: at(1), ActorId: "hr1", Summary: "hired"}},
		checkIns:  []*attendancev1.CheckIn{{CheckInId: "k1", EmployeeId: "e1", DeviceTime: at(20), Sequence: 7, Latitude: 31.2, Longitude: 121.4}},
		alerts: []*riskv1.Alert{{AlertId: "a1", RuleId: "sensitive_words", RaisedAt: at(11), Severity: riskv1.Severity_SEVERITY_HIGH, Evidence: []*riskv1.Evidence{
			{Stream: "CLIENT", Sequence: 42, OccurredAt: at(10), EventType: "holdfast.client.v1.InteractionLogged"},
			{Stream: "ORDER", Sequence: 9, OccurredAt: at(15), EventType: "holdfast.order.v1.PaymentRecorded"},
		}}},
	}
	tl := buildTimeline(langEN, rd, evidenceOf(rd.alerts), time.Time{})
	var got []string
	for _, e := range tl {
		mark := ""
		if e.Evidence {
			mark = "*"
		}
		got = append(got, e.Source+mark)
	}
	// Newest first: check-in, ORDER evidence (listed by no source), alert,
	// the evidence chat, the other chat, the hire.
	want := "ATTENDANCE ORDER* RISK CLIENT* CLIENT ATTENDANCE"
	if strings.Join(got, " ") != want {
		t.Errorf("timeline = %v, want %s", got, want)
	}
	if !strings.Contains(tl[3].What, "加我私人微信") || tl[3].By != "e1" {
		t.Errorf("chat entry = %+v", tl[3])
	}
	if !strings.HasPrefix(tl[5].What, "Hired") || tl[5].By != "hr1" {
		t.Errorf("hire entry = %+v", tl[5])
	}
	older := buildTimeline(langZH, rd, evidenceOf(rd.alerts), at(10).AsTime())
	if len(older) != 2 || older[0].Sequence != 40 || !strings.HasPrefix(older[1].What, "入职") {
		t.Errorf("before 09:10 (zh) = %+v, want the 09:05 chat and the hire", older)
	}
}

func TestCheckInMap(t *testing.T) {
	if checkInMap(nil) != "" {
		t.Error("a map without check-ins")
	}
	m := string(checkInMap([]checkInRow{
		{CheckIn: &attendancev1.CheckIn{Latitude: 31.2, Longitude: 121.4}},
		{CheckIn: &attendancev1.CheckIn{Latitude: 31.3, Longitude: 121.5}, Evidence: true},
	}))
	svg, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(m, "data:image/svg+xml;base64,"))
	if !strings.HasPrefix(m, "data:image/svg+xml;base64,") || err != nil {
		t.Fatalf("map = %.60q (%v)", m, err)
	}
	if n, red := strings.Count(string(svg), "<circle"), strings.Count(string(svg), `fill="#c0392b"`); n != 2 || red != 1 {
		t.Errorf("map has %d points, %d red; want 2 and 1:\n%s", n, red, svg)
	}
	// Both points inside the frame.
	for _, m := range regexp.MustCompile(`cx="([0-9.-]+)" cy="([0-9.-]+)"`).FindAllStringSubmatch(string(svg), -1) {
		x, _ := strconv.ParseFloat(m[1], 64)
		y, _ := strconv.ParseFloat(m[2], 64)
		if x < 0 || x > mapWidth || y < 0 || y > mapHeight {
			t.Errorf("point (%v, %v) outside the map", x, y)
		}
	}
}

func TestExplainHidesTheEmployee(t *testing.T) {
	names := testPseudonyms(t)
	a := &riskv1.Alert{EmployeeId: "e1", ExplanationEn: "Employee e1 used words; e10 did not. e1", ExplanationZh: "员工 e1 使用了敏感词"}
	p := page{Lang: langEN, ids: idView{names: names, tenant: "acme"}}
	code := names.code("acme", "e1")
	if got, want := p.Explain(a), "Employee "+code+" used words; e10 did not. "+code; got != want {
		t.Errorf("Explain = %q, want %q", got, want)
	}
	p.Lang = langZH
	if got, want := p.Explain(a), "员工 "+code+" 使用了敏感词"; got != want {
		t.Errorf("Explain (zh) = %q, want %q", got, want)
	}
	p.ids.revealed = map[string]string{"e1": "张$1三"}
	if got, want := p.Explain(a), "员工 张$1三 (e1) 使用了敏感词"; got != want {
		t.Errorf("Explain after reveal = %q, want %q", got, want)
	}
}
