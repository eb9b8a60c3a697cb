package main

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/holdfast/holdfast/pkg/auth"
	clientv1 "github.com/holdfast/holdfast/proto/holdfast/client/v1"
	riskv1 "github.com/holdfast/holdfast/proto/holdfast/risk/v1"
)

// TestConsoleSelfView has salesperson e2 reveal two contacts and write a
// flagged chat and a chat quoting a customer, then reads e2's /me in
// English and Chinese: today's reveals against the quota the policy sets,
// and the phrases found in e2's own records — never e1's. The rule is in
// force, so HR's alert evidence holds the same phrases; the test reads
// them there to know what to look for.
func TestConsoleSelfView(t *testing.T) {
	stack, dataDir := startDevStack(t)
	h := startFullConsole(t, stack, dataDir)
	chatAlert(t, stack, dataDir) // e1's private-deal chat and its alert; e2 in e1's team

	e2 := clientv1.NewClientServiceClient(apiAs(t, dataDir, stack.Endpoints.ClientGRPC, "e2", auth.RoleSales))
	policy, err := e2.GetClientPolicy(t.Context(), &clientv1.GetClientPolicyRequest{})
	if err != nil {
		t.Fatal(err)
	}
	// The page counts today's reveals in the tenant's time zone: the
	// reveals and the page must fall on one day of it.
	awayFromMidnight(t, policy.GetPolicy().GetTimeZone(), time.Minute)
	cust, err := e2.RegisterCustomer(t.Context(), &clientv1.RegisterCustomerRequest{
		RequestId: "e2-customer", PersonName: "孙先生", Phones: []string{"139 0000 2222", "021 6000 2222"},
		SourceChannel: clientv1.SourceChannel_SOURCE_CHANNEL_WEBSITE,
	})
	if err != nil {
		t.Fatal(err)
	}
	cid := cust.GetCustomer().GetCustomerId()
	for i := range 2 {
		if _, err := e2.RevealContact(t.Context(), &clientv1.RevealContactRequest{
			RequestId: fmt.Sprintf("e2-reveal-%d", i), CustomerId: cid, Field: clientv1.ContactField_CONTACT_FIELD_PHONE,
			Index: int32(i), Reason: "客户约了回电",
		}); err != nil {
			t.Fatal(err)
		}
	}
	var last uint64
	for i, text := range []string{"钱直接打到我卡上就行", "客户说“他们让我打到我卡上”，我已经拒绝并提醒走公司账户"} {
		chat, err := e2.LogInteraction(t.Context(), &clientv1.LogInteractionRequest{
			RequestId: fmt.Sprintf("e2-chat-%d", i), CustomerId: cid, Kind: clientv1.InteractionKind_INTERACTION_KIND_CHAT,
			Direction: clientv1.Direction_DIRECTION_OUTBOUND, Text: text, TextConsent: true,
		})
		if err != nil {
			t.Fatal(err)
		}
		last = chat.GetSequence()
	}
	// What HR's alerts hold about each employee, once the engine has
	// judged e2's chats: the console asks without consistent_with, as a
	// browser would.
	hrRisk := riskv1.NewRiskServiceClient(apiAs(t, dataDir, stack.Endpoints.RiskGRPC, "hr1", auth.RoleHR))
	evidence := func(employee string) (events []string, phrases []string) {
		t.Helper()
		resp, err := hrRisk.ListAlerts(t.Context(), &riskv1.ListAlertsRequest{
			EmployeeId: employee, ConsistentWith: []*riskv1.StreamPosition{{Stream: "CLIENT", Sequence: last}},
		})
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range resp.GetAlerts() {
			for _, ev := range a.GetEvidence() {
				if len(ev.GetMatches()) == 0 {
					continue
				}
				events = append(events, ev.GetEventId())
				for _, m := range ev.GetMatches() {
					phrases = append(phrases, m.GetPhrase())
				}
			}
		}
		if len(events) == 0 {
			t.Fatalf("no sensitive-word evidence about %s", employee)
		}
		return events, phrases
	}
	e1Events, _ := evidence("e1")
	e2Events, e2Phrases := evidence("e2")
	// The self-view reads the sensitive-hits view, which follows CLIENT on
	// its own: wait until it has read e2's chats (and e1's, written before).
	e2Risk := riskv1.NewRiskServiceClient(apiAs(t, dataDir, stack.Endpoints.RiskGRPC, "e2", auth.RoleSales))
	if _, err := e2Risk.ListMySensitiveHits(t.Context(), &riskv1.ListMySensitiveHitsRequest{
		ConsistentWith: []*riskv1.StreamPosition{{Stream: "CLIENT", Sequence: last}},
	}); err != nil {
		t.Fatal(err)
	}
	salesQuota := int32(-1)
	for _, q := range policy.GetPolicy().GetRevealQuotas() {
		if q.GetRole() == "sales" {
			salesQuota = q.GetPerDay()
		}
	}

	seller := h.browser(t)
	h.signIn(t, seller, "acme", "e2", "sales")
	resp, page := get(t, seller, h.srv.URL+"/me")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("e2's /me = %d:\n%s", resp.StatusCode, page)
	}
	quotas, hits := section(t, page, "my-quotas"), section(t, page, "my-hits")

	t.Run("today's reveals against the quota", func(t *testing.T) {
		for _, want := range []string{
			fmt.Sprintf("You have revealed 2 of the %d customer contacts you are allowed to see today.", salesQuota),
			fmt.Sprintf("You have taken 0 of the %d customers you may claim from the shared pool today.", policy.GetPolicy().GetClaimQuotaPerDay()),
		} {
			if !strings.Contains(quotas, want) {
				t.Errorf("e2's quota section lacks %q:\n%s", want, quotas)
			}
		}
	})

	t.Run("own hits, quoted speech marked, nobody else's", func(t *testing.T) {
		for _, want := range append(append([]string{"reported speech (in quotation marks)", "your own words"}, e2Events...), e2Phrases...) {
			if !strings.Contains(hits, want) {
				t.Errorf("e2's hits lack %q:\n%s", want, hits)
			}
		}
		for _, id := range e1Events {
			if strings.Contains(page, id) {
				t.Errorf("e2's /me shows e1's event %s", id)
			}
		}
		if strings.Contains(page, "加我私人微信") {
			t.Error("e2's /me shows e1's phrase 加我私人微信")
		}
	})

	t.Run("in Chinese", func(t *testing.T) {
		_, zh := get(t, seller, h.srv.URL+"/me", "Accept-Language", "zh-CN")
		for _, want := range []string{
			fmt.Sprintf("今天您已查看 2 个客户联系方式，每日上限 %d 个。", salesQuota),
			"您记录中的敏感用语", "转述（在引号内）",
		} {
			if !strings.Contains(zh, want) {
				t.Errorf("e2's /me in Chinese lacks %q", want)
			}
		}
	})

	t.Run("e1 sees their own hit and none of e2's", func(t *testing.T) {
		other := h.browser(t)
		h.signIn(t, other, "acme", "e1", "sales")
		_, page := get(t, other, h.srv.URL+"/me")
		own := section(t, page, "my-hits")
		for _, id := range e1Events {
			if !strings.Contains(own, id) {
				t.Errorf("e1's hits lack their event %s", id)
			}
		}
		for _, id := range e2Events {
			if strings.Contains(page, id) {
				t.Errorf("e1's /me shows e2's event %s", id)
			}
		}
		if !strings.Contains(section(t, page, "my-quotas"), fmt.Sprintf("You have revealed 0 of the %d", salesQuota)) {
			t.Errorf("e1's quota section does not show 0 reveals:\n%s", section(t, page, "my-quotas"))
		}
	})
}

// section returns the HTML of the page's <section id="id">.
func section(t *testing.T, page, id string) string {
	t.Helper()
	start := strings.Index(page, `<section id="`+id+`">`)
	if start < 0 {
		t.Fatalf("page has no section %q:\n%s", id, page)
	}
	end := strings.Index(page[start:], "</section>")
	if end < 0 {
		t.Fatalf("section %q is not closed", id)
	}
	return page[start : start+end]
}

// awayFromMidnight returns at once unless midnight in zone is less than
// margin away; then it waits until just after it, so that what the test
// does next, and counts per day, falls on a single day.
func awayFromMidnight(t *testing.T, zone string, margin time.Duration) {
	t.Helper()
	loc, err := time.LoadLocation(zone)
	if err != nil {
		t.Fatalf("time zone %q: %v", zone, err)
	}
	now := time.Now().In(loc)
	y, m, d := now.Date()
	if left := time.Date(y, m, d+1, 0, 0, 0, 0, loc).Sub(now); left < margin {
		t.Logf("%s before midnight in %s: waiting for the new day", left, zone)
		time.Sleep(left + time.Second)
	}
}
