// Command mailer is MailerFunction: it sends the mail queue's messages
// through SES v2, reporting failed messages one by one.
package main

import (
	"github.com/aws/aws-lambda-go/lambda"

	"keycare/shared/platform"
)

func main() {
	lambda.Start(platform.ColdStart().Mailer().Handle)
}
