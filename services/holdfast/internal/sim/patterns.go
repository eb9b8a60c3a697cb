package sim

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// Sensitive phrases of SCENARIOS.md S1, and sentence frames to carry them,
// so no two injections read the same.
var (
	zhPhrases = []string{"私单", "个人收款", "私人账号", "加我私人微信", "打到我卡上", "别走公司"}
	enPhrases = []string{"pay me directly", "my own company"}
	zhFrames  = []string{"这单我们{p}吧，价格可以再低五个点。", "{p}，合同我另外给你做一份。", "老板，{p}更快，发票我想办法。", "下次{p}，公司那边不用知道。"}
	enFrames  = []string{"If you {p}, I can take another 5% off.", "Let's keep this one off the books: {p}.", "Easier if you {p} this time, I'll sort the paperwork.", "Between us, {p} and we skip the approval queue."}
	// H6: the phrase is the customer's report of what someone else said,
	// between quotation marks as a complaint quotes it, never proposed.
	zhQuotes = []string{
		"客户投诉：对方供应商的销售让他们“打到我卡上”，客户很不满。",
		"客户反映竞争对手业务员说「个人收款更便宜」，问我们是否也这样。",
		"客户转述对方销售的原话：『加我私人微信，别走公司』，已提醒客户只向公司账户付款。",
	}
	enQuotes = []string{
		"Complaint logged: the other vendor's rep told them \"pay me directly\" and they were upset.",
		"Customer quoted a competitor's rep: “we can invoice through my own company”; reassured them we invoice only through ours.",
	}
)

func frame(frames []string, phrase string) string {
	return strings.ReplaceAll(frames[0], "{p}", phrase)
}

// planPatterns picks one employee per pattern and a day for it, marks the
// days the honest generator must leave alone, and returns the injections
// to run after the honest days are generated.
func (g *gen) planPatterns(patterns []string) []func() {
	order := g.r.Perm(len(g.sales))
	var out []func()
	for i, p := range patterns {
		e := g.sales[order[i]]
		g.patterned[e.id] = true
		// Injections start after the books exist (day 3) and leave room
		// for the pattern to play out before the end.
		lo := g.cfg.Warmup + max(4, g.cfg.Days/3)
		day := lo + g.r.IntN(max(1, g.cfg.Days/3))
		if p == "S9" {
			// A collapse shows in a 30-day rate only two to three weeks
			// later: start it four weeks before the end, after the longest
			// baseline the span allows.
			day = max(g.cfg.Warmup+1, g.days()-28)
		}
		for !g.workingDay(e, day) {
			day++
		}
		out = append(out, g.pattern(p, e, day))
	}
	return out
}

func (g *gen) label(p string, e *employee, first time.Time) {
	g.truth = append(g.truth, Label{Pattern: p, Employee: e.id, First: first.UTC()})
}

func (g *gen) mark(set map[string]map[int]bool, e *employee, from, to int) {
	if set[e.id] == nil {
		set[e.id] = map[int]bool{}
	}
	for d := from; d <= to; d++ {
		set[e.id][d] = true
	}
}

// nextWorking returns the n-th working day after day (n=0: day itself if working).
func (g *gen) nextWorking(e *employee, day, n int) int {
	for !g.workingDay(e, day) {
		day++
	}
	for ; n > 0; n-- {
		day++
		for !g.workingDay(e, day) {
			day++
		}
	}
	return day
}

func (g *gen) own(e *employee) *customer { return g.customers[pick(g.r, e.customers)] }

// othersCustomer is a customer held by someone other than e, from a
// starting book and never moved, so it is held by that someone whenever
// the pattern lands (a pooled customer has no holder to steal from).
func (g *gen) othersCustomer(e *employee) *customer {
	for {
		c := g.customers[pick(g.r, g.custOrder)]
		if c.owner != e.id && c.owner != "" && c.initial && !c.moved {
			return c
		}
	}
}

// pattern returns the injection of p into e around day; what must be known
// before honest generation (quiet days, leave, order rates) is set now.
func (g *gen) pattern(p string, e *employee, day int) func() {
	switch p {
	case "S2":
		last := g.nextWorking(e, day, 5)
		g.mark(g.quiet, e, day, last)
		return func() { g.injectNeglect(e, day, last) }
	case "S9":
		// Orders decided from day on are lost (injectCollapse).
		return func() { g.injectCollapse(e, day) }
	case "H1":
		g.h1 = e.id
		return func() { g.label(p, e, g.local(e, 0, 9, 0)) }
	case "H3":
		last := g.nextWorking(e, day, 4)
		g.mark(g.off, e, day, last)
		return func() {
			at := g.local(e, day-2, 10, 0)
			g.add(Act{
				At: at, Kind: KindLeave, Actor: "hr-1", Role: "hr", Employee: e.id,
				Date: g.local(e, day, 12, 0).Format(time.DateOnly), Date2: g.local(e, last, 12, 0).Format(time.DateOnly),
			})
			g.label(p, e, g.local(e, day, 9, 0))
		}
	case "H5", "S3":
		lastDay := day + 20
		g.mark(g.off, e, lastDay+1, g.days())
		return func() { g.injectDeparture(p, e, day, lastDay) }
	}
	return func() { g.inject(p, e, day) }
}

// inject writes the acts of a pattern that needs nothing from the honest
// generator.
func (g *gen) inject(p string, e *employee, day int) {
	at := g.workTime(e, day)
	switch p {
	case "S1":
		c := g.own(e)
		phrases, frames := enPhrases, enFrames
		if c.zh {
			phrases, frames = zhPhrases, zhFrames
		}
		first := Act{}
		for i := 0; i < 2; i++ {
			f := frames[g.r.IntN(len(frames)):]
			a := g.add(Act{
				At: at.Add(time.Duration(i*(1+g.r.IntN(4))*24) * time.Hour), Kind: KindInteraction, Actor: e.id, Role: "sales",
				Customer: c.key, Key: g.key("n"), Channel: pick(g.r, []string{"chat", "email"}), Text: frame(f, pick(g.r, phrases)),
			})
			if i == 0 {
				first = a
			}
		}
		g.label(p, e, first.At)
	case "S4":
		if g.r.IntN(2) == 0 {
			// More than 20 reveals in a few hours, cycling the book.
			n := 21 + g.r.IntN(15)
			for i := 0; i < n; i++ {
				g.add(Act{At: at.Add(time.Duration(i*(3+g.r.IntN(8))) * time.Minute), Kind: KindReveal, Actor: e.id, Role: "sales", Customer: e.customers[i%len(e.customers)]})
			}
		} else {
			for len(e.customers) <= 11 {
				g.newCustomer(e, at.Add(-48*time.Hour), "assignment")
			}
			g.add(Act{At: at, Kind: KindExportRequest, Actor: e.id, Role: "sales", Key: g.key("x"), Employee: e.id, Text: "整理客户资料 / tidy up my list"})
		}
		g.label(p, e, at)
	case "S5":
		c := g.own(e)
		switch g.r.IntN(3) {
		case 0: // no linked customer, far from every one
			lat, lon := near(g.r, e.city.lat+0.05, e.city.lon+0.05, 3000)
			g.add(Act{At: at, Kind: KindCheckIn, Actor: e.id, Role: "sales", Lat: lat, Lon: lon, Text: "拜访潜在客户"})
		case 1: // linked, but kilometres away
			lat, lon := near(g.r, c.lat+0.02, c.lon+0.02, 1500)
			g.add(Act{At: at, Kind: KindCheckIn, Actor: e.id, Role: "sales", Customer: c.key, Lat: lat, Lon: lon, Text: "customer visit"})
		default: // two check-ins too far apart for the time between them
			lat, lon := near(g.r, c.lat, c.lon, 50)
			g.add(Act{At: at, Kind: KindCheckIn, Actor: e.id, Role: "sales", Customer: c.key, Lat: lat, Lon: lon, Text: "customer visit"})
			far := cities[(indexOfCity(e.city)+1)%len(cities)]
			g.add(Act{
				At: at.Add(time.Duration(20+g.r.IntN(30)) * time.Minute), Kind: KindCheckIn, Actor: e.id, Role: "sales", Customer: c.key,
				Lat: far.lat, Lon: far.lon, Text: "customer visit",
			})
		}
		g.label(p, e, at)
	case "S6":
		how := []orderOutcome{orderUnpaid, orderPersonalPay, orderShortPaid}[g.r.IntN(3)]
		g.order(e, g.own(e), at, how)
		// The first diverting act is marking the order won.
		for i := len(g.acts) - 1; i >= 0; i-- {
			if g.acts[i].Kind == KindOrderWon && g.acts[i].Actor == e.id {
				g.label(p, e, g.acts[i].At)
				break
			}
		}
	case "S7":
		c := g.newCustomer(e, at.Add(-time.Duration(24+g.r.IntN(72))*time.Hour), pick(g.r, []string{"website", "trade_show", "assignment"}))
		create := g.order(e, c, at, orderPersonalClaim)
		g.label(p, e, create.At)
	case "S8":
		victim := g.othersCustomer(e)
		if g.r.IntN(2) == 0 {
			company := strings.TrimSuffix(victim.company, "有限公司")
			if company == victim.company {
				company = strings.TrimSuffix(victim.company, " Ltd") + " Limited"
			}
			a := g.add(Act{
				At: at, Kind: KindRegister, Actor: e.id, Role: "sales", Key: g.key("c"), Name: victim.person, Company: company,
				Phone: reformatPhone(g.r, victim.phone), Channel: "personal", Text: "", Lat: victim.lat, Lon: victim.lon, Refused: true,
			})
			g.label(p, e, a.At)
		} else {
			// Talks with a contact for days before registering them.
			c := &customer{key: g.key("c"), zh: e.city.zh, source: "personal", owner: e.id, phone: phone(g.r, e.city.zh)}
			c.person, c.company = personName(g.r, c.zh), g.uniqueCompany(c.zh, e.city)
			first := g.add(Act{At: at, Kind: KindInteraction, Actor: e.id, Role: "sales", Contact: c.phone, Channel: "call", Seconds: 300 + g.r.IntN(900), Key: g.key("n"), Text: "first call"})
			g.add(Act{At: at.Add(26 * time.Hour), Kind: KindInteraction, Actor: e.id, Role: "sales", Contact: c.phone, Channel: "chat", Key: g.key("n"), Text: noteText(g, c)})
			g.add(Act{
				At: at.Add(time.Duration(4+g.r.IntN(3)) * 24 * time.Hour), Kind: KindRegister, Actor: e.id, Role: "sales", Key: c.key, Name: c.person,
				Company: c.company, Phone: c.phone, Channel: "personal", Lat: e.city.lat, Lon: e.city.lon,
			})
			g.label(p, e, first.At)
		}
	case "S10":
		n := 3 + g.r.IntN(2)
		var first time.Time
		for i := 0; i < n && i < len(e.customers); i++ {
			// An order in the pipeline, a long call, and days later the
			// customer withdraws the order.
			c := g.customers[e.customers[i]]
			callAt := at.Add(time.Duration(i*26) * time.Hour)
			ord := g.order(e, c, callAt.Add(-time.Duration(24+g.r.IntN(72))*time.Hour), orderCancelled)
			call := g.followUp(e, c, callAt, true)
			if i == 0 {
				first = call.At
			}
			g.add(Act{At: call.At.Add(time.Duration(2+g.r.IntN(6)) * 24 * time.Hour), Kind: KindOrderCancel, Actor: e.id, Role: "sales", Ref: ord.Key, Text: "customer withdrew"})
		}
		g.label(p, e, first)
	case "H2":
		mgr := g.managers[e.manager]
		g.add(Act{At: at, Kind: KindExportRequest, Actor: mgr.id, Role: "manager", Key: g.key("x"), Text: "quarterly review / 季度复盘"})
		g.add(Act{At: at.Add(2 * time.Hour), Kind: KindExportApprove, Actor: "admin-1", Role: "admin", Ref: g.acts[len(g.acts)-1].Key, Text: "quarterly review approved"})
		g.label(p, mgr, at)
	case "H4":
		c := g.own(e)
		g.add(Act{At: at.Add(-time.Hour), Kind: KindPayerAccount, Actor: "finance", Role: "service", Customer: c.key, Account: "P" + c.account, Channel: payerParent, Text: "parent company"})
		g.order(e, c, at, orderParentPayer)
		g.label(p, e, at)
	case "H6":
		c := g.own(e)
		text := pick(g.r, enQuotes)
		if c.zh {
			text = pick(g.r, zhQuotes)
		}
		a := g.add(Act{At: at, Kind: KindInteraction, Actor: e.id, Role: "sales", Customer: c.key, Key: g.key("n"), Channel: "call", Seconds: 200 + g.r.IntN(600), Text: text})
		g.label(p, e, a.At)
	default:
		panic(fmt.Sprintf("sim: pattern %s has no injection", p))
	}
}

func indexOfCity(c city) int {
	for i, x := range cities {
		if x.name == c.name {
			return i
		}
	}
	return 0
}

// injectNeglect (S2): no follow-up of the book for days, while talking to
// unregistered contacts every day.
func (g *gen) injectNeglect(e *employee, from, to int) {
	var first time.Time
	contacts := []string{phone(g.r, e.city.zh), phone(g.r, e.city.zh)}
	for d := from; d <= to; d++ {
		if !g.workingDay(e, d) {
			continue
		}
		a := g.add(Act{
			At: g.workTime(e, d), Kind: KindInteraction, Actor: e.id, Role: "sales", Contact: pick(g.r, contacts), Key: g.key("n"),
			Channel: "call", Seconds: 300 + g.r.IntN(1200), Text: "private follow-up",
		})
		if first.IsZero() || a.At.Before(first) {
			first = a.At
		}
	}
	g.label("S2", e, first)
}

// injectCollapse (S9): from day on, every order the employee would have
// won is lost, while the rest of their work goes on as before.
func (g *gen) injectCollapse(e *employee, day int) {
	var first time.Time
	lost := map[string]bool{}
	from := g.local(e, day, 0, 0)
	for i, a := range g.acts {
		if a.Actor == e.id && a.Kind == KindOrderWon && from.Before(a.At) {
			g.acts[i].Kind = KindOrderLost
			g.acts[i].Text = "customer chose another supplier"
			lost[a.Ref] = true
			if first.IsZero() || a.At.Before(first) {
				first = a.At
			}
		}
	}
	// A lost order is never paid nor shipped.
	g.acts = slices.DeleteFunc(g.acts, func(a Act) bool {
		return (a.Kind == KindPayment || a.Kind == KindShipment) && lost[a.Ref]
	})
	g.label("S9", e, first)
}

// injectDeparture is S3 (exfiltration before leaving) or H5 (a clean
// handover): notice on day, last day lastDay.
func (g *gen) injectDeparture(p string, e *employee, day, lastDay int) {
	notice := g.local(e, day, 9, 30)
	g.add(Act{
		At: notice, Kind: KindResign, Actor: "hr-1", Role: "hr", Employee: e.id,
		Date: notice.Format(time.DateOnly), Date2: g.local(e, lastDay, 12, 0).Format(time.DateOnly),
	})
	if p == "H5" {
		for i := 0; i < 2+g.r.IntN(3); i++ {
			g.add(Act{At: g.workTime(e, day+1+i), Kind: KindReveal, Actor: e.id, Role: "sales", Customer: g.own(e).key})
		}
		g.label(p, e, notice)
		return
	}
	// The client service refuses reveals of customers the employee does
	// not hold (and records no attempt), so the exfiltration is a burst of
	// reveals of their own book far above their baseline of one a day.
	var first time.Time
	for i := 0; i < 12+g.r.IntN(10); i++ {
		a := g.add(Act{At: notice.Add(time.Duration(20+i*(1+g.r.IntN(4))) * time.Hour), Kind: KindReveal, Actor: e.id, Role: "sales", Customer: g.own(e).key})
		if first.IsZero() || a.At.Before(first) {
			first = a.At
		}
	}
	g.add(Act{At: notice.Add(72 * time.Hour), Kind: KindExportRequest, Actor: e.id, Role: "sales", Key: g.key("x"), Employee: e.id, Text: "交接用 / for handover"})
	for i := 0; i < 2 && i < len(e.notes); i++ {
		g.add(Act{At: notice.Add(time.Duration(96+i) * time.Hour), Kind: KindDeleteNote, Actor: e.id, Role: "sales", Ref: e.notes[i], Text: "duplicate"})
	}
	g.label(p, e, first)
}
