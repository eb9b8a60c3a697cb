package domain_test

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/holdfast/holdfast/services/client/internal/domain"
)

// testNow is the clock every normalisation test runs at.
var testNow = time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)

// violatedFields returns the sorted field names of err's violations, or
// fails t if err is not a *domain.ValidationError.
func violatedFields(t *testing.T, err error) []string {
	t.Helper()
	var ve *domain.ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("error = %v, want a *domain.ValidationError", err)
	}
	fields := make([]string, 0, len(ve.Violations))
	for _, v := range ve.Violations {
		if v.Description == "" {
			t.Errorf("violation of %s has no description", v.Field)
		}
		fields = append(fields, v.Field)
	}
	slices.Sort(fields)
	return slices.Compact(fields)
}

func TestNormalizeRegistration(t *testing.T) {
	t.Parallel()
	valid := domain.Registration{
		PersonName: "张三",
		Phones:     []string{"13800138000"},
		Source:     domain.SourceWebsite,
	}
	with := func(change func(*domain.Registration)) domain.Registration {
		r := valid
		r.Phones = slices.Clone(valid.Phones)
		change(&r)
		return r
	}
	tests := []struct {
		name       string
		in         domain.Registration
		want       domain.Registration
		wantFields []string
	}{
		{
			name: "valid registration is normalised",
			in: domain.Registration{
				PersonName:  "  张三 ",
				CompanyName: "\t北京某某科技有限公司  ",
				Phones:      []string{"138 0013 8000", "(010) 6552 9988"},
				WeChatID:    " wx_zhang01 ",
				Email:       " Zhang.San@Example.COM ",
				Source:      domain.SourceTradeShow,
				OccurredAt:  testNow.Add(-time.Hour),
			},
			want: domain.Registration{
				PersonName:  "张三",
				CompanyName: "北京某某科技有限公司",
				Phones:      []string{"+8613800138000", "+861065529988"},
				WeChatID:    "wx_zhang01",
				Email:       "zhang.san@example.com",
				Source:      domain.SourceTradeShow,
				OccurredAt:  testNow.Add(-time.Hour),
			},
		},
		{
			name: "one phone written two ways is kept once",
			in: with(func(r *domain.Registration) {
				r.Phones = []string{"138-0013-8000", "+86 138 0013 8000", "１３８００１３８０００"}
			}),
			want: with(func(r *domain.Registration) { r.Phones = []string{"+8613800138000"}; r.OccurredAt = testNow }),
		},
		{
			name: "company name alone is enough",
			in:   with(func(r *domain.Registration) { r.PersonName = ""; r.CompanyName = "某某公司" }),
			want: with(func(r *domain.Registration) {
				r.PersonName, r.CompanyName = "", "某某公司"
				r.Phones = []string{"+8613800138000"}
				r.OccurredAt = testNow
			}),
		},
		{
			name: "e-mail alone is a contact",
			in:   with(func(r *domain.Registration) { r.Phones = nil; r.Email = "a@example.com" }),
			want: with(func(r *domain.Registration) { r.Phones = []string{}; r.Email = "a@example.com"; r.OccurredAt = testNow }),
		},
		{
			name: "missing occurred_at is now",
			in:   valid,
			want: with(func(r *domain.Registration) { r.Phones = []string{"+8613800138000"}; r.OccurredAt = testNow }),
		},
		{
			name: "every violation is reported together",
			in: domain.Registration{
				WeChatID:   "1_not_a_wechat_id!",
				Email:      "not an e-mail",
				Source:     domain.SourceUnspecified,
				OccurredAt: testNow.Add(time.Hour),
			},
			wantFields: []string{"email", "occurred_at", "person_name", "source_channel", "wechat_id"},
		},
		{
			name:       "no name, no contact at all",
			in:         domain.Registration{Source: domain.SourceUnspecified, OccurredAt: testNow.Add(time.Hour)},
			wantFields: []string{"occurred_at", "person_name", "phones", "source_channel"},
		},
		{
			name:       "each bad phone is named by its index",
			in:         with(func(r *domain.Registration) { r.Phones = []string{"13800138000", "abc", "123"} }),
			wantFields: []string{"phones[1]", "phones[2]"},
		},
		{
			name: "too many phones",
			in: with(func(r *domain.Registration) {
				r.Phones = nil
				for i := range 11 {
					r.Phones = append(r.Phones, "1380013800"+string(rune('0'+i%10)))
				}
			}),
			wantFields: []string{"phones"},
		},
		{
			name:       "source beyond the known channels",
			in:         with(func(r *domain.Registration) { r.Source = domain.SourcePersonal + 1 }),
			wantFields: []string{"source_channel"},
		},
		{
			name:       "occurred_at before 2000",
			in:         with(func(r *domain.Registration) { r.OccurredAt = time.Date(1999, 12, 31, 0, 0, 0, 0, time.UTC) }),
			wantFields: []string{"occurred_at"},
		},
		{
			name:       "names too long, with control characters, or not UTF-8",
			in:         with(func(r *domain.Registration) { r.PersonName = strings.Repeat("张", 201); r.CompanyName = "a\x00b" }),
			wantFields: []string{"company_name", "person_name"},
		},
		{
			name:       "person name not UTF-8",
			in:         with(func(r *domain.Registration) { r.PersonName = "\xff" }),
			wantFields: []string{"person_name"},
		},
		{
			name:       "display-name e-mail is not an address",
			in:         with(func(r *domain.Registration) { r.Email = "Zhang <zhang@example.com>" }),
			wantFields: []string{"email"},
		},
		{
			name:       "wechat id too short",
			in:         with(func(r *domain.Registration) { r.WeChatID = "wx_1" }),
			wantFields: []string{"wechat_id"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := domain.NormalizeRegistration(tt.in, testNow)
			if tt.wantFields != nil {
				if diff := cmp.Diff(tt.wantFields, violatedFields(t, err)); diff != "" {
					t.Errorf("violated fields mismatch (-want, +got):\n%s", diff)
				}
				return
			}
			if err != nil {
				t.Fatalf("NormalizeRegistration: %v", err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("NormalizeRegistration mismatch (-want, +got):\n%s", diff)
			}
		})
	}
}

func TestIdleCutoff(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 3, 10, 9, 30, 0, 0, time.UTC)
	tests := []struct {
		name    string
		days    int
		want    time.Time
		wantErr bool
	}{
		{name: "no filter", days: 0},
		{name: "one day is 24 hours", days: 1, want: now.Add(-24 * time.Hour)},
		{name: "the most", days: domain.MaxIdleDays, want: now.Add(-time.Duration(domain.MaxIdleDays) * 24 * time.Hour)},
		{name: "negative", days: -1, wantErr: true},
		{name: "more than ten years", days: domain.MaxIdleDays + 1, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := domain.IdleCutoff(tt.days, now)
			var ve *domain.ValidationError
			if tt.wantErr {
				if !errors.As(err, &ve) || len(ve.Violations) != 1 || ve.Violations[0].Field != "idle_days" {
					t.Fatalf("IdleCutoff(%d) err = %v, want a violation of idle_days", tt.days, err)
				}
				return
			}
			if err != nil || !got.Equal(tt.want) {
				t.Errorf("IdleCutoff(%d) = %v, %v; want %v", tt.days, got, err, tt.want)
			}
		})
	}
}
