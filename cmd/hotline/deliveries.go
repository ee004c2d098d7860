package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"hotline/api"
	"hotline/tui"
	alertspage "hotline/tui/pages/alerts"
)

// deliveries is the alerts page's 通知发送记录: the unit's notifications of
// [from, to) as the platform logs them, the newest it sends, with its
// counts over the whole window. The page calls it from
// a command, so it may wait on the network; its errors are in Chinese, as
// the page shows them.
func (t *terminal) deliveries(ctx context.Context, from, to time.Time) (tui.DeliveryLog, error) {
	if t.api == nil {
		return tui.DeliveryLog{}, errors.New("未连接平台")
	}
	log, err := t.api.Deliveries(ctx, from, to)
	if err != nil {
		t.log.Warn("deliveries", "err", err)
		return tui.DeliveryLog{}, deliveryError(err)
	}
	out := make([]tui.Delivery, len(log.Deliveries))
	for i, d := range log.Deliveries {
		out[i] = tui.Delivery{Ticket: d.Ticket, Event: d.Event, Channel: d.Channel, Login: d.Login, Name: d.Name,
			Text: d.Text, Urgent: d.Urgent, Status: d.Status, Attempts: d.Attempts, LastError: d.LastError,
			At: d.NotBefore, SentAt: d.SentAt}
	}
	return tui.DeliveryLog{Deliveries: out, Totals: &alertspage.Totals{Total: log.Total, Counts: log.Counts}}, nil
}

// deliveryError says in Chinese why the log could not be read: the
// platform's own message when it gave one (a user whose role may not read
// it gets 403 with one), else what kept it from answering.
func deliveryError(err error) error {
	var se *api.StatusError
	switch {
	case errors.As(err, &se) && se.Err.Message != "":
		return errors.New(se.Err.Message)
	case errors.As(err, &se):
		return fmt.Errorf("平台拒绝了请求（HTTP %d）", se.Status)
	case errors.Is(err, context.DeadlineExceeded):
		return errors.New("平台没有及时应答，请稍后刷新")
	}
	return fmt.Errorf("无法连接平台：%v", err)
}
