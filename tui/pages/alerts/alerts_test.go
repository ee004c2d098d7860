package alerts

import "testing"

// The content column leaves out what every row repeats: a leading 【…】
// tag, and a leading 工单<number> when it is the row's own ticket (with a
// 的 or a colon after it); what is left is never empty.
func TestContent(t *testing.T) {
	for _, c := range []struct{ text, ticket, want string }{
		{"【12345】工单20200504017「物业收费不合理」已派发给你单位", "20200504017", "「物业收费不合理」已派发给你单位"},
		{"工单20200503011的回复被赵分管退回：请补充", "20200503011", "回复被赵分管退回：请补充"},
		{"工单 20200506001：签收已到时限", "20200506001", "签收已到时限"},
		{"工单20200506002派发时限将到", "20200506002", "派发时限将到"},
		// Another ticket's number stays; the tag goes.
		{"【12345】工单20200504017已派发", "20200504018", "工单20200504017已派发"},
		// A longer number that begins with the ticket's is not it.
		{"工单20200504017已派发", "2020050401", "工单20200504017已派发"},
		{"【12345】督办提醒：工单20200504017「路灯不亮」", "20200504017", "督办提醒：工单20200504017「路灯不亮」"},
		{"催办：双台子区电费催缴短信频繁", "20200503011", "催办：双台子区电费催缴短信频繁"},
		{"工单20200504017已派发", "", "工单20200504017已派发"},
		{"【12345 工单20200504017已派发", "20200504017", "【12345 工单20200504017已派发"},
		// Nothing left: the text whole.
		{"【12345】工单20200504017", "20200504017", "【12345】工单20200504017"},
		{"【𠮷】𠮷野家", "", "𠮷野家"},
	} {
		if got := content(c.text, c.ticket); got != c.want {
			t.Errorf("content(%q, %q) = %q, want %q", c.text, c.ticket, got, c.want)
		}
	}
}
