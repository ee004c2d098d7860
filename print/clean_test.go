package print

import "testing"

func TestClean(t *testing.T) {
	tests := []struct{ in, want string }{
		{"市民投诉", "市民投诉"},
		{"红色\x1b[31m警告\x1b[0m", "红色警告"},
		{"标题\x1b]0;pwned\x07改了", "标题改了"},
		{"剪贴板\x1b]52;c;aGk=\x1b\\写入", "剪贴板写入"},
		{"八位\u009b2J清屏", "八位清屏"},
		{"八位\u009d0;x\u009c标题", "八位标题"},
		{"字符集\x1b(B切换", "字符集切换"},
		{"重置\x1bc完", "重置完"},
		{"响铃\a退格\b删除\x7f", "响铃退格删除"},
		{"C1\u0085下一行", "C1\n下一行"},
		{"一\r\n二\r三", "一\n二\n三"},
		{"缩\t进", "缩 进"},
		{"\u202e反向\u202c文字\u2067隔离\u2069", "反向文字隔离"},
		{"坏\xff字节", "坏\ufffd字节"},
		{"𠮷野家", "𠮷野家"},
		{"截断\x1b[31", "截断"},
		{"未完\x1b]0;标题", "未完"},
	}
	for _, tt := range tests {
		if got := Clean(tt.in); got != tt.want {
			t.Errorf("Clean(%q) = %q, want %q", tt.in, got, tt.want)
		}
		if got := Clean(Clean(tt.in)); got != tt.want {
			t.Errorf("Clean(Clean(%q)) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestTidy(t *testing.T) {
	tests := []struct{ in, want string }{
		{"\n\t\t\t\t\t\n\t\t\t\t\t2019年4月以来，\n\n\n\t物业\t\n\t\t\t\t", "2019年4月以来，\n\n物业"},
		{"\u3000\u3000您好！", "\u3000\u3000您好！"},
		{"  ", ""},
	}
	for _, tt := range tests {
		if got := tidy(tt.in); got != tt.want {
			t.Errorf("tidy(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
