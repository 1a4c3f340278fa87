// Command complaint-escalation is ComplaintEscalationFunction: the hourly
// reminders and escalations of complaint deadlines.
package main

import (
	"github.com/aws/aws-lambda-go/lambda"

	"keycare/shared/platform"
)

func main() {
	lambda.Start(platform.Must(platform.ColdStart().Escalator()).Handle)
}
