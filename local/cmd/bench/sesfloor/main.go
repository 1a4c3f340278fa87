// Command sesfloor is the floor of MailerFunction's cold start that make
// bench starts beside the functions: the SDK floor (sdkfloor) plus the SES
// v2 client the mailer alone builds, and nothing of keycare.
package main

import (
	"context"
	"encoding/json"
	"os"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
)

func main() {
	cfg := aws.Config{Region: os.Getenv("AWS_REGION"),
		Credentials: credentials.NewStaticCredentialsProvider(os.Getenv("AWS_ACCESS_KEY_ID"), os.Getenv("AWS_SECRET_ACCESS_KEY"), "")}
	db, q, s := dynamodb.NewFromConfig(cfg), sqs.NewFromConfig(cfg), sesv2.NewFromConfig(cfg)
	lambda.Start(func(ctx context.Context, ev json.RawMessage) (string, error) {
		_, _, _ = db, q, s
		return "ok", nil
	})
}
