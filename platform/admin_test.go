package platform

import (
	"context"
	"errors"
	"net/netip"
	"reflect"
	"regexp"
	"testing"
	"time"

	"hotline/complaint"
)

func TestAddUnit(t *testing.T) {
	db := openFixture(t)
	ctx := context.Background()
	tests := []struct {
		name    string
		unit    complaint.Unit
		wantErr error
		wantMsg string
	}{
		{"duplicate code", complaint.Unit{Code: "U1", Name: "又一个供电公司", Kind: complaint.KindUnit}, ErrExists, "add unit U1: already exists"},
		{"unknown parent", complaint.Unit{Code: "U9-01", Name: "某所", Kind: complaint.KindSubunit, Parent: "U9"}, ErrUnknown, `add unit U9-01: parent: unknown unit "U9"`},
		{"subunit without parent", complaint.Unit{Code: "S", Name: "某所", Kind: complaint.KindSubunit}, ErrInvalid, "add unit S: invalid: a subunit needs a parent unit"},
		{"subunit under a subunit", complaint.Unit{Code: "S", Name: "某所", Kind: complaint.KindSubunit, Parent: "U1-01"}, ErrInvalid, "add unit S: invalid: parent U1-01 is a subunit, not a unit"},
		{"bad kind", complaint.Unit{Code: "X", Name: "某单位", Kind: "office"}, ErrInvalid, `add unit X: invalid kind "office" (want center, unit or subunit)`},
		{"empty code", complaint.Unit{Name: "某单位", Kind: complaint.KindUnit}, ErrInvalid, `add unit: invalid code ""`},
		{"empty name", complaint.Unit{Code: "X", Name: " ", Kind: complaint.KindUnit}, ErrInvalid, "add unit X: invalid: empty name"},
		{"ok", complaint.Unit{Code: "U2-01", Name: "城西水务所", Kind: complaint.KindSubunit, Parent: "U2"}, nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := db.AddUnit(ctx, tt.unit)
			if !errors.Is(err, tt.wantErr) || (err != nil && err.Error() != tt.wantMsg) {
				t.Errorf("AddUnit = %v, want %q (%v)", err, tt.wantMsg, tt.wantErr)
			}
		})
	}
	units, err := db.Units(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := []complaint.Unit{unitCenter, unitPower, subPower, unitWater,
		{Code: "U2-01", Name: "城西水务所", Kind: complaint.KindSubunit, Parent: "U2"}}
	if !reflect.DeepEqual(units, want) {
		t.Errorf("Units = %+v\nwant %+v", units, want)
	}
}

func TestAddUser(t *testing.T) {
	db := openFixture(t)
	ctx := context.Background()
	roles := []complaint.Role{complaint.RoleHandler}
	tests := []struct {
		name     string
		user     complaint.User
		password string
		wantErr  error
		wantMsg  string
	}{
		{"unknown unit", complaint.User{Login: "li", Name: "李四", Unit: "U9", Roles: roles}, testPassword, ErrUnknown, `add user li: unknown unit "U9"`},
		{"duplicate login", complaint.User{Login: "duty1", Name: "王二", Unit: "U1", Roles: roles}, testPassword, ErrExists, "add user duty1: already exists"},
		{"empty password", complaint.User{Login: "li", Name: "李四", Unit: "U1", Roles: roles}, "  ", ErrWeakPassword, "add user li: password too weak: empty"},
		{"short password", complaint.User{Login: "li", Name: "李四", Unit: "U1", Roles: roles}, "吉𠮷1234", ErrWeakPassword, "add user li: password too weak: shorter than 8 characters"},
		{"password is the login", complaint.User{Login: "zhangsan", Name: "张三", Unit: "U1", Roles: roles}, "ZhangSan", ErrWeakPassword, "add user zhangsan: password too weak: same as the login"},
		{"unknown role", complaint.User{Login: "li", Name: "李四", Unit: "U1", Roles: []complaint.Role{"boss"}}, testPassword, ErrInvalid, `add user li: invalid role "boss"`},
		{"no role", complaint.User{Login: "li", Name: "李四", Unit: "U1"}, testPassword, ErrInvalid, "add user li: invalid: no role"},
		{"login with a space", complaint.User{Login: "li si", Name: "李四", Unit: "U1", Roles: roles}, testPassword, ErrInvalid, `add user: invalid login "li si"`},
		{"ok, 8 characters with 𠮷", complaint.User{Login: "ji", Name: "吉𠮷", Unit: "U1", Roles: []complaint.Role{complaint.RoleHandler, complaint.RoleReviewer}, Phone: "13800000000"}, "吉𠮷密码吉𠮷密码", nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := db.AddUser(ctx, tt.user, tt.password)
			if !errors.Is(err, tt.wantErr) || (err != nil && err.Error() != tt.wantMsg) {
				t.Errorf("AddUser = %v, want %q (%v)", err, tt.wantMsg, tt.wantErr)
			}
		})
	}
	users, err := db.Users(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := []complaint.User{userCenter, userDuty, userWater, userHandler,
		{Login: "ji", Name: "吉𠮷", Unit: "U1", Roles: []complaint.Role{complaint.RoleHandler, complaint.RoleReviewer}, Phone: "13800000000"}}
	if !reflect.DeepEqual(users, want) {
		t.Errorf("Users = %+v\nwant %+v", users, want)
	}

	if err := db.SetPassword(ctx, "nobody", testPassword); !errors.Is(err, ErrUnknown) || err.Error() != `set password: unknown user "nobody"` {
		t.Errorf("SetPassword of unknown user = %v", err)
	}
	if err := db.SetPassword(ctx, "duty1", "short"); !errors.Is(err, ErrWeakPassword) {
		t.Errorf("SetPassword short = %v, want ErrWeakPassword", err)
	}
}

func TestPasswordHash(t *testing.T) {
	saved := hashParams
	hashParams = argonParams{memory: 64 * 1024, time: 3, threads: 2, saltLen: 16, keyLen: 32}
	defer func() { hashParams = saved }()

	h, err := hashPassword(testPassword)
	if err != nil {
		t.Fatal(err)
	}
	phc := regexp.MustCompile(`^\$argon2id\$v=19\$m=65536,t=3,p=2\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$`)
	if !phc.MatchString(h) {
		t.Errorf("hash %q is not an argon2id PHC string with the default settings", h)
	}
	tests := []struct {
		hash, password string
		want           bool
		wantErr        bool
	}{
		{h, testPassword, true, false},
		{h, testPassword + " ", false, false},
		{h, "", false, false},
		{"$argon2i$v=19$m=64,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2g", testPassword, false, true},
		{"$argon2id$v=19$m=4194304,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2g", testPassword, false, true}, // 4 GiB: refused
		{"plain", testPassword, false, true},
	}
	for i, tt := range tests {
		got, err := checkPassword(tt.hash, tt.password)
		if got != tt.want || (err != nil) != tt.wantErr {
			t.Errorf("%d: checkPassword = %v, %v; want %v, error %v", i, got, err, tt.want, tt.wantErr)
		}
	}
}

const (
	keyA = "xTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8Dg="
	keyB = "HIgo9xNzJMWLKASShiTqIybxZ0U3wGLiUeJ1PKf8ykw="
	keyC = "TrMvSoP4jYQlY6RIzBgbssQqY3vxI2Pi+y71lOWWXX0="
	keyD = "gN65BkIKy1eCE9pP1wdc8ROUtkHLF2PfAqYdyYBz6EA="
)

func TestTerminals(t *testing.T) {
	db := openFixture(t)
	ctx := context.Background()
	add := func(name, user, key string, network netip.Prefix) (Terminal, error) {
		return db.AddTerminal(ctx, name, user, key, network)
	}
	created := clockAt.UTC()

	a, err := add("值班台1", "duty1", keyA, tunnelNet)
	if err != nil {
		t.Fatal(err)
	}
	b, err := add("承办台", "handler1", keyB, tunnelNet)
	if err != nil {
		t.Fatal(err)
	}
	wantA := Terminal{Name: "值班台1", User: "duty1", PublicKey: keyA, Address: netip.MustParseAddr("10.77.0.2"), CreatedAt: created}
	wantB := Terminal{Name: "承办台", User: "handler1", PublicKey: keyB, Address: netip.MustParseAddr("10.77.0.3"), CreatedAt: created}
	if a != wantA || b != wantB {
		t.Errorf("AddTerminal = %+v, %+v\nwant %+v, %+v", a, b, wantA, wantB)
	}

	revokedAt := clockAt.Add(time.Hour)
	db.SetClock(func() time.Time { return revokedAt })
	if err := db.RevokeTerminal(ctx, "值班台1"); err != nil {
		t.Fatal(err)
	}
	if err := db.RevokeTerminal(ctx, "值班台1"); !errors.Is(err, ErrUnknown) || err.Error() != `revoke terminal: unknown active terminal "值班台1"` {
		t.Errorf("revoke twice = %v", err)
	}
	// The name is free again; the revoked address is not.
	c, err := add("值班台1", "duty1", keyC, tunnelNet)
	if err != nil {
		t.Fatal(err)
	}
	if c.Address != netip.MustParseAddr("10.77.0.4") {
		t.Errorf("address after a revocation = %v, want 10.77.0.4", c.Address)
	}

	errTests := []struct {
		name, term, user, key string
		network               netip.Prefix
		wantErr               error
		wantMsg               string
	}{
		{"active name", "承办台", "handler1", keyD, tunnelNet, ErrExists, "add terminal 承办台: already exists"},
		{"key of a revoked terminal", "新终端", "duty1", keyA, tunnelNet, ErrExists, "add terminal 新终端: public key already exists (a key is never registered twice)"},
		{"unknown user", "新终端", "nobody", keyD, tunnelNet, ErrUnknown, `add terminal 新终端: unknown user "nobody"`},
		{"bad key", "新终端", "duty1", "bm90IGEga2V5", tunnelNet, ErrInvalid, `add terminal 新终端: invalid public key "bm90IGEga2V5": want 32 bytes in base64`},
		{"network full", "新终端", "duty1", keyD, netip.MustParsePrefix("10.77.0.0/29"), nil, "add terminal 新终端: tunnel network 10.77.0.0/29 has no free address"},
	}
	// Fill 10.77.0.5 and .6 of the /29 (.7 is its broadcast).
	for i, k := range []string{"Y2xpZW50LWtleS0wMDAwMDAwMDAwMDAwMDAwMDAwMDE=", "Y2xpZW50LWtleS0wMDAwMDAwMDAwMDAwMDAwMDAwMDI="} {
		if _, err := add("填充"+string(rune('A'+i)), "duty2", k, netip.MustParsePrefix("10.77.0.0/29")); err != nil {
			t.Fatal(err)
		}
	}
	for _, tt := range errTests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := add(tt.term, tt.user, tt.key, tt.network)
			if err == nil || (tt.wantErr != nil && !errors.Is(err, tt.wantErr)) || err.Error() != tt.wantMsg {
				t.Errorf("AddTerminal = %v, want %q", err, tt.wantMsg)
			}
		})
	}

	list, err := db.Terminals(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, x := range list {
		got = append(got, x.Name+" "+x.Address.String()+" "+dbTime(x.RevokedAt))
	}
	want := []string{
		"值班台1 10.77.0.2 2024-03-15T02:00:00.000000000Z",
		"承办台 10.77.0.3 ",
		"值班台1 10.77.0.4 ",
		"填充A 10.77.0.5 ",
		"填充B 10.77.0.6 ",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Terminals = %q\nwant %q", got, want)
	}
	if !list[0].RevokedAt.Equal(revokedAt) || !list[0].CreatedAt.Equal(clockAt) {
		t.Errorf("first terminal times = %v, %v", list[0].CreatedAt, list[0].RevokedAt)
	}
}

func TestFreeAddress(t *testing.T) {
	used := map[netip.Addr]bool{netip.MustParseAddr("10.0.0.2"): true}
	tests := []struct {
		network string
		want    string
	}{
		{"10.0.0.0/24", "10.0.0.3"},
		{"10.0.0.9/24", "10.0.0.3"}, // unmasked prefix
		{"10.0.0.0/30", "invalid IP"},
		{"fd77::/64", "fd77::2"},
	}
	for _, tt := range tests {
		got := freeAddress(netip.MustParsePrefix(tt.network).Masked(), used)
		if got.String() != tt.want {
			t.Errorf("freeAddress(%s) = %s, want %s", tt.network, got, tt.want)
		}
	}
}
