// Package queue is keycare's SQS adapter: producers put JSON jobs on a
// queue; consumers are SQS-triggered Lambdas that answer with
// ReportBatchItemFailures so that a bad message fails alone.
package queue

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
)

// API is the part of the SQS client a producer uses.
type API interface {
	SendMessage(ctx context.Context, in *sqs.SendMessageInput, opts ...func(*sqs.Options)) (*sqs.SendMessageOutput, error)
}

// Queue sends JSON messages to one queue.
type Queue struct {
	client API
	url    string
}

// New returns a producer for the queue at url.
func New(client API, url string) *Queue { return &Queue{client: client, url: url} }

// SendJSON enqueues v as a JSON message.
func (q *Queue) SendJSON(ctx context.Context, v any) error {
	if q.url == "" {
		return fmt.Errorf("queue: no queue URL configured")
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("queue: marshal %T: %w", v, err)
	}
	if len(b) > 256*1024 {
		return fmt.Errorf("queue: message of %d bytes exceeds SQS's 256 KiB", len(b))
	}
	if _, err := q.client.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(q.url), MessageBody: aws.String(string(b))}); err != nil {
		return fmt.Errorf("queue: send: %w", err)
	}
	return nil
}

// EachRecord runs handle on every record of a batch and reports the ones
// that failed, so that SQS retries those alone (ReportBatchItemFailures).
func EachRecord(ctx context.Context, ev events.SQSEvent, handle func(ctx context.Context, m events.SQSMessage) error) events.SQSEventResponse {
	var resp events.SQSEventResponse
	for _, m := range ev.Records {
		if err := handle(ctx, m); err != nil {
			resp.BatchItemFailures = append(resp.BatchItemFailures, events.SQSBatchItemFailure{ItemIdentifier: m.MessageId})
		}
	}
	return resp
}
