package e2e

import (
	"context"
	"encoding/json"
	"strconv"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"keycare/local/emu"
	"keycare/local/runner"
	"keycare/local/testenv"
	"keycare/shared/mail"
	"keycare/shared/platform"
)

func queueDepth(t *testing.T, env *testenv.Env, q string) int {
	t.Helper()
	out, err := env.AWS.SQS.GetQueueAttributes(context.Background(), &sqs.GetQueueAttributesInput{QueueUrl: aws.String(env.Resources.QueueURLs[q]),
		AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameApproximateNumberOfMessages, sqstypes.QueueAttributeNameApproximateNumberOfMessagesNotVisible}})
	if err != nil {
		t.Fatal(err)
	}
	a, _ := strconv.Atoi(out.Attributes["ApproximateNumberOfMessages"])
	b, _ := strconv.Atoi(out.Attributes["ApproximateNumberOfMessagesNotVisible"])
	return a + b
}

// Through the runner's SQS poller and the queue as template.yaml declares it
// (visibility 360 s, maxReceiveCount 10): good mail is sent; a poison
// message, which no retry can send, is made visible again at once each time
// and lands in the dead-letter queue within seconds.
func TestMailQueuePollerAndDeadLetter(t *testing.T) {
	env := testenv.New(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	mq := env.Resources.QueueURLs["MailQueue"]
	r, err := runner.New(env.Template, env.Resources, env.AWS, runner.NewClock(), platform.Registry)
	if err != nil {
		t.Fatal(err)
	}
	before := sesCount(t, env.Emu.SES)
	wg := r.Start(ctx)
	defer wg.Wait()
	defer cancel()
	good, _ := json.Marshal(mail.Message{ID: "poller-good", Kind: "test", Lang: "en", To: []string{"x@example.com"}, Subject: "s", HTML: "<p>h</p>", Text: "t"})
	for _, body := range []string{string(good), "poison: not json"} {
		if _, err := env.AWS.SQS.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(mq), MessageBody: aws.String(body)}); err != nil {
			t.Fatal(err)
		}
	}
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		if queueDepth(t, env, "MailDeadLetterQueue") == 1 && sesCount(t, env.Emu.SES)-before == 1 && queueDepth(t, env, "MailQueue") == 0 {
			return
		}
		time.Sleep(300 * time.Millisecond)
	}
	t.Fatalf("after 60s: DLQ %d (want 1), mail queue %d (want 0), sent %d (want 1)",
		queueDepth(t, env, "MailDeadLetterQueue"), queueDepth(t, env, "MailQueue"), sesCount(t, env.Emu.SES)-before)
}

func sesCount(t *testing.T, url string) int {
	t.Helper()
	sent, err := emu.SentEmails(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	return len(sent)
}
