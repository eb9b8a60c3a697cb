package lexicon

import (
	"fmt"
	"sync"
)

// defaultEntries is the built-in lexicon: the phrasing salespeople use when
// moving a deal off the company's books (scenario S1). Tenants extend or
// replace it with their own.
var defaultEntries = []Entry{
	{Phrase: "私单", Lang: "zh"},
	{Phrase: "飞单", Lang: "zh"},
	{Phrase: "炒单", Lang: "zh"},
	{Phrase: "个人收款", Lang: "zh"},
	{Phrase: "私人账号", Lang: "zh"},
	{Phrase: "私人账户", Lang: "zh"},
	{Phrase: "加我私人微信", Lang: "zh"},
	{Phrase: "加我微信私聊", Lang: "zh"},
	{Phrase: "打到我卡上", Lang: "zh"},
	{Phrase: "转到我卡上", Lang: "zh"},
	{Phrase: "别走公司", Lang: "zh"},
	{Phrase: "不走公司", Lang: "zh"},
	{Phrase: "绕过公司", Lang: "zh"},
	{Phrase: "走我个人", Lang: "zh"},
	{Phrase: "私下交易", Lang: "zh"},
	{Phrase: "我自己的公司", Lang: "zh"},
	{Phrase: "给你便宜点不走账", Lang: "zh"},
	{Phrase: "pay me directly", Lang: "en"},
	{Phrase: "pay to my personal account", Lang: "en"},
	{Phrase: "my personal account", Lang: "en"},
	{Phrase: "my own company", Lang: "en"},
	{Phrase: "off the books", Lang: "en"},
	{Phrase: "bypass the company", Lang: "en"},
	{Phrase: "don't go through the company", Lang: "en"},
	{Phrase: "add my personal wechat", Lang: "en"},
	{Phrase: "transfer to my card", Lang: "en"},
}

// defaultLexicon compiles defaultEntries once; a Lexicon is immutable, so
// every caller can share it.
var defaultLexicon = sync.OnceValue(func() *Lexicon {
	l, err := New(defaultEntries)
	if err != nil {
		// The entries are constants checked by the tests; failing here is a
		// programming error, not a runtime condition.
		panic(fmt.Sprintf("lexicon: default entries: %v", err))
	}
	return l
})

// Default returns the built-in Chinese and English lexicon. The same
// immutable value is returned on every call.
func Default() *Lexicon { return defaultLexicon() }
