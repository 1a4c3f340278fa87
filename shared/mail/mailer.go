package mail

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	"github.com/aws/aws-sdk-go-v2/service/sesv2/types"

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

	// Parts holds the attachments jobs carry by reference (mail.Fit).
	Parts Parts
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
	msg, err := resolve(ctx, m.Parts, msg)
	if err != nil {
		slog.WarnContext(ctx, "mail: attachment unavailable", "mailId", msg.ID, "err", err.Error())
		return err
	}
	_, err = m.SES.SendEmail(ctx, &sesv2.SendEmailInput{
		FromEmailAddress: aws.String(m.From),
		Destination:      &types.Destination{ToAddresses: msg.To},
		Content: &types.EmailContent{Simple: &types.Message{
			Subject: &types.Content{Data: aws.String(msg.Subject), Charset: aws.String("UTF-8")},
			Body: &types.Body{
				Html: &types.Content{Data: aws.String(msg.HTML), Charset: aws.String("UTF-8")},
				Text: &types.Content{Data: aws.String(msg.Text), Charset: aws.String("UTF-8")},
			},
			Attachments: sesAttachments(msg.Attachments),
		}},
	})
	if err != nil {
		slog.WarnContext(ctx, "mail: send failed", "mailId", msg.ID, "kind", msg.Kind, "err", err.Error())
		return fmt.Errorf("mail: send %s: %w", msg.ID, err)
	}
	if err := m.Sent.MarkSent(ctx, msg.ID, m.Now()); err != nil {
		// Sent but not marked: a redelivery could send it again; better twice than never.
		slog.WarnContext(ctx, "mail: sent but not marked", "mailId", msg.ID, "err", err.Error())
	}
	slog.InfoContext(ctx, "mail: sent", "mailId", msg.ID, "kind", msg.Kind)
	return nil
}

// sesAttachments are the message's attachments as SES v2 simple content
// carries them: attached, or inline with their content id (the HTML's cid:).
func sesAttachments(list []Attachment) []types.Attachment {
	var out []types.Attachment
	for _, a := range list {
		sa := types.Attachment{FileName: aws.String(a.Filename), RawContent: a.Data, ContentType: aws.String(a.ContentType),
			ContentDisposition: types.AttachmentContentDispositionAttachment, ContentTransferEncoding: types.AttachmentContentTransferEncodingBase64}
		if a.Inline() {
			sa.ContentDisposition, sa.ContentId = types.AttachmentContentDispositionInline, aws.String(a.ContentID)
		}
		out = append(out, sa)
	}
	return out
}
