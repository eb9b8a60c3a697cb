package sim

import (
	"fmt"
	"strings"
	"time"
)

// Honest follow-up texts, with {co} for the company. Several per language
// so the lexicon sees ordinary sales talk, not one sentence.
var (
	zhNotes = []string{
		"跟进{co}的报价，客户希望下周收到样品。",
		"电话沟通交期，客户对价格有些顾虑，答应周五前回复。",
		"发送了产品目录和最新价格表，客户会内部评估。",
		"客户确认了下季度的采购计划，需要正式合同。",
		"拜访{co}采购部，介绍了新款产品，对方反馈积极。",
		"客户询问售后服务条款，已发邮件说明。",
	}
	enNotes = []string{
		"Followed up on the quote for {co}; they want samples next week.",
		"Call about delivery dates; price is a concern, promised an answer by Friday.",
		"Sent the catalogue and the updated price list for their review.",
		"Customer confirmed next quarter's purchasing plan and asked for a contract.",
		"Visited {co}'s buyers and walked them through the new range.",
		"They asked about warranty terms; replied by email.",
	}
	sources  = []string{"website", "trade_show", "referral", "assignment", "personal"}
	products = []string{"工业传感器", "伺服电机", "控制柜", "Sensor kit", "Servo drive", "Control panel"}
)

func noteText(g *gen, c *customer) string {
	t := pick(g.r, enNotes)
	if c.zh {
		t = pick(g.r, zhNotes)
	}
	return replaceCo(t, c.company)
}

func replaceCo(t, co string) string {
	out := ""
	for i := 0; i < len(t); i++ {
		if i+4 <= len(t) && t[i:i+4] == "{co}" {
			out += co
			i += 3
			continue
		}
		out += string(t[i])
	}
	return out
}

// newCustomer registers a customer held by e at time at.
func (g *gen) newCustomer(e *employee, at time.Time, source string) *customer {
	c := &customer{key: g.key("c"), zh: e.city.zh, source: source, owner: e.id}
	c.person = personName(g.r, c.zh)
	c.company = g.uniqueCompany(c.zh, e.city)
	c.phone = phone(g.r, c.zh)
	c.account = fmt.Sprintf("62%014d", g.r.Int64N(1e14))
	// Customers sit within about 15 km of the branch centre.
	c.lat, c.lon = near(g.r, e.city.lat, e.city.lon, 15_000)
	addr := address(g.r, c.zh, e.city.zhName)
	if !c.zh {
		addr = address(g.r, false, e.city.name)
	}
	g.customers[c.key] = c
	g.custOrder = append(g.custOrder, c.key)
	e.customers = append(e.customers, c.key)
	g.add(Act{
		At: at, Kind: KindRegister, Actor: e.id, Role: "sales", Key: c.key, Name: c.person, Company: c.company,
		Phone: c.phone, Channel: source, Text: addr, Lat: c.lat, Lon: c.lon,
	})
	return c
}

// uniqueCompany draws a company name no other customer has: the client
// service rightly refuses a second registration of a known company, and
// an honest salesperson should not look like S8 by accident.
func (g *gen) uniqueCompany(zh bool, c city) string {
	name := c.name
	if zh {
		name = c.zhName
	}
	for i := 0; ; i++ {
		co := companyName(g.r, zh, name)
		if i >= 5 {
			// The pools are small; a branch-office number keeps it unique.
			if zh {
				co = strings.TrimSuffix(co, "有限公司") + fmt.Sprintf("第%d分公司", i)
			} else {
				co = strings.TrimSuffix(co, " Ltd") + fmt.Sprintf(" (No. %d) Ltd", i)
			}
		}
		if !g.companies[co] {
			g.companies[co] = true
			return co
		}
	}
}

// registerBooks gives every salesperson hired before the span 8–15
// customers over the first days (mid-span hires build theirs when they
// start, background.go).
func (g *gen) registerBooks() {
	for _, e := range g.sales {
		if e.start > 0 {
			continue
		}
		n := 8 + g.r.IntN(8)
		for i := 0; i < n; i++ {
			g.newCustomer(e, g.workTime(e, i%3), pick(g.r, sources[:4])).initial = true
		}
	}
}

// honestDay is one ordinary working day of e.
func (g *gen) honestDay(e *employee, day int) {
	// The first three days are for registering books (registerBooks, or
	// a mid-span hire's own), so nothing refers to a customer before it
	// exists.
	if day < e.start+3 || !g.workingDay(e, day) || g.off[e.id][day] || len(e.customers) == 0 {
		return
	}
	if !g.quiet[e.id][day] {
		follow := 1 + g.r.IntN(3)
		if e.id == g.h1 {
			follow = 4 + g.r.IntN(3)
		}
		for i := 0; i < follow; i++ {
			g.followUp(e, g.customers[pick(g.r, e.customers)], g.workTime(e, day), e.id == g.h1)
		}
	}
	reveals := 0
	if g.r.Float64() < 0.25 {
		reveals = 1
	}
	if e.id == g.h1 {
		reveals = 8 + g.r.IntN(7)
	}
	for i := 0; i < reveals; i++ {
		g.add(Act{At: g.workTime(e, day), Kind: KindReveal, Actor: e.id, Role: "sales", Customer: pick(g.r, e.customers)})
	}
	if g.r.Float64() < 0.15 && !g.quiet[e.id][day] {
		c := g.customers[pick(g.r, e.customers)]
		metres := 60.0
		if g.r.Float64() < 0.1 {
			// Honestly off: parked down the street, GPS drift in a tower block.
			metres = 250
		}
		lat, lon := near(g.r, c.lat, c.lon, metres)
		g.add(Act{At: g.workTime(e, day), Kind: KindCheckIn, Actor: e.id, Role: "sales", Customer: c.key, Lat: lat, Lon: lon, Text: "customer visit"})
	}
	// A transactional B2B salesperson closes most working days on a quote
	// and wins about two in three: enough decisions a month that a
	// conversion rate means something (S9 compares them).
	if g.r.Float64() < honestOrderRate && !g.noOrders[e.id][day] {
		how := orderHonest
		if g.r.Float64() >= honestWinRate {
			how = orderLost
		}
		g.order(e, g.customers[pick(g.r, e.customers)], g.workTime(e, day), how)
	}
}

// followUp logs one interaction with c.
func (g *gen) followUp(e *employee, c *customer, at time.Time, long bool) Act {
	kinds := []string{"chat", "call", "call", "email"}
	k := pick(g.r, kinds)
	a := Act{At: at, Kind: KindInteraction, Actor: e.id, Role: "sales", Customer: c.key, Key: g.key("n"), Channel: k, Text: noteText(g, c)}
	if k == "call" || long {
		a.Channel = "call"
		a.Seconds = 60 + g.r.IntN(840)
		if long {
			a.Seconds = 1800 + g.r.IntN(2400)
		}
	}
	e.notes = append(e.notes, a.Key)
	return g.add(a)
}

// The honest order flow per working day.
const (
	honestOrderRate = 0.8
	honestWinRate   = 0.65
)

// orderOutcome says how an order's life goes after approval.
type orderOutcome int

const (
	orderHonest        orderOutcome = iota // won, paid in full to the company, shipped
	orderUnpaid                            // won, never paid nor shipped (S6)
	orderPersonalPay                       // paid to a personal account (S6)
	orderShortPaid                         // paid less than the order (S6)
	orderLost                              // lost after approval (S9)
	orderCancelled                         // approved, later cancelled (S10)
	orderParentPayer                       // paid from the parent company's registered account (H4)
	orderPersonalClaim                     // claims a personal source (S7); otherwise honest
)

// order creates, submits and gets approval for an order by e for c, then
// plays out; it returns the create act.
func (g *gen) order(e *employee, c *customer, at time.Time, how orderOutcome) Act {
	first := len(g.acts)
	defer func() {
		for _, a := range g.acts[first:] {
			if a.At.After(c.busyUntil) {
				c.busyUntil = a.At
			}
		}
	}()
	key := g.key("o")
	cur, company := "CNY", "6222021000000001"
	if !c.zh {
		cur, company = "GBP", "GB29NWBK60161331926819"
	}
	qty := int64(1 + g.r.IntN(20))
	price := int64(500+g.r.IntN(4500)) * 100
	amount := qty * price
	claimed := c.source
	if how == orderPersonalClaim {
		claimed = "personal"
	}
	create := g.add(Act{
		At: at, Kind: KindOrderCreate, Actor: e.id, Role: "sales", Key: key, Customer: c.key, Name: pick(g.r, products),
		Quantity: qty, Amount: price, Currency: cur, Channel: claimed, Text: "delivery to the customer's site",
	})
	g.add(Act{At: at.Add(10 * time.Minute), Kind: KindOrderSubmit, Actor: e.id, Role: "sales", Ref: key})
	approved := at.Add(time.Duration(2+g.r.IntN(20)) * time.Hour)
	g.add(Act{At: approved, Kind: KindOrderApprove, Actor: e.manager, Role: "manager", Ref: key})
	switch how {
	case orderLost:
		g.add(Act{At: approved.Add(time.Duration(24+g.r.IntN(72)) * time.Hour), Kind: KindOrderLost, Actor: e.id, Role: "sales", Ref: key, Text: "customer chose another supplier"})
		return create
	case orderCancelled:
		return create
	}
	won := approved.Add(time.Duration(4+g.r.IntN(40)) * time.Hour)
	g.add(Act{At: won, Kind: KindOrderWon, Actor: e.id, Role: "sales", Ref: key})
	if how == orderUnpaid {
		return create
	}
	paid := won.Add(time.Duration(24+g.r.IntN(9*24)) * time.Hour)
	if !c.payerOnFile {
		// Finance puts the customer's own bank account on file when it
		// invoices the first won order, as a company that checks payers
		// does; a payment from an account on file is not personal collection.
		c.payerOnFile = true
		g.add(Act{
			At: won.Add(time.Hour), Kind: KindPayerAccount, Actor: "finance", Role: "service", Customer: c.key, Account: c.account,
			Channel: payerOwn, Text: "customer's own account",
		})
	}
	pay := Act{At: paid, Kind: KindPayment, Actor: "finance", Role: "service", Ref: key, Amount: amount, Currency: cur, Account: c.account, Payee: company}
	switch how {
	case orderPersonalPay:
		pay.Payee = fmt.Sprintf("62170%011d", g.r.Int64N(1e11))
	case orderShortPaid:
		pay.Amount = amount * int64(60+g.r.IntN(30)) / 100
	case orderParentPayer:
		pay.Account = "P" + c.account
	}
	g.add(pay)
	g.add(Act{At: won.Add(time.Duration(24+g.r.IntN(7*24)) * time.Hour), Kind: KindShipment, Actor: "finance", Role: "service", Ref: key, Text: "SF Express"})
	return create
}
