// Command hello is the hello-world Go Lambda that make bench starts beside
// keycare's functions, as the floor of a cold start.
package main

import (
	"context"
	"encoding/json"

	"github.com/aws/aws-lambda-go/lambda"
)

func main() {
	lambda.Start(func(ctx context.Context, ev json.RawMessage) (string, error) { return "hello", nil })
}
