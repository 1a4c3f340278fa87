package platform

import (
	"cmp"
	"context"
	"fmt"
	"log/slog"
	"os"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
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
// queues, and polls queues, with them), and the SES sender when one was
// asked for (NewAWS's ses).
type AWS struct {
	DynamoDB *dynamodb.Client
	SQS      *sqs.Client
	SES      mail.SES
}

// SESClient makes the SES sender from the SDK configuration, at endpoint
// when not empty, in region when not empty (ses.Client). It is passed in
// rather than built here so that only MailerFunction links the SES SDK.
type SESClient func(cfg aws.Config, endpoint, region string) mail.SES

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

// NewAWS builds the clients for the local stack when ep names endpoints,
// and otherwise from the environment Lambda sets (envConfig); with ses
// also the SES sender (nil: none, as in every function but the mailer).
func NewAWS(ctx context.Context, ep Endpoints, ses SESClient) (AWS, error) {
	var cfg aws.Config
	switch env, ok := envConfig(os.Getenv); {
	case ep.DynamoDB != "" || ep.SQS != "" || ep.SES != "":
		cfg = aws.Config{Region: LocalRegion, Credentials: LocalCredentials}
	case ok:
		cfg, ep = env, ep.fromEnv(os.Getenv)
	default:
		return AWS{}, fmt.Errorf("platform: no AWS configuration: AWS_REGION, AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not all set (Lambda sets them)")
	}
	a := AWS{
		DynamoDB: dynamodb.NewFromConfig(cfg, func(o *dynamodb.Options) {
			setEndpoint(&o.BaseEndpoint, ep.DynamoDB)
			// DynamoDB Local sends a CRC32 header that does not match some
			// BatchGetItem bodies; AWS's does. Check it only against AWS.
			o.DisableValidateResponseChecksum = ep.DynamoDB != ""
		}),
		SQS: sqs.NewFromConfig(cfg, func(o *sqs.Options) { setEndpoint(&o.BaseEndpoint, ep.SQS) }),
	}
	if ses != nil {
		a.SES = ses(cfg, ep.SES, ep.SESRegion)
	}
	return a, nil
}

// envConfig is the SDK configuration inside Lambda: the region and the
// execution role's credentials, which Lambda puts in the environment of
// every execution environment for its lifetime. The SDK's default chain
// would pick the same credentials first, but it also looks for shared
// files, profiles and IMDS settings: config.LoadDefaultConfig took 5–30 ms
// of every cold start, and linking its package (with the STS, SSO and
// sign-in clients it brings) about 1 ms more of package initialisation
// (README, Figures: cold start). ok is false without those variables.
func envConfig(getenv func(string) string) (cfg aws.Config, ok bool) {
	region, id, secret := getenv("AWS_REGION"), getenv("AWS_ACCESS_KEY_ID"), getenv("AWS_SECRET_ACCESS_KEY")
	if region == "" || id == "" || secret == "" {
		return aws.Config{}, false
	}
	creds := credentials.NewStaticCredentialsProvider(id, secret, getenv("AWS_SESSION_TOKEN"))
	return aws.Config{Region: region, Credentials: aws.NewCredentialsCache(creds)}, true
}

// fromEnv fills the endpoints the SDK's standard variables name
// (AWS_ENDPOINT_URL_<SERVICE>, then AWS_ENDPOINT_URL), as the default
// configuration chain would.
func (ep Endpoints) fromEnv(getenv func(string) string) Endpoints {
	pick := func(service string) string {
		if v := getenv("AWS_ENDPOINT_URL_" + service); v != "" {
			return v
		}
		return getenv("AWS_ENDPOINT_URL")
	}
	if getenv("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS") == "true" {
		return ep
	}
	ep.DynamoDB, ep.SQS, ep.SES = cmp.Or(ep.DynamoDB, pick("DYNAMODB")), cmp.Or(ep.SQS, pick("SQS")), cmp.Or(ep.SES, pick("SESV2"))
	return ep
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
