// Command survey-reminders is SurveyRemindersFunction: the daily run that sends the one
// reminder of unanswered surveys.
package main

import (
	"github.com/aws/aws-lambda-go/lambda"

	"keycare/shared/platform"
)

func main() {
	d := platform.ColdStart()
	lambda.Start(d.Scheduled("SurveyRemindersFunction", d.Surveys().Reminders))
}
