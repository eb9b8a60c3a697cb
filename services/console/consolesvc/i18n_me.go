package consolesvc

import "maps"

// selfViewMessages are the /me page's quota and sensitive-word sections,
// kept apart from messages so pages added alongside do not touch one map.
var selfViewMessages = map[string][2]string{ // [en, zh]
	"me.quota.title":     {"Today's quotas", "今日额度"},
	"me.quota.help":      {"Holdfast limits how many customer phone numbers, WeChat ids and e-mail addresses each person may see unmasked per day, and how many customers they may take from the shared pool. These are your own counts, the same ones the limits are checked against.", "Holdfast 限制每人每天可查看的客户完整联系方式（电话、微信号、邮箱）数量，以及可从公海领取的客户数量。以下是您本人的计数，与系统执行限额时使用的计数一致。"},
	"me.quota.reveals":   {"You have revealed %d of the %d customer contacts you are allowed to see today.", "今天您已查看 %d 个客户联系方式，每日上限 %d 个。"},
	"me.quota.noreveals": {"Your role is not allowed to reveal customer contacts.", "您的岗位无权查看客户完整联系方式。"},
	"me.quota.refused":   {"%d request(s) to reveal a contact were refused today because the limit was reached.", "今天有 %d 次查看请求因已达上限被拒绝。"},
	"me.quota.claims":    {"You have taken %d of the %d customers you may claim from the shared pool today.", "今天您已从公海领取 %d 个客户，每日上限 %d 个。"},
	"me.quota.resets":    {"The counts start again at %s (%s).", "计数将于 %s（%s）重新开始。"},
	"me.hits.title":      {"Sensitive phrases in your records", "您记录中的敏感用语"},
	"me.hits.help":       {"These phrases in your own records (chats, calls, e-mails, visit notes) matched the company's list of phrases linked to private deals. A phrase inside quotation marks counts as reported speech: you were writing down someone else's words.", "您本人的记录（聊天、通话、邮件、拜访备注）中以下用语与公司的私单相关用语清单相符。引号内的用语视为转述，即您记录的是他人的原话。"},
	"me.hits.none":       {"No matches with the company's list are on record for you.", "系统中没有您的记录与公司清单相符的登记。"},
	"me.hits.when":       {"When", "时间"},
	"me.hits.phrase":     {"Phrase on the list", "清单用语"},
	"me.hits.text":       {"As you wrote it", "您的原文"},
	"me.hits.kind":       {"Counted as", "认定"},
	"me.hits.quoted":     {"reported speech (in quotation marks)", "转述（在引号内）"},
	"me.hits.own":        {"your own words", "本人用语"},
	"me.hits.record":     {"Record", "记录编号"},
	"me.hits.older":      {"Older phrases", "更早的记录"},
	"me.hits.badpage":    {"That link to older phrases is not valid; start from the newest.", "该链接无效，请从最新记录开始查看。"},
}

func init() { maps.Copy(messages, selfViewMessages) }
