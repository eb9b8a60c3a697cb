package sim

import (
	"fmt"
	"math/rand/v2"
)

// Name pools: common surnames and given names, so generated people read
// like a real roster rather than "Employee 17".
var (
	zhSurnames = []string{"王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭", "何", "林", "罗", "高"}
	zhGiven    = []string{"伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明", "超", "秀英", "建华", "志强", "晓东", "海燕", "文博", "思远"}
	enFirst    = []string{"James", "Olivia", "Harry", "Amelia", "George", "Isla", "Oliver", "Emily", "Jack", "Sophie", "Thomas", "Grace", "William", "Chloe", "Daniel", "Hannah", "Samuel", "Lucy"}
	enLast     = []string{"Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Evans", "Thomas", "Roberts", "Walker", "Wright", "Hughes", "Edwards", "Green", "Hall", "Wood"}
	zhCoWords  = []string{"星海", "华腾", "瑞丰", "恒信", "金桥", "宏达", "博远", "天成", "中联", "鼎盛", "新锐", "汇通"}
	zhCoTrades = []string{"贸易", "科技", "机电", "化工", "物流", "电子", "医疗器械", "建材"}
	enCoWords  = []string{"Northgate", "Bluewater", "Kestrel", "Harbour", "Ashford", "Summit", "Riverside", "Oakley", "Meridian", "Pennine"}
	enCoTrades = []string{"Logistics", "Engineering", "Supplies", "Components", "Foods", "Instruments", "Packaging"}
	zhStreets  = []string{"中山路", "人民路", "解放路", "南京路", "长安街", "建国路", "淮海路", "延安路"}
	enStreets  = []string{"High Street", "Station Road", "Church Lane", "Victoria Road", "Park Avenue", "Mill Lane"}
)

func pick[T any](r *rand.Rand, xs []T) T { return xs[r.IntN(len(xs))] }

// personName is a zh or en full name.
func personName(r *rand.Rand, zh bool) string {
	if zh {
		return pick(r, zhSurnames) + pick(r, zhGiven)
	}
	return pick(r, enFirst) + " " + pick(r, enLast)
}

// companyName is a registered-company style name in the city's language.
func companyName(r *rand.Rand, zh bool, city string) string {
	if zh {
		return city + pick(r, zhCoWords) + pick(r, zhCoTrades) + "有限公司"
	}
	return pick(r, enCoWords) + " " + pick(r, enCoTrades) + " Ltd"
}

// phone is an E.164 mobile number: +86 1xx… in China, +44 7… in the UK.
func phone(r *rand.Rand, zh bool) string {
	if zh {
		return fmt.Sprintf("+86%d%d%08d", 13+r.IntN(6), r.IntN(10), r.IntN(100_000_000))
	}
	return fmt.Sprintf("+447%d%08d", 4+r.IntN(6), r.IntN(100_000_000))
}

// reformatPhone spells the same number the way people type it, so a
// duplicate registration does not match byte for byte.
func reformatPhone(r *rand.Rand, e164 string) string {
	switch {
	case len(e164) == 14 && e164[:3] == "+86":
		n := e164[3:]
		switch r.IntN(3) {
		case 0:
			return n[:3] + " " + n[3:7] + " " + n[7:]
		case 1:
			return "0086-" + n[:3] + "-" + n[3:7] + "-" + n[7:]
		default:
			return "(+86)" + n
		}
	case len(e164) > 3 && e164[:3] == "+44":
		return "0" + e164[3:7] + " " + e164[7:]
	}
	return e164
}

// address is a street address in the city's language.
func address(r *rand.Rand, zh bool, city string) string {
	if zh {
		return fmt.Sprintf("%s市%s%d号", city, pick(r, zhStreets), 1+r.IntN(800))
	}
	return fmt.Sprintf("%d %s, %s", 1+r.IntN(200), pick(r, enStreets), city)
}
