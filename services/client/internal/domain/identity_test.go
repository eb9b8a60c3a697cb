package domain_test

import (
	"math"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"

	"github.com/holdfast/holdfast/services/client/internal/domain"
)

func TestNormalizeCompanyName(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		in   string
		want string
	}{
		{name: "simplified with legal form", in: "上海星海贸易有限公司", want: "上海星海贸易"},
		{name: "space and full-width brackets around the legal form", in: "上海 星海贸易（有限公司）", want: "上海星海贸易"},
		{name: "ASCII brackets", in: "上海星海贸易(有限公司)", want: "上海星海贸易"},
		// Traditional characters are not folded to simplified (no library
		// in the module does it): 貿 stays 貿, so this is another key.
		{name: "traditional is not folded", in: "上海星海貿易有限公司", want: "上海星海貿易"},
		{name: "stacked legal forms", in: "星海集团股份有限公司", want: "星海"},
		{name: "bracketed branch is kept", in: "星海贸易（上海）有限公司", want: "星海贸易上海"},
		{name: "English Co., Ltd.", in: "Shanghai Xinghai Trading Co., Ltd.", want: "shanghaixinghaitrading"},
		{name: "upper case without punctuation", in: "SHANGHAI XINGHAI TRADING CO LTD", want: "shanghaixinghaitrading"},
		{name: "Co.,Ltd. glued", in: "Xinghai Co.,Ltd.", want: "xinghai"},
		{name: "CoLtd as one word", in: "Xinghai CoLtd", want: "xinghai"},
		{name: "Inc.", in: "Xinghai Inc.", want: "xinghai"},
		{name: "LLC", in: "Xinghai LLC", want: "xinghai"},
		{name: "GmbH and sharp s", in: "Straße GmbH", want: "strasse"},
		{name: "full-width letters and ideographic space", in: "ＸＩＮＧＨＡＩ　ＴＲＡＤＩＮＧ　ＣＯ．，ＬＴＤ．", want: "xinghaitrading"},
		{name: "Latin legal form glued to Chinese", in: "上海星海贸易Co., Ltd.", want: "上海星海贸易"},
		{name: "digits are kept", in: "3M China Ltd", want: "3mchina"},
		// A legal form is a word of its own: the letters ending a name
		// are part of the name.
		{name: "co ending a word", in: "Costco", want: "costco"},
		{name: "co ending a word, with a legal form", in: "Tesco PLC", want: "tesco"},
		{name: "inc ending a word", in: "Zinc Ltd", want: "zinc"},
		{name: "ltd inside a word", in: "Bolted", want: "bolted"},
		// A name that is only a legal form names no company: the empty
		// key means it takes no part in duplicate detection.
		{name: "only a Chinese legal form", in: "有限公司", want: ""},
		{name: "only 公司", in: "公司", want: ""},
		{name: "only an English legal form", in: "Co., Ltd.", want: ""},
		{name: "only Inc", in: "Inc", want: ""},
		{name: "only punctuation", in: "（）——!!", want: ""},
		{name: "empty", in: "", want: ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := domain.NormalizeCompanyName(tt.in); got != tt.want {
				t.Errorf("NormalizeCompanyName(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestNormalizeCompanyNameKeepsCompaniesApart(t *testing.T) {
	t.Parallel()
	// Distinct companies must keep distinct keys; legal forms alone do not
	// tell companies apart, so Inc. and LLC of one name are one key.
	tests := []struct {
		a, b string
		same bool
	}{
		{a: "Xinghai Inc.", b: "Xinghai LLC", same: true},
		{a: "上海星海贸易有限公司", b: "Shanghai Xinghai Trading Co., Ltd.", same: false},
		{a: "上海星海贸易有限公司", b: "上海星海贸易股份有限公司", same: true},
		{a: "Costco", b: "Cost Co.", same: false},
		{a: "Disco", b: "Dis Inc.", same: false},
		{a: "星海贸易（上海）有限公司", b: "星海贸易（北京）有限公司", same: false},
	}
	for _, tt := range tests {
		ka, kb := domain.NormalizeCompanyName(tt.a), domain.NormalizeCompanyName(tt.b)
		if (ka == kb) != tt.same {
			t.Errorf("keys of %q and %q are %q and %q; want same = %v", tt.a, tt.b, ka, kb, tt.same)
		}
	}
}

// FuzzNormalizeCompanyName checks the company key of outside input: it
// never panics, is a fixed point, and holds only letters and digits.
func FuzzNormalizeCompanyName(f *testing.F) {
	for _, s := range []string{
		"上海星海贸易有限公司", "上海 星海贸易（有限公司）", "上海星海貿易有限公司",
		"Shanghai Xinghai Trading Co., Ltd.", "SHANGHAI XINGHAI TRADING CO LTD", "Xinghai Inc.",
		"ＸＩＮＧＨＡＩ", "有限公司", "Co., Ltd.", "", "Costco", "㎁", "ᄀ-ᅡ", "e\u0301", "\xff\xfe", "ǅ",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		key := domain.NormalizeCompanyName(name)
		if !utf8.ValidString(key) {
			t.Fatalf("NormalizeCompanyName(%q) = %q, not valid UTF-8", name, key)
		}
		if i := strings.IndexFunc(key, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }); i >= 0 {
			t.Fatalf("NormalizeCompanyName(%q) = %q, holds %q that is no letter or digit", name, key, key[i:])
		}
		if again := domain.NormalizeCompanyName(key); again != key {
			t.Fatalf("NormalizeCompanyName(%q) = %q, but normalising that gives %q", name, key, again)
		}
	})
}

func TestIdentityKeysMatches(t *testing.T) {
	t.Parallel()
	existing := domain.Customer{
		PersonName: "张三", CompanyName: "上海星海贸易有限公司",
		Phones: []string{"+8613800138000", "+861065529988"}, WeChatID: "Wx_Zhang01", Email: "zhang@example.com",
	}
	tests := []struct {
		name string
		keys domain.IdentityKeys
		want []string
	}{
		{name: "second phone", keys: domain.IdentityKeys{Phones: []string{"+8613900139000", "+861065529988"}}, want: []string{"phone"}},
		{name: "two shared phones count once", keys: domain.IdentityKeys{Phones: []string{"+8613800138000", "+861065529988"}}, want: []string{"phone"}},
		{name: "email", keys: domain.IdentityKeys{Email: "zhang@example.com"}, want: []string{"email"}},
		{name: "WeChat id folds case", keys: domain.IdentityKeys{WeChatID: "wx_zhang01"}, want: []string{"wechat_id"}},
		{name: "company, same person", keys: domain.IdentityKeys{Company: "上海星海贸易", Person: "张三"}, want: []string{"company_name"}},
		{name: "company, no person", keys: domain.IdentityKeys{Company: "上海星海贸易"}, want: []string{"company_name"}},
		{name: "company, another person", keys: domain.IdentityKeys{Company: "上海星海贸易", Person: "李四"}},
		{name: "everything", keys: domain.KeysOf(existing), want: []string{"phone", "email", "wechat_id", "company_name"}},
		{name: "nothing shared", keys: domain.IdentityKeys{Phones: []string{"+8613900139000"}, Email: "li@example.com", WeChatID: "wx_li0001", Company: "北京某某"}},
		{name: "empty keys match nothing", keys: domain.IdentityKeys{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if diff := cmp.Diff(tt.want, tt.keys.Matches(existing)); diff != "" {
				t.Errorf("Matches mismatch (-want, +got):\n%s", diff)
			}
		})
	}

	t.Run("existing customer without a person", func(t *testing.T) {
		t.Parallel()
		companyOnly := domain.Customer{CompanyName: "上海 星海贸易（有限公司）", Phones: []string{"+8613800138000"}}
		keys := domain.IdentityKeys{Company: "上海星海贸易", Person: "李四"}
		if diff := cmp.Diff([]string{"company_name"}, keys.Matches(companyOnly)); diff != "" {
			t.Errorf("Matches mismatch (-want, +got):\n%s", diff)
		}
	})
	t.Run("a name-only company never matches", func(t *testing.T) {
		t.Parallel()
		a := domain.Customer{CompanyName: "有限公司", Email: "a@example.com"}
		b := domain.Customer{CompanyName: "有限公司", Email: "b@example.com"}
		if got := domain.KeysOf(a).Matches(b); got != nil {
			t.Errorf("two customers named only 有限公司 match on %v, want no match", got)
		}
	})
}

func TestKeysOf(t *testing.T) {
	t.Parallel()
	c := domain.Customer{
		PersonName: " Zhang San ", CompanyName: "Shanghai Xinghai Trading Co., Ltd.",
		Phones: []string{"+8613800138000"}, WeChatID: "Wx_Zhang01", Email: "zhang@example.com",
	}
	want := domain.IdentityKeys{
		Phones: []string{"+8613800138000"}, Email: "zhang@example.com", WeChatID: "wx_zhang01",
		Company: "shanghaixinghaitrading", Person: "zhang san",
	}
	if diff := cmp.Diff(want, domain.KeysOf(c)); diff != "" {
		t.Errorf("KeysOf mismatch (-want, +got):\n%s", diff)
	}
}

func TestNormalizeRegistrationAddressAndTaxID(t *testing.T) {
	t.Parallel()
	shanghai := &domain.GeoPoint{Latitude: 31.2304, Longitude: 121.4737}
	valid := func(change func(*domain.Registration)) domain.Registration {
		r := domain.Registration{
			CompanyName: "上海星海贸易有限公司", Phones: []string{"13800138000"}, Source: domain.SourceWebsite,
			OccurredAt: testNow.Add(-time.Hour),
			Address:    domain.Address{Text: "上海市浦东新区世纪大道100号", Location: shanghai},
			TaxID:      "91310000MA1FL0XQ5X",
		}
		change(&r)
		return r
	}
	point := func(lat, long float64) func(*domain.Registration) {
		return func(r *domain.Registration) { r.Address.Location = &domain.GeoPoint{Latitude: lat, Longitude: long} }
	}
	taxID := func(s string) func(*domain.Registration) { return func(r *domain.Registration) { r.TaxID = s } }
	tests := []struct {
		name       string
		in         domain.Registration
		wantFields []string
		// check inspects an accepted registration.
		check func(t *testing.T, got domain.Registration)
	}{
		{name: "valid", in: valid(func(*domain.Registration) {})},
		{
			name: "address text trimmed, tax id upper-cased and trimmed",
			in: valid(func(r *domain.Registration) {
				r.Address.Text, r.TaxID = "  上海市浦东新区世纪大道100号\t", " 91310000ma1fl0xq5x "
			}),
			check: func(t *testing.T, got domain.Registration) {
				if got.Address.Text != "上海市浦东新区世纪大道100号" || got.TaxID != "91310000MA1FL0XQ5X" {
					t.Errorf("address %q, tax id %q; want both trimmed and the tax id upper-cased", got.Address.Text, got.TaxID)
				}
			},
		},
		{name: "no address and no tax id", in: valid(func(r *domain.Registration) { r.Address, r.TaxID = domain.Address{}, "" })},
		{name: "text without a point", in: valid(func(r *domain.Registration) { r.Address.Location = nil })},
		{name: "point on the equator", in: valid(point(0, 121.4737))},
		{name: "poles and the date line", in: valid(point(-90, 180))},
		{name: "latitude above 90", in: valid(point(90.0001, 121)), wantFields: []string{"address.location"}},
		{name: "latitude below -90", in: valid(point(-91, 121)), wantFields: []string{"address.location"}},
		{name: "longitude above 180", in: valid(point(31, 180.5)), wantFields: []string{"address.location"}},
		{name: "longitude below -180", in: valid(point(31, -181)), wantFields: []string{"address.location"}},
		{name: "NaN latitude", in: valid(point(math.NaN(), 121)), wantFields: []string{"address.location"}},
		{name: "NaN longitude", in: valid(point(31, math.NaN())), wantFields: []string{"address.location"}},
		{name: "infinite latitude", in: valid(point(math.Inf(1), 121)), wantFields: []string{"address.location"}},
		{name: "(0, 0) is an unset fix", in: valid(point(0, 0)), wantFields: []string{"address.location"}},
		{name: "(-0, 0) is (0, 0) too", in: valid(point(math.Copysign(0, -1), 0)), wantFields: []string{"address.location"}},
		{name: "longest text", in: valid(func(r *domain.Registration) { r.Address.Text = strings.Repeat("路", 500) })},
		{name: "text too long", in: valid(func(r *domain.Registration) { r.Address.Text = strings.Repeat("路", 501) }), wantFields: []string{"address.text"}},
		{name: "text with a control character", in: valid(func(r *domain.Registration) { r.Address.Text = "世纪大道\x00100号" }), wantFields: []string{"address.text"}},
		{name: "text not UTF-8", in: valid(func(r *domain.Registration) { r.Address.Text = "世纪\xff大道" }), wantFields: []string{"address.text"}},
		{name: "tax id of 8", in: valid(taxID("12345678"))},
		{name: "tax id of 30 with dashes", in: valid(taxID(strings.Repeat("AB-", 10)))},
		{name: "tax id of 7", in: valid(taxID("1234567")), wantFields: []string{"tax_id"}},
		{name: "tax id of 31", in: valid(taxID(strings.Repeat("1", 31))), wantFields: []string{"tax_id"}},
		{name: "tax id with a space inside", in: valid(taxID("9131 0000 MA1F")), wantFields: []string{"tax_id"}},
		{name: "tax id in full-width digits", in: valid(taxID("９１３１００００ＭＡ１")), wantFields: []string{"tax_id"}},
		{name: "tax id in Chinese", in: valid(taxID("沪税字第12345678号")), wantFields: []string{"tax_id"}},
		{
			name: "every bad field at once",
			in: valid(func(r *domain.Registration) {
				r.Address.Text, r.TaxID = strings.Repeat("x", 501), "?"
				point(100, 0)(r)
			}),
			wantFields: []string{"address.location", "address.text", "tax_id"},
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
			if tt.check != nil {
				tt.check(t, got)
			}
			if diff := cmp.Diff(tt.in.Address.Location, got.Address.Location); diff != "" {
				t.Errorf("location mismatch (-in, +normalised):\n%s", diff)
			}
		})
	}
}
