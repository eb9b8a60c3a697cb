package engine

import (
	"bytes"
	"cmp"
	"crypto/sha256"
	"encoding/gob"
	"encoding/hex"
	"errors"
	"fmt"
	"maps"
	"runtime/debug"
	"slices"
	"time"

	"github.com/holdfast/holdfast/pkg/workcal"
	"github.com/holdfast/holdfast/services/risk/internal/domain"
)

// A snapshot is the engine's whole state — rules in force, open alerts,
// suppressions and every projection — so that a restart restores it and
// replays only the RISK_IN records after the sequence it was taken at,
// instead of all of RISK_IN. The state's Go types are unexported and
// change with the code, so the snapshot is an explicit mirror of them
// (the snap* types below, encoded with encoding/gob), in a stable order.
// TestSnapshotMirrorsEveryField fails when a projection gains a field the
// mirror does not carry.

// SnapshotFormat identifies the mirror's layout and the meaning of the
// projections. Bump it whenever either changes: a snapshot of another
// format is refused (ErrSnapshotFormat) and the engine replays from the
// start instead, which is always correct.
const SnapshotFormat = 1

// ErrSnapshotFormat is returned by Restore for a snapshot that this engine
// cannot use: another format, another build, other built-in rules or
// phrases (see fingerprint), or bytes that do not decode.
var ErrSnapshotFormat = errors.New("engine: snapshot of another format")

type snapshot struct {
	Format      int
	Fingerprint string

	Rules      []snapRule
	Open       []snapOpen
	Suppressed []snapSuppressed
	EvalErrors uint64

	Reveals  []snapPieces
	Activity []snapActivity
	Exports  []snapExport

	Orders     []snapOrder
	OrdersNext []keyed[time.Time]

	Sales         []snapSales
	ConversionDay []keyed[int64]

	Calls     []snapCalls
	ChurnNext []keyed[time.Time]

	PruneDay []keyed[int64]

	Units     []OrgUnit
	Members   []snapMember
	Customers []snapCustomer
	OffBook   []snapOffBook
}

type snapRule struct {
	Tenant, ID string
	// Definition is the tenant's own version; nil for the built-in one.
	Definition *domain.Rule
	Enabled    bool
}

type snapTally struct {
	Count, Hits, Quoted, Unassigned, Personal int64
	Phrases                                   []string
}

type snapPiece struct {
	Evidence domain.Evidence
	Tally    snapTally
}

type snapOpen struct {
	Rule, Tenant, Employee string
	Alert                  domain.Alert
	Version                uint64
	Tally                  snapTally
}

type snapSuppressed struct {
	Rule, Tenant, Employee string
	Until                  time.Time
}

type snapPieces struct {
	Tenant, Employee string
	Pieces           []snapPiece
}

type snapDayActivity struct {
	Day                                     workcal.Date
	Reveals, Unassigned, Exports, Deletions int64
}

type snapActivity struct {
	Tenant, Employee string
	Days             []snapDayActivity
}

type snapExport struct {
	Tenant, Export, Employee string
	At                       time.Time
	Facts                    []keyed[any]
}

// keyed is one entry of a map, which gob would write in random order.
type keyed[V any] struct {
	Key   string
	Value V
}

func entries[V any](m map[string]V) []keyed[V] {
	out := make([]keyed[V], 0, len(m))
	for _, k := range slices.Sorted(maps.Keys(m)) {
		out = append(out, keyed[V]{k, m[k]})
	}
	return out
}

func fromEntries[V any](es []keyed[V]) map[string]V {
	out := make(map[string]V, len(es))
	for _, e := range es {
		out[e.Key] = e.Value
	}
	return out
}

type snapOrder struct {
	Tenant                         string
	ID, Seller, Customer, Currency string
	Amount                         int64
	LastSeen, Started              time.Time
	StartedBy                      string
	StartEvidence                  domain.Evidence
	PaidTotal, PaidToCompany       int64
	Shipped, Contradiction         bool
	JudgedDays                     int64
	Evidence                       []domain.Evidence
}

type snapDayCounts struct {
	Day                                 int64
	Won, Decided, Interactions, Created int64
}

type snapSales struct {
	Tenant, Employee     string
	Days                 []snapDayCounts
	LongWon, LongDecided int64
	FoldedThrough        int64
	Decided              []domain.Evidence
}

type snapLongCall struct {
	Customer        string
	At, LastTouch   time.Time
	Seconds, Median int64
	Evidence        domain.Evidence
	Churned         bool
}

type snapChurn struct {
	Customer string
	At       time.Time
	Pieces   []snapPiece
}

type snapCalls struct {
	Tenant, Employee string
	Seconds          []int64
	Long             []snapLongCall
	Churned          []snapChurn
}

type snapMember struct {
	Tenant, Employee string
	Unit, Role       string
	Hired            workcal.Date
	Leaves           []workcal.Period
	Notice           time.Time
	NoticeEvidence   domain.Evidence
	Departed         bool
	LastDay          workcal.Date
	DepartedAt       time.Time
}

type snapCustomer struct {
	Tenant, Customer string
	Owner, Source    string
	RegisteredAt     time.Time
	Keys             []string
	HeldSince        time.Time
	LastFollowUp     time.Time
}

type snapTouch struct {
	At       time.Time
	Contact  string
	Evidence domain.Evidence
}

type snapOffBook struct {
	Tenant, Employee string
	Touches          []snapTouch
}

func init() {
	// Export facts are CEL values: the types a fact can hold.
	gob.Register([]string{})
	gob.Register([]any{})
	gob.Register(map[string]any{})
}

func (t tally) snap() snapTally {
	return snapTally{Count: t.count, Hits: t.hits, Quoted: t.quoted, Unassigned: t.unassigned, Personal: t.personal, Phrases: t.phrases}
}

func (s snapTally) tally() tally {
	return tally{count: s.Count, hits: s.Hits, quoted: s.Quoted, unassigned: s.Unassigned, personal: s.Personal, phrases: s.Phrases}
}

func snapPiecesOf(ps []piece) []snapPiece {
	out := make([]snapPiece, len(ps))
	for i, p := range ps {
		out[i] = snapPiece{Evidence: p.evidence, Tally: p.tally.snap()}
	}
	return out
}

func piecesOf(ps []snapPiece) []piece {
	out := make([]piece, len(ps))
	for i, p := range ps {
		out[i] = piece{evidence: p.Evidence, tally: p.Tally.tally()}
	}
	return out
}

// fingerprint identifies what decides how the engine's state evolves
// besides RISK_IN: the snapshot format, the build (its VCS revision, when
// the binary was built from a checkout), the built-in rules as compiled
// (deployment parameters included) and the lexicon's phrases. A snapshot
// is restored only by an engine with the same fingerprint: after an
// upgrade the engine replays RISK_IN once, which is always correct.
func (e *Engine) fingerprint() (string, error) {
	h := sha256.New()
	fmt.Fprintf(h, "format %d\n", SnapshotFormat)
	if info, ok := debug.ReadBuildInfo(); ok {
		for _, s := range info.Settings {
			if s.Key == "vcs.revision" || s.Key == "vcs.modified" {
				fmt.Fprintf(h, "%s=%s\n", s.Key, s.Value)
			}
		}
	}
	enc := gob.NewEncoder(h)
	for _, id := range slices.Sorted(maps.Keys(e.builtin)) {
		if err := enc.Encode(e.builtin[id].Rule); err != nil {
			return "", err
		}
	}
	fmt.Fprintf(h, "lexicon %s\n", e.lexicon.Fingerprint())
	return hex.EncodeToString(h.Sum(nil)), nil
}

// sortedKeys is a map's keys in a fixed order, so the snapshot's bytes do
// not depend on map iteration.
func sortedKeys[K comparable, V any](m map[K]V, compare func(a, b K) int) []K {
	return slices.SortedFunc(maps.Keys(m), compare)
}

func compareEmployeeKeys(a, b employeeKey) int {
	return cmp.Or(cmp.Compare(a.tenant, b.tenant), cmp.Compare(a.employee, b.employee))
}

func compareAlertKeys(a, b alertKey) int {
	return cmp.Or(cmp.Compare(a.rule, b.rule), compareEmployeeKeys(a.employeeKey, b.employeeKey))
}

// eachByTenant calls fn for every entry, tenants and employees in order.
func eachByTenant[V any](m byTenant[V], fn func(k employeeKey, v V)) {
	for _, t := range slices.Sorted(maps.Keys(m)) {
		for _, id := range slices.Sorted(maps.Keys(m[t])) {
			fn(employeeKey{t, id}, m[t][id])
		}
	}
}

// Snapshot encodes the engine's whole state. Taken between two
// observations and restored into a fresh engine (Restore), it gives an
// engine that decides every later event exactly as this one does.
func (e *Engine) Snapshot() ([]byte, error) {
	fp, err := e.fingerprint()
	if err != nil {
		return nil, err
	}
	s := snapshot{
		Format: SnapshotFormat, Fingerprint: fp, EvalErrors: e.evalErrors,
		OrdersNext: entries(e.ordersNext), ConversionDay: entries(e.conversionDay), ChurnNext: entries(e.churnNext), PruneDay: entries(e.pruneDay),
	}
	for _, t := range slices.Sorted(maps.Keys(e.tenants)) {
		for _, id := range slices.Sorted(maps.Keys(e.tenants[t])) {
			tr := e.tenants[t][id]
			r := snapRule{Tenant: t, ID: id, Enabled: tr.enabled}
			if tr.program != nil {
				def := tr.program.Rule
				r.Definition = &def
			}
			s.Rules = append(s.Rules, r)
		}
	}
	for _, k := range sortedKeys(e.open, compareAlertKeys) {
		oa := e.open[k]
		s.Open = append(s.Open, snapOpen{Rule: k.rule, Tenant: k.tenant, Employee: k.employee, Alert: oa.alert, Version: oa.version, Tally: oa.tally.snap()})
	}
	for _, k := range sortedKeys(e.suppressed, compareAlertKeys) {
		s.Suppressed = append(s.Suppressed, snapSuppressed{Rule: k.rule, Tenant: k.tenant, Employee: k.employee, Until: e.suppressed[k]})
	}
	eachByTenant(e.reveals, func(k employeeKey, window []revealSeen) {
		ps := make([]piece, 0, len(window))
		for _, r := range window {
			ps = append(ps, r.piece)
		}
		s.Reveals = append(s.Reveals, snapPieces{Tenant: k.tenant, Employee: k.employee, Pieces: snapPiecesOf(ps)})
	})
	eachByTenant(e.activity, func(k employeeKey, days []dayActivity) {
		a := snapActivity{Tenant: k.tenant, Employee: k.employee}
		for _, d := range days {
			a.Days = append(a.Days, snapDayActivity{Day: d.day, Reveals: d.reveals, Unassigned: d.unassigned, Exports: d.exports, Deletions: d.deletions})
		}
		s.Activity = append(s.Activity, a)
	})
	for _, k := range sortedKeys(e.exports, func(a, b exportKey) int {
		return cmp.Or(cmp.Compare(a.tenant, b.tenant), cmp.Compare(a.export, b.export))
	}) {
		x := e.exports[k]
		s.Exports = append(s.Exports, snapExport{Tenant: k.tenant, Export: k.export, Employee: x.employee, At: x.at, Facts: entries(x.facts)})
	}
	for _, t := range slices.Sorted(maps.Keys(e.orders)) {
		for _, id := range slices.Sorted(maps.Keys(e.orders[t])) {
			o := e.orders[t][id]
			s.Orders = append(s.Orders, snapOrder{
				Tenant: t, ID: o.id, Seller: o.seller, Customer: o.customer, Currency: o.currency, Amount: o.amount,
				LastSeen: o.lastSeen, Started: o.started, StartedBy: o.startedBy, StartEvidence: o.startEvidence,
				PaidTotal: o.paidTotal, PaidToCompany: o.paidToCompany, Shipped: o.shipped, Contradiction: o.contradiction,
				JudgedDays: o.judgedDays, Evidence: o.evidence,
			})
		}
	}
	eachByTenant(e.sales, func(k employeeKey, a *salesActivity) {
		ss := snapSales{Tenant: k.tenant, Employee: k.employee, LongWon: a.longWon, LongDecided: a.longDecided, FoldedThrough: a.foldedThrough, Decided: a.decided}
		for _, d := range a.days {
			ss.Days = append(ss.Days, snapDayCounts{Day: int64(d.day), Won: int64(d.won), Decided: int64(d.decided), Interactions: int64(d.interactions), Created: int64(d.created)})
		}
		s.Sales = append(s.Sales, ss)
	})
	eachByTenant(e.calls, func(k employeeKey, h *callHistory) {
		c := snapCalls{Tenant: k.tenant, Employee: k.employee, Seconds: h.seconds}
		for _, id := range slices.Sorted(maps.Keys(h.long)) {
			lc := h.long[id]
			c.Long = append(c.Long, snapLongCall{Customer: id, At: lc.at, LastTouch: lc.lastTouch, Seconds: lc.seconds, Median: lc.median, Evidence: lc.evidence, Churned: lc.churned})
		}
		for _, r := range h.churned {
			c.Churned = append(c.Churned, snapChurn{Customer: r.customer, At: r.at, Pieces: snapPiecesOf(r.pieces)})
		}
		s.Calls = append(s.Calls, c)
	})
	for _, k := range sortedKeys(e.staff.units, func(a, b unitKey) int {
		return cmp.Or(cmp.Compare(a.tenant, b.tenant), cmp.Compare(a.unit, b.unit))
	}) {
		s.Units = append(s.Units, e.staff.units[k].source)
	}
	eachByTenant(e.staff.members, func(k employeeKey, m *staffMember) {
		s.Members = append(s.Members, snapMember{
			Tenant: k.tenant, Employee: k.employee, Unit: m.unit, Role: m.role, Hired: m.hired, Leaves: m.leaves,
			Notice: m.notice, NoticeEvidence: m.noticeEvidence, Departed: m.departed, LastDay: m.lastDay, DepartedAt: m.departedAt,
		})
	})
	eachByTenant(e.book.customers, func(k employeeKey, c *bookEntry) {
		s.Customers = append(s.Customers, snapCustomer{
			Tenant: k.tenant, Customer: k.employee, Owner: c.owner, Source: c.source, RegisteredAt: c.registeredAt,
			Keys: c.keys, HeldSince: c.heldSince, LastFollowUp: c.lastFollowUp,
		})
	})
	eachByTenant(e.book.offBook, func(k employeeKey, log []offBookTouch) {
		o := snapOffBook{Tenant: k.tenant, Employee: k.employee}
		for _, t := range log {
			o.Touches = append(o.Touches, snapTouch{At: t.at, Contact: t.contact, Evidence: t.evidence})
		}
		s.OffBook = append(s.OffBook, o)
	})
	var buf bytes.Buffer
	if err := gob.NewEncoder(&buf).Encode(s); err != nil {
		return nil, fmt.Errorf("engine: encode snapshot: %w", err)
	}
	return buf.Bytes(), nil
}

// Restore replaces the engine's state with a snapshot's. It must be called
// on an engine that has observed nothing; on any error the engine is left
// as it was and the caller replays from the start instead.
func (e *Engine) Restore(b []byte) error {
	var s snapshot
	if err := gob.NewDecoder(bytes.NewReader(b)).Decode(&s); err != nil {
		return fmt.Errorf("%w: %w", ErrSnapshotFormat, err)
	}
	fp, err := e.fingerprint()
	if err != nil {
		return err
	}
	if s.Format != SnapshotFormat || s.Fingerprint != fp {
		return fmt.Errorf("%w: format %d of build %.12s; this engine reads format %d of build %.12s", ErrSnapshotFormat, s.Format, s.Fingerprint, SnapshotFormat, fp)
	}
	fresh := empty(e.lexicon, e.compiler, e.builtin)
	if err := fresh.restore(s); err != nil {
		return err
	}
	*e = *fresh
	return nil
}

func (e *Engine) restore(s snapshot) error {
	e.evalErrors = s.EvalErrors
	e.ordersNext, e.conversionDay, e.churnNext, e.pruneDay = fromEntries(s.OrdersNext), fromEntries(s.ConversionDay), fromEntries(s.ChurnNext), fromEntries(s.PruneDay)
	for _, r := range s.Rules {
		tr := &tenantRule{enabled: r.Enabled}
		if r.Definition != nil {
			p, err := e.compiler.Compile(*r.Definition)
			if err != nil {
				return fmt.Errorf("%w: rule %s of %s no longer compiles: %w", ErrSnapshotFormat, r.ID, r.Tenant, err)
			}
			tr.program = p
		}
		if e.tenants[r.Tenant] == nil {
			e.tenants[r.Tenant] = map[string]*tenantRule{}
		}
		e.tenants[r.Tenant][r.ID] = tr
	}
	for _, o := range s.Open {
		e.open[alertKey{o.Rule, employeeKey{o.Tenant, o.Employee}}] = &openAlert{alert: o.Alert, version: o.Version, tally: o.Tally.tally()}
	}
	for _, x := range s.Suppressed {
		e.suppressed[alertKey{x.Rule, employeeKey{x.Tenant, x.Employee}}] = x.Until
	}
	for _, r := range s.Reveals {
		window := make([]revealSeen, 0, len(r.Pieces))
		for _, p := range piecesOf(r.Pieces) {
			window = append(window, revealSeen{p})
		}
		e.reveals.put(employeeKey{r.Tenant, r.Employee}, window)
	}
	for _, a := range s.Activity {
		days := make([]dayActivity, 0, len(a.Days))
		for _, d := range a.Days {
			days = append(days, dayActivity{day: d.Day, reveals: d.Reveals, unassigned: d.Unassigned, exports: d.Exports, deletions: d.Deletions})
		}
		e.activity.put(employeeKey{a.Tenant, a.Employee}, days)
	}
	for _, x := range s.Exports {
		e.exports[exportKey{x.Tenant, x.Export}] = pendingExport{employee: x.Employee, at: x.At, facts: fromEntries(x.Facts)}
	}
	for _, o := range s.Orders {
		if e.orders[o.Tenant] == nil {
			e.orders[o.Tenant] = map[string]*orderState{}
		}
		e.orders[o.Tenant][o.ID] = &orderState{
			id: o.ID, seller: o.Seller, customer: o.Customer, currency: o.Currency, amount: o.Amount,
			lastSeen: o.LastSeen, started: o.Started, startedBy: o.StartedBy, startEvidence: o.StartEvidence,
			paidTotal: o.PaidTotal, paidToCompany: o.PaidToCompany, shipped: o.Shipped, contradiction: o.Contradiction,
			judgedDays: o.JudgedDays, evidence: o.Evidence,
		}
	}
	for _, a := range s.Sales {
		sa := &salesActivity{longWon: a.LongWon, longDecided: a.LongDecided, foldedThrough: a.FoldedThrough, decided: a.Decided}
		for _, d := range a.Days {
			c := dayCounts{day: int32(d.Day), won: int32(d.Won), decided: int32(d.Decided), interactions: int32(d.Interactions), created: int32(d.Created)}
			if int64(c.day) != d.Day || int64(c.won) != d.Won || int64(c.decided) != d.Decided || int64(c.interactions) != d.Interactions || int64(c.created) != d.Created {
				return fmt.Errorf("%w: %s of %s: counts of day %d beyond what a day holds", ErrSnapshotFormat, a.Employee, a.Tenant, d.Day)
			}
			sa.days = append(sa.days, c)
		}
		e.sales.put(employeeKey{a.Tenant, a.Employee}, sa)
	}
	for _, c := range s.Calls {
		h := &callHistory{seconds: c.Seconds, long: map[string]*longCall{}}
		for _, lc := range c.Long {
			h.long[lc.Customer] = &longCall{at: lc.At, lastTouch: lc.LastTouch, seconds: lc.Seconds, median: lc.Median, evidence: lc.Evidence, churned: lc.Churned}
		}
		for _, r := range c.Churned {
			h.churned = append(h.churned, churnRecord{customer: r.Customer, at: r.At, pieces: piecesOf(r.Pieces)})
		}
		e.calls.put(employeeKey{c.Tenant, c.Employee}, h)
	}
	for _, u := range s.Units {
		e.RecordOrgUnit(u)
	}
	for _, m := range s.Members {
		key := employeeKey{m.Tenant, m.Employee}
		sm := &staffMember{
			unit: m.Unit, role: m.Role, hired: m.Hired, leaves: m.Leaves, notice: m.Notice, noticeEvidence: m.NoticeEvidence,
			departed: m.Departed, lastDay: m.LastDay, departedAt: m.DepartedAt,
		}
		e.staff.members.put(key, sm)
		e.staff.noteIfPrunable(key, sm)
	}
	for _, c := range s.Customers {
		key := customerKey{c.Tenant, c.Customer}
		entry := &bookEntry{source: c.Source, registeredAt: c.RegisteredAt, keys: c.Keys}
		e.book.customers.putAt(c.Tenant, c.Customer, entry)
		e.book.setOwner(key, c.Owner, c.HeldSince) // rebuilds the holder's set
		entry.lastFollowUp = c.LastFollowUp
	}
	for _, o := range s.OffBook {
		log := make([]offBookTouch, 0, len(o.Touches))
		for _, t := range o.Touches {
			log = append(log, offBookTouch{at: t.At, contact: t.Contact, evidence: t.Evidence})
		}
		e.book.offBook.put(employeeKey{o.Tenant, o.Employee}, log)
	}
	return nil
}
