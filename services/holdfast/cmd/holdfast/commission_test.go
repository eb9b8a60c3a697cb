package main

import (
	"bytes"
	"io"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/holdfast/holdfast/pkg/eventlog"
	commissionv1 "github.com/holdfast/holdfast/proto/holdfast/commission/v1"
)

// TestCommissionFlow drives the dev stack with the holdfast CLI: an admin
// reads and sets the commission plan; a salesperson sells to a trade-show
// customer claiming a personal source; once the order is approved, shipped
// and paid in full into a company account, the seller's statement shows
// the accrual at the company rate with the contradiction on record, and a
// refund claws back its share. The contradiction raises source_contradiction
// (S7) and a sensitive phrase in the seller's chat raises sensitive_words;
// each holds the commission out of payroll until HR dismisses it; the next
// payout pays it, and exporting a period again answers the recorded payout.
func TestCommissionFlow(t *testing.T) {
	stack, dataDir := startDevStack(t)
	t.Setenv("HOLDFAST_DATA_DIR", dataDir)
	t.Setenv("HOLDFAST_CLIENT_ADDR", stack.Endpoints.ClientGRPC)
	t.Setenv("HOLDFAST_ORDER_ADDR", stack.Endpoints.OrderGRPC)
	t.Setenv("HOLDFAST_COMMISSION_ADDR", stack.Endpoints.CommissionGRPC)
	t.Setenv("HOLDFAST_RISK_ADDR", stack.Endpoints.RiskGRPC)
	if err := realMain(t.Context(), []string{"ready", "--addr", stack.Endpoints.HTTP, "--timeout", "30s"}, io.Discard, io.Discard); err != nil {
		t.Fatal(err)
	}
	var welcome bytes.Buffer
	stack.PrintWelcome(&welcome, "bin/holdfast")
	if !strings.Contains(welcome.String(), stack.Endpoints.CommissionGRPC+"   (holdfast.commission.v1.CommissionService)") {
		t.Errorf("welcome text lacks the commission endpoint:\n%s", welcome.String())
	}
	run := func(args ...string) string {
		t.Helper()
		var out, errOut bytes.Buffer
		if err := realMain(t.Context(), args, &out, &errOut); err != nil {
			t.Fatalf("holdfast %s: %v\n%s", strings.Join(args, " "), err, errOut.String())
		}
		return strings.TrimSpace(out.String())
	}
	as := func(who, role string, args ...string) string {
		t.Helper()
		return run(append(args, "--tenant", "acme", "--as", who, "--role", role)...)
	}
	salesTeam(t, stack, "e1")

	if got := as("hr1", "hr", "commission", "plan", "get"); !strings.Contains(got, "company 500 bp, personal 800 bp") {
		t.Errorf("default plan:\n%s", got)
	}
	as("ad1", "admin", "commission", "plan", "set", "--company-bp", "500", "--personal-bp", "900", "--channel", "referral=600",
		"--effective-from", "2000-01-01", "--reason", "年度方案", "-q")
	if got := as("m1", "manager", "commission", "plan", "get"); !strings.Contains(got, "personal 900 bp, referral 600 bp (年度方案)") {
		t.Errorf("plan after set:\n%s", got)
	}

	const address = "上海市浦东新区世纪大道100号"
	cid := as("e1", "sales", "customer", "register", "--name", "王伟", "--company", "上海星海贸易有限公司",
		"--phone", "138 0013 8000", "--source", "trade_show", "--address", address, "-q")
	as("ad1", "admin", "account", "add-company", "--account", "6222 0210 0000 0001", "--label", "工商银行 收款户", "-q")
	// The customer's own account is on record, so its payment is no
	// personal_collection; the personal claim is a source_contradiction.
	as("ad1", "admin", "account", "add-payer", "--account", "6228 4800 0000 0009", "--customer", cid, "--label", "客户基本户", "-q")
	oid := as("e1", "sales", "order", "create", "--customer", cid, "--line", "液压泵 HP-200:2:10000.00",
		"--source", "personal", "--address", address, "-q")
	as("e1", "sales", "order", "submit", "--order", oid, "-q")
	as("m1", "manager", "order", "approve", "--order", oid, "-q")
	as("ad1", "admin", "order", "approve", "--order", oid, "-q")
	as("fin", "service", "order", "ship", "--order", oid, "--carrier", "顺丰", "--tracking", "SF1234567890", "--address", address, "-q")
	as("e1", "sales", "order", "won", "--order", oid, "-q")
	paid := as("fin", "service", "order", "pay", "--order", oid, "--amount", "20000.00",
		"--payer", "6228 4800 0000 0009", "--payee", "6222021000000001", "--reference", "INV-1", "-q")

	got := as("e1", "sales", "commission", "statement", "--from", "2000-01-01", "--to", "2100-01-01", "--min-order-sequence", paid)
	for _, want := range []string{"accrual\t" + oid, "1000.00\tCNY", "500 bp of 20000.00, source trade_show", "SOURCE CONTRADICTION: claimed personal", "total CNY: accrued 1000.00, clawed back 0.00, net 1000.00"} {
		if !strings.Contains(got, want) {
			t.Errorf("statement lacks %q:\n%s", want, got)
		}
	}

	refunded := as("ad1", "admin", "order", "refund", "--order", oid, "--amount", "5000.00", "--reason", "部分退货", "-q")
	got = as("hr1", "hr", "commission", "statement", "--employee", "e1", "--min-order-sequence", refunded)
	if !strings.Contains(got, "clawback\t"+oid) || !strings.Contains(got, "net 750.00") {
		t.Errorf("statement after a quarter refunded:\n%s\nwant a clawback of 250.00", got)
	}

	// The risk engine raises a HIGH alert on e1 for the chat; the hold
	// worker holds e1's unpaid commission while it is open.
	log := eventLog(t, stack.Endpoints.NATS)
	chat := as("e1", "sales", "interaction", "log", "--customer", cid, "--text", "加我私人微信，这单我们走私单", "-q")
	alerts := as("hr1", "hr", "alerts", "list", "--employee", "e1", "--consistent-with", "CLIENT:"+chat)
	fields := strings.Fields(strings.TrimPrefix(alerts, "ALERT "))
	if !strings.HasPrefix(alerts, "ALERT ") || len(fields) < 2 || fields[1] != "HIGH" {
		t.Fatalf("alerts list:\n%s\nwant one HIGH alert", alerts)
	}
	alertID := fields[0]
	riskSeq := func() string {
		t.Helper()
		seq, err := log.LastSequence(t.Context(), "RISK")
		if err != nil {
			t.Fatal(err)
		}
		return strconv.FormatUint(seq, 10)
	}
	got = as("hr1", "hr", "commission", "statement", "--employee", "e1", "--min-risk-sequence", riskSeq())
	if !regexp.MustCompile(`HELD by alert [^\n]*` + alertID).MatchString(got) {
		t.Errorf("statement while the alert is open does not show the accrual held by %s:\n%s", alertID, got)
	}
	for _, want := range []string{"hold\t", "alert " + alertID + " (rule sensitive_words) holds all unpaid commission of e1", "(held 750.00, forfeited 0.00)"} {
		if !strings.Contains(got, want) {
			t.Errorf("statement while the alert is open lacks %q:\n%s", want, got)
		}
	}
	// Payout periods: the last half year up to tomorrow, then the next day
	// (an exported period is final; periods end at most 31 days ahead).
	day := func(d int) string { return time.Now().UTC().AddDate(0, 0, d).Format("2006-01-02") }
	first, second := []string{"--from", day(-180), "--to", day(1)}, []string{"--from", day(1), "--to", day(2)}
	held := as("hr1", "hr", append(append([]string{"commission", "payouts"}, first...), "--csv")...)
	if want := "employee_id,currency,accrued,clawed_back,payable,held,payable_minor,order_ids\ne1,CNY,0.00,0.00,0.00,750.00,0,"; held != want {
		t.Errorf("payout while held:\n%s\nwant\n%s", held, want)
	}

	// The order's personal claim on a trade-show customer raised
	// source_contradiction (S7), which holds the order's commission too.
	contradiction := as("hr1", "hr", "alerts", "list", "--employee", "e1", "--rule", "source_contradiction")
	cfields := strings.Fields(strings.TrimPrefix(contradiction, "ALERT "))
	if !strings.HasPrefix(contradiction, "ALERT ") || len(cfields) < 1 || !regexp.MustCompile(`HELD by alert [^\n]*`+cfields[0]).MatchString(got) {
		t.Fatalf("source_contradiction alerts:\n%s\nstatement:\n%s\nwant one alert holding the accrual", contradiction, got)
	}

	// Dismissed: released, and the next period pays it net of the refund.
	as("hr1", "hr", "alerts", "dismiss", "--alert", cfields[0], "--note", "核实：展会客户，销售填错来源，按公司费率计提")
	as("hr1", "hr", "alerts", "dismiss", "--alert", alertID, "--note", "客户转述，已核实无私单")
	got = as("hr1", "hr", "commission", "statement", "--employee", "e1", "--min-risk-sequence", riskSeq())
	if !strings.Contains(got, "release\t") || !strings.Contains(got, "alert "+alertID+": dismissed") || strings.Contains(got, "HELD") {
		t.Errorf("statement after the dismissal:\n%s\nwant a release and nothing held", got)
	}
	paidCSV := as("ad1", "admin", append(append([]string{"commission", "payouts"}, second...), "--csv")...)
	if want := "e1,CNY,1000.00,250.00,750.00,0.00,75000," + oid; !strings.Contains(paidCSV, want) {
		t.Errorf("payout after the release:\n%s\nwant the line %s", paidCSV, want)
	}
	if again := as("hr1", "hr", append(append([]string{"commission", "payouts"}, second...), "--csv")...); again != paidCSV {
		t.Errorf("exporting the period again:\n%s\nwant the recorded payout\n%s", again, paidCSV)
	}
	payoutSeq := as("hr1", "hr", append(append([]string{"commission", "payouts"}, second...), "-q")...)
	if got := as("hr1", "hr", "commission", "statement", "--employee", "e1", "--min-sequence", payoutSeq); !strings.Contains(got, "paid in "+day(1)+".."+day(2)) {
		t.Errorf("statement after the payout:\n%s\nwant the accrual paid in the second period", got)
	}

	// The accrual's facts on COMMISSION.
	agg, err := log.Load(t.Context(), eventlog.AggregateRef{Context: "commission", Tenant: "acme", Type: "accrual", ID: oid})
	if err != nil || len(agg.Records) != 2 {
		t.Fatalf("accrual aggregate: %d events, %v; want the accrual and one clawback", len(agg.Records), err)
	}
	msg, err := eventlog.Payload(agg.Records[0].Envelope)
	if err != nil {
		t.Fatal(err)
	}
	acc, ok := msg.(*commissionv1.CommissionAccrued)
	if !ok || acc.GetRateBp() != 500 || acc.GetCommissionMinor() != 100000 || acc.GetSourceContradiction() == nil {
		t.Errorf("first COMMISSION event = %v, want the accrual at 500 bp with a contradiction", msg)
	}
}
