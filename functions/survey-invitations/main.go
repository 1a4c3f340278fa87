// Command survey-invitations is SurveyInvitationsFunction: the monthly run of the
// periodic survey programme.
package main

import "keycare/shared/platform"

func main() { platform.Start("SurveyInvitationsFunction") }
