// Package sample makes believable tickets, units and users for a power-supply
// unit, for the demo and for tests that need volume. Everything is generated
// from templates: no real person, address or phone number is used.
package sample

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"hotline/complaint"
)

// Codes of the units the demo platform is built from.
const (
	CenterCode  = "12345"
	UnitCode    = "gdj"
	HandlerUnit = "gdj-cd" // the sub-unit of the demo's handler
)

// Units returns the center, the power-supply unit and its sub-units.
func Units() []complaint.Unit {
	us := []complaint.Unit{
		{Code: CenterCode, Name: "12345市民服务热线中心", Kind: complaint.KindCenter},
		{Code: UnitCode, Name: "市供电公司", Kind: complaint.KindUnit, Parent: CenterCode, Phone: "0000-95598"},
	}
	for _, s := range subunits {
		us = append(us, complaint.Unit{Code: s.code, Name: s.name, Kind: complaint.KindSubunit, Parent: UnitCode})
	}
	return us
}

var subunits = []struct{ code, name string }{
	{"gdj-cd", "城东供电所"},
	{"gdj-cx", "城西供电所"},
	{"gdj-kf", "开发区供电所"},
	{"gdj-yx", "营销部客户服务中心"},
	{"gdj-yj", "运维检修部"},
	{"gdj-jl", "计量中心"},
}

// Users returns the demo's people: a duty officer, a handler (in the
// sub-unit 城东供电所, where the duty officer assigns), a reviewer, a
// supervisor and a center operator. Their password is the login itself plus
// "-demo", good only for the demo.
func Users() []complaint.User {
	return []complaint.User{
		{Login: "duty", Name: "李明", Unit: UnitCode, Roles: []complaint.Role{complaint.RoleDuty}, Phone: "0000-95598-801"},
		{Login: "handler", Name: "王芳", Unit: HandlerUnit, Roles: []complaint.Role{complaint.RoleHandler}},
		{Login: "leader", Name: "赵强", Unit: UnitCode, Roles: []complaint.Role{complaint.RoleReviewer}},
		{Login: "jcb", Name: "陈静", Unit: UnitCode, Roles: []complaint.Role{complaint.RoleSupervisor}},
		{Login: "center", Name: "周洁", Unit: CenterCode, Roles: []complaint.Role{complaint.RoleCenter}},
	}
}

// Password is the demo password of a demo user.
func Password(login string) string { return login + "-demo" }

// topic is a kind of complaint and what citizens write under it: each
// title with the text it heads.
type topic struct {
	category string
	cases    []struct{ title, body string }
}

// Slots in titles and bodies: {addr} a full address, {place} its short form,
// {days} a small count, {time} a clock time, {amount} money, {name} a caller.
var topics = []topic{
	{"供电/临时用电", []struct{ title, body string }{
		{"{place}施工临时用电申请迟迟未办理",
			"本人在{addr}承包装修工程，{days}天前已向供电营业厅提交临时用电申请，材料齐全，至今无人联系，工期受到严重影响，请尽快安排人员现场勘查接电。"},
		{"{place}临时用电接电费用不清楚",
			"{addr}小区加装电梯需要临时用电，供电所要求另行缴纳费用，但未说明收费依据和标准。请相关部门核实收费是否合理，并给出书面说明。"},
	}},
	{"停电", []struct{ title, body string }{
		{"{place}频繁停电影响生活",
			"{addr}近一个月内已停电{days}次，每次持续两三个小时，家中老人需要用制氧机，停电对身体健康造成很大威胁。请供电部门查明原因，彻底解决线路问题。"},
		{"{place}昨晚停电至今未恢复",
			"{addr}从昨晚{time}开始停电，拨打95598说已派人处理，但至今未恢复供电，冰箱里的食物都坏了。请尽快抢修，并说明停电原因。"},
		{"{place}计划停电未提前通知",
			"{addr}今天上午突然停电，事后才知道是计划检修，但小区内没有张贴任何停电通知，居民完全不知情，家里正在使用的电脑数据丢失。希望以后计划停电提前通知到户。"},
	}},
	{"电费", []struct{ title, body string }{
		{"{place}电费突然上涨一倍",
			"{name}反映：家住{addr}，平时只有两人居住，用电习惯没有变化，但上个月电费达到{amount}元，是以往的两倍多。怀疑电表或抄表有问题，要求核查。"},
		{"{place}阶梯电价计算有误",
			"{addr}的住户反映，今年按阶梯电价计费后，第二档电量的起算点与公布标准不一致，多收了电费。请核实计费方式并退还多收部分。"},
		{"{place}预存电费未到账",
			"本人于{days}天前通过手机缴费平台为{addr}的户号预存电费{amount}元，付款成功但户号余额没有变化，客服让等待，至今未到账，请尽快处理。"},
	}},
	{"计量", []struct{ title, body string }{
		{"{place}智能电表走字过快",
			"{addr}去年更换智能电表后，用电量明显增加，关掉所有电器后电表仍在走字。要求供电部门现场校验电表，并出具检测报告。"},
		{"{place}电表更换后读数异常",
			"供电所{days}天前为{addr}更换了电表，换表时未告知旧表止码，新表读数与旧表衔接不上，担心重复计费。请提供换表记录并核对电量。"},
	}},
	{"电压质量", []struct{ title, body string }{
		{"{place}晚高峰电压过低",
			"{addr}每天晚上{time}以后电压很低，空调无法启动，灯光忽明忽暗，已持续{days}天。请供电部门检测电压，尽快改造线路或增容变压器。"},
	}},
	{"线路安全", []struct{ title, body string }{
		{"{place}电线杆倾斜存在安全隐患",
			"{addr}路边一根电线杆严重倾斜，电线离地面很近，附近有小学，学生上下学经过很危险。请尽快派人处理，消除安全隐患。"},
		{"{place}变压器噪音扰民",
			"{addr}楼下的箱式变压器夜间嗡嗡作响，噪音很大，影响居民休息，已向物业反映多次无果。请供电部门检测噪音并采取降噪措施。"},
	}},
	{"服务态度", []struct{ title, body string }{
		{"对{place}供电营业厅服务态度不满",
			"{name}于{days}天前到{place}供电营业厅办理过户手续，工作人员态度生硬，材料要求一次没说清楚，让本人来回跑了三趟。希望加强服务规范，一次性告知办理要求。"},
	}},
}

var (
	districts = []string{"东城区", "西城区", "经开区", "高新区", "江北区", "南湖区"}
	streets   = []string{"建设路", "人民大街", "解放路", "长江路", "胜利街", "和平路", "新华路", "滨河大道", "光明街", "文化路"}
	estates   = []string{"阳光花园", "锦绣家园", "幸福里小区", "翠湖苑", "金色港湾", "东方名城", "紫荆花园", "御景湾", "丽水新村", "电力宿舍"}
	surnames  = []string{"张", "王", "李", "赵", "刘", "陈", "杨", "黄", "周", "吴", "徐", "孙", "马", "朱", "胡", "郭", "林", "何", "高", "罗"}
	mobiles   = []string{"130", "133", "135", "138", "139", "150", "152", "158", "177", "186", "189"}
)

// Generator makes tickets from a seeded source, so a seed gives the same
// tickets every time.
type Generator struct {
	rng  *rand.Rand
	next int
}

// New returns a generator; tickets are numbered from first upwards.
func New(seed uint64, first int) *Generator {
	return &Generator{rng: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)), next: first}
}

func (g *Generator) pick(xs []string) string { return xs[g.rng.IntN(len(xs))] }

// Ticket makes one ticket dispatched to the demo unit at the given time, with
// the center's 4-working-day-ish deadline left to the platform.
func (g *Generator) Ticket(at time.Time) complaint.Ticket {
	tp := topics[g.rng.IntN(len(topics))]
	c := tp.cases[g.rng.IntN(len(tp.cases))]
	district, street, estate := g.pick(districts), g.pick(streets), g.pick(estates)
	addr := fmt.Sprintf("%s%s%d号%s%d栋%d单元", district, street, 1+g.rng.IntN(300), estate, 1+g.rng.IntN(30), 1+g.rng.IntN(6))
	place := district + estate
	caller := g.pick(surnames) + []string{"先生", "女士"}[g.rng.IntN(2)]
	fill := strings.NewReplacer(
		"{addr}", addr,
		"{place}", place,
		"{days}", fmt.Sprint(2+g.rng.IntN(12)),
		"{time}", fmt.Sprintf("%d点", 18+g.rng.IntN(4)),
		"{amount}", fmt.Sprint(100+g.rng.IntN(900)),
		"{name}", caller,
	)
	g.next++
	received := at.Add(-time.Duration(5+g.rng.IntN(40)) * time.Minute)
	return complaint.Ticket{
		Number:       fmt.Sprintf("%s%06d", received.In(shanghai).Format("20060102"), g.next),
		Title:        fill.Replace(c.title),
		Content:      fill.Replace(c.body),
		Caller:       caller,
		Phone:        g.pick(mobiles) + "****" + fmt.Sprintf("%04d", g.rng.IntN(10000)),
		Address:      addr,
		Category:     tp.category,
		ReceivedAt:   received.UTC(),
		DispatchedAt: at.UTC(),
		Unit:         UnitCode,
		State:        complaint.Dispatched,
	}
}

// Tickets makes n tickets dispatched at even steps over the span before now,
// oldest first.
func (g *Generator) Tickets(n int, now time.Time, span time.Duration) []complaint.Ticket {
	ts := make([]complaint.Ticket, n)
	for i := range ts {
		at := now.Add(-span + time.Duration(i)*span/time.Duration(max(n, 1)))
		ts[i] = g.Ticket(at)
	}
	return ts
}

var shanghai = complaint.China
