package main

import (
	"net/netip"
	"strings"

	"hotline/tui"
	"hotline/tunnel"
)

// stateWord is the tunnel's one-glance state as the status bar and the
// settings screen say it.
func stateWord(st tunnel.Status) string {
	switch st.Link.State {
	case tunnel.LinkUp:
		return "已连接"
	case tunnel.LinkConnecting:
		return "正在连接"
	case tunnel.LinkRecovering:
		return "正在恢复"
	case tunnel.LinkDown:
		return "无法连接"
	}
	for _, p := range st.Peers {
		if !p.LastHandshake.IsZero() {
			// A session that expired with nothing to send: the next
			// request brings it back.
			return "空闲"
		}
	}
	return "未连接"
}

// linkInfo is the tunnel for the settings screen.
func (t *terminal) linkInfo() tui.Link {
	if t.dev == nil {
		return tui.Link{Tunnel: false, State: "本单位网络", Platform: t.settings.Platform}
	}
	st := t.dev.Status()
	l := tui.Link{
		Tunnel:       true,
		State:        stateWord(st),
		Platform:     t.settings.Platform,
		PublicKey:    st.PublicKey.String(),
		ListenPort:   st.ListenPort,
		MTU:          st.MTU,
		ResolvedAt:   st.Link.ResolvedAt,
		InitiationAt: st.Link.InitiationAt,
		Initiations:  st.Link.Initiations,
		ResponseAt:   st.Link.ResponseAt,
		DataAt:       st.Link.DataAt,
	}
	var addrs []string
	for _, a := range st.Addresses {
		addrs = append(addrs, a.String())
	}
	l.Address = strings.Join(addrs, ", ")
	if len(st.Peers) > 0 {
		p := st.Peers[0]
		l.Endpoint, l.Handshake, l.Rx, l.Tx, l.Keepalive = p.Configured, p.LastHandshake, p.RxBytes, p.TxBytes, p.Keepalive
		if ap, err := netip.ParseAddrPort(p.Endpoint); err == nil {
			l.EndpointIP = ap.Addr().String()
		}
	}
	for _, e := range st.Link.Errors {
		l.Errors = append(l.Errors, tui.LinkError{At: e.At, Text: faultText(e)})
	}
	return l
}

// faultText says a tunnel fault in plain Chinese, with the system's own
// words after it for whoever supports the officer.
func faultText(e tunnel.LinkError) string {
	switch e.Kind {
	case tunnel.ErrResolve:
		return "找不到平台地址（域名解析失败），请检查本机网络和 DNS：" + e.Err
	case tunnel.ErrSend:
		return "本机发不出数据（网络断开或没有路由），请检查网线或无线网络：" + e.Err
	case tunnel.ErrNoAnswer:
		return "平台没有应答，正在重新握手：平台可能在重启，或 UDP 被拦截"
	case tunnel.ErrRequest:
		return "请求未完成（" + requestCause(e.Err) + "），稍后自动重试：" + e.Err
	}
	return e.Err
}

func requestCause(msg string) string {
	switch {
	case strings.Contains(msg, "timeout"), strings.Contains(msg, "deadline exceeded"):
		return "超时"
	case strings.Contains(msg, "reset"), strings.Contains(msg, "refused"), strings.Contains(msg, "EOF"):
		return "连接被断开"
	}
	return "网络错误"
}
