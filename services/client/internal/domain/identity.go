package domain

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/cases"
	"golang.org/x/text/unicode/norm"
	"golang.org/x/text/width"
)

// Legal-form words vary in how people write a company's name and say
// nothing about which company it is. Chinese ones are stripped from the end
// of the name wherever they start (Chinese has no spaces); Latin ones only
// as words of their own, or glued to a Chinese name ("星海贸易Co., Ltd."),
// so "Costco" keeps its "co" and "Zinc" its "inc".
var (
	hanLegalForms   = []string{"股份有限公司", "有限责任公司", "有限公司", "集团公司", "集团", "公司"}
	latinLegalForms = []string{
		"corporation", "incorporated", "company", "limited", "coltd", "corp", "inc", "llc", "ltd", "co", "gmbh", "plc",
	}
)

// NormalizeCompanyName is the key two spellings of one company share:
// width-folded, case-folded, NFKC, bracketed parts such as a branch or a
// city kept but the brackets dropped, punctuation and spaces removed, and
// legal-form suffixes (有限公司, Co., Ltd., Inc. …) stripped from the end.
// 「上海星海贸易有限公司」, 「上海 星海贸易（有限公司）」 and
// "Shanghai Xinghai Trading Co., Ltd." each give a stable key. Traditional
// characters are not folded to simplified. An empty result means the name
// carries no identity: it is empty, punctuation or only a legal form.
func NormalizeCompanyName(name string) string {
	key := companyKey(name)
	// Removing punctuation can bring together what normalises further
	// (Hangul jamo around a dash compose); the key must be a fixed point.
	for range 3 {
		next := companyKey(key)
		if next == key {
			break
		}
		key = next
	}
	return key
}

// companyKey is one pass of NormalizeCompanyName.
func companyKey(name string) string {
	folded := norm.NFKC.String(cases.Fold().String(norm.NFKC.String(width.Fold.String(name))))
	words := strings.FieldsFunc(folded, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
	for len(words) > 0 {
		last := words[len(words)-1]
		rest := stripLegalForm(last)
		if rest == last {
			break
		}
		if rest == "" {
			words = words[:len(words)-1]
		} else {
			words[len(words)-1] = rest
		}
	}
	return strings.Join(words, "")
}

// stripLegalForm removes one legal form from the end of word, or returns
// word unchanged.
func stripLegalForm(word string) string {
	for _, suf := range hanLegalForms {
		if strings.HasSuffix(word, suf) {
			return strings.TrimSuffix(word, suf)
		}
	}
	for _, suf := range latinLegalForms {
		rest, ok := strings.CutSuffix(word, suf)
		if !ok {
			continue
		}
		if before, _ := utf8.DecodeLastRuneInString(rest); rest == "" || !latinOrDigit(before) {
			return rest
		}
	}
	return word
}

func latinOrDigit(r rune) bool {
	return unicode.Is(unicode.Latin, r) || unicode.IsDigit(r)
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
