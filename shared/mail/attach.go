package mail

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Attachment is a file sent with a message: attached for the reader to
// open, or — with a ContentID — an inline image the HTML part shows as
// <img src="cid:ContentID">. Its bytes travel in the job (Data) or, when
// the job would be too large for the mail queue, stay in the table and the
// job carries their reference (Ref); the mailer reads them back.
type Attachment struct {
	Filename    string `json:"filename"`
	ContentType string `json:"contentType"`
	Data        []byte `json:"data,omitempty"`
	ContentID   string `json:"contentId,omitempty"` // set: inline (Content-Disposition: inline)
	Ref         string `json:"ref,omitempty"`       // set instead of Data: a part kept in Parts
}

// Inline reports whether the attachment is an inline image.
func (a Attachment) Inline() bool { return a.ContentID != "" }

// Parts keeps the large parts of queued messages (the table in keycare).
type Parts interface {
	PutPart(ctx context.Context, id string, data []byte, expires time.Time) error
	Part(ctx context.Context, id string) ([]byte, error)
}

// Limits of a message.
const (
	// MaxQueued is the largest job the mail queue takes (SQS holds 256 KiB
	// a message; the rest is room for the envelope).
	MaxQueued = 200 << 10
	// MaxAttachments is the most attached bytes one message may carry (SES
	// takes 40 MB a message; reports need far less).
	MaxAttachments = 10 << 20
	// PartTTL is how long a kept part lives: as long as a job can wait in
	// the queue and its dead-letter queue (14 days).
	PartTTL = 14 * 24 * time.Hour
)

// Compiled at first use, not in every cold start.
var (
	contentTypeRE = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`^[a-z]+/[a-zA-Z0-9.+-]+(; ?[a-zA-Z0-9-]+=[a-zA-Z0-9._-]+)*$`)
	}) // text/calendar; charset=utf-8; method=PUBLISH
	contentIDRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[A-Za-z0-9._@-]{1,100}$`) })
)

func (m Message) validateAttachments() error {
	total := 0
	ids := map[string]bool{}
	for i, a := range m.Attachments {
		bad := func(why string) error { return fmt.Errorf("mail: message %s attachment %d: %s", m.ID, i, why) }
		switch {
		case a.Filename == "" || len(a.Filename) > 200 || strings.ContainsAny(a.Filename, "\r\n\"\\/"):
			return bad("bad file name")
		case !contentTypeRE().MatchString(a.ContentType):
			return bad("bad content type")
		case (len(a.Data) == 0) == (a.Ref == ""):
			return bad("give either the data or a reference")
		case a.ContentID != "" && (!contentIDRE().MatchString(a.ContentID) || ids[a.ContentID]):
			return bad("bad or repeated content id")
		}
		ids[a.ContentID] = a.ContentID != ""
		total += len(a.Data)
	}
	if total > MaxAttachments {
		return fmt.Errorf("mail: message %s attaches %d bytes, over %d", m.ID, total, MaxAttachments)
	}
	return nil
}

// queuedSize is the size of m as a job on the queue.
func queuedSize(m Message) int {
	b, _ := json.Marshal(m)
	return len(b)
}

// Fit returns m as it can travel on the mail queue: while the job is over
// MaxQueued, its largest attachment still carried in the job moves to
// parts (kept PartTTL after now) and the job keeps its reference.
func Fit(ctx context.Context, parts Parts, m Message, now time.Time) (Message, error) {
	if queuedSize(m) <= MaxQueued {
		return m, nil
	}
	m.Attachments = append([]Attachment(nil), m.Attachments...)
	order := make([]int, len(m.Attachments))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return len(m.Attachments[order[a]].Data) > len(m.Attachments[order[b]].Data) })
	for _, i := range order {
		a := &m.Attachments[i]
		if len(a.Data) == 0 {
			continue
		}
		if parts == nil {
			return m, fmt.Errorf("mail: message %s is too large for the queue and no part store is configured", m.ID)
		}
		ref := m.ID + "-" + strconv.Itoa(i)
		if err := parts.PutPart(ctx, ref, a.Data, now.Add(PartTTL)); err != nil {
			return m, err
		}
		a.Data, a.Ref = nil, ref
		if queuedSize(m) <= MaxQueued {
			return m, nil
		}
	}
	return m, fmt.Errorf("mail: message %s is %d bytes without its attachments, over %d", m.ID, queuedSize(m), MaxQueued)
}

// resolve reads back the attachments m carries by reference.
func resolve(ctx context.Context, parts Parts, m Message) (Message, error) {
	var out []Attachment
	for _, a := range m.Attachments {
		if a.Ref != "" {
			if parts == nil {
				return m, fmt.Errorf("mail: message %s refers to part %s and no part store is configured", m.ID, a.Ref)
			}
			data, err := parts.Part(ctx, a.Ref)
			if err != nil {
				return m, fmt.Errorf("mail: message %s part %s: %w", m.ID, a.Ref, err)
			}
			a.Data, a.Ref = data, ""
		}
		out = append(out, a)
	}
	m.Attachments = out
	return m, nil
}
