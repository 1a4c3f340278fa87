package mail_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"keycare/local/testenv"
	"keycare/shared/mail"
)

type memParts map[string][]byte

func (m memParts) PutPart(_ context.Context, id string, data []byte, _ time.Time) error {
	m[id] = append([]byte(nil), data...)
	return nil
}

func (m memParts) Part(_ context.Context, id string) ([]byte, error) { return m[id], nil }

func withAttachments(id string, sizes ...int) mail.Message {
	m := message(id, "a@example.com")
	for i, n := range sizes {
		m.Attachments = append(m.Attachments, mail.Attachment{Filename: "f" + string(rune('0'+i)) + ".csv", ContentType: "text/csv", Data: bytes.Repeat([]byte{'x'}, n)})
	}
	return m
}

func TestAttachmentValidation(t *testing.T) {
	ok := mail.Attachment{Filename: "trend.png", ContentType: "image/png", Data: []byte{1}, ContentID: "trend"}
	for name, a := range map[string]mail.Attachment{
		"no name":       {ContentType: "text/csv", Data: []byte{1}},
		"path in name":  {Filename: "../x.csv", ContentType: "text/csv", Data: []byte{1}},
		"header inject": {Filename: "x\r\nBcc: y", ContentType: "text/csv", Data: []byte{1}},
		"bad type":      {Filename: "x.csv", ContentType: "csv", Data: []byte{1}},
		"neither":       {Filename: "x.csv", ContentType: "text/csv"},
		"both":          {Filename: "x.csv", ContentType: "text/csv", Data: []byte{1}, Ref: "r"},
		"bad cid":       {Filename: "x.png", ContentType: "image/png", Data: []byte{1}, ContentID: "a b"},
		"repeated cid":  ok,
	} {
		m := message("v", "a@example.com")
		m.Attachments = []mail.Attachment{ok, a}
		if err := m.Validate(); err == nil {
			t.Errorf("%s accepted", name)
		}
	}
	m := message("v", "a@example.com")
	m.Attachments = []mail.Attachment{ok, {Filename: "报表.csv", ContentType: "text/csv", Ref: "v-1"}}
	if err := m.Validate(); err != nil {
		t.Fatal(err)
	}
}

// A job too large for the queue keeps its largest attachments apart, just
// enough of them; a small one travels whole.
func TestFitKeepsLargePartsApart(t *testing.T) {
	ctx := context.Background()
	parts := memParts{}
	small := withAttachments("small", 1000, 2000)
	got, err := mail.Fit(ctx, parts, small, time.Now())
	if err != nil || len(parts) != 0 || got.Attachments[0].Ref != "" {
		t.Fatalf("small: %+v %v", parts, err)
	}
	big := withAttachments("big", 100_000, 180_000, 3_000)
	got, err = mail.Fit(ctx, parts, big, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if got.Attachments[1].Ref != "big-1" || got.Attachments[1].Data != nil || got.Attachments[0].Ref != "" || got.Attachments[2].Ref != "" ||
		len(parts["big-1"]) != 180_000 || big.Attachments[1].Data == nil {
		t.Fatalf("fitted: %+v (parts %d); the caller's message must stay as it was", got.Attachments, len(parts))
	}
	b, _ := json.Marshal(got)
	if len(b) > mail.MaxQueued || got.Validate() != nil {
		t.Fatalf("fitted job is %d bytes: %v", len(b), got.Validate())
	}
	if _, err := mail.Fit(ctx, nil, big, time.Now()); err == nil {
		t.Fatal("a large job without a part store was accepted")
	}
	if err := (mail.QueueOutbox{}).Send(ctx, big); err == nil || !strings.Contains(err.Error(), "mail.Fit") {
		t.Fatalf("the queue outbox took a job over the queue's limit: %v", err)
	}
}

// The outbox keeps a large report's attachments in the table, the job on
// the queue carries references, and the mailer sends the whole message
// through SES v2 — the chart inline (cid) and the files attached — as the
// SES emulator shows.
func TestAttachmentsReachSES(t *testing.T) {
	env := testenv.New(t)
	a := env.App(t, "MailerFunction", nil)
	ctx := context.Background()
	png := append([]byte("\x89PNG\r\n\x1a\n"), bytes.Repeat([]byte{7}, 150_000)...)
	csv := []byte("\ufeff部分,指标\n满意度,91.5%\n")
	xlsx := bytes.Repeat([]byte{'P', 'K'}, 60_000)
	m := message("report-att", "boss@example.com")
	m.HTML = `<p>trend</p><img src="cid:trend" alt="趋势">`
	m.Attachments = []mail.Attachment{
		{Filename: "trend.png", ContentType: "image/png", Data: png, ContentID: "trend"},
		{Filename: "keycare-2026-10-company.csv", ContentType: "text/csv", Data: csv},
		{Filename: "complaints-2026-10.xlsx", ContentType: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", Data: xlsx},
	}
	if err := a.Outbox.Send(ctx, m); err != nil {
		t.Fatal(err)
	}
	queued := env.DrainMail(t)
	if len(queued) != 1 {
		t.Fatalf("%d jobs queued", len(queued))
	}
	job := queued[0]
	if job.Attachments[0].Ref == "" || job.Attachments[0].Data != nil || job.Attachments[1].Data == nil {
		t.Fatalf("the chart should travel by reference, the CSV in the job: %+v", job.Attachments)
	}
	body, _ := json.Marshal(job)
	if len(body) > mail.MaxQueued {
		t.Fatalf("job of %d bytes", len(body))
	}
	before := len(sesStore(t, env.Emu.SES))
	mailer, err := a.Mailer()
	if err != nil {
		t.Fatal(err)
	}
	resp, err := mailer.Handle(ctx, events.SQSEvent{Records: []events.SQSMessage{{MessageId: "1", Body: string(body)}}})
	if err != nil || len(resp.BatchItemFailures) != 0 {
		t.Fatalf("%+v %v", resp, err)
	}
	sent := sesStore(t, env.Emu.SES)
	if len(sent) != before+1 {
		t.Fatalf("%d mails in SES", len(sent)-before)
	}
	got := sent[len(sent)-1]
	if len(got.Attachments) != 3 {
		t.Fatalf("SES holds %d attachments", len(got.Attachments))
	}
	want := map[string][]byte{"trend.png": png, "keycare-2026-10-company.csv": csv, "complaints-2026-10.xlsx": xlsx}
	for _, att := range got.Attachments {
		data, err := base64.StdEncoding.DecodeString(att.Content)
		if err != nil || !bytes.Equal(data, want[att.Filename]) {
			t.Errorf("%s: %d bytes arrived, want %d (%v)", att.Filename, len(data), len(want[att.Filename]), err)
		}
		inline := att.Filename == "trend.png"
		if inline != (att.ContentDisposition == "INLINE" && att.ContentID == "trend") {
			t.Errorf("%s: disposition %q id %q", att.Filename, att.ContentDisposition, att.ContentID)
		}
	}
}
