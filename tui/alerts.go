package tui

import (
	"fmt"

	tea "charm.land/bubbletea/v2"

	"hotline/store"
	"hotline/tui/app"
	"hotline/tui/cells"
	alertspage "hotline/tui/pages/alerts"
)

// AlertMsg tells that alerts for the user came from the platform; the link
// has kept them in the store already. The screen rings, shows the newest
// (an urgent one first) in the status bar and counts the unseen again.
type AlertMsg struct {
	Alerts []store.Alert
}

// Delivery is one notification of the unit's delivery log, as
// Options.Deliveries gives it (see alertspage.Delivery).
type Delivery = alertspage.Delivery

// DeliveryLog is what Options.Deliveries reads: the rows and the
// platform's counts over the window (see alertspage.Reading).
type DeliveryLog = alertspage.Reading

// unseenMsg is the count of the alerts not seen yet.
type unseenMsg struct{ n int }

// loadUnseen counts the alerts not seen yet, for the status bar.
func (m *Model) loadUnseen() tea.Cmd {
	st, ctx := m.ctx.Store, m.ctx.Bg()
	return func() tea.Msg {
		n, err := st.Unseen(ctx)
		if err != nil {
			return app.NoticeMsg{Text: "读取提醒失败：" + err.Error(), Err: true}
		}
		return unseenMsg{n}
	}
}

// alerted takes alerts that came: the bell, once for them all, and the one
// that matters most in the status bar. On the alerts page, they are shown
// (and so seen) at once.
func (m *Model) alerted(msg AlertMsg) tea.Cmd {
	if len(msg.Alerts) == 0 {
		return nil
	}
	lead := msg.Alerts[0]
	for _, a := range msg.Alerts[1:] {
		// An urgent alert is not hidden behind a later ordinary one.
		if a.Urgent && !lead.Urgent || a.Urgent == lead.Urgent && a.ID > lead.ID {
			lead = a
		}
	}
	text := "提醒：" + cells.Line(lead.Text)
	if n := len(msg.Alerts); n > 1 {
		text = fmt.Sprintf("提醒 %d 条：%s", n, cells.Line(lead.Text))
	}
	cmds := []tea.Cmd{m.setNotice(text, lead.Urgent), m.ring(), m.loadUnseen()}
	if m.screen == screenAlerts {
		cmds = append(cmds, m.alerts.Load())
	}
	return tea.Batch(cmds...)
}

// openAlerts shows the alerts page on view v. From a ticket's page opened
// from it, it goes back to it rather than round again; from anywhere else
// it opens afresh, its marks of what was new those of now.
func (m *Model) openAlerts(v alertspage.View) tea.Cmd {
	var stop tea.Cmd
	switch {
	case m.screen == screenAlerts:
	case m.screen == screenDetail && m.detailFrom == screenAlerts && m.alerts != nil:
		stop = m.detail.Close()
		m.detail = nil
		m.show(screenAlerts)
	default:
		m.alerts = alertspage.New(m.ctx, m.deliveries)
		m.alertsFrom = m.screen
		m.show(screenAlerts)
	}
	m.resize()
	return tea.Batch(stop, m.alerts.Show(v))
}

// alertsBack is the screen the alerts page returns to: the one it was
// opened from, while that is still there.
func (m *Model) alertsBack() screen {
	switch to := m.alertsFrom; {
	case to == screenDetail && m.detail == nil,
		to == screenStats && m.stats == nil,
		to == screenSettings && m.settings == nil,
		to == screenPrint && m.printing == nil,
		to == screenSearch && m.search == nil,
		to == screenDirectory && m.directory == nil,
		to == screenAlerts:
		return screenList
	default:
		return to
	}
}
