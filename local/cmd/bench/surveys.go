package main

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strconv"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"keycare/local/stack"
	"keycare/shared/domain"
	"keycare/shared/platform"
	"keycare/shared/store"
	"keycare/shared/survey"
)

// surveys puts answers (20% of the messages duplicates) on the emulated
// survey queue and drains it through the real processor in batches of 10,
// as the event source mapping does; then it recounts.
func (b *bench) surveys() error {
	ctx := b.ctx
	answers := b.n * 5
	dups := answers / 4 // 20% of all messages
	res, err := stack.Create(ctx, b.t, b.clients, map[string]string{"Stage": fmt.Sprintf("bench-s-%d", time.Now().UnixNano()), "PublicBaseUrl": "https://example.com"})
	if err != nil {
		return err
	}
	cfg, err := res.Config(b.t, mustFunction(b.t, "SurveyProcessorFunction"))
	if err != nil {
		return err
	}
	fn, err := platform.Registry["SurveyProcessorFunction"](platform.Deps{Config: cfg, Clients: b.clients.Clients(), Now: time.Now})
	if err != nil {
		return err
	}
	st := store.New(b.clients.DynamoDB, res.Table).Surveys()
	loc, _ := time.LoadLocation(cfg.TimeZone)
	now := time.Now().UTC()
	tokens := make([]string, answers)
	for i := range tokens {
		tokens[i] = fmt.Sprintf("bench%040d", i)
		in := &domain.Invitation{Token: tokens[i], CustomerID: "c" + strconv.Itoa(i%50), CustomerName: "客户", ManagerID: "m" + strconv.Itoa(i%10),
			Department: "sales", Tier: domain.TierKey, Reason: domain.SurveyPeriodic, ContactEmail: "x@example.com", Language: "zh",
			CreatedAt: now, ExpiresAt: now.Add(24 * time.Hour)}
		if err := st.CreateInvitation(ctx, in, domain.InvitationClaim{}); err != nil {
			return err
		}
	}
	var bodies []string
	for i := 0; i < answers; i++ {
		bodies = append(bodies, submission(tokens[i], now))
	}
	for i := 0; i < dups; i++ {
		bodies = append(bodies, submission(tokens[rand.IntN(answers)], now))
	}
	rand.Shuffle(len(bodies), func(i, j int) { bodies[i], bodies[j] = bodies[j], bodies[i] })
	url := aws.String(res.QueueURLs["SurveyQueue"])
	for i := 0; i < len(bodies); i += 10 {
		var entries []sqstypes.SendMessageBatchRequestEntry
		for j := i; j < min(i+10, len(bodies)); j++ {
			entries = append(entries, sqstypes.SendMessageBatchRequestEntry{Id: aws.String(strconv.Itoa(j)), MessageBody: aws.String(bodies[j])})
		}
		if _, err := b.clients.SQS.SendMessageBatch(ctx, &sqs.SendMessageBatchInput{QueueUrl: url, Entries: entries}); err != nil {
			return err
		}
	}
	start := time.Now()
	processed, failed, batches := 0, 0, 0
	var handlerTime time.Duration
	for empty := 0; empty < 2; {
		out, err := b.clients.SQS.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: url, MaxNumberOfMessages: 10, WaitTimeSeconds: 0})
		if err != nil {
			return err
		}
		if len(out.Messages) == 0 {
			empty++
			continue
		}
		empty = 0
		ev := events.SQSEvent{}
		for _, m := range out.Messages {
			ev.Records = append(ev.Records, events.SQSMessage{MessageId: aws.ToString(m.MessageId), Body: aws.ToString(m.Body), ReceiptHandle: aws.ToString(m.ReceiptHandle)})
		}
		t0 := time.Now()
		resp, _ := fn.SQS(ctx, ev)
		handlerTime += time.Since(t0)
		batches++
		bad := map[string]bool{}
		for _, f := range resp.BatchItemFailures {
			bad[f.ItemIdentifier] = true
		}
		var del []sqstypes.DeleteMessageBatchRequestEntry
		for i, r := range ev.Records {
			if !bad[r.MessageId] {
				del = append(del, sqstypes.DeleteMessageBatchRequestEntry{Id: aws.String(strconv.Itoa(i)), ReceiptHandle: aws.String(r.ReceiptHandle)})
			}
		}
		processed += len(del)
		failed += len(bad)
		if len(del) > 0 {
			if _, err := b.clients.SQS.DeleteMessageBatch(ctx, &sqs.DeleteMessageBatchInput{QueueUrl: url, Entries: del}); err != nil {
				return err
			}
		}
	}
	wall := time.Since(start)

	// Recount the stored answers and compare with every aggregate.
	month := now.In(loc).Format("2006-01")
	var recount domain.Aggregate
	perCustomer := map[string]*domain.Aggregate{}
	stored := 0
	q := domain.ResponseQuery{Month: month, Limit: 200}
	for {
		page, err := st.ListResponses(ctx, q)
		if err != nil {
			return err
		}
		for _, r := range page.Items {
			stored++
			recount.Add(r.Answer)
			if perCustomer[r.CustomerID] == nil {
				perCustomer[r.CustomerID] = &domain.Aggregate{}
			}
			perCustomer[r.CustomerID].Add(r.Answer)
		}
		if page.NextCursor == "" {
			break
		}
		q.Cursor = page.NextCursor
	}
	monthAgg, err := st.Aggregates(ctx, "MONTH", month, month)
	if err != nil || len(monthAgg) != 1 {
		return fmt.Errorf("month aggregate: %v", err)
	}
	mismatch := 0
	for c, want := range perCustomer {
		got, err := st.Aggregates(ctx, "CUST#"+c, month, month)
		if err != nil || len(got) != 1 || got[0].Aggregate != *want {
			mismatch++
		}
	}
	check := "equal"
	if monthAgg[0].Aggregate != recount || mismatch > 0 || stored != answers {
		check = fmt.Sprintf("MISMATCH (month %+v vs %+v, %d customers differ)", monthAgg[0].Aggregate, recount, mismatch)
	}
	fmt.Printf("## Survey answers through the real processor, from the emulated SQS queue (batch 10, one consumer)\n")
	fmt.Printf("  messages %d (%d answers + %d duplicates = %.0f%%), batches %d, failed items %d\n", len(bodies), answers, dups, 100*float64(dups)/float64(len(bodies)), batches, failed)
	fmt.Printf("  %.0f messages/s end to end (receive + process + delete); %.0f messages/s in the handler alone; %.2f ms per message in the handler\n",
		float64(len(bodies))/wall.Seconds(), float64(len(bodies))/handlerTime.Seconds(), float64(handlerTime.Microseconds())/1000/float64(len(bodies)))
	fmt.Printf("  stored answers %d of %d; aggregates (month, 50 customers, 10 managers) vs recount: %s\n\n", stored, answers, check)
	return nil
}

func submission(token string, at time.Time) string {
	a := domain.Answer{Overall: 1 + rand.IntN(5), Recommend: rand.IntN(11)}
	b, _ := json.Marshal(survey.Submission{Token: token, Answer: a, SubmittedAt: at})
	return string(b)
}
