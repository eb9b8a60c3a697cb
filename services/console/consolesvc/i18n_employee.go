package consolesvc

import (
	"maps"
	"strings"
	"time"

	attendancev1 "github.com/holdfast/holdfast/proto/holdfast/attendance/v1"
	clientv1 "github.com/holdfast/holdfast/proto/holdfast/client/v1"
)

// employeeMessages are the employee page's and the pseudonyms' strings,
// kept apart from messages so pages added alongside do not touch one map.
var employeeMessages = map[string][2]string{ // [en, zh]
	"employee.pseudonym":          {"Employee", "员工"},
	"employee.denied":             {"Not visible to you.", "您无权查看此部分。"},
	"employee.notfound":           {"Nothing recorded.", "没有记录。"},
	"employee.notconnected":       {"This console is not connected to that service.", "控制台未连接该服务。"},
	"employee.toomany":            {"Too many to read here; use the service's own list.", "数量过多，此处无法读取；请使用该服务的列表。"},
	"employee.timeline":           {"Timeline", "时间线"},
	"employee.timeline.help":      {"Newest first, from the client, order, attendance and risk services. Highlighted lines are evidence of this employee's alerts.", "按时间倒序，来自客户、订单、考勤和风控服务。高亮行是该员工预警的证据。"},
	"employee.timeline.none":      {"Nothing on the timeline.", "时间线为空。"},
	"employee.older":              {"Older entries", "更早的记录"},
	"employee.customers":          {"Customers held", "名下客户"},
	"employee.customers.none":     {"Holds no customers.", "名下没有客户。"},
	"employee.checkins":           {"Check-ins", "签到"},
	"employee.checkins.none":      {"No check-ins.", "没有签到记录。"},
	"employee.map":                {"Check-ins plotted by latitude and longitude; evidence in red", "按经纬度绘制的签到点，红色为证据"},
	"employee.src.interactions":   {"Interactions", "沟通记录"},
	"employee.src.orders":         {"Orders", "订单"},
	"employee.src.lifecycle":      {"Employment", "任职记录"},
	"employee.src.checkins":       {"Check-ins", "签到"},
	"employee.src.alerts":         {"Alerts", "预警"},
	"invalid.before":              {"not a valid position in the timeline", "不是有效的时间线位置"},
	"reveal.reason":               {"Reason for revealing the name", "查看姓名的理由"},
	"reveal.reason.required":      {"required: say why you need the name", "必填：请说明为何需要查看姓名"},
	"reveal.help":                 {"The name, your reason and you are recorded.", "查看行为、理由及您的身份将被记录。"},
	"action.reveal":               {"Reveal name", "查看姓名"},
	"tl.when":                     {"When", "时间"},
	"tl.what":                     {"What", "事件"},
	"tl.by":                       {"By", "操作人"},
	"tl.source":                   {"Source", "来源"},
	"tl.system":                   {"Holdfast", "系统"},
	"tl.evidence.mark":            {"Evidence", "证据"},
	"tl.evidence":                 {"Evidence event", "证据事件"},
	"tl.interaction":              {"Interaction (%s, %s) with %s", "沟通（%s，%s），对象 %s"},
	"tl.deleted":                  {"(deleted)", "（已删除）"},
	"tl.order.created":            {"Order %s created for customer %s, %s (now %s)", "创建订单 %s，客户 %s，金额 %s（当前：%s）"},
	"tl.order.won":                {"Order %s won", "订单 %s 成交"},
	"tl.order.paid":               {"Payment on order %s: %s to a company account", "订单 %s 收款 %s，入公司账户"},
	"tl.order.paidelsewhere":      {"Payment on order %s: %s NOT to a company account", "订单 %s 收款 %s，未入公司账户"},
	"tl.checkin":                  {"Check-in (%s) at %.5f, %.5f", "签到（%s），位置 %.5f, %.5f"},
	"tl.alert":                    {"Alert raised: %s (%s)", "触发预警：%s（%s）"},
	"tl.EmployeeHired":            {"Hired", "入职"},
	"tl.EmployeeTransferred":      {"Transferred", "调动"},
	"tl.EmployeeRoleChanged":      {"Role changed", "岗位变更"},
	"tl.LeaveRecorded":            {"Leave", "请假"},
	"tl.ResignationNoticed":       {"Gave notice", "提出离职"},
	"tl.ResignationWithdrawn":     {"Withdrew notice", "撤回离职"},
	"tl.EmployeeDeparted":         {"Departed", "离职"},
	"tl.EmployeeIdentityRevealed": {"Name revealed", "姓名被查看"},
	"checkin.kind":                {"Kind", "类型"},
	"checkin.kind.visit":          {"visit", "拜访"},
	"checkin.kind.office":         {"office", "到岗"},
	"checkin.kind.unspecified":    {"—", "—"},
	"checkin.lat":                 {"Latitude", "纬度"},
	"checkin.lon":                 {"Longitude", "经度"},
	"checkin.accuracy":            {"Accuracy", "精度"},
	"checkin.distance":            {"Distance to customer", "与客户距离"},
	"checkin.speed":               {"Speed from previous", "与上次签到的速度"},
	"checkin.repeat":              {"repeats an earlier fix", "与先前定位完全相同"},
	"customer.id":                 {"Customer", "客户"},
	"customer.name":               {"Name", "名称"},
	"customer.source":             {"Source", "来源渠道"},
	"customer.registered":         {"Registered", "登记时间"},
	"customer.followup":           {"Last follow-up", "最近跟进"},
}

func init() {
	maps.Copy(messages, employeeMessages)
	templateFuncs["whenTime"] = func(t time.Time) string { return t.UTC().Format("2006-01-02 15:04 UTC") }
	templateFuncs["checkInKindKey"] = func(k attendancev1.CheckInKind) string {
		return "checkin.kind." + enumWord(k.String(), "CHECK_IN_KIND_")
	}
	templateFuncs["sourceWord"] = func(c clientv1.SourceChannel) string {
		return strings.ReplaceAll(enumWord(c.String(), "SOURCE_CHANNEL_"), "_", " ")
	}
}
