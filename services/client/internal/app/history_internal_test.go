package app

import (
	"errors"
	"testing"
	"time"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/anypb"
	"google.golang.org/protobuf/types/known/durationpb"

	"github.com/holdfast/holdfast/pkg/eventlog"
	clientv1 "github.com/holdfast/holdfast/proto/holdfast/client/v1"
	eventv1 "github.com/holdfast/holdfast/proto/holdfast/event/v1"
	"github.com/holdfast/holdfast/services/client/internal/domain"
)

func TestSummarize(t *testing.T) {
	t.Parallel()
	c := domain.Customer{
		Tenant: "acme", ID: "c1", Phones: []string{"+8613912345678", "+861065529988"},
		WeChatID: "wx_lina88", Email: "lina@example.com", OwnerID: "e1",
	}
	tests := []struct {
		name  string
		actor string
		msg   proto.Message
		want  string
	}{
		{
			name: "registered by its holder", actor: "e1",
			msg:  &clientv1.CustomerRegistered{CustomerId: "c1", OwnerEmployeeId: "e1", SourceChannel: clientv1.SourceChannel_SOURCE_CHANNEL_TRADE_SHOW},
			want: "e1 registered the customer (source: trade show)",
		},
		{
			name: "registered for another", actor: "ad1",
			msg:  &clientv1.CustomerRegistered{CustomerId: "c1", OwnerEmployeeId: "e2", SourceChannel: clientv1.SourceChannel_SOURCE_CHANNEL_IMPORT},
			want: "ad1 registered the customer (source: import), held by e2",
		},
		{
			name: "assigned", actor: "m1",
			msg:  &clientv1.CustomerOwnerChanged{CustomerId: "c1", NewOwnerId: "e2", Cause: clientv1.OwnershipCause_OWNERSHIP_CAUSE_ASSIGNED, Reason: " covers Xihu "},
			want: "m1 assigned the customer to e2: covers Xihu",
		},
		{
			name: "released by a manager", actor: "m1",
			msg:  &clientv1.CustomerOwnerChanged{CustomerId: "c1", PreviousOwnerId: "e1", Cause: clientv1.OwnershipCause_OWNERSHIP_CAUSE_RELEASED, Reason: "left"},
			want: "m1 released the customer from e1 to the pool: left",
		},
		{
			name: "returned idle", actor: SystemActor,
			msg: &clientv1.CustomerOwnerChanged{
				CustomerId: "c1", PreviousOwnerId: "e1", Cause: clientv1.OwnershipCause_OWNERSHIP_CAUSE_RETURNED_IDLE, Reason: "no follow-up for 30 days",
			},
			want: "holdfast-system returned the customer from e1 to the pool: no follow-up for 30 days",
		},
		{
			name: "a cause this version does not know", actor: "m1",
			msg:  &clientv1.CustomerOwnerChanged{CustomerId: "c1", PreviousOwnerId: "e1", Cause: 99},
			want: "m1 moved the customer from e1 to the pool",
		},
		{
			name: "duplicate while pooled", actor: "e2",
			msg: &clientv1.DuplicateRegistrationAttempted{
				CustomerId: "c1", AttemptedBy: "e2", MatchedOn: []string{"phone", "email", "tax_id"}, AsWritten: []string{"+8613912345678", "lina@example.com"},
			},
			want: "e2 tried to register the customer again (matched on phone, e-mail, tax_id) while it was in the pool",
		},
		{
			name: "a feed's inbound call", actor: "svc-cc",
			msg: &clientv1.InteractionLogged{
				InteractionId: "i1", CustomerId: "c1", EmployeeId: "e1", Kind: clientv1.InteractionKind_INTERACTION_KIND_CALL,
				Direction: clientv1.Direction_DIRECTION_INBOUND, Text: "13912345678", Duration: durationpb.New(61 * time.Second),
			},
			want: "svc-cc logged an inbound call of 1m1s for e1 (interaction i1)",
		},
		{
			name: "a visit note", actor: "e1",
			msg: &clientv1.InteractionLogged{
				InteractionId: "i2", CustomerId: "c1", EmployeeId: "e1", Kind: clientv1.InteractionKind_INTERACTION_KIND_VISIT_NOTE,
				Direction: clientv1.Direction_DIRECTION_NOTE,
			},
			want: "e1 logged a visit note (interaction i2)",
		},
		{
			name: "an e-mail sent", actor: "e1",
			msg: &clientv1.InteractionLogged{
				InteractionId: "i3", CustomerId: "c1", EmployeeId: "e1", Kind: clientv1.InteractionKind_INTERACTION_KIND_EMAIL,
				Direction: clientv1.Direction_DIRECTION_OUTBOUND,
			},
			want: "e1 logged an outbound e-mail (interaction i3)",
		},
		{
			name: "deleted by a manager", actor: "m1",
			msg:  &clientv1.InteractionDeleted{InteractionId: "i1", CustomerId: "c1", EmployeeId: "e1", Reason: "logged twice"},
			want: "m1 deleted e1's interaction i1: logged twice",
		},
		{
			name: "second phone revealed by hr", actor: "hr1",
			msg: &clientv1.ContactRevealed{
				CustomerId: "c1", EmployeeId: "hr1", Field: clientv1.ContactField_CONTACT_FIELD_PHONE, Index: 1, Reason: "case 12",
			},
			want: "hr1 revealed phone 2, not holding the customer: case 12",
		},
		{
			name: "contacts quoted in a reason are masked", actor: "e1",
			msg: &clientv1.ContactRevealed{
				CustomerId: "c1", EmployeeId: "e1", Field: clientv1.ContactField_CONTACT_FIELD_WECHAT_ID, Assigned: true,
				Reason: "add WX_LINA88, she said mail lina@example.com or call 139-1234-5678",
			},
			want: "e1 revealed the WeChat id: add wx_****, she said mail l****@example.com or call ***-****-5678",
		},
		{
			name: "reveal refused", actor: "e1",
			msg: &clientv1.RevealDenied{
				CustomerId: "c1", EmployeeId: "e1", Field: clientv1.ContactField_CONTACT_FIELD_EMAIL, Quota: 20, Reason: "send the contract",
			},
			want: "e1 was refused the e-mail (daily quota of 20 reveals spent): send the contract",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := summarize(tt.actor, tt.msg, c); got != tt.want {
				t.Errorf("summary = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestHistoryEntryRefusesAnEventAboutAnotherCustomer(t *testing.T) {
	t.Parallel()
	c := domain.Customer{Tenant: "acme", ID: "c1"}
	record := func(tenant string, msg proto.Message) eventlog.Record {
		payload, err := anypb.New(msg)
		if err != nil {
			t.Fatal(err)
		}
		return eventlog.Record{Stream: "CLIENT", Sequence: 7, Envelope: &eventv1.Envelope{EventId: "ev", TenantId: tenant, ActorId: "e1", Payload: payload}}
	}
	for _, tt := range []struct {
		name string
		rec  eventlog.Record
	}{
		{"another customer", record("acme", &clientv1.ContactRevealed{CustomerId: "c2"})},
		{"another tenant", record("globex", &clientv1.ContactRevealed{CustomerId: "c1"})},
		{"an event about no customer", record("acme", &clientv1.ExportApproved{ExportId: "x1"})},
	} {
		if _, err := historyEntry(tt.rec, c); !errors.Is(err, ErrCorruptHistory) {
			t.Errorf("%s: err = %v, want ErrCorruptHistory", tt.name, err)
		}
	}
	entry, err := historyEntry(record("acme", &clientv1.ContactRevealed{CustomerId: "c1", Field: clientv1.ContactField_CONTACT_FIELD_EMAIL, Assigned: true}), c)
	if err != nil || entry.EventType != "holdfast.client.v1.ContactRevealed" || entry.Summary != "e1 revealed the e-mail" || entry.Sequence != 7 {
		t.Errorf("historyEntry = %+v, %v; want the reveal told", entry, err)
	}
}
