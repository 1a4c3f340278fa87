package ses

import (
	"context"
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	"github.com/aws/aws-sdk-go-v2/service/sesv2/types"

	"keycare/shared/mail"
)

type captured struct {
	in  *sesv2.SendEmailInput
	err error
}

func (c *captured) SendEmail(_ context.Context, in *sesv2.SendEmailInput, _ ...func(*sesv2.Options)) (*sesv2.SendEmailOutput, error) {
	c.in = in
	return &sesv2.SendEmailOutput{}, c.err
}

// A message goes to SES as simple content: from, to, reply-to, subject
// and both parts in UTF-8, an attachment attached and an inline image
// inline with its content id; SES's error comes back as it is.
func TestSendBuildsSimpleContent(t *testing.T) {
	api := &captured{}
	m := mail.Message{To: []string{"li@acme.cn"}, ReplyTo: []string{"kefu@example.cn"}, Subject: "投诉 2026000001", HTML: "<p>好</p>", Text: "好",
		Attachments: []mail.Attachment{{Filename: "a.ics", ContentType: "text/calendar", Data: []byte("BEGIN")},
			{Filename: "chart.png", ContentType: "image/png", ContentID: "chart", Data: []byte{1, 2}}}}
	if err := (Sender{API: api}).Send(context.Background(), "noreply@example.cn", m); err != nil {
		t.Fatal(err)
	}
	in := api.in
	s := in.Content.Simple
	if aws.ToString(in.FromEmailAddress) != "noreply@example.cn" || in.Destination.ToAddresses[0] != "li@acme.cn" || in.ReplyToAddresses[0] != "kefu@example.cn" ||
		aws.ToString(s.Subject.Data) != m.Subject || aws.ToString(s.Body.Html.Data) != m.HTML || aws.ToString(s.Body.Text.Data) != m.Text ||
		aws.ToString(s.Subject.Charset) != "UTF-8" {
		t.Fatalf("input %+v", in)
	}
	if len(s.Attachments) != 2 || s.Attachments[0].ContentDisposition != types.AttachmentContentDispositionAttachment || s.Attachments[0].ContentId != nil ||
		s.Attachments[1].ContentDisposition != types.AttachmentContentDispositionInline || aws.ToString(s.Attachments[1].ContentId) != "chart" {
		t.Fatalf("attachments %+v", s.Attachments)
	}
	api.err = errors.New("throttled")
	if err := (Sender{API: api}).Send(context.Background(), "noreply@example.cn", m); !errors.Is(err, api.err) {
		t.Fatalf("err %v", err)
	}
}

// Client puts the client at the endpoint and in the region it is given,
// and keeps the configuration's otherwise.
func TestClientEndpointAndRegion(t *testing.T) {
	cfg := aws.Config{Region: "ap-east-1"}
	c := Client(cfg, "http://127.0.0.1:8005", "ap-northeast-1").API.(*sesv2.Client).Options()
	if c.Region != "ap-northeast-1" || aws.ToString(c.BaseEndpoint) != "http://127.0.0.1:8005" {
		t.Fatalf("region %q endpoint %q", c.Region, aws.ToString(c.BaseEndpoint))
	}
	c = Client(cfg, "", "").API.(*sesv2.Client).Options()
	if c.Region != "ap-east-1" || c.BaseEndpoint != nil {
		t.Fatalf("region %q endpoint %v", c.Region, c.BaseEndpoint)
	}
}
