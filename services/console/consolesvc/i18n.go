package consolesvc

import (
	"net/http"
	"strings"
)

// Languages the console speaks.
const (
	langZH = "zh"
	langEN = "en"
)

// messages holds every string the console shows, in both languages. A
// missing key shows the key itself, which the tests catch.
var messages = map[string][2]string{ // [en, zh]
	"app.name":                     {"Holdfast console", "Holdfast 控制台"},
	"nav.alerts":                   {"Alerts", "预警"},
	"nav.risk":                     {"Risk by employee", "员工风险"},
	"nav.me":                       {"My indicators", "我的指标"},
	"employee.title":               {"Employee", "员工"},
	"employee.score":               {"Risk score", "风险分"},
	"employee.indicator":           {"Indicator", "指标"},
	"employee.value":               {"Value", "数值"},
	"employee.baseline":            {"Own baseline", "本人基线"},
	"employee.team":                {"Team median", "团队中位数"},
	"employee.points":              {"Points", "得分"},
	"employee.alerts":              {"Alerts", "预警"},
	"employee.asof":                {"as of", "截至"},
	"level.low":                    {"low", "低"},
	"level.elevated":               {"elevated", "较高"},
	"level.high":                   {"high", "高"},
	"level.unspecified":            {"—", "—"},
	"risk.title":                   {"Risk by employee", "员工风险排名"},
	"risk.pick":                    {"Choose an org unit to rank its employees.", "请选择部门以查看员工风险排名。"},
	"risk.none":                    {"No employees to show.", "没有可显示的员工。"},
	"me.title":                     {"My indicators", "我的指标"},
	"me.intro":                     {"Your own figures as Holdfast measures them, beside your team's median. Nobody else's data is shown here.", "Holdfast 记录的您本人的数据，与团队中位数对比。此处不显示任何他人的数据。"},
	"me.above":                     {"%d %% above your team's median (%d)", "比团队中位数（%[2]d）高 %[1]d%%"},
	"me.below":                     {"%d %% below your team's median (%d)", "比团队中位数（%[2]d）低 %[1]d%%"},
	"me.same":                      {"the same as your team's median", "与团队中位数持平"},
	"me.abovezero":                 {"%d, where your team's median is 0", "%d，团队中位数为 0"},
	"me.noteam":                    {"no team comparison (fewer than 3 colleagues)", "团队人数不足 3 人，不作对比"},
	"nav.signout":                  {"Sign out", "退出"},
	"nav.lang":                     {"中文", "English"},
	"login.title":                  {"Sign in", "登录"},
	"login.tenant":                 {"Company (tenant)", "公司（租户）"},
	"login.employee":               {"Your employee id", "您的员工编号"},
	"login.role":                   {"Role", "角色"},
	"login.token":                  {"Signed token", "签名令牌"},
	"login.token.help":             {"Paste the bearer token your identity provider issued.", "粘贴身份系统签发的令牌。"},
	"login.dev.help":               {"Development sign-in: the console signs a token with the dev key. Never enabled in production.", "开发环境登录：控制台使用开发密钥签发令牌。生产环境不会启用。"},
	"login.submit":                 {"Sign in", "登录"},
	"login.failed":                 {"Sign-in failed: check the fields and try again.", "登录失败：请检查填写内容后重试。"},
	"alerts.title":                 {"Alert queue", "预警队列"},
	"alerts.none":                  {"No alerts match these filters.", "没有符合筛选条件的预警。"},
	"alerts.filter":                {"Filter", "筛选"},
	"alerts.more":                  {"Next page", "下一页"},
	"field.status":                 {"Status", "状态"},
	"field.severity":               {"Severity", "严重程度"},
	"field.rule":                   {"Rule", "规则"},
	"field.employee":               {"Employee", "员工"},
	"field.orgunit":                {"Org unit", "部门"},
	"field.from":                   {"From", "开始日期"},
	"field.to":                     {"To", "结束日期"},
	"field.raised":                 {"Raised", "触发时间"},
	"field.explanation":            {"Why", "原因"},
	"field.any":                    {"any", "全部"},
	"field.reason":                 {"Reason", "理由"},
	"field.note":                   {"Note", "备注"},
	"field.outcome":                {"Outcome", "结论"},
	"status.raised":                {"raised", "新预警"},
	"status.acknowledged":          {"acknowledged", "已确认收到"},
	"status.dismissed":             {"dismissed", "已排除"},
	"status.confirmed":             {"confirmed (case open)", "已立案"},
	"status.resolved":              {"resolved", "已结案"},
	"severity.low":                 {"low", "低"},
	"severity.medium":              {"medium", "中"},
	"severity.high":                {"high", "高"},
	"alert.title":                  {"Alert", "预警详情"},
	"alert.evidence":               {"Supporting events", "依据事件"},
	"alert.case":                   {"Case", "案件"},
	"alert.nosteps":                {"Nobody has handled this alert yet.", "尚无人处理该预警。"},
	"action.ack":                   {"Acknowledge", "确认收到"},
	"action.dismiss":               {"Dismiss", "排除"},
	"action.confirm":               {"Confirm and open a case", "确认并立案"},
	"action.resolve":               {"Resolve the case", "结案"},
	"action.addnote":               {"Add note", "添加备注"},
	"action.bundle":                {"Download evidence bundle", "下载证据包"},
	"bundle.stale":                 {"The case has changed since this page was shown: reload the page and download the bundle again.", "本页打开后案件已有变动：请刷新页面后重新下载证据包。"},
	"bundle.help":                  {"The events exactly as stored, signed; check it with holdfast evidence verify.", "原始事件及签名；可用 holdfast evidence verify 离线校验。"},
	"outcome.diversion":            {"diversion confirmed", "确认存在飞单"},
	"outcome.nodiversion":          {"no diversion", "不存在飞单"},
	"outcome.inconclusive":         {"inconclusive", "无法认定"},
	"error.title":                  {"Something went wrong", "出错了"},
	"error.forbidden":              {"You may not see or do this.", "您无权查看或执行此操作。"},
	"error.notfound":               {"Not found.", "未找到。"},
	"error.invalid":                {"Please correct the form:", "请修正以下内容："},
	"error.conflict":               {"Someone else changed this first; reload and try again.", "他人已先行修改，请刷新后重试。"},
	"error.unavailable":            {"A Holdfast service is not answering; try again shortly.", "Holdfast 服务暂时无响应，请稍后重试。"},
	"nav.rules":                    {"Rules", "规则"},
	"field.minseverity":            {"Severity at least", "最低严重程度"},
	"alerts.perrule":               {"Alerts per rule and how often HR confirmed them", "各规则的预警数量及人事确认比例"},
	"invalid.day":                  {"a date as YYYY-MM-DD", "请填写 YYYY-MM-DD 格式的日期"},
	"invalid.int":                  {"a whole number", "请填写整数"},
	"invalid.required":             {"required", "必填"},
	"invalid.toolong":              {"too long", "过长"},
	"invalid.employeeref":          {"not an employee link of this console (open the employee's page and follow its alerts link)", "不是本控制台的员工链接（请打开该员工页面，再点击其预警链接）"},
	"action.clearfilter":           {"show everyone", "显示全部员工"},
	"alerts.sort":                  {"Order", "排序"},
	"indicator.alerts":             {"Alerts (open or confirmed, by severity)", "预警（未结或已确认，按严重程度）"},
	"indicator.unassigned_reveals": {"Contacts revealed of customers not held", "查看非本人客户联系方式次数"},
	"indicator.neglect_days":       {"Working days without following up held customers", "未跟进名下客户的工作日数"},
	"indicator.unbacked_orders":    {"Won orders unpaid or unshipped past their deadline", "超期未付款或未发货的成交订单"},
	"alerts.sort.newest":           {"Newest first", "最新在前"},
	"alerts.sort.risk":             {"Highest risk first", "风险最高在前"},
	"invalid.sort":                 {"newest first or highest risk first", "只能是最新在前或风险最高在前"},
	"employee.allalerts":           {"All of this employee's alerts in the queue", "在预警队列中查看该员工的全部预警"},
	"invalid.bool":                 {"true or false", "请填写 true 或 false"},
	"suppress.title":               {"Suppress this rule for this employee", "对该员工暂停此规则"},
	"suppress.help":                {"The rule does not judge this employee until the start of the chosen day (UTC), at most 180 days ahead. The reason is recorded.", "在所选日期（UTC）开始之前，此规则不再判断该员工，最长 180 天。理由将被记录。"},
	"suppress.until":               {"Suppressed until", "暂停至"},
	"suppress.done":                {"Suppressed until", "已暂停至"},
	"action.suppress":              {"Suppress", "暂停规则"},
	"rules.title":                  {"Rules", "规则"},
	"rules.effectiveness.help":     {"Effectiveness is confirmed ÷ actioned: of the alerts HR acknowledged, dismissed or confirmed, the share confirmed into a case.", "有效率 = 立案数 ÷ 已处理数：在人事已确认收到、排除或立案的预警中，立案所占比例。"},
	"rules.version":                {"Version", "版本"},
	"rules.enabled":                {"Enabled", "启用状态"},
	"rules.on":                     {"enabled", "已启用"},
	"rules.off":                    {"disabled", "已停用"},
	"rules.description":            {"Description", "说明"},
	"rules.parameters":             {"Parameters", "参数"},
	"rules.raised":                 {"Alerts", "预警数"},
	"rules.confirmed":              {"confirmed", "已立案"},
	"rules.effectiveness":          {"Effectiveness", "有效率"},
	"rule.title":                   {"Rule", "规则"},
	"rule.updated":                 {"Last changed by", "最近修改"},
	"rule.trigger":                 {"Trigger", "触发条件"},
	"rule.severityexpr":            {"Severity expression (empty: the rule's fixed severity)", "严重程度表达式（留空：使用规则的固定严重程度）"},
	"rule.expr.help":               {"Expressions are CEL over event.*, features.*, params.* and alert.*; a mistake is reported with its line and column. Backtest a changed expression before saving it.", "表达式使用 CEL，可引用 event.*、features.*、params.* 与 alert.*；有误时会指出行号和列号。修改表达式后请先回测再保存。"},
	"rule.param":                   {"Parameter", "参数"},
	"rule.value":                   {"Value to try", "试用值"},
	"rule.current":                 {"In force", "当前值"},
	"rule.backtest.help":           {"A backtest replays the company's past events with these values in place of the rule's and shows what it would have raised; nothing is changed.", "回测以这些参数值代替现行值重放公司的历史事件，显示将会触发的预警；不做任何修改。"},
	"action.backtest":              {"Run backtest", "运行回测"},
	"rule.backtest.result":         {"Backtest", "回测结果"},
	"rule.backtest.total":          {"Alerts it would have raised", "将触发的预警数"},
	"rule.backtest.precision":      {"Precision (against HR's outcomes)", "精确率（对照人事结论）"},
	"rule.backtest.recall":         {"Recall (confirmed alerts caught)", "召回率（已立案预警被覆盖）"},
	"rule.backtest.labels":         {"Confirmed / dismissed / undecided real alerts", "真实预警：立案 / 排除 / 未定"},
	"rule.backtest.events":         {"Events replayed", "重放事件数"},
	"rule.backtest.day":            {"Day (UTC)", "日期（UTC）"},
	"rule.backtest.alerts":         {"Alerts", "预警数"},
	"rule.backtest.none":           {"It would have raised no alerts in this period.", "该期间内不会触发任何预警。"},
	"rule.backtest.truncated":      {"More alerts than shown; the counts cover them all.", "预警过多未全部列出；统计包含全部。"},
	"rule.save.help":               {"Saving makes these values the rule's next version from now on; the version you backtested must still be the current one.", "保存后这些参数值将作为规则的新版本立即生效；回测时的版本必须仍为当前版本。"},
	"action.saverule":              {"Save these values", "保存参数"},
	"action.enable":                {"Enable the rule", "启用规则"},
	"action.disable":               {"Disable the rule", "停用规则"},
	"rule.readonly":                {"Only an administrator changes rules.", "仅管理员可修改规则。"},
	"error.back":                   {"Back", "返回"},
}

// translate returns the message for key in lang.
func translate(lang, key string) string {
	m, ok := messages[key]
	if !ok {
		return key
	}
	if lang == langZH {
		return m[1]
	}
	return m[0]
}

// negotiateLang picks zh or en from Accept-Language, in the browser's order
// of preference; English when neither is asked for.
func negotiateLang(r *http.Request) string {
	for _, part := range strings.Split(r.Header.Get("Accept-Language"), ",") {
		tag := strings.ToLower(strings.TrimSpace(strings.SplitN(part, ";", 2)[0]))
		switch {
		case strings.HasPrefix(tag, "zh"):
			return langZH
		case strings.HasPrefix(tag, "en"):
			return langEN
		}
	}
	return langEN
}
