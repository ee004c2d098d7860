package platform

import (
	"context"
	"database/sql"
	"encoding/base64"
	"errors"
	"fmt"
	"net/netip"
	"strings"
	"time"
	"unicode"

	"hotline/complaint"
	"hotline/tunnel"
)

// Errors the administration functions wrap, for callers to tell apart with
// errors.Is.
var (
	ErrUnknown      = errors.New("unknown")
	ErrExists       = errors.New("already exists")
	ErrInvalid      = errors.New("invalid")
	ErrWeakPassword = errors.New("password too weak")
)

// Terminal is a registered terminal: its WireGuard public key and the tunnel
// address the platform gave it. RevokedAt is zero while it may connect.
type Terminal struct {
	Name      string
	User      string
	PublicKey string
	Address   netip.Addr
	CreatedAt time.Time
	RevokedAt time.Time
}

// knownRoles are the roles a user may be given.
var knownRoles = []complaint.Role{
	complaint.RoleCenter, complaint.RoleDuty, complaint.RoleHandler,
	complaint.RoleReviewer, complaint.RoleSupervisor, complaint.RoleAdmin,
}

// validName refuses empty names and names with spaces or control characters,
// which would be ambiguous on a command line and in logs.
func validName(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if unicode.IsSpace(r) || unicode.IsControl(r) {
			return false
		}
	}
	return true
}

// AddUnit adds the center, a unit or a sub-unit. A sub-unit's parent must be
// a unit; any parent must already exist.
func (db *DB) AddUnit(ctx context.Context, u complaint.Unit) error {
	if !validName(u.Code) {
		return fmt.Errorf("add unit: %w code %q", ErrInvalid, u.Code)
	}
	if strings.TrimSpace(u.Name) == "" {
		return fmt.Errorf("add unit %s: %w: empty name", u.Code, ErrInvalid)
	}
	switch u.Kind {
	case complaint.KindCenter, complaint.KindUnit, complaint.KindSubunit:
	default:
		return fmt.Errorf("add unit %s: %w kind %q (want center, unit or subunit)", u.Code, ErrInvalid, u.Kind)
	}
	if u.Kind == complaint.KindSubunit && u.Parent == "" {
		return fmt.Errorf("add unit %s: %w: a subunit needs a parent unit", u.Code, ErrInvalid)
	}
	if u.Policy != (complaint.Policy{}) && u.Kind != complaint.KindUnit {
		// Deadlines are the first-level unit's: its sub-units work to them.
		return fmt.Errorf("add unit %s: %w: a policy belongs to a first-level unit, not a %s", u.Code, ErrInvalid, u.Kind)
	}
	if err := validPolicy(u.Policy); err != nil {
		return fmt.Errorf("add unit %s: %w", u.Code, err)
	}
	policy, err := encodePolicy(u.Policy)
	if err != nil {
		return fmt.Errorf("add unit %s: %w", u.Code, err)
	}
	return db.write(ctx, false, func(tx *sql.Tx) error {
		if _, err := unitKind(ctx, tx, u.Code); err == nil {
			return fmt.Errorf("add unit %s: %w", u.Code, ErrExists)
		} else if !errors.Is(err, ErrUnknown) {
			return err
		}
		var parent any
		if u.Parent != "" {
			pk, err := unitKind(ctx, tx, u.Parent)
			if err != nil {
				return fmt.Errorf("add unit %s: parent: %w", u.Code, err)
			}
			if u.Kind == complaint.KindSubunit && pk != complaint.KindUnit {
				return fmt.Errorf("add unit %s: %w: parent %s is a %s, not a unit", u.Code, ErrInvalid, u.Parent, pk)
			}
			parent = u.Parent
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO units (code, name, kind, parent, phone, policy) VALUES (?, ?, ?, ?, ?, ?)`,
			u.Code, strings.TrimSpace(u.Name), string(u.Kind), parent, u.Phone, policy)
		if err != nil {
			return fmt.Errorf("add unit %s: %w", u.Code, err)
		}
		return nil
	})
}

type queryer interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// unitKind returns the kind of unit code, or an error wrapping ErrUnknown.
func unitKind(ctx context.Context, q queryer, code string) (complaint.UnitKind, error) {
	var k string
	err := q.QueryRowContext(ctx, `SELECT kind FROM units WHERE code = ?`, code).Scan(&k)
	if errNoRows(err) {
		return "", fmt.Errorf("%w unit %q", ErrUnknown, code)
	}
	if err != nil {
		return "", fmt.Errorf("unit %s: %w", code, err)
	}
	return complaint.UnitKind(k), nil
}

const unitCols = `code, name, kind, COALESCE(parent, ''), phone, policy`

func scanUnit(s interface{ Scan(...any) error }) (complaint.Unit, error) {
	var u complaint.Unit
	var policy string
	if err := s.Scan(&u.Code, &u.Name, &u.Kind, &u.Parent, &u.Phone, &policy); err != nil {
		return u, err
	}
	var err error
	u.Policy, err = decodePolicy(u.Code, policy)
	return u, err
}

// Units lists all units by code, each with its policy.
func (db *DB) Units(ctx context.Context) ([]complaint.Unit, error) {
	return listUnits(ctx, db.sql)
}

func listUnits(ctx context.Context, q queryer) ([]complaint.Unit, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+unitCols+` FROM units ORDER BY code`)
	if err != nil {
		return nil, fmt.Errorf("list units: %w", err)
	}
	defer rows.Close()
	var out []complaint.Unit
	for rows.Next() {
		u, err := scanUnit(rows)
		if err != nil {
			return nil, fmt.Errorf("list units: %w", err)
		}
		out = append(out, u)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list units: %w", err)
	}
	return out, nil
}

func unit(ctx context.Context, q queryer, code string) (complaint.Unit, error) {
	u, err := scanUnit(q.QueryRowContext(ctx, `SELECT `+unitCols+` FROM units WHERE code = ?`, code))
	if errNoRows(err) {
		return u, fmt.Errorf("%w unit %q", ErrUnknown, code)
	}
	if err != nil {
		return u, fmt.Errorf("unit %s: %w", code, err)
	}
	return u, nil
}

// AddUser adds a person who may log in, with the given password.
func (db *DB) AddUser(ctx context.Context, u complaint.User, password string) error {
	if !validName(u.Login) {
		return fmt.Errorf("add user: %w login %q", ErrInvalid, u.Login)
	}
	if strings.TrimSpace(u.Name) == "" {
		return fmt.Errorf("add user %s: %w: empty name", u.Login, ErrInvalid)
	}
	if len(u.Roles) == 0 {
		return fmt.Errorf("add user %s: %w: no role", u.Login, ErrInvalid)
	}
	for _, r := range u.Roles {
		ok := false
		for _, k := range knownRoles {
			ok = ok || r == k
		}
		if !ok {
			return fmt.Errorf("add user %s: %w role %q", u.Login, ErrInvalid, r)
		}
	}
	if err := checkPasswordStrength(u.Login, password); err != nil {
		return fmt.Errorf("add user %s: %w", u.Login, err)
	}
	hash, err := hashPassword(password)
	if err != nil {
		return fmt.Errorf("add user %s: %w", u.Login, err)
	}
	roles := make([]string, len(u.Roles))
	for i, r := range u.Roles {
		roles[i] = string(r)
	}
	return db.write(ctx, false, func(tx *sql.Tx) error {
		if _, err := unitKind(ctx, tx, u.Unit); err != nil {
			return fmt.Errorf("add user %s: %w", u.Login, err)
		}
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM users WHERE login = ?`, u.Login).Scan(&n); err != nil {
			return fmt.Errorf("add user %s: %w", u.Login, err)
		}
		if n > 0 {
			return fmt.Errorf("add user %s: %w", u.Login, ErrExists)
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO users (login, name, unit, roles, phone, password) VALUES (?, ?, ?, ?, ?, ?)`,
			u.Login, strings.TrimSpace(u.Name), u.Unit, strings.Join(roles, ","), u.Phone, hash)
		if err != nil {
			return fmt.Errorf("add user %s: %w", u.Login, err)
		}
		return nil
	})
}

// MobilePhone checks a user's mobile number, which SMS is sent to and
// group messages @mention, and gives it in the one form the senders
// take: a mainland number as its 11 digits (13812345678; "+86" taken
// off), any other as + and at most 15 digits (E.164: +85291234567).
// Spaces and dashes are dropped. "" stays "": no phone.
func MobilePhone(s string) (string, error) {
	p := strings.Map(func(r rune) rune {
		if r == ' ' || r == '-' || r == '\t' {
			return -1
		}
		return r
	}, s)
	if p == "" {
		return "", nil
	}
	digits, intl := strings.CutPrefix(p, "+")
	ok := digits != "" && strings.Trim(digits, "0123456789") == ""
	switch {
	case ok && intl && strings.HasPrefix(digits, "86") && mainland(digits[2:]):
		return digits[2:], nil
	case ok && intl && digits[0] != '0' && len(digits) >= 7 && len(digits) <= 15 && !strings.HasPrefix(digits, "86"):
		return "+" + digits, nil
	case ok && !intl && mainland(digits):
		return digits, nil
	}
	return "", fmt.Errorf("%w phone %q: want a mobile number, 11 digits starting with 1 (13812345678), or + with the country code (+85291234567); spaces and dashes are allowed", ErrInvalid, s)
}

// mainland reports a mainland mobile number: 11 digits, the first 1.
func mainland(digits string) bool { return len(digits) == 11 && digits[0] == '1' }

// SetPhone sets a user's mobile number (MobilePhone), or clears it with
// "": the user then gets no SMS and no @mention, only terminal alerts.
func (db *DB) SetPhone(ctx context.Context, login, phone string) error {
	p, err := MobilePhone(phone)
	if err != nil {
		return fmt.Errorf("set phone of %s: %w", login, err)
	}
	return db.write(ctx, false, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE users SET phone = ? WHERE login = ?`, p, login)
		if err != nil {
			return fmt.Errorf("set phone of %s: %w", login, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("set phone: %w user %q", ErrUnknown, login)
		}
		return nil
	})
}

// SetPassword replaces a user's password and ends the user's sessions.
func (db *DB) SetPassword(ctx context.Context, login, password string) error {
	if err := checkPasswordStrength(login, password); err != nil {
		return fmt.Errorf("set password of %s: %w", login, err)
	}
	hash, err := hashPassword(password)
	if err != nil {
		return fmt.Errorf("set password of %s: %w", login, err)
	}
	return db.write(ctx, false, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE users SET password = ? WHERE login = ?`, hash, login)
		if err != nil {
			return fmt.Errorf("set password of %s: %w", login, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("set password: %w user %q", ErrUnknown, login)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE user = ?`, login); err != nil {
			return fmt.Errorf("set password of %s: end sessions: %w", login, err)
		}
		return nil
	})
}

const userCols = `login, name, unit, roles, phone`

func scanUser(s interface{ Scan(...any) error }, extra ...any) (complaint.User, error) {
	var u complaint.User
	var roles string
	if err := s.Scan(append([]any{&u.Login, &u.Name, &u.Unit, &roles, &u.Phone}, extra...)...); err != nil {
		return u, err
	}
	for _, r := range strings.Split(roles, ",") {
		if r != "" {
			u.Roles = append(u.Roles, complaint.Role(r))
		}
	}
	return u, nil
}

// Users lists all users by login.
func (db *DB) Users(ctx context.Context) ([]complaint.User, error) {
	rows, err := db.sql.QueryContext(ctx, `SELECT `+userCols+` FROM users ORDER BY login`)
	if err != nil {
		return nil, fmt.Errorf("list users: %w", err)
	}
	defer rows.Close()
	var out []complaint.User
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, fmt.Errorf("list users: %w", err)
		}
		out = append(out, u)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list users: %w", err)
	}
	return out, nil
}

// AddTerminal registers a terminal of user userLogin with its WireGuard
// public key (base64, 32 bytes) and gives it the lowest address of network
// that no terminal has ever had. The network's first host address is the
// platform's own and is never given out.
func (db *DB) AddTerminal(ctx context.Context, name, userLogin string, publicKey string, network netip.Prefix) (Terminal, error) {
	return db.addTerminal(ctx, name, userLogin, publicKey, network, netip.Addr{}, false)
}

// AddTerminalAt is AddTerminal with the terminal's tunnel address chosen by
// the caller: a host address of network other than the platform's, which no
// terminal has ever had. The zero Addr picks the lowest free one.
func (db *DB) AddTerminalAt(ctx context.Context, name, userLogin string, publicKey string, network netip.Prefix, addr netip.Addr) (Terminal, error) {
	return db.addTerminal(ctx, name, userLogin, publicKey, network, addr, false)
}

// AddSiteTerminal registers a site terminal: one with no tunnel of its own,
// whose site's gateway routes its traffic to the platform's plain listener
// (ServiceConfig.Plain). addr is the terminal's own address on the site's
// network, outside the tunnel range network; as with a tunnel terminal, the
// platform knows it by that address alone, so no other terminal may ever
// have had it.
//
// The terminals table wants a unique public key for every terminal. A site
// terminal gets the public half of a key made here and thrown away: nobody
// holds the private half, so no tunnel can ever be made with it, and the
// table and everything that reads it stay as they are. A site terminal is
// told apart by its address (Terminal.Site); Service.SyncPeers puts no
// peer on the device for it.
func (db *DB) AddSiteTerminal(ctx context.Context, name, userLogin string, addr netip.Addr, network netip.Prefix) (Terminal, error) {
	if !addr.IsValid() {
		return Terminal{}, fmt.Errorf("add terminal %s: %w: a site terminal needs its address on the site's network", name, ErrInvalid)
	}
	k, err := tunnel.GenerateKey()
	if err != nil {
		return Terminal{}, fmt.Errorf("add terminal %s: %w", name, err)
	}
	return db.addTerminal(ctx, name, userLogin, k.Public().String(), network, addr, true)
}

// Site reports whether t is a site terminal of a platform whose tunnel range
// is network: its address lies outside the range.
func (t Terminal) Site(network netip.Prefix) bool { return !network.Contains(t.Address) }

// checkAddress refuses a chosen address that cannot be a terminal's: for a
// site terminal any unicast address outside the tunnel range, for a tunnel
// terminal a host address of the range other than the platform's.
func checkAddress(addr netip.Addr, network netip.Prefix, site bool) (netip.Addr, error) {
	if addr.Zone() != "" || addr.Unmap().IsUnspecified() || addr.Unmap().IsMulticast() {
		return addr, fmt.Errorf("%w address %s: want one host's address", ErrInvalid, addr)
	}
	// The platform sees an IPv4 peer as IPv4 (remoteIP), so it is kept so.
	addr = addr.Unmap()
	if site {
		if network.Contains(addr) {
			return addr, fmt.Errorf("%w address %s: it is in the tunnel range %s; a site terminal keeps its own address on the site's network", ErrInvalid, addr, network)
		}
		return addr, nil
	}
	broadcast := addr.Is4() && network.Bits() < 31 && !network.Contains(addr.Next())
	if !network.Contains(addr) || addr == network.Addr() || addr == Address(network) || broadcast {
		return addr, fmt.Errorf("%w address %s: want a host address of the tunnel range %s other than the platform's %s", ErrInvalid, addr, network, Address(network))
	}
	return addr, nil
}

func (db *DB) addTerminal(ctx context.Context, name, userLogin string, publicKey string, network netip.Prefix, chosen netip.Addr, site bool) (Terminal, error) {
	if !validName(name) {
		return Terminal{}, fmt.Errorf("add terminal: %w name %q", ErrInvalid, name)
	}
	if k, err := base64.StdEncoding.DecodeString(publicKey); err != nil || len(k) != 32 {
		return Terminal{}, fmt.Errorf("add terminal %s: %w public key %q: want 32 bytes in base64", name, ErrInvalid, publicKey)
	}
	if !network.IsValid() {
		return Terminal{}, fmt.Errorf("add terminal %s: %w tunnel network", name, ErrInvalid)
	}
	network = network.Masked()
	if chosen.IsValid() {
		var err error
		if chosen, err = checkAddress(chosen, network, site); err != nil {
			return Terminal{}, fmt.Errorf("add terminal %s: %w", name, err)
		}
	}
	t := Terminal{Name: name, User: userLogin, PublicKey: publicKey, CreatedAt: db.now().UTC()}
	err := db.write(ctx, false, func(tx *sql.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM users WHERE login = ?`, userLogin).Scan(&n); err != nil {
			return fmt.Errorf("add terminal %s: %w", name, err)
		}
		if n == 0 {
			return fmt.Errorf("add terminal %s: %w user %q", name, ErrUnknown, userLogin)
		}
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM terminals WHERE name = ? AND revoked_at = ''`, name).Scan(&n); err != nil {
			return fmt.Errorf("add terminal %s: %w", name, err)
		}
		if n > 0 {
			return fmt.Errorf("add terminal %s: %w", name, ErrExists)
		}
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM terminals WHERE public_key = ?`, publicKey).Scan(&n); err != nil {
			return fmt.Errorf("add terminal %s: %w", name, err)
		}
		if n > 0 {
			return fmt.Errorf("add terminal %s: public key %w (a key is never registered twice)", name, ErrExists)
		}
		if chosen.IsValid() {
			var holder string
			var revoked time.Time
			err := tx.QueryRowContext(ctx, `SELECT name, revoked_at FROM terminals WHERE address = ?`, chosen.String()).Scan(&holder, timeCol(&revoked))
			switch {
			case err == nil && revoked.IsZero():
				return fmt.Errorf("add terminal %s: address %s %w: terminal %s has it", name, chosen, ErrExists, holder)
			case err == nil:
				// See the terminals table: nothing bound to the old
				// holder may be taken for the new one's.
				return fmt.Errorf("add terminal %s: address %s %w: it was terminal %s's (revoked), and an address is never given to a second terminal", name, chosen, ErrExists, holder)
			case !errNoRows(err):
				return fmt.Errorf("add terminal %s: %w", name, err)
			}
			t.Address = chosen
		} else {
			used := map[netip.Addr]bool{}
			rows, err := tx.QueryContext(ctx, `SELECT address FROM terminals`)
			if err != nil {
				return fmt.Errorf("add terminal %s: %w", name, err)
			}
			for rows.Next() {
				var s string
				if err := rows.Scan(&s); err != nil {
					rows.Close()
					return fmt.Errorf("add terminal %s: %w", name, err)
				}
				if a, err := netip.ParseAddr(s); err == nil {
					used[a] = true
				}
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return fmt.Errorf("add terminal %s: %w", name, err)
			}
			t.Address = freeAddress(network, used)
			if !t.Address.IsValid() {
				return fmt.Errorf("add terminal %s: tunnel network %s has no free address", name, network)
			}
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO terminals (name, user, public_key, address, created_at) VALUES (?, ?, ?, ?, ?)`,
			name, userLogin, publicKey, t.Address.String(), dbTime(t.CreatedAt))
		if err != nil {
			return fmt.Errorf("add terminal %s: %w", name, err)
		}
		return nil
	})
	if err != nil {
		return Terminal{}, err
	}
	return t, nil
}

// freeAddress returns the lowest host address of network after the
// platform's (the first host address) that is not in used, or the zero Addr.
func freeAddress(network netip.Prefix, used map[netip.Addr]bool) netip.Addr {
	a := network.Addr().Next() // the platform's
	for a = a.Next(); a.IsValid() && network.Contains(a); a = a.Next() {
		if a.Is4() && network.Bits() < 31 && !network.Contains(a.Next()) {
			break // the IPv4 broadcast address
		}
		if !used[a] {
			return a
		}
	}
	return netip.Addr{}
}

// Terminals lists all terminals, revoked ones included, in the order they
// were added.
func (db *DB) Terminals(ctx context.Context) ([]Terminal, error) {
	rows, err := db.sql.QueryContext(ctx, `SELECT name, user, public_key, address, created_at, revoked_at FROM terminals ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("list terminals: %w", err)
	}
	defer rows.Close()
	var out []Terminal
	for rows.Next() {
		var t Terminal
		var addr string
		if err := rows.Scan(&t.Name, &t.User, &t.PublicKey, &addr, timeCol(&t.CreatedAt), timeCol(&t.RevokedAt)); err != nil {
			return nil, fmt.Errorf("list terminals: %w", err)
		}
		if t.Address, err = netip.ParseAddr(addr); err != nil {
			return nil, fmt.Errorf("list terminals: %s: %w", t.Name, err)
		}
		out = append(out, t)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list terminals: %w", err)
	}
	return out, nil
}

// RevokeTerminal stops the active terminal called name from using the
// platform, at once: its sessions end and requests from its address are
// refused. Removing its peer from the tunnel is the caller's part.
func (db *DB) RevokeTerminal(ctx context.Context, name string) error {
	return db.write(ctx, false, func(tx *sql.Tx) error {
		var addr string
		err := tx.QueryRowContext(ctx, `SELECT address FROM terminals WHERE name = ? AND revoked_at = ''`, name).Scan(&addr)
		if errNoRows(err) {
			return fmt.Errorf("revoke terminal: %w active terminal %q", ErrUnknown, name)
		}
		if err != nil {
			return fmt.Errorf("revoke terminal %s: %w", name, err)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE terminals SET revoked_at = ? WHERE address = ?`, dbTime(db.now()), addr); err != nil {
			return fmt.Errorf("revoke terminal %s: %w", name, err)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE ip = ?`, addr); err != nil {
			return fmt.Errorf("revoke terminal %s: end sessions: %w", name, err)
		}
		return nil
	})
}
