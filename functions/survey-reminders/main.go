// Command survey-reminders is SurveyRemindersFunction: the daily run that sends the one
// reminder of unanswered surveys.
package main

import "keycare/shared/platform"

func main() { platform.Start("SurveyRemindersFunction") }
