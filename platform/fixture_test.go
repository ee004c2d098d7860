package platform

import (
	"context"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"testing"
	"time"

	"hotline/complaint"
)

func TestMain(m *testing.M) {
	// Full-cost argon2id would make every login in the tests take a tenth
	// of a second; TestPasswordHash checks the real settings.
	hashParams = argonParams{memory: 64, time: 1, threads: 1, saltLen: 16, keyLen: 32}
	os.Exit(m.Run())
}

var shanghai = time.FixedZone("CST", 8*3600)

// clockAt is 2024-03-15 09:00 China time, the tests' "now".
var clockAt = time.Date(2024, 3, 15, 9, 0, 0, 0, shanghai)

func fixedClock() time.Time { return clockAt }

const testPassword = "热线-密码-2024"

var tunnelNet = netip.MustParsePrefix("10.77.0.0/24")

// The fixture: the center, two units and a sub-unit, and their people.
var (
	unitCenter = complaint.Unit{Code: "C", Name: "12345市民服务热线", Kind: complaint.KindCenter}
	unitPower  = complaint.Unit{Code: "U1", Name: "市供电公司", Kind: complaint.KindUnit, Phone: "0571-85550001"}
	unitWater  = complaint.Unit{Code: "U2", Name: "市水务集团", Kind: complaint.KindUnit}
	subPower   = complaint.Unit{Code: "U1-01", Name: "城东供电所", Kind: complaint.KindSubunit, Parent: "U1"}

	userDuty    = complaint.User{Login: "duty1", Name: "王值班", Unit: "U1", Roles: []complaint.Role{complaint.RoleDuty}}
	userHandler = complaint.User{Login: "handler1", Name: "李承办", Unit: "U1", Roles: []complaint.Role{complaint.RoleHandler}}
	userWater   = complaint.User{Login: "duty2", Name: "赵值班", Unit: "U2", Roles: []complaint.Role{complaint.RoleDuty}}
	userCenter  = complaint.User{Login: "center1", Name: "陈坐席", Unit: "C", Roles: []complaint.Role{complaint.RoleCenter}}
)

// openTest opens a fresh database in a temporary directory.
func openTest(t testing.TB) *DB {
	t.Helper()
	db, err := Open(filepath.Join(t.TempDir(), "platform.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	db.SetClock(fixedClock)
	return db
}

// openFixture opens a database holding the fixture's units and users.
func openFixture(t testing.TB) *DB {
	t.Helper()
	db := openTest(t)
	ctx := context.Background()
	for _, u := range []complaint.Unit{unitCenter, unitPower, unitWater, subPower} {
		if err := db.AddUnit(ctx, u); err != nil {
			t.Fatal(err)
		}
	}
	for _, u := range []complaint.User{userDuty, userHandler, userWater, userCenter} {
		if err := db.AddUser(ctx, u, testPassword); err != nil {
			t.Fatal(err)
		}
	}
	return db
}

var (
	titles = []string{"小区物业费收费不合理", "夜间施工噪音扰民", "路灯不亮影响出行", "停电未提前通知", "自来水水质发黄"}
	texts  = []string{
		"业主投诉多次未处理，要求核实物业费收费标准。",
		"投诉内容：噪音扰民（夜间施工）。请处理，谢谢。",
		"来电人反映小区门口路灯已坏一周，夜间出行不便。",
		"来电人反映今日上午突然停电，事先没有任何通知。",
		"来电人反映家中自来水发黄，有异味，要求检测。",
	}
	callers = []string{"陈阿姨", "吉𠮷", "张先生", "王女士", "刘师傅"}
)

// ticketN builds ticket number i of unit: Chinese title and text, caller 吉𠮷
// when i%5 == 1 (so the first ticket of a batch from 1), times on 2024-03-14
// in China time.
func ticketN(unit string, i int) complaint.Ticket {
	recv := time.Date(2024, 3, 14, 8, 0, 0, 0, shanghai).Add(time.Duration(i) * time.Minute)
	return complaint.Ticket{
		Number:       fmt.Sprintf("GD2024%s%06d", unit, i),
		Title:        titles[i%len(titles)],
		Content:      texts[i%len(texts)],
		Caller:       callers[i%len(callers)],
		Phone:        fmt.Sprintf("138%08d", i),
		Address:      "杭州市上城区解放路" + fmt.Sprint(i) + "号",
		Category:     "投诉",
		ReceivedAt:   recv,
		DispatchedAt: recv.Add(10 * time.Minute),
		Deadline:     recv.Add(5 * 24 * time.Hour),
		Unit:         unit,
	}
}

// ticketsFor builds n tickets of unit, numbered from first.
func ticketsFor(unit string, first, n int) []complaint.Ticket {
	out := make([]complaint.Ticket, n)
	for i := range out {
		out[i] = ticketN(unit, first+i)
	}
	return out
}

func mustDispatch(t testing.TB, db *DB, ts []complaint.Ticket) Summary {
	t.Helper()
	sum, err := db.Dispatch(context.Background(), ts, "center1")
	if err != nil {
		t.Fatal(err)
	}
	return sum
}

func numbers(ts []complaint.Ticket) []string {
	out := make([]string, len(ts))
	for i, t := range ts {
		out[i] = t.Number
	}
	return out
}
