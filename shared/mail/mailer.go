package mail

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"sync"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/smithy-go"

	"keycare/shared/queue"
)

// SES sends a message from an address (shared/ses on Amazon SES v2).
type SES interface {
	Send(ctx context.Context, from string, m Message) error
}

// SentLog remembers which message ids were sent, so that a redelivered
// message is not mailed twice.
type SentLog interface {
	Sent(ctx context.Context, id string) (bool, error)
	MarkSent(ctx context.Context, id string, at time.Time) error
}

// Visibility is the part of the SQS client the mailer uses to make a failed
// message wait before its next try.
type Visibility interface {
	ChangeMessageVisibility(ctx context.Context, in *sqs.ChangeMessageVisibilityInput, opts ...func(*sqs.Options)) (*sqs.ChangeMessageVisibilityOutput, error)
}

// Mailer is the MailerFunction: it consumes the mail queue and sends each
// message through SES v2. A message that fails is reported alone; SQS retries
// it and, after maxReceiveCount, moves it to the dead-letter queue. A message
// that failed to send (SES or the table unavailable) waits Backoff before its
// next try, so the queue's receives span an outage of hours; a message that
// can never be sent (malformed, invalid) is retried at once and reaches the
// dead-letter queue in seconds.
type Mailer struct {
	SES  SES
	From string
	Sent SentLog
	Now  func() time.Time
	// Queue and QueueURL set a failed message's visibility; nil: SQS's
	// visibility timeout applies.
	Queue    Visibility
	QueueURL string
	// Backoff is the wait after the n-th failed receive; nil: mail.Backoff.
	Backoff func(receiveCount int) time.Duration
	// Parts holds the attachments jobs carry by reference (mail.Fit).
	Parts Parts
	// SendTimeout bounds one message (SES may hang instead of failing);
	// zero: DefaultSendTimeout.
	SendTimeout time.Duration
	// Interval is this mailer's share of SES's send rate, per recipient
	// (SES counts recipients, not messages): after a message to n
	// recipients the next send waits n × Interval; zero: no pacing.
	Interval time.Duration

	paceMu sync.Mutex
	next   time.Time // the earliest next send
}

// pace waits until SES's rate allows the next send, as long as the
// invocation then still has per (and the time to answer) left; otherwise
// it returns errNoTime at once.
func (m *Mailer) pace(ctx context.Context, per time.Duration) error {
	m.paceMu.Lock()
	wait := time.Until(m.next)
	m.paceMu.Unlock()
	if dl, ok := ctx.Deadline(); ok && time.Until(dl)-max(wait, 0) < per+reportReserve {
		return errNoTime
	}
	if wait <= 0 {
		return nil
	}
	t := time.NewTimer(wait)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// sent notes a message sent to n recipients: the next send waits n × Interval.
func (m *Mailer) sent(n int) {
	if m.Interval <= 0 {
		return
	}
	m.paceMu.Lock()
	defer m.paceMu.Unlock()
	m.next = time.Now().Add(time.Duration(max(n, 1)) * m.Interval)
}

// DefaultSendTimeout bounds the handling of one message. Before each
// message the mailer checks that the invocation has that much time left,
// and a bit to report: the messages it has no time for are failed with the
// backoff, as a failed send is, instead of the whole batch timing out and
// coming back after the queue's visibility timeout with no backoff (which
// would reach the dead-letter queue within about an hour of a hanging SES).
const DefaultSendTimeout = 10 * time.Second

// reportReserve is the time kept at the end of an invocation to back off
// the messages not handled and answer the batch.
const reportReserve = 3 * time.Second

// errNoTime marks a message the invocation had no time left for.
var errNoTime = errors.New("mail: no time left in this invocation")

// Backoff is the wait before the next try of a message whose n-th receive
// failed to send: 1 minute, doubling, at most 2 hours. With the mail queue's
// maxReceiveCount of 10, a message is tried over about 6 hours
// (BackoffSpan(10)) before it reaches the dead-letter queue.
func Backoff(receiveCount int) time.Duration {
	d := time.Minute
	for i := 1; i < receiveCount && d < 2*time.Hour; i++ {
		d *= 2
	}
	return min(d, 2*time.Hour)
}

// BackoffSpan is how long after its first try a message is tried the last
// time, when each of maxReceiveCount receives fails: the longest SES outage
// a message survives without reaching the dead-letter queue.
func BackoffSpan(backoff func(int) time.Duration, maxReceiveCount int) time.Duration {
	var d time.Duration
	for n := 1; n < maxReceiveCount; n++ {
		d += backoff(n)
	}
	return d
}

// errPermanent marks a message that no retry can send.
var errPermanent = errors.New("mail: cannot be sent")

// ErrorCode names what went wrong in an AWS call without its text, which
// may hold personal data (SES names the recipient): the API's error code,
// or whether the call was cancelled or never reached the service.
func ErrorCode(err error) string {
	var ae smithy.APIError
	switch {
	case errors.As(err, &ae):
		return ae.ErrorCode()
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return "Timeout"
	}
	return "Unreachable"
}

// Handle processes one SQS batch.
func (m *Mailer) Handle(ctx context.Context, ev events.SQSEvent) (events.SQSEventResponse, error) {
	per := m.SendTimeout
	if per <= 0 {
		per = DefaultSendTimeout
	}
	return queue.EachRecord(ctx, ev, func(ctx context.Context, rec events.SQSMessage) error {
		if err := m.pace(ctx, per); err != nil {
			slog.WarnContext(ctx, "mail: not tried in this invocation; retry later", "messageId", rec.MessageId, "reason", err.Error())
			m.delay(ctx, rec, err)
			return err
		}
		one, cancel := context.WithTimeout(ctx, per)
		err := m.handle(one, rec)
		cancel()
		if err != nil {
			m.delay(ctx, rec, err)
		}
		return err
	}), nil
}

// delay sets how long a failed message stays invisible: Backoff after a
// failed send, nothing for a message no retry can send.
func (m *Mailer) delay(ctx context.Context, rec events.SQSMessage, cause error) {
	if m.Queue == nil || m.QueueURL == "" || rec.ReceiptHandle == "" {
		return
	}
	var wait time.Duration
	if !errors.Is(cause, errPermanent) {
		n, _ := strconv.Atoi(rec.Attributes["ApproximateReceiveCount"])
		backoff := m.Backoff
		if backoff == nil {
			backoff = Backoff
		}
		wait = backoff(max(n, 1))
	}
	secs := int32((wait + time.Second - 1) / time.Second) // SQS counts whole seconds
	if wait > 0 && wait < time.Second {
		secs = 1
	}
	if _, err := m.Queue.ChangeMessageVisibility(ctx, &sqs.ChangeMessageVisibilityInput{
		QueueUrl: aws.String(m.QueueURL), ReceiptHandle: aws.String(rec.ReceiptHandle), VisibilityTimeout: secs,
	}); err != nil {
		slog.WarnContext(ctx, "mail: backoff not set; the queue's visibility timeout applies", "messageId", rec.MessageId, "err", err.Error())
		return
	}
	slog.InfoContext(ctx, "mail: retry later", "messageId", rec.MessageId, "receiveCount", rec.Attributes["ApproximateReceiveCount"], "waitSeconds", secs)
}

func (m *Mailer) handle(ctx context.Context, rec events.SQSMessage) error {
	var msg Message
	if err := json.Unmarshal([]byte(rec.Body), &msg); err != nil {
		slog.ErrorContext(ctx, "mail: malformed message", "messageId", rec.MessageId, "err", err.Error())
		return fmt.Errorf("%w: malformed message: %v", errPermanent, err)
	}
	if err := msg.Validate(); err != nil {
		slog.ErrorContext(ctx, "mail: invalid message", "messageId", rec.MessageId, "err", err.Error())
		return fmt.Errorf("%w: %v", errPermanent, err)
	}
	if sent, err := m.Sent.Sent(ctx, msg.ID); err != nil {
		return err
	} else if sent {
		slog.InfoContext(ctx, "mail: duplicate skipped", "mailId", msg.ID, "kind", msg.Kind)
		return nil
	}
	msg, err := resolve(ctx, m.Parts, msg)
	if err != nil { // the table unavailable (or a part not yet readable): try again after the backoff
		slog.WarnContext(ctx, "mail: attachment unavailable", "mailId", msg.ID, "err", err.Error())
		return err
	}
	err = m.SES.Send(ctx, m.From, msg)
	m.sent(len(msg.To))
	if err != nil {
		// SES's error text names the recipient: only its code is logged
		// or passed on.
		code := ErrorCode(err)
		slog.WarnContext(ctx, "mail: send failed", "mailId", msg.ID, "kind", msg.Kind, "code", code)
		return fmt.Errorf("mail: send %s: %s", msg.ID, code)
	}
	if err := m.Sent.MarkSent(ctx, msg.ID, m.Now()); err != nil {
		// Sent but not marked: a redelivery could send it again; better twice than never.
		slog.WarnContext(ctx, "mail: sent but not marked", "mailId", msg.ID, "err", err.Error())
	}
	slog.InfoContext(ctx, "mail: sent", "mailId", msg.ID, "kind", msg.Kind)
	return nil
}
