package platform

import (
	"context"
	"fmt"
	"log/slog"
	"os"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"keycare/shared/mail"
	"keycare/shared/queue"
	"keycare/shared/store"
)

// Clients are the AWS APIs the functions use, as the small interfaces their
// packages consume, so that the bench and tests can count or fail calls
// through the same wiring.
type Clients struct {
	DynamoDB store.DB
	SQS      SQS
	SES      mail.SES
}

// SQS is what functions do with queues: send (queue.API) and, for the
// mailer's backoff, change a message's visibility (mail.Visibility).
type SQS interface {
	queue.API
	mail.Visibility
}

// AWS are the concrete SDK clients (the local stack also creates tables and
// queues, and polls queues, with them).
type AWS struct {
	DynamoDB *dynamodb.Client
	SQS      *sqs.Client
	SES      *sesv2.Client
}

// Clients are a's clients behind the interfaces functions use.
func (a AWS) Clients() Clients { return Clients{DynamoDB: a.DynamoDB, SQS: a.SQS, SES: a.SES} }

// Endpoints point the clients at local stand-ins; empty means AWS.
type Endpoints struct {
	DynamoDB, SQS, SES string
	// SESRegion overrides the SES client's region (SES is not offered in
	// every region; SES_REGION); empty keeps the configured one.
	SESRegion string
}

// LocalCredentials are the fixed credentials of the local stack. DynamoDB
// Local keeps one database per access key and region, so every local client
// must use these.
var LocalCredentials = credentials.NewStaticCredentialsProvider("keycare", "local", "")

// LocalRegion is the region every local client uses.
const LocalRegion = "us-east-1"

// NewAWS builds the clients from the default AWS configuration, or for the
// local stack when ep names endpoints.
func NewAWS(ctx context.Context, ep Endpoints) (AWS, error) {
	var opts []func(*config.LoadOptions) error
	if ep.DynamoDB != "" || ep.SQS != "" || ep.SES != "" {
		opts = append(opts, config.WithRegion(LocalRegion), config.WithCredentialsProvider(LocalCredentials))
	}
	cfg, err := config.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return AWS{}, fmt.Errorf("platform: aws config: %w", err)
	}
	return AWS{
		DynamoDB: dynamodb.NewFromConfig(cfg, func(o *dynamodb.Options) {
			setEndpoint(&o.BaseEndpoint, ep.DynamoDB)
			// DynamoDB Local sends a CRC32 header that does not match some
			// BatchGetItem bodies; AWS's does. Check it only against AWS.
			o.DisableValidateResponseChecksum = ep.DynamoDB != ""
		}),
		SQS: sqs.NewFromConfig(cfg, func(o *sqs.Options) { setEndpoint(&o.BaseEndpoint, ep.SQS) }),
		SES: sesv2.NewFromConfig(cfg, func(o *sesv2.Options) {
			setEndpoint(&o.BaseEndpoint, ep.SES)
			if ep.SESRegion != "" {
				o.Region = ep.SESRegion
			}
		}),
	}, nil
}

func setEndpoint(dst **string, url string) {
	if url != "" {
		*dst = aws.String(url)
	}
}

// InitLogger makes JSON structured logging the default.
func InitLogger() {
	slog.SetDefault(slog.New(slog.NewJSONHandler(os.Stdout, &slog.HandlerOptions{Level: slog.LevelInfo})))
}
