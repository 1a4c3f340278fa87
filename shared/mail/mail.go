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
	// Attachments are files sent with the message (attach.go): attached
	// (e.g. the digest's .ics, a report's CSV), or inline images the HTML
	// shows by content id. A job too large for the mail queue keeps its
	// largest parts in the table and carries their references (mail.Fit).
	Attachments []Attachment `json:"attachments,omitempty"`
}

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
	return m.validateAttachments()
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
	if n := queuedSize(m); n > MaxQueued {
		return fmt.Errorf("mail: message %s is %d bytes, over the queue's %d: keep its attachments apart (mail.Fit)", m.ID, n, MaxQueued)
	}
	return o.Queue.SendJSON(ctx, m)
}
