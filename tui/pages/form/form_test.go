package form

import (
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"hotline/complaint"
	"hotline/tui/app"
	"hotline/tui/cells"
	"hotline/tui/keys"
	"hotline/tui/theme"
)

// newForm is the form called name on ticket t, over a context with
// what a form reads before it is sent: keys, styles and the clock.
func newForm(t *testing.T, name string, tk complaint.Ticket) *Model {
	t.Helper()
	now := time.Date(2020, 5, 6, 15, 4, 0, 0, app.Shanghai())
	ctx := &app.Context{Width: 80, Height: 24, Styles: theme.Plain(), Keys: keys.Default(), User: complaint.User{Login: "duty01"},
		Now: func() time.Time { return now }, Loc: app.Shanghai(),
		After: func(time.Duration, tea.Msg) tea.Cmd { return nil }}
	m := New(ctx, name, tk, nil)
	m.SetSize(80, 20)
	return m
}

func press(m *Model, names ...string) {
	for _, n := range names {
		k := map[string]tea.KeyPressMsg{
			"tab":       {Code: tea.KeyTab},
			"shift+tab": {Code: tea.KeyTab, Mod: tea.ModShift},
			"right":     {Code: tea.KeyRight},
			"backspace": {Code: tea.KeyBackspace},
			"ctrl+s":    {Code: 's', Mod: tea.ModCtrl},
		}
		if msg, ok := k[n]; ok {
			m.Update(msg)
			continue
		}
		for _, g := range cells.Graphemes(n) {
			m.Update(tea.KeyPressMsg{Code: []rune(g)[0], Text: g})
		}
	}
}

// A form refused on ctrl+s puts the focus on the field at fault, whichever
// field the officer was in, so that the next keys correct it.
func TestSubmitFocusesTheFieldAtFault(t *testing.T) {
	signed := complaint.Ticket{Number: "20200506002", Title: "路灯不亮", Unit: "PJGD", State: complaint.Signed, Version: 2}
	replied := complaint.Ticket{Number: "20200505030", Title: "路灯不亮", Unit: "PJGD", State: complaint.Replied, Version: 6,
		Reply: &complaint.Reply{Text: "已修复。"}}
	returning := complaint.Ticket{Number: "20200428066", Title: "广告牌松动", Unit: "PJGD", State: complaint.ReturnRequested, Version: 3,
		Return: &complaint.ReturnRequest{Reason: "不属本单位"}}
	for _, tt := range []struct {
		name   string
		form   string
		ticket complaint.Ticket
		keys   []string
		err    string
		field  string
	}{
		{"letters for days", keys.FormExtension, signed, []string{"abc", "tab", "需协调"}, "延期天数应为 1–30 的整数（工作日）", "extension.days"},
		{"45 days", keys.FormExtension, signed, []string{"45", "tab", "需协调"}, "延期天数应为 1–30 的整数（工作日）", "extension.days"},
		{"no reason", keys.FormExtension, signed, []string{"3"}, "请填写延期理由", "extension_request.text"},
		{"reject without criteria", keys.FormReview, replied, []string{"right", "tab", "tab", "不行"}, "退回须勾选不符合的审核标准（1–5）", "review.criteria"},
		{"refuse a return without reason", keys.FormReturnDecide, returning, []string{"right"}, "不同意退单须填写理由", "return_decide.text"},
		{"contact time", keys.FormContact, signed, []string{"shift+tab", "shift+tab", "backspace", "tab", "tab", "已联系"},
			"联系时间应写作 2020-05-06 15:04 这样的格式", "contact.at"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			m := newForm(t, tt.form, tt.ticket)
			press(m, tt.keys...)
			before := m.Focused().Name
			press(m, "ctrl+s")
			if m.Err() != tt.err {
				t.Fatalf("error %q, want %q", m.Err(), tt.err)
			}
			if got := m.Focused().Name; got != tt.field {
				t.Fatalf("focus on %q after the refusal (was %q), want %q", got, before, tt.field)
			}
		})
	}
	// Typed over, the days are taken.
	m := newForm(t, keys.FormExtension, signed)
	press(m, "45", "tab", "需协调", "ctrl+s", "backspace", "backspace", "5")
	if got := m.Value("extension.days"); got != "5" {
		t.Fatalf("days %q after correcting them in place", got)
	}
}
