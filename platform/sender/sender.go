// Package sender delivers one notification on one channel: SMS through the
// providers' HTTP APIs, group robots (WeCom, DingTalk, Feishu), a generic
// HTTP gateway. Each sender only sends; storing, retrying, deduplicating and
// rate-limiting are the notify package's.
package sender

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Param is one named value of an SMS template. Order matters: some
// providers (Tencent) take the values as a list in the template's order.
type Param struct {
	Name  string
	Value string
}

// Message is one notification to send.
type Message struct {
	// ID is the notification's own id; senders that can pass a caller's
	// reference to the provider (Aliyun's OutId, Tencent's SessionContext)
	// pass it, so a delivery can be traced on both sides.
	ID string
	// Phone is the recipient's mobile number for SMS (11 digits, mainland).
	Phone string
	// Template and Params are for SMS providers: the approved template's
	// code (Aliyun "SMS_123", Tencent "1234567") and its values.
	Template string
	Params   []Param
	// Text is the whole message as shown to people: the body of group
	// robot messages and of gateway requests.
	Text string
	// Title is a markdown message's title (DingTalk, Feishu card header).
	Title string
	// Markdown sends Text as markdown where the channel has it.
	Markdown bool
	// Mention are mobile numbers to @ in a group message.
	Mention []string
}

// Sender sends messages on one channel.
type Sender interface {
	// Channel is the channel's name in settings and logs ("aliyun",
	// "tencent", "gateway", "wecom", "dingtalk", "feishu").
	Channel() string
	// Send delivers m once. A nil error means the provider accepted it.
	Send(ctx context.Context, m Message) error
}

// Error is a provider's refusal or a failure to reach it.
type Error struct {
	Channel string
	// Temporary says a later try may succeed: network failures, 5xx,
	// the provider's throttling codes. Anything else (bad signature,
	// unknown template, invalid number) fails the same way again.
	Temporary bool
	// RetryAfter is the wait the provider asked for, if it said.
	RetryAfter time.Duration
	Status     int    // HTTP status, 0 when there was no answer
	Code       string // the provider's error code
	Message    string // the provider's message
	Err        error  // the underlying error, if any
}

func (e *Error) Error() string {
	s := e.Channel + ": "
	if e.Status != 0 {
		s += fmt.Sprintf("HTTP %d ", e.Status)
	}
	if e.Code != "" {
		s += e.Code + " "
	}
	s += e.Message
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

func (e *Error) Unwrap() error { return e.Err }

// Temporary reports whether err may go away when sent again later. An
// error that is not an *Error (a cancelled context, say) counts as
// temporary: nothing says the message is wrong.
func Temporary(err error) bool {
	var e *Error
	if errors.As(err, &e) {
		return e.Temporary
	}
	return err != nil
}
