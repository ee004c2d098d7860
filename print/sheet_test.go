package print

import (
	"slices"
	"testing"
	"time"

	"hotline/complaint"
)

var (
	units  = []complaint.Unit{{Code: "power", Name: "市供电公司"}, {Code: "east", Name: "城东供电所"}}
	people = []complaint.User{{Login: "zhang", Name: "张伟"}, {Login: "li", Name: "李娜"}}
	names  = Names{
		Unit:   func(c string) string { return complaint.UnitName(units, c) },
		Person: func(l string) string { return complaint.PersonName(people, l) },
	}
)

// sample is a ticket as far as the procedure takes it, with every field of
// the sheet filled.
func sample() complaint.Ticket {
	utc := func(s string) time.Time {
		t, err := time.Parse("2006-01-02 15:04", s)
		if err != nil {
			panic(err)
		}
		return t
	}
	return complaint.Ticket{
		Number:       "GD20190425001",
		Title:        "小区频繁停电",
		Content:      "景蓉华苑3栋近一周每天晚上停电，家中老人用氧气机，请尽快处理。",
		Caller:       "𠮷祥",
		Phone:        "13800138000",
		Address:      "A市A2区桂花坪街道景蓉华苑3栋",
		Category:     "供电",
		ReceivedAt:   utc("2019-04-25 01:32"),
		DispatchedAt: utc("2019-04-25 02:00"),
		Deadline:     utc("2019-04-30 10:00"),
		Unit:         "power",
		Subunit:      "east",
		Handler:      "zhang",
		State:        complaint.Approved,
		Contact:      &complaint.Contact{At: utc("2019-04-25 03:10"), How: "电话", Result: "已与市民约定次日上门"},
		Reply: &complaint.Reply{
			Findings:       "经查为3栋进线电缆老化。",
			Explanation:    "已向市民说明原因及抢修安排，市民表示理解。",
			Measures:       "更换进线电缆一段。",
			Basis:          "《供电营业规则》第五十七条。",
			CitizenOpinion: "满意。",
			By:             "zhang",
			At:             utc("2019-04-26 08:00"),
		},
		Review: &complaint.Review{Approved: true, By: "li", At: utc("2019-04-26 09:30")},
	}
}

func TestNewSheet(t *testing.T) {
	s := NewSheet(sample(), names)
	want := [][]string{
		{"编号", "GD20190425001", "来电时间", "2019-04-25 09:32"},
		{"来电人", "𠮷祥", "联系电话", "13800138000"},
		{"地址", "A市A2区桂花坪街道景蓉华苑3栋"},
		{"诉求类别", "供电", "办理时限", "2019-04-30 18:00"},
		{"派发单位", "市供电公司　城东供电所", "派发时间", "2019-04-25 10:00"},
		{"标题", "小区频繁停电"},
		{"诉求内容", "景蓉华苑3栋近一周每天晚上停电，家中老人用氧气机，请尽快处理。"},
		{"联系情况", "2019-04-25 11:10　电话　已与市民约定次日上门"},
		{"处理情况", "经查为3栋进线电缆老化。"},
		{"沟通解释结果", "已向市民说明原因及抢修安排，市民表示理解。"},
		{"采取措施", "更换进线电缆一段。"},
		{"处理依据", "《供电营业规则》第五十七条。"},
		{"客户意见", "满意。"},
		{"承办人", "张伟", "回复时间", "2019-04-26 16:00"},
		{"审核意见", "通过"},
		{"审核人", "李娜", "日期", "2019-04-26 17:30"},
	}
	if s.Title != "市民投诉电话记录单" || s.Number != "GD20190425001" {
		t.Errorf("title %q number %q", s.Title, s.Number)
	}
	if len(s.Rows) != len(want) {
		t.Fatalf("%d rows, want %d", len(s.Rows), len(want))
	}
	for i, r := range s.Rows {
		var got []string
		for _, f := range r.Fields {
			got = append(got, f.Label, f.Value)
		}
		if !slices.Equal(got, want[i]) {
			t.Errorf("row %d = %q, want %q", i, got, want[i])
		}
	}
}

// TestNewSheetWholeReply puts a reply without parts (as the center's files
// give it) under 处理情况.
func TestNewSheetWholeReply(t *testing.T) {
	tk := sample()
	tk.Reply = &complaint.Reply{Text: "您好！经查……", By: "zhang"}
	tk.Handler = ""
	tk.Review = &complaint.Review{Criteria: []int{2, 5}, Note: "请补充市民意见"}
	rows := map[string]string{}
	for _, r := range NewSheet(tk, Names{}).Rows {
		for _, f := range r.Fields {
			rows[f.Label] = f.Value
		}
	}
	for label, want := range map[string]string{
		"处理情况": "您好！经查……",
		"客户意见": "",
		"承办人":  "zhang", // no name lookup given: the login
		"审核意见": "退回。不符合：2. 未说明向市民解释的内容及结果；5. 未记录市民本人的意见。请补充市民意见",
		"审核人":  "",
	} {
		if rows[label] != want {
			t.Errorf("%s = %q, want %q", label, rows[label], want)
		}
	}
}

func TestNewSheetEmpty(t *testing.T) {
	s := NewSheet(complaint.Ticket{Number: "1"}, names)
	for _, r := range s.Rows {
		for _, f := range r.Fields {
			if f.Value != "" && f.Label != "编号" {
				t.Errorf("%s = %q on an empty ticket", f.Label, f.Value)
			}
		}
	}
}
