// Command sdkfloor is the floor of a keycare cold start that make bench
// starts beside the functions: a Go Lambda that builds, as every function
// does, a DynamoDB and an SQS client from Lambda's environment, and nothing
// of keycare.
package main

import (
	"context"
	"encoding/json"
	"os"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
)

func main() {
	cfg := aws.Config{Region: os.Getenv("AWS_REGION"),
		Credentials: credentials.NewStaticCredentialsProvider(os.Getenv("AWS_ACCESS_KEY_ID"), os.Getenv("AWS_SECRET_ACCESS_KEY"), "")}
	db, q := dynamodb.NewFromConfig(cfg), sqs.NewFromConfig(cfg)
	lambda.Start(func(ctx context.Context, ev json.RawMessage) (string, error) {
		_, _ = db, q
		return "ok", nil
	})
}
