package mail

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	"github.com/aws/aws-sdk-go-v2/service/sesv2/types"
	"github.com/aws/smithy-go"

	"keycare/shared/queue"
)

// SES is the part of the SES v2 client the mailer uses.
type SES interface {
	SendEmail(ctx context.Context, in *sesv2.SendEmailInput, opts ...func(*sesv2.Options)) (*sesv2.SendEmailOutput, error)
}

// SentLog remembers which message ids were sent, so that a redelivered
// message is not mailed twice.
type SentLog interface {
	Sent(ctx context.Context, id string) (bool, error)
	MarkSent(ctx context.Context, id string, at time.Time) error
}

// Mailer is the MailerFunction: it consumes the mail queue and sends each
// message through SES v2. A message that fails is reported alone; SQS retries
// it and, after maxReceiveCount, moves it to the dead-letter queue.
type Mailer struct {
	SES  SES
	From string
	Sent SentLog
	Now  func() time.Time
}

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
	return queue.EachRecord(ctx, ev, m.handle), nil
}

func (m *Mailer) handle(ctx context.Context, rec events.SQSMessage) error {
	var msg Message
	if err := json.Unmarshal([]byte(rec.Body), &msg); err != nil {
		slog.ErrorContext(ctx, "mail: malformed message", "messageId", rec.MessageId, "err", err.Error())
		return fmt.Errorf("mail: malformed message: %w", err)
	}
	if err := msg.Validate(); err != nil {
		slog.ErrorContext(ctx, "mail: invalid message", "messageId", rec.MessageId, "err", err.Error())
		return err
	}
	if sent, err := m.Sent.Sent(ctx, msg.ID); err != nil {
		return err
	} else if sent {
		slog.InfoContext(ctx, "mail: duplicate skipped", "mailId", msg.ID, "kind", msg.Kind)
		return nil
	}
	_, err := m.SES.SendEmail(ctx, &sesv2.SendEmailInput{
		FromEmailAddress: aws.String(m.From),
		Destination:      &types.Destination{ToAddresses: msg.To},
		Content: &types.EmailContent{Simple: &types.Message{
			Subject: &types.Content{Data: aws.String(msg.Subject), Charset: aws.String("UTF-8")},
			Body: &types.Body{
				Html: &types.Content{Data: aws.String(msg.HTML), Charset: aws.String("UTF-8")},
				Text: &types.Content{Data: aws.String(msg.Text), Charset: aws.String("UTF-8")},
			},
		}},
	})
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
