// Package mail holds keycare's email: the messages (always an HTML and a
// text part, in the reader's language), the outbox that puts them on the mail
// queue, and the mailer that sends them through SES v2.
package mail

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"strings"
)

// Message is one email job on the mail queue.
type Message struct {
	ID      string   `json:"id"` // unique; the mailer sends each id once
	Kind    string   `json:"kind"`
	Lang    string   `json:"lang"`
	To      []string `json:"to"`
	Subject string   `json:"subject"`
	HTML    string   `json:"html"`
	Text    string   `json:"text"`
	// ReplyTo is where the reader's answer goes (customer mail: the brand's
	// address, since the mail is sent from a no-reply identity); optional.
	ReplyTo []string `json:"replyTo,omitempty"`
	// Attachments are optional files (e.g. the digest's .ics). The job
	// travels through SQS (256 KiB with its JSON and base64), so keep them small.
	Attachments []Attachment `json:"attachments,omitempty"`
}

// Attachment is a file sent with a message.
type Attachment struct {
	Filename    string `json:"filename"`
	ContentType string `json:"contentType"`
	Data        []byte `json:"data"` // base64 in JSON
}

// MaxAttachmentBytes bounds a message's attachments, well inside SQS's
// 256 KiB once base64 (4/3) and the message's parts are added.
const MaxAttachmentBytes = 128 << 10

// Validate checks a job before it is queued or sent.
func (m Message) Validate() error {
	switch {
	case m.ID == "":
		return fmt.Errorf("mail: message without id")
	case len(m.To) == 0:
		return fmt.Errorf("mail: message %s has no recipient", m.ID)
	case m.Subject == "" || m.HTML == "" || m.Text == "":
		return fmt.Errorf("mail: message %s lacks a subject, HTML or text part", m.ID)
	}
	size := 0
	for _, a := range m.Attachments {
		if a.Filename == "" || strings.ContainsAny(a.Filename, "/\\\r\n\"") || a.ContentType == "" || strings.ContainsAny(a.ContentType, "\r\n") {
			return fmt.Errorf("mail: message %s has a bad attachment", m.ID)
		}
		size += len(a.Data)
	}
	if size > MaxAttachmentBytes {
		return fmt.Errorf("mail: message %s has %d bytes of attachments, over %d", m.ID, size, MaxAttachmentBytes)
	}
	for _, to := range m.To {
		if strings.ContainsAny(to, "\r\n") || !strings.Contains(to, "@") {
			return fmt.Errorf("mail: message %s has a bad recipient", m.ID)
		}
	}
	for _, r := range m.ReplyTo {
		if !validAddress(r) {
			return fmt.Errorf("mail: message %s has a bad reply-to address", m.ID)
		}
	}
	return nil
}

// NewID returns a random message id.
func NewID(kind string) string {
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	return kind + "-" + hex.EncodeToString(b)
}

// Outbox queues messages for the mailer.
type Outbox interface {
	Send(ctx context.Context, m Message) error
}

// JSONSender is what the outbox needs of a queue.
type JSONSender interface {
	SendJSON(ctx context.Context, v any) error
}

// QueueOutbox puts messages on the mail queue.
type QueueOutbox struct{ Queue JSONSender }

// Send validates and enqueues m.
func (o QueueOutbox) Send(ctx context.Context, m Message) error {
	if err := m.Validate(); err != nil {
		return err
	}
	return o.Queue.SendJSON(ctx, m)
}
