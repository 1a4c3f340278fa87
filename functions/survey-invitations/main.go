// Command survey-invitations is SurveyInvitationsFunction: the monthly run of the
// periodic survey programme.
package main

import (
	"github.com/aws/aws-lambda-go/lambda"

	"keycare/shared/platform"
)

func main() {
	d := platform.ColdStart()
	lambda.Start(d.Scheduled("SurveyInvitationsFunction", d.Surveys().Periodic))
}
