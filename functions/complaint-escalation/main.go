// Command complaint-escalation is ComplaintEscalationFunction: the hourly
// reminders and escalations of complaint deadlines.
package main

import (
	"github.com/aws/aws-lambda-go/lambda"

	"keycare/shared/platform"
)

func main() {
	d := platform.ColdStart()
	lambda.Start(d.Scheduled("ComplaintEscalationFunction", platform.Must(d.Escalator()).Handle))
}
