package domain

import (
	"strings"
	"unicode"

	"golang.org/x/text/cases"
	"golang.org/x/text/unicode/norm"
	"golang.org/x/text/width"
)

// companySuffixes are legal-form words that vary in how people write a
// company's name and say nothing about which company it is. They are
// stripped from the end of the normalised name, repeatedly, longest first.
var companySuffixes = []string{
	"股份有限公司", "有限责任公司", "有限公司", "集团公司", "集团", "公司",
	"corporation", "incorporated", "company", "limited", "co.ltd", "coltd", "corp", "inc", "llc", "ltd", "co", "gmbh", "plc",
}

// NormalizeCompanyName is the key two spellings of one company share:
// width-folded, case-folded, NFKC, bracketed parts such as a branch or a
// city kept but the brackets dropped, punctuation and spaces removed, and
// legal-form suffixes (有限公司, Co., Ltd., Inc. …) stripped from the end.
// 「上海星海贸易有限公司」, 「上海 星海贸易（有限公司）」 and
// "Shanghai Xinghai Trading Co., Ltd." each give a stable key; an empty
// result means the name carries no identity.
func NormalizeCompanyName(name string) string {
	s := norm.NFKC.String(cases.Fold().String(width.Fold.String(name)))
	var b strings.Builder
	for _, r := range s {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(r)
		}
	}
	key := b.String()
	for changed := true; changed; {
		changed = false
		for _, suf := range companySuffixes {
			suf = strings.ReplaceAll(suf, ".", "")
			if strings.HasSuffix(key, suf) && len(key) > len(suf) {
				key = strings.TrimSuffix(key, suf)
				changed = true
			}
		}
	}
	return key
}

// IdentityKeys are the normalised values that identify a customer.
type IdentityKeys struct {
	Phones   []string
	Email    string
	WeChatID string
	// Company is NormalizeCompanyName of the company name.
	Company string
	// Person is the person name, trimmed and case-folded.
	Person string
}

// KeysOf returns a customer's identity keys.
func KeysOf(c Customer) IdentityKeys {
	return IdentityKeys{
		Phones:   c.Phones,
		Email:    c.Email,
		WeChatID: strings.ToLower(c.WeChatID),
		Company:  NormalizeCompanyName(c.CompanyName),
		Person:   cases.Fold().String(strings.TrimSpace(c.PersonName)),
	}
}

// Matches returns what identifies candidate as the customer k describes:
// any shared phone, e-mail or WeChat id; or the same company when the
// person names agree or one is absent (two people at one company are
// two customers). Nil means no match.
func (k IdentityKeys) Matches(candidate Customer) []string {
	c := KeysOf(candidate)
	var on []string
	for _, p := range k.Phones {
		if contains(c.Phones, p) {
			on = append(on, "phone")
			break
		}
	}
	if k.Email != "" && k.Email == c.Email {
		on = append(on, "email")
	}
	if k.WeChatID != "" && k.WeChatID == c.WeChatID {
		on = append(on, "wechat_id")
	}
	if k.Company != "" && k.Company == c.Company && (k.Person == "" || c.Person == "" || k.Person == c.Person) {
		on = append(on, "company_name")
	}
	return on
}
