package stats

import (
	"context"
	"errors"
	"fmt"

	"hotline/complaint"
	"hotline/tui/app"
)

// errNoCalendar is the answer when the program was started without the
// working-day calendar the figures count in.
var errNoCalendar = errors.New("未配置工作日历，无法计算工作日")

// fromStore is the default source: the cache's tickets that the period
// concerns, with their histories, through complaint.Compute and
// complaint.Supervise.
func fromStore(st app.Store) Source {
	return func(ctx context.Context, q Query) (Figures, error) {
		if q.Calendar == nil {
			return Figures{}, errNoCalendar
		}
		if st == nil {
			return Figures{}, errors.New("没有本地缓存")
		}
		ts, err := st.History(ctx, q.Period.From, q.Period.To)
		if err != nil {
			return Figures{}, fmt.Errorf("读取工单失败：%w", err)
		}
		if err := ctx.Err(); err != nil {
			return Figures{}, err
		}
		s := complaint.Compute(ts, q.Units, q.Unit, q.Period, q.Policy, q.Calendar, q.Weights, q.Now)
		all, subs := complaint.Supervise(ts, q.Units, q.Unit, q.Period, q.Policy, q.Calendar, q.Now)
		return Figures{Statistics: s, Oversight: all, Subunits: subs}, nil
	}
}
