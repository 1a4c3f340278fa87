// Package ses sends the mailer's messages through Amazon SES v2. Only
// MailerFunction links it (functions/mailer, platform.WithSES): the SES
// SDK's package initialisation is about 1 ms of the cold start of every
// function that links it (README, Figures: cold start).
package ses

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	"github.com/aws/aws-sdk-go-v2/service/sesv2/types"

	"keycare/shared/mail"
)

// API is the part of the SES v2 client a Sender uses.
type API interface {
	SendEmail(ctx context.Context, in *sesv2.SendEmailInput, opts ...func(*sesv2.Options)) (*sesv2.SendEmailOutput, error)
}

// Sender sends messages through SES v2 as simple content (subject, HTML
// and text parts, attachments).
type Sender struct{ API API }

// Client is a Sender on an SES v2 client from cfg: at endpoint when not
// empty (the local stand-in), in region when not empty (SES_REGION; SES is
// not offered in every region).
func Client(cfg aws.Config, endpoint, region string, optFns ...func(*sesv2.Options)) Sender {
	return Sender{API: sesv2.NewFromConfig(cfg, append([]func(*sesv2.Options){func(o *sesv2.Options) {
		if endpoint != "" {
			o.BaseEndpoint = aws.String(endpoint)
		}
		if region != "" {
			o.Region = region
		}
	}}, optFns...)...)}
}

// Send sends m from the address from. SES's error is returned as it is
// (mail.ErrorCode names it without the recipient it mentions).
func (s Sender) Send(ctx context.Context, from string, m mail.Message) error {
	_, err := s.API.SendEmail(ctx, &sesv2.SendEmailInput{
		FromEmailAddress: aws.String(from),
		Destination:      &types.Destination{ToAddresses: m.To},
		ReplyToAddresses: m.ReplyTo,
		Content: &types.EmailContent{Simple: &types.Message{
			Subject: &types.Content{Data: aws.String(m.Subject), Charset: aws.String("UTF-8")},
			Body: &types.Body{
				Html: &types.Content{Data: aws.String(m.HTML), Charset: aws.String("UTF-8")},
				Text: &types.Content{Data: aws.String(m.Text), Charset: aws.String("UTF-8")},
			},
			Attachments: attachments(m.Attachments),
		}},
	})
	return err
}

// attachments are the message's attachments as SES v2 simple content
// carries them: attached, or inline with their content id (the HTML's cid:).
func attachments(list []mail.Attachment) []types.Attachment {
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

// New is Client as platform.WithSES and platform.NewAWS take it.
func New(cfg aws.Config, endpoint, region string) mail.SES { return Client(cfg, endpoint, region) }
